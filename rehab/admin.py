import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from portal.admin_base import (
    CapabilityAdminMixin,
    ClinicScopedAdmin,
    ReadableListsMixin,
    ScopedFormFieldsMixin,
    TabularInline,
    labelled_value,
    readable_list,
)
from portal.admin_widgets import RunStepsField, list_display_html
from portal.capabilities import Cap
from portal.downloads import download_start
from portal.models import Download
from portal.permissions import clinician_of, scope_catalog
from rehab import models as rehab_models
from rehab import services
from rehab.forms import CRITERIA_HELP, OUT_OF_DATE, VERSION_MAX, CriteriaField
from rehab.models import (
    DailyLog,
    ExerciseLog,
    PhaseExerciseTemplate,
    PhaseTemplate,
    Plan,
    PlanExercise,
    PlanPhase,
    PlanTemplate,
    RedFlag,
    Trigger,
)
from rehab.templatetags.criteria import criteria_preview
from triage.engine import LOCATION_CHOICES

PHASE_LIST_FIELDS = ["order", "name", "min_days", "run_activity", "run_minutes", "max_pain_during"]
DOSAGE_FIELDS = ["order", "exercise", *rehab_models.DOSAGE_FIELDS]


# A phase's change page (template or plan), in the order a clinician reads a phase; labels in words with units.
PHASE_FIELDSETS = [
    (None, {"fields": ["order", "name", "goal", "min_days", "requires_clearance"]}),
    (
        _("Pain rule"),
        {
            "fields": [
                ("max_pain_during", "max_pain_after"),
                "must_settle_by_morning",
                "next_day_pain_allowed",
                "pain_note",
            ]
        },
    ),  # fmt: skip
    (
        _("Running"),
        {
            "fields": [
                "run_activity",
                ("run_minutes", "sessions_per_week"),
                ("walk_minutes", "jog_minutes"),
                "run_steps",
                ("incline_pct", "weekly_increase_cap_pct"),
                "run_note",
            ]
        },
    ),  # fmt: skip
    (_("Moving on"), {"fields": ["exit_criteria", "structured_criteria"]}),
]
PHASE_LABELS = {
    "min_days": _("Minimum days in the phase"),
    "max_pain_during": _("Most pain during (0⁠–⁠10)"),
    "max_pain_after": _("Most pain after (0⁠–⁠10)"),
    "run_minutes": _("Run time (minutes)"),
    "walk_minutes": _("Walk (minutes)"),
    "jog_minutes": _("Jog (minutes)"),
    "incline_pct": _("Incline (%)"),
    "weekly_increase_cap_pct": _("Weekly increase at most (%)"),
    "run_note": _("Running note"),
    "pain_note": _("Pain note"),
}


