import json

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.admin_base import CapabilityAdminMixin, ClinicScopedAdmin, set_or_empty_filter
from portal.admin_widgets import list_display_html
from portal.capabilities import Cap
from triage import services, wording
from triage.models import Condition, Intake


@admin.register(Condition)
class ConditionAdmin(CapabilityAdminMixin, admin.ModelAdmin):
    """The catalogue comes from the engine (`manage.py load_conditions`); clinicians can only read it."""

    view_capability = Cap.REVIEW_INTAKE

    list_display = ["display_name", "code", "region", "default_urgency"]
    list_filter = ["default_urgency"]
    search_fields = ["name", "code", "region"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj is not None else []

    @admin.display(description=gettext_lazy("name"), ordering="name")
    def display_name(self, obj):
        return obj.display_name


def _pretty_json(value) -> str:
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return format_html('<pre class="stride-json">{}</pre>', text)


def _facts(rows) -> str:
    """(label, value) pairs as a definition list; a value that is a list becomes a bulleted list."""
    return format_html(
        '<dl class="stride-facts">{}</dl>',
        format_html_join(
            "",
            "<dt>{}</dt><dd>{}</dd>",
            (
                (label, list_display_html(value) if isinstance(value, list) else value)
                for label, value in rows
            ),
        ),
    )


def answers_html(answers) -> str:
    """What the athlete answered, grouped as on the hip-check form and the review page, in words."""
    if not isinstance(answers, dict):
        return _pretty_json(answers)
    rows = []
    for group in wording.answers_for_display(answers):
        rows.extend(group["rows"])
        if group["ticked"]:
            rows.append((_("%(section)s (ticked)") % {"section": group["section"].title}, group["ticked"]))
        if group["unticked"]:
            rows.append(
                (_("%(section)s (not ticked)") % {"section": group["section"].title}, group["unticked"])
            )
    return _facts(rows) if rows else "—"


def result_html(result) -> str:
    """What the engine made of the answers, in words: urgency, warning signs, likely conditions, advice."""
    if not isinstance(result, dict):
        return _pretty_json(result)
    flags = [f"{flag['title']}: {flag['message']}" for flag in wording.red_flags_for_display(result)]
    rendered = wording.render_result(result)
    conditions = [
        f"{item['name']} ({wording.match_label(item.get('score') or 0).lower()})"
        for item in rendered["conditions"]
    ]
    rows = [
        (_("Urgency"), wording.URGENCY_LABELS.get(result.get("urgency"), result.get("urgency") or "—")),
        (_("Stop running"), _("Yes") if result.get("stop_running") else _("No")),
        (_("Warning signs"), flags or _("None")),
        (_("Likely conditions"), conditions or _("None")),
        (_("Advice given"), rendered["advice"] or "—"),
    ]
    return _facts(rows)


@admin.register(Intake)
class IntakeAdmin(ClinicScopedAdmin):
    """What the athlete answered and what the engine said are records: read-only. The review is editable."""

    view_capability = edit_capability = Cap.REVIEW_INTAKE
    clinic_field = "athlete__clinic"
    audit_list_reads = True
    list_display = ["athlete", "urgency", "top_condition", "created", "reviewed", "confirmed"]
    list_filter = [
        "urgency",
        "confirmed_condition",
        set_or_empty_filter(
            "reviewed_at",
            gettext_lazy("review"),
            gettext_lazy("Not reviewed yet"),
            gettext_lazy("Reviewed"),
            parameter="review",
        ),
    ]
    list_select_related = ["athlete", "confirmed_condition"]
    search_fields = ["athlete__first_name", "athlete__last_name", "athlete__email"]
    date_hierarchy = "created"
    fieldsets = [
        (
            None,
            {"fields": ["athlete", "submitted_by", "created", "urgency", "engine_version", "review_page"]},
        ),
        (gettext_lazy("Answers and result"), {"fields": ["answers_pretty", "result_pretty"]}),
        (
            gettext_lazy("Review"),
            {"fields": ["confirmed_condition", "review_notes", "reviewed_by", "reviewed_at"]},
        ),
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

    @admin.display(description=gettext_lazy("Confirmed"), ordering="confirmed_condition__name")
    def confirmed(self, obj):
        return obj.confirmed_condition or "—"

    @admin.display(description=gettext_lazy("Top suggestion"))
    def top_condition(self, obj):
        top = obj.top_condition
        return top["name"] if top else "—"

    @admin.display(description=gettext_lazy("Reviewed"), boolean=True, ordering="reviewed_at")
    def reviewed(self, obj):
        return obj.reviewed_at is not None

    @admin.display(description=gettext_lazy("Answers"))
    def answers_pretty(self, obj):
        return answers_html(obj.answers)

    @admin.display(description=gettext_lazy("Result"))
    def result_pretty(self, obj):
        return result_html(obj.result)

    @admin.display(description=gettext_lazy("Review page"))
    def review_page(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_review_url(), _("Open the review page"))

    def save_model(self, request, obj, form, change):
        # The same service as the review page, so the athlete's alert is resolved here too.
        services.intake_review(
            intake=obj,
            by=request.user,
            condition=form.cleaned_data.get("confirmed_condition"),
            notes=form.cleaned_data.get("review_notes", ""),
        )
