"""The audit trail in the admin: read-only for everyone, each clinician sees their own clinic's entries.

Replaces django-auditlog's own log-entry admin (imported first so that it is registered, then unregistered).
"""

import auditlog.admin  # noqa: F401  (registers auditlog's admin for AuditEntry; replaced below)
from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from portal.admin_base import CapabilityAdminMixin
from portal.audit import AUDITED
from portal.capabilities import Cap
from portal.models import Athlete, AuditEntry

admin.site.unregister(AuditEntry)

Action = AuditEntry.Action
ACTIONS = {
    Action.CREATE: _("created"),
    Action.UPDATE: _("changed"),
    Action.DELETE: _("deleted"),
    Action.ACCESS: _("viewed"),
}

# Where a record was viewed or changed (the view's URL name), in words. Others show as "Admin" or their name.
VIEWS = {
    "athlete_detail": _("Athlete page"),
    "my_profile": _("My profile (athlete)"),
    "triage:intake_detail": _("Hip check result"),
    "triage:intake_review": _("Hip check review"),
    "rehab:plan_detail": _("Plan page"),
    "rehab:phase_edit": _("Phase editor"),
    "rehab:plan_print": _("Printed program (PDF)"),
    "rehab:my_plan": _("My plan (athlete)"),
    "rehab:timeline": _("Timeline"),
    "rehab:log_today": _("Daily log form (athlete)"),
    "athlete-detail": _("API: athlete"),
    "athlete-summary": _("API: athlete summary"),
    "intake-detail": _("API: hip check"),
    "intake-list": _("API: hip check list"),
    "plan-detail": _("API: plan"),
    "plan-list": _("API: plan list"),
    "dailylog-detail": _("API: daily log"),
    "dailylog-list": _("API: daily log list"),
    "download_file": _("Data export (download)"),
    "alert-detail": _("API: alert"),
    "alert-list": _("API: alert list"),
    "admin:portal_alert_changelist": _("Admin: alerts list"),
    "admin:triage_intake_changelist": _("Admin: hip checks list"),
    "admin:rehab_plan_changelist": _("Admin: plans list"),
    "admin:rehab_dailylog_changelist": _("Admin: daily logs list"),
}


def where(entry) -> str:
    """The page or endpoint, in words; for a list, also how many rows it showed and with which filters."""
    data = entry.additional_data if isinstance(entry.additional_data, dict) else {}
    view = data.get("view")
    if not view:
        return ""
    if view in VIEWS:
        label = VIEWS[view]
    else:
        label = gettext("Admin") if view.startswith("admin:") else view
    label = str(label)
    if "rows" in data:  # a list (audit.record_list_access)
        rows, athletes = data["rows"], data.get("athletes", 1)
        row_words = ngettext("%(count)d row", "%(count)d rows", rows) % {"count": rows}
        athlete_words = ngettext("%(count)d athlete", "%(count)d athletes", athletes) % {"count": athletes}
        label += f" · {row_words}, {athlete_words}"
        if data.get("query"):
            label += f" · ?{data['query']}"
    return label


def _empty(value) -> str:
    return "—" if value in (None, "", "None") else str(value)


class ActionFilter(admin.SimpleListFilter):
    title = "action"
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return [(str(value), label) for value, label in ACTIONS.items()]

    def queryset(self, request, queryset):
        if self.value() in {str(value) for value in ACTIONS}:
            return queryset.filter(action=int(self.value()))
        return queryset


class RecordTypeFilter(admin.SimpleListFilter):
    title = "record type"
    parameter_name = "type"

    def lookups(self, request, model_admin):
        models = [apps.get_model(label) for label in AUDITED]
        return [(model._meta.label_lower, capfirst(model._meta.verbose_name)) for model in models]

    def queryset(self, request, queryset):
        if self.value() in {label.lower() for label in AUDITED}:
            model = apps.get_model(self.value())
            return queryset.filter(content_type=ContentType.objects.get_for_model(model))
        return queryset


class AthleteFilter(admin.SimpleListFilter):
    """?athlete=<id>, as linked from the athlete's pages. Offered only once chosen (a clinic has hundreds)."""

    title = "athlete"
    parameter_name = "athlete"

    def _athlete_id(self) -> int | None:
        value = self.value() or ""
        # isascii(): "²" is a digit to isdigit() but not to int().
        return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else None

    def lookups(self, request, model_admin):
        pk = self._athlete_id()
        if pk is None:
            return []
        athlete = Athlete.objects.visible_to(request.user).filter(pk=pk).first()
        return [(str(pk), athlete.full_name if athlete else f"Athlete #{pk}")]

    def queryset(self, request, queryset):
        pk = self._athlete_id()
        return queryset.filter(athlete_id=pk) if pk is not None else queryset


