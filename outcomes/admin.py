"""Outcome records in the admin: read-only (they are written through outcomes.services from the pages)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from outcomes import catalog, instruments, selectors, wording
from outcomes.forms_visits import pass_mark
from outcomes.models import InstrumentWording, QuestionnaireResponse, TestResult, Visit
from portal.admin_base import ClinicScopedAdmin
from portal.capabilities import Cap
from portal.permissions import clinician_of

SIDES = {
    catalog.EACH: _("each side"),
    catalog.NONE: _("not sided"),
    catalog.PAIRED: _("both legs (side-to-side %)"),
}


class ReadOnlyOutcomeAdmin(ClinicScopedAdmin):
    # Health records: read in the admin by clinical staff only (a coach who manages the clinic holds USE_ADMIN
    # for the clinic's own administration, not for athletes' records), as daily logs are.
    view_capability = Cap.EXPORT_DATA
    audit_list_reads = True

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(QuestionnaireResponse)
class QuestionnaireResponseAdmin(ReadOnlyOutcomeAdmin):
    clinic_field = "athlete__clinic"
    list_display = ["athlete", "instrument_name", "round", "total", "valid", "completed_at"]
    list_filter = ["instrument", "round", "valid"]
    list_select_related = ["athlete"]
    search_fields = ["athlete__first_name", "athlete__last_name"]
    readonly_fields = ["reasons_in_words"]

    @admin.display(description=_("questionnaire"))
    def instrument_name(self, obj):
        return obj.instrument_name

    @admin.display(description=_("scoring notes"))
    def reasons_in_words(self, obj):
        return " ".join(wording.render(r) for r in obj.reasons) or "—"


class TestResultInline(admin.TabularInline):
    model = TestResult
    extra = 0
    fields = ["test_name", "side", "values", "passed", "symmetry_pct"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("test"))
    def test_name(self, obj):
        return obj.test_name


@admin.register(Visit)
class VisitAdmin(ReadOnlyOutcomeAdmin):
    clinic_field = "athlete__clinic"
    list_display = ["athlete", "date", "clinician"]
    list_select_related = ["athlete", "clinician__user"]
    search_fields = ["athlete__first_name", "athlete__last_name"]
    date_hierarchy = "date"
    inlines = [TestResultInline]


@admin.register(InstrumentWording)
class InstrumentWordingAdmin(ReadOnlyOutcomeAdmin):
    """Loaded with manage.py import_questionnaire; shown here so the clinic can check what its athletes read.

    Its list page also shows the two catalogs, which are data files rather than tables (outcomes/instruments/,
    outcomes/catalog.py): every questionnaire as the user's clinic can use it, and every objective test."""

    view_capability = Cap.USE_ADMIN
    audit_list_reads = False
    list_display = ["__str__", "clinic", "imported_at"]
    change_list_template = "admin/outcomes/instrumentwording/change_list.html"

    def changelist_view(self, request, extra_context=None):
        clinician = clinician_of(request.user)
        found = selectors.instruments_for(clinician.clinic) if clinician else instruments.shipped()
        catalogs = {
            "questionnaires": [found[code] for code in sorted(found)],
            "tests": [
                {"test": test, "pass_mark": pass_mark(test), "sides": SIDES[test.sides]}
                for test in catalog.TESTS
            ],
        }
        return super().changelist_view(request, extra_context={**(extra_context or {}), **catalogs})