class PhaseLabelsMixin:
    """A phase's boxes labelled in words with units (PHASE_LABELS), on its page and in the phases table."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and db_field.name in PHASE_LABELS:
            field.label = PHASE_LABELS[db_field.name]
        return field


class CriteriaTextarea(forms.Textarea):
    """The admin's measured exit criteria: the JSON list, one criterion a line, with the saved list said in words
    under it (the tailor page edits them in words, rehab.forms_criteria)."""

    def render(self, name, value, attrs=None, renderer=None):
        box = super().render(name, value, attrs, renderer)
        try:
            stored = json.loads(value) if isinstance(value, str) and value.strip() else value
        except ValueError:
            stored = None
        lines = criteria_preview(stored) if stored else []
        if not lines:
            return box
        return format_html(
            '{}<div class="help">{}</div>{}',
            box,
            gettext("In words:"),
            list_display_html(lines, ordered=True),
        )


class PhaseFormMixin(PhaseLabelsMixin, ReadableListsMixin):
    """Change pages of template and plan phases: grouped fields, labels in words, the walk/jog ladder as lines
    (as words where the page is read-only)."""

    fieldsets = PHASE_FIELDSETS
    # Read-only pages (shipped templates) keep the labels in words too.
    readable_lists = {
        "run_steps": "run_steps_readable",
        "structured_criteria": "structured_criteria_readable",
        **{name: f"{name}_readable" for name in PHASE_LABELS},
    }
    run_steps_readable = readable_list(
        "run_steps", _("Walk/jog steps"), RunStepsField.step_text, ordered=True
    )

    @admin.display(description=_("Measured exit criteria"))
    def structured_criteria_readable(self, obj):
        return list_display_html(
            criteria_preview(obj.structured_criteria) or obj.structured_criteria, ordered=True
        )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "structured_criteria":
            return CriteriaField(
                label=_("Measured exit criteria"),
                required=False,
                help_text=CRITERIA_HELP,
                widget=CriteriaTextarea(attrs={"rows": 7, "cols": 90, "spellcheck": "false"}),
            )
        if db_field.name == "run_steps":
            return RunStepsField(
                label=_("Walk/jog steps"),
                required=False,
                help_text=_(
                    "For walk/jog intervals: one step per line, in order, e.g. “jog 1 min, walk 3 min”. "
                    "Each step is repeated until a session stays within the pain rule; leave empty for none."
                ),
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


for _name, _label in PHASE_LABELS.items():
    setattr(PhaseFormMixin, f"{_name}_readable", labelled_value(_name, _label))


class InlineAddTextInWords(helpers.InlineAdminFormSet):
    """ "Add another phase", in lower case as a sentence says it (Django writes "Add another Phase")."""

    def inline_formset_data(self):
        data = json.loads(super().inline_formset_data())
        data["addText"] = gettext("Add another %(thing)s") % {"thing": self.opts.verbose_name}
        return json.dumps(data)


class AddAnotherInWordsMixin:
    def get_inline_formsets(self, request, formsets, inline_instances, obj=None):
        inline_formsets = super().get_inline_formsets(request, formsets, inline_instances, obj)
        for inline_formset in inline_formsets:
            inline_formset.__class__ = InlineAddTextInWords
        return inline_formsets


class HiddenFromIndex:
    """Reached through its parent's change page, not listed on the admin index."""

    def get_model_perms(self, request):
        return {}


class CatalogAdmin(CapabilityAdminMixin, ScopedFormFieldsMixin, admin.ModelAdmin):
    """Shipped rows (no clinic) are visible to every clinician but only superusers may change them."""

    clinic_field = "clinic"
    edit_capability = Cap.EDIT_PROTOCOLS

    def get_queryset(self, request):
        return scope_catalog(super().get_queryset(request), request.user, clinic_field=self.clinic_field)

    def owner_clinic_id(self, obj):
        return obj.clinic_id

    def has_change_permission(self, request, obj=None):
        if obj is not None and not request.user.is_superuser and self.owner_clinic_id(obj) is None:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not request.user.is_superuser and self.owner_clinic_id(obj) is None:
            return False
        return super().has_delete_permission(request, obj)


class PhaseTemplateInline(PhaseLabelsMixin, ScopedFormFieldsMixin, TabularInline):
    model = PhaseTemplate
    fields = PHASE_LIST_FIELDS
    show_change_link = True
    extra = 0