class DateFilter(admin.DateFieldListFilter):
    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = "date"  # the field's name, "timestamp", reads as a developer's word


@admin.register(AuditEntry)
class AuditEntryAdmin(CapabilityAdminMixin, admin.ModelAdmin):
    view_capability = Cap.EXPORT_DATA  # who opened which athlete's record: for those who read the records
    list_display = ["when", "who", "action_label", "record_type", "record", "athlete_link", "summary"]
    list_display_links = ["when"]
    list_filter = [ActionFilter, RecordTypeFilter, ("timestamp", DateFilter), AthleteFilter]
    list_select_related = ["actor", "athlete", "content_type"]
    search_fields = ["athlete__first_name", "athlete__last_name"]
    search_help_text = _("Search by the athlete's name.")
    list_per_page = 50
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["when", "who_detail", "action_label", "record_detail", "athlete_link", "where"]}),
        (_("Before and after"), {"fields": ["changes_table"]}),
    ]
    readonly_fields = ["when", "who_detail", "action_label", "record_detail", "athlete_link", "where",
                       "changes_table"]  # fmt: skip

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    # The trail is a record: nobody adds, edits or deletes entries here, superusers included.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("When"), ordering="timestamp")
    def when(self, obj):
        return obj.timestamp

    @admin.display(description=_("Record"), ordering="object_repr")
    def record(self, obj):
        return obj.object_repr

    @admin.display(description=_("Who"), ordering="actor__last_name")
    def who(self, obj):
        if obj.actor is not None:
            return str(obj.actor)
        return obj.actor_email or gettext("System")

    @admin.display(description=_("Who"))
    def who_detail(self, obj):
        who = self.who(obj)
        email = obj.actor.email if obj.actor is not None else None
        parts = [who] + ([email] if email and email != who else [])
        if obj.remote_addr:
            parts.append(f"from {obj.remote_addr}")
        return " · ".join(parts)

    @admin.display(description=_("Action"), ordering="action")
    def action_label(self, obj):
        return ACTIONS.get(obj.action, str(obj.action))

    @admin.display(description=_("Record type"))
    def record_type(self, obj):
        model = obj.content_type.model_class()
        return capfirst(model._meta.verbose_name) if model else obj.content_type.model

    @admin.display(description=_("Record"))
    def record_detail(self, obj):
        label = f"{self.record_type(obj)}: {obj.object_repr}"
        try:
            url = reverse(
                f"admin:{obj.content_type.app_label}_{obj.content_type.model}_change", args=[obj.object_pk]
            )
        except NoReverseMatch:
            return label
        return format_html('<a href="{}">{}</a>', url, label)

    @admin.display(description=_("Athlete"), ordering="athlete__last_name")
    def athlete_link(self, obj):
        if obj.athlete_id is None:
            return "—"
        name = obj.athlete.full_name if obj.athlete is not None else f"Athlete #{obj.athlete_id}"
        url = reverse("admin:portal_auditentry_changelist") + f"?athlete={obj.athlete_id}"
        return format_html(
            '<a href="{}" title="{}">{}</a>', url, gettext("Everything about this athlete"), name
        )

    @admin.display(description=_("Where"))
    def where(self, obj):
        return where(obj) or "—"

    @admin.display(description=_("Details"))
    def summary(self, obj):
        if obj.action == Action.ACCESS:
            return where(obj)
        if obj.action == Action.UPDATE:
            return ", ".join(self._labels(obj))
        return ""

    def _labels(self, obj) -> list[str]:
        model = obj.content_type.model_class()
        labels = []
        for name in obj.changes_dict:
            try:
                labels.append(str(model._meta.get_field(name).verbose_name))
            except Exception:  # a pseudo-field ("exercise_sets") or a field that no longer exists
                labels.append(name.replace("_", " "))
        return labels

    @admin.display(description=_("Changes"))
    def changes_table(self, obj):
        if obj.action == Action.ACCESS:
            return gettext("The record was viewed; nothing was changed.")
        try:
            changes = obj.changes_display_dict
        except Exception:  # the record's model no longer exists: show the values as stored
            changes = obj.changes_dict
        if not changes:
            return "—"
        rows = [
            (capfirst(str(field)), _empty(values[0]), _empty(values[1]))
            for field, values in sorted(changes.items(), key=lambda item: str(item[0]))
            if isinstance(values, list | tuple) and len(values) == 2
        ]
        return format_html(
            '<table class="audit-changes"><thead><tr><th scope="col">Field</th><th scope="col">Before</th>'
            '<th scope="col">After</th></tr></thead><tbody>{}</tbody></table>',
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )
