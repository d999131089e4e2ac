import json

from django.contrib import admin
from django.utils.html import format_html

from portal.admin import ClinicScopedAdmin
from triage import services
from triage.models import Condition, Intake


@admin.register(Condition)
class ConditionAdmin(admin.ModelAdmin):
    """The catalogue comes from the engine (`manage.py load_conditions`); clinicians can only read it."""

    list_display = ["name", "code", "region", "default_urgency"]
    list_filter = ["default_urgency"]
    search_fields = ["name", "code", "region"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj is not None else []


def _pretty_json(value) -> str:
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return format_html('<pre class="stride-json">{}</pre>', text)


@admin.register(Intake)
class IntakeAdmin(ClinicScopedAdmin):
    """What the athlete answered and what the engine said are records: read-only. The review is editable."""

    clinic_field = "athlete__clinic"
    audit_list_reads = True
    list_display = ["athlete", "urgency", "top_condition", "created", "reviewed", "confirmed_condition"]
    list_filter = ["urgency", "confirmed_condition", ("reviewed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["athlete", "confirmed_condition"]
    search_fields = ["athlete__first_name", "athlete__last_name", "athlete__email"]
    date_hierarchy = "created"
    fieldsets = [
        (
            None,
            {"fields": ["athlete", "submitted_by", "created", "urgency", "engine_version", "review_page"]},
        ),
        ("Answers and result", {"fields": ["answers_pretty", "result_pretty"]}),
        ("Review", {"fields": ["confirmed_condition", "review_notes", "reviewed_by", "reviewed_at"]}),
    ]
    readonly_fields = [
        "athlete",
        "submitted_by",
        "created",
        "urgency",
        "engine_version",
        "review_page",
        "answers_pretty",
        "result_pretty",
        "reviewed_by",
        "reviewed_at",
    ]

    def has_add_permission(self, request):
        return False  # intakes come from the hip-check form, the only place the engine's result is made

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.athlete.anonymised_at is not None:
            return False  # the athlete's personal data was deleted: the record is read-only
        return super().has_change_permission(request, obj)

    @admin.display(description="Top condition")
    def top_condition(self, obj):
        top = obj.top_condition
        return top["name"] if top else "—"

    @admin.display(description="Reviewed", boolean=True, ordering="reviewed_at")
    def reviewed(self, obj):
        return obj.reviewed_at is not None

    @admin.display(description="Answers")
    def answers_pretty(self, obj):
        return _pretty_json(obj.answers)

    @admin.display(description="Result")
    def result_pretty(self, obj):
        return _pretty_json(obj.result)

    @admin.display(description="Review page")
    def review_page(self, obj):
        return format_html('<a href="{}">Open the review page</a>', obj.get_review_url())

    def save_model(self, request, obj, form, change):
        # The same service as the review page, so the athlete's alert is resolved here too.
        services.intake_review(
            intake=obj,
            by=request.user,
            condition=form.cleaned_data.get("confirmed_condition"),
            notes=form.cleaned_data.get("review_notes", ""),
        )