@admin.register(PlanTemplate)
class PlanTemplateAdmin(AddAnotherInWordsMixin, CatalogAdmin):
    list_display = ["name", "owner", "phase_count", "active"]
    list_filter = ["active", "conditions"]
    search_fields = ["name", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["conditions"]
    inlines = [PhaseTemplateInline]
    actions = ["duplicate"]

    def get_exclude(self, request, obj=None):
        return [] if request.user.is_superuser else ["clinic"]

    def save_model(self, request, obj, form, change):
        clinician = clinician_of(request.user)
        if not change and clinician is not None:
            obj.clinic = clinician.clinic
        super().save_model(request, obj, form, change)

    @admin.display(description=_("Owner"))
    def owner(self, obj):
        return obj.clinic or gettext("Stride Clinic (shipped)")

    @admin.display(description=_("Phases"))
    def phase_count(self, obj):
        return obj.phases.count()

    @admin.action(description=_("Duplicate into my clinic"))
    def duplicate(self, request, queryset):
        clinician = clinician_of(request.user)
        if clinician is None:
            self.message_user(
                request, gettext("Only clinicians can duplicate protocols into a clinic."), messages.ERROR
            )
            return
        count = 0
        for template in queryset:
            services.template_duplicate(template=template, clinic=clinician.clinic)
            count += 1
        done = ngettext(
            "%(count)d protocol duplicated into %(clinic)s.",
            "%(count)d protocols duplicated into %(clinic)s.",
            count,
        )
        self.message_user(request, done % {"count": count, "clinic": clinician.clinic})


# Short column titles with units, so the dosage table fits the page.
DOSAGE_LABELS = {
    "hold_seconds": _("Hold (s)"),
    "duration_minutes": _("Time (min)"),
    "per_side": _("Each side"),
    "times_per_day": _("Times a day"),
    "days_per_week": _("Days a week"),
}


class DosageInline(ScopedFormFieldsMixin, TabularInline):
    """Exercise rows with their dosage, for template phases and plan phases alike."""

    fields = DOSAGE_FIELDS
    autocomplete_fields = ["exercise"]
    extra = 0
    classes = ["stride-dosage"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and db_field.name in DOSAGE_LABELS:
            field.label = DOSAGE_LABELS[db_field.name]
        return field


class PhaseExerciseTemplateInline(DosageInline):
    model = PhaseExerciseTemplate


@admin.register(PhaseTemplate)
class PhaseTemplateAdmin(AddAnotherInWordsMixin, PhaseFormMixin, HiddenFromIndex, CatalogAdmin):
    clinic_field = "template__clinic"
    fieldsets = [(None, {"fields": ["template", *PHASE_FIELDSETS[0][1]["fields"]]}), *PHASE_FIELDSETS[1:]]
    inlines = [PhaseExerciseTemplateInline]
    list_select_related = ["template"]

    def owner_clinic_id(self, obj):
        return obj.template.clinic_id


class PlanVersionAdminForm(forms.ModelForm):
    """A change form for a plan or one of its phases that refuses to overwrite a newer version of the plan.

    `seen_version` (hidden) is the plan version the page was built from. clean() locks the plan row for the
    rest of the admin's transaction and compares; PlanVersionAdminMixin.save_related bumps the version once.
    """

    seen_version = forms.IntegerField(
        widget=forms.HiddenInput, min_value=1, max_value=VERSION_MAX,
        error_messages={key: OUT_OF_DATE for key in ("required", "invalid", "min_value", "max_value")},
    )  # fmt: skip
    viewer = None  # the logged-in user, set by PlanVersionAdminMixin.get_form

    def plan_id(self) -> int | None:
        return self.instance.pk

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plan_id = self.plan_id()
        if plan_id is None:
            self.fields["seen_version"].required = False  # a new row: nothing to compare with
        else:
            self.fields["seen_version"].initial = (
                self.instance.version if isinstance(self.instance, Plan)
                else Plan.objects.filter(pk=plan_id).values_list("version", flat=True).first()
            )  # fmt: skip

    @cached_property
    def changed_data(self):
        return [name for name in super().changed_data if name != "seen_version"]

    def clean(self):
        cleaned = super().clean()
        seen, plan_id = cleaned.get("seen_version"), self.plan_id()
        if seen is None or plan_id is None:
            return cleaned
        # The admin saves inside one transaction: the lock holds until the new version is written.
        current = (
            Plan.objects.select_for_update().filter(pk=plan_id).values_list("version", flat=True).first()
        )
        if current is not None and current != seen:
            stale = services.PlanChanged(Plan.objects.select_related("changed_by").get(pk=plan_id), seen=seen)
            # A second save, after reviewing, is meant to replace the newer version: let it through.
            self.data = self.data.copy()
            self.data[self.add_prefix("seen_version")] = current
            raise ValidationError(
                gettext(
                    "%(change)s while you were editing. Your changes were not saved. Review the plan as it is now "
                    "(reload the page, which discards your edits), or save again to replace it with what is on "
                    "this page."
                )
                % {"change": stale.describe(self.viewer)},
                code="plan_changed",
            )
        return cleaned


class PlanVersionAdminMixin:
    """Change forms that write a plan: the version check above, then one new version per save."""

    form = PlanVersionAdminForm

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.viewer = request.user
        return form

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        return fields if obj is None or "seen_version" in fields else [*fields, "seen_version"]

    def plan_of(self, obj) -> Plan:
        return obj

    def has_change_permission(self, request, obj=None):
        if obj is not None and self.plan_of(obj).athlete.anonymised_at is not None:
            return False  # the athlete's personal data was deleted: their plans stay as they are
        return super().has_change_permission(request, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if form.has_changed() or any(formset.has_changed() for formset in formsets):
            services.plan_touch(self.plan_of(form.instance), by=request.user)


class PhaseNumberFilter(admin.SimpleListFilter):
    """The current phase's number, as "Phase 1", "Phase 2"… (Django's own filter offered "By order: 1, 2")."""

    title = _("current phase")
    parameter_name = "phase"

    def lookups(self, request, model_admin):
        orders = (
            model_admin.get_queryset(request)
            .filter(current_phase__isnull=False)
            .values_list("current_phase__order", flat=True)
            .distinct()
            .order_by("current_phase__order")
        )
        return [(str(order), gettext("Phase %(number)s") % {"number": order}) for order in orders]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdecimal() and len(value) < 6:
            return queryset.filter(current_phase__order=int(value))
        return queryset


class AssignedByFilter(admin.RelatedOnlyFieldListFilter):
    """Those who assigned the plans this user sees; plans with nobody recorded (a deleted login) are named so."""

    empty_label = _("Nobody recorded")

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.empty_value_display = self.empty_label  # Django's is "-"


class ConditionFilter(AssignedByFilter):
    """The conditions of the plans' templates; "No condition listed" for plans without one."""

    empty_label = _("No condition listed")


class PlanPhaseInline(PhaseLabelsMixin, ScopedFormFieldsMixin, TabularInline):
    model = PlanPhase
    fields = PHASE_LIST_FIELDS
    show_change_link = True
    extra = 0


@admin.register(Plan)
class PlanAdmin(AddAnotherInWordsMixin, PlanVersionAdminMixin, ClinicScopedAdmin):
    view_capability = edit_capability = Cap.TAILOR_PLAN  # the phases' pain rules and exercises
    clinic_field = "athlete__clinic"
    audit_list_reads = True
    # Short columns that fit beside the filters at 1366 px; who assigned a plan is a filter and on its page.
    list_display = ["athlete", "plan_name", "status", "phase_display", "start_date", "print_link"]
    # Only those who assigned plans this user sees: the plain filter lists every login of every clinic.
    list_filter = ["status", PhaseNumberFilter, ("assigned_by", AssignedByFilter),
                   ("template__conditions", ConditionFilter)]  # fmt: skip
    list_select_related = ["athlete", "current_phase", "assigned_by"]
    search_fields = ["athlete__first_name", "athlete__last_name", "name"]
    # The status is changed on the plan page, where cancelling asks for the reason and keeps it in the plan's
    # history (rehab.services.plan_cancel): here it is shown with links there. The version is internal.
    readonly_fields = ["athlete", "template", "status_and_actions", "current_phase", "assigned_by"]
    fields = ["athlete", "template", "name", "goal", "start_date", "status_and_actions", "current_phase",
              "auto_advance", "pain_free", "assigned_by"]  # fmt: skip
    inlines = [PlanPhaseInline]
    actions = ["advance_phase", "print_programs"]

    def has_add_permission(self, request):
        return False  # plans are assigned from an athlete's page, which copies a template

    @admin.display(description=_("Status"))
    def status_and_actions(self, obj):
        status = obj.get_status_display()
        if obj.status == Plan.Status.CANCELLED and obj.cancel_reason:
            return format_html("{}: {}", status, obj.cancel_reason)
        plan_page = reverse("rehab:plan_detail", args=[obj.pk])
        if obj.status in services.CANCELLABLE:
            return format_html(
                gettext('{} · <a href="{}">Pause, resume or complete it on the plan page</a> · '
                        '<a href="{}">Cancel this plan…</a>'),
                status, plan_page, reverse("rehab:plan_cancel", args=[obj.pk]),
            )  # fmt: skip
        return format_html(gettext('{} · <a href="{}">Change it on the plan page</a>'), status, plan_page)

    @admin.display(description=_("Plan"), ordering="name")
    def plan_name(self, obj):
        return obj.name

    @admin.display(description=_("Phase"), ordering="current_phase__order")
    def phase_display(self, obj):
        return obj.current_phase.label if obj.current_phase else "—"

    @admin.display(description=_("Open or print"))
    def print_link(self, obj):
        return format_html(
            gettext('<a href="{}">Open</a> · <a href="{}" target="_blank" rel="noopener">Print</a>'),
            reverse("rehab:plan_detail", args=[obj.pk]),
            reverse("rehab:plan_print", args=[obj.pk]),
        )

    @admin.action(description=_("Print programs (one PDF)"), permissions=["view"])
    def print_programs(self, request, queryset):
        """A job joins the programs into one PDF; the user waits for it on the download page."""
        ids = list(queryset.values_list("pk", flat=True))
        if not ids:  # the selection is not in this user's list (another clinic's plans)
            self.message_user(
                request, gettext("None of the selected plans can be printed."), messages.WARNING
            )
            return None
        download = download_start(owner=request.user, kind=Download.Kind.BATCH_PRINT, params={"plans": ids})
        return HttpResponseRedirect(reverse("download_detail", args=[download.pk]))

    @admin.action(description=_("Advance to the next phase"))
    def advance_phase(self, request, queryset):
        """After a confirmation page that lists each plan's move and carries the versions it showed: a plan
        changed since (by someone else, or by this same form sent twice) is left alone, never moved twice."""
        plans = list(queryset.select_related("athlete", "current_phase").order_by("athlete__last_name", "pk"))
        if "seen" not in request.POST:
            return self._advance_confirmation(request, plans)
        seen = _versions(request.POST["seen"])
        moved = 0
        for plan in plans:
            if plan.pk not in seen:
                self.message_user(
                    request,
                    gettext("%(plan)s: not on the confirmation page, so not advanced.") % {"plan": plan},
                    messages.WARNING,
                )
                continue
            try:
                services.plan_advance(
                    plan=plan, by=request.user, reason="Advanced from the admin.", seen=seen[plan.pk]
                )
                moved += 1
            except services.PlanChanged as changed:
                self.message_user(
                    request,
                    gettext("%(plan)s: %(change)s, so it was not advanced.")
                    % {"plan": plan, "change": changed.describe(request.user)},
                    messages.WARNING,
                )
            except ValidationError as error:
                self.message_user(request, f"{plan}: {' '.join(error.messages)}", messages.WARNING)
        if moved:
            self.message_user(
                request,
                ngettext("%(count)d plan advanced.", "%(count)d plans advanced.", moved) % {"count": moved},
            )
        return None

    def _advance_confirmation(self, request, plans):
        # Each plan's phase after its current one, in the plan's order (as services.plan_advance moves).
        by_plan: dict[int, list[PlanPhase]] = {plan.pk: [] for plan in plans}
        for phase in PlanPhase.objects.filter(plan__in=plans):  # ordered by "order", "pk"
            by_plan[phase.plan_id].append(phase)
        rows = []
        for plan in plans:
            ids = [phase.pk for phase in by_plan[plan.pk]]
            at = ids.index(plan.current_phase_id) if plan.current_phase_id in ids else None
            following = by_plan[plan.pk][at + 1] if at is not None and at + 1 < len(ids) else None
            rows.append((plan, following))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Advance to the next phase"),
            "opts": self.model._meta,
            "rows": rows,
            "movable": sum(1 for _, next_phase in rows if next_phase is not None),
            "seen": ",".join(f"{plan.pk}:{plan.version}" for plan in plans),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/rehab/plan/advance_confirmation.html", context)


def _versions(text: str) -> dict[int, int]:
    """ "12:3,15:1" (plan id: version, as the confirmation page showed them) → {12: 3, 15: 1}; nonsense is left out."""
    versions = {}
    for item in text.split(",")[:1000]:
        pk, _, version = item.partition(":")
        if pk.isdecimal() and version.isdecimal() and len(pk) < 19 and 0 < int(version) <= VERSION_MAX:
            versions[int(pk)] = int(version)
    return versions


class PlanExerciseInline(DosageInline):
    model = PlanExercise


class PlanPhaseVersionAdminForm(PlanVersionAdminForm):
    def plan_id(self) -> int | None:
        return self.instance.plan_id


@admin.register(PlanPhase)
class PlanPhaseAdmin(
    AddAnotherInWordsMixin, PhaseFormMixin, PlanVersionAdminMixin, HiddenFromIndex, ClinicScopedAdmin
):
    view_capability = edit_capability = Cap.TAILOR_PLAN
    clinic_field = "plan__athlete__clinic"
    form = PlanPhaseVersionAdminForm
    inlines = [PlanExerciseInline]
    exclude = ["plan"]
    # A clearance is recorded on the plan page (rehab.services.phase_clear), with who and when: shown here.
    readonly_fields = ["cleared_by", "cleared_at", "cleared_on_imaging", "clearance_note"]
    list_select_related = ["plan"]

    def has_add_permission(self, request):
        return False  # a phase belongs to a plan: phases are added on the plan's page or from its template

    # seen_version (hidden) carries the plan version the page was built from (PlanVersionAdminForm).
    fieldsets = [
        (None, {"fields": [*PHASE_FIELDSETS[0][1]["fields"], "started_on", "seen_version"]}),
        *PHASE_FIELDSETS[1:],
        (_("Clearance"), {"fields": readonly_fields}),
    ]
    hidden_when_read_only = ["seen_version"]

    def plan_of(self, obj) -> Plan:
        return obj.plan


class ExerciseLogInline(TabularInline):
    model = ExerciseLog
    fields = ["exercise", "done", "sets_done"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DailyLog)
class DailyLogAdmin(ClinicScopedAdmin):
    """Athletes write their logs; the care team reads them here (and on the athlete's timeline)."""

    view_capability = Cap.EXPORT_DATA  # the health record in full, as the clinical clinicians read it
    clinic_field = "athlete__clinic"
    audit_list_reads = True
    date_hierarchy = "date"
    list_display = ["date", "athlete", "run_minutes", "distance_km", "pain_during", "pain_after",
                    "pain_next_morning", "sets_done", "red_flag_list"]  # fmt: skip
    list_filter = ["date", "night_pain", "cannot_bear_weight", "swelling", "locking"]
    list_select_related = ["athlete"]
    search_fields = ["athlete__first_name", "athlete__last_name", "notes"]
    inlines = [ExerciseLogInline]

    # The lists a log keeps (places and triggers, as codes) are shown in words, not as JSON.
    exclude = ["pain_locations", "triggers"]
    LIST_DISPLAYS = {"pain_locations": "pain_places", "triggers": "trigger_list"}

    def get_readonly_fields(self, request, obj=None):
        return [self.LIST_DISPLAYS.get(field.name, field.name) for field in DailyLog._meta.fields]

    @admin.display(description=_("Where it hurt"))
    def pain_places(self, obj):
        labels = dict(LOCATION_CHOICES)
        return list_display_html(obj.pain_locations, label=lambda code: labels.get(code, code))

    @admin.display(description=_("What set it off"))
    def trigger_list(self, obj):
        labels = dict(Trigger.choices)
        return list_display_html(obj.triggers, label=lambda code: labels.get(code, code))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("red flags"))
    def red_flag_list(self, obj):
        return ", ".join(RedFlag(flag).label for flag in obj.red_flags) or "—"
