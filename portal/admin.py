from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch
from django.forms.models import BaseInlineFormSet
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

import portal.admin_messages  # noqa: F401 — registers the care-team messages' admin (read only)
import portal.audit_admin  # noqa: F401 — registers the audit trail's admin
from portal import alert_kinds, images, jobs, privacy, services
from portal.admin_base import (
    CapabilityAdminMixin,
    ClinicScopedAdmin,
    ScopedInline,
    set_or_empty_filter,
)
from portal.admin_widgets import AdminSplitDateTime
from portal.capabilities import Cap, can
from portal.forms_privacy import AnonymiseSelectedForm
from portal.models import Alert, Athlete, CareTeamMember, Clinic, Clinician, Invite, Shoe, User
from portal.permissions import clinician_of, scope_clinics


class ShoeInline(ScopedInline):
    model = Shoe
    fields = ["name", "km", "retired"]


class CareTeamFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [f.cleaned_data for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if sum(1 for row in kept if row.get("is_primary")) > 1:
            raise ValidationError(_("Tick “primary clinician” for one clinician only."))


class CareTeamInline(ScopedInline):
    model = CareTeamMember
    formset = CareTeamFormSet
    fields = ["clinician", "is_primary"]


@admin.register(Athlete)
class AthleteAdmin(ClinicScopedAdmin):
    # The whole record with its care team, and "Delete personal data": for those who may delete it.
    view_capability = edit_capability = Cap.DELETE_DATA
    list_display = ["full_name", "email", "primary_display", "has_login", "goal_event", "goal_date"]
    list_filter = [
        "sex",
        set_or_empty_filter(
            "anonymised_at", _("personal data"), _("Kept"), _("Deleted"), parameter="personal_data"
        ),
    ]
    search_fields = ["first_name", "last_name", "email"]
    inlines = [CareTeamInline, ShoeInline]
    actions = ["anonymise"]
    fieldsets = [
        (None, {"fields": ["clinic", "first_name", "last_name", "email", "user"]}),
        (_("Profile"), {"fields": ["date_of_birth", "sex"]}),
        (_("Running"), {"fields": ["weekly_km", "years_running", "goal_event", "goal_date"]}),
        (_("Reminder emails"), {"fields": ["reminders", "reminder_time", "time_zone"]}),
    ]

    def get_queryset(self, request):
        primaries = CareTeamMember.objects.filter(is_primary=True).select_related("clinician__user")
        return super().get_queryset(request).prefetch_related(Prefetch("care_team", queryset=primaries))

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        first = dict(fieldsets[0][1])
        first["fields"] = [f for f in first["fields"] if f != "clinic"]
        return [(fieldsets[0][0], first), *fieldsets[1:]]

    def get_readonly_fields(self, request, obj=None):
        # Logins are linked through the invite flow, never by hand.
        return ["user"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.anonymised_at is not None:
            return False  # personal data deleted: the record stays as it is
        return super().has_change_permission(request, obj)

    # Delete (superusers only: clinicians have no delete permission on athletes) removes the athlete and every
    # record of theirs, after the same scrub as "Delete personal data" (portal.privacy.athlete_delete).

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # Logs, intakes and alerts cannot be deleted one by one in the admin; with their athlete they go.
        return deleted, counts, set(), protected

    def delete_model(self, request, obj):
        privacy.athlete_delete(obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for athlete in queryset.order_by("pk"):
            privacy.athlete_delete(athlete, by=request.user)

    @admin.action(description=_("Delete the personal data of the selected athletes"), permissions=["change"])
    def anonymise(self, request, queryset):
        """The same as the athlete page's "Delete personal data", after a confirmation page."""
        athletes = list(queryset.current().order_by("last_name", "first_name", "pk"))
        form = AnonymiseSelectedForm(request.POST if "confirm" in request.POST else None)
        if form.is_bound and form.is_valid():
            for athlete in athletes:
                services.anonymise_athlete(athlete, by=request.user)
            done = len(athletes)
            self.message_user(
                request,
                ngettext(
                    "Personal data deleted for %(count)d athlete.",
                    "Personal data deleted for %(count)d athletes.",
                    done,
                )
                % {"count": done},
            )
            return None
        if not athletes:
            self.message_user(request, gettext("The selected athletes' personal data was already deleted."))
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Delete personal data"),
            "opts": self.model._meta,
            "athletes": athletes,
            "form": form,
            "removed": privacy.REMOVED,
            "kept": privacy.KEPT,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "selected": [athlete.pk for athlete in athletes],
        }
        return TemplateResponse(request, "admin/portal/athlete/anonymise_confirmation.html", context)

    @admin.display(description=_("Primary clinician"))
    def primary_display(self, obj):
        return obj.primary_clinician or "—"

    @admin.display(description=_("Login"), boolean=True)
    def has_login(self, obj):
        return obj.user_id is not None


# What the printed program shows of the clinic (its header and "Stop and contact us" box).
CLINIC_PRINTED_FIELDS = ["name", "logo", "phone", "email", "address", "opening_hours", "out_of_hours"]
PHONE_CHARACTERS = frozenset("0123456789+-.() ")


class ClinicForm(forms.ModelForm):
    class Meta:
        model = Clinic
        fields = [
            "name",
            "slug",
            "logo",
            "phone",
            "email",
            "address",
            "opening_hours",
            "out_of_hours",
            "time_zone",
            "language",
        ]

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if hasattr(logo, "content_type"):  # a new upload, not the picture already stored
            # Stored as exercise pictures are: a fresh picture, upright, no metadata, nothing appended.
            try:
                return images.reencode(logo)
            except ValidationError as error:
                raise ValidationError(error.message_dict["image"]) from None
        return logo

    def clean_phone(self):
        phone = " ".join(self.cleaned_data["phone"].split())
        digits = sum(ch in "0123456789" for ch in phone)
        if phone and (not set(phone) <= PHONE_CHARACTERS or digits < 3):
            # Athletes tap it to call: it must dial.
            raise ValidationError(
                _("Enter a phone number to dial: digits, spaces and + - . ( ), e.g. +44 20 7946 0000.")
            )
        return phone


@admin.register(Clinic)
class ClinicAdmin(CapabilityAdminMixin, admin.ModelAdmin):
    form = ClinicForm
    edit_capability = Cap.MANAGE_CLINIC
    list_display = ["name", "slug", "phone", "email", "created"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]
    fieldsets = [
        (None, {"fields": ["name", "slug"]}),
        (
            _("How athletes reach the clinic"),
            {
                "fields": ["logo", "phone", "email", "address", "opening_hours", "out_of_hours"],
                "description": _(
                    "Shown to athletes on My plan, Today, their hip check result, the emails they get and the "
                    "printed program; the phone as a call button when a log tells them to contact the clinic."
                ),
            },
        ),
        (
            _("Clock and language"),
            {
                "fields": ["time_zone", "language"],
                "description": _(
                    "The clinic's days follow this clock: the nightly refresh, reminder emails and the clinicians' "
                    "daily digests. Its language is its people's unless they choose their own."
                ),
            },
        ),
    ]

    def get_queryset(self, request):
        return scope_clinics(super().get_queryset(request), request.user)

    # The clinic's manager keeps its contact details current (athletes are told to call them); its name and
    # address on the site stay the superuser's. The other clinicians read them.
    def has_change_permission(self, request, obj=None):
        if request.user.is_superuser:
            return super().has_change_permission(request, obj)
        clinician = clinician_of(request.user)
        return (
            can(request.user, Cap.MANAGE_CLINIC)
            and clinician is not None
            and (obj is None or obj.pk == clinician.clinic_id)
        )

    def get_readonly_fields(self, request, obj=None):
        return [] if request.user.is_superuser else ["name", "slug"]

    def get_prepopulated_fields(self, request, obj=None):
        return self.prepopulated_fields if request.user.is_superuser else {}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and set(CLINIC_PRINTED_FIELDS) & set(form.changed_data):
            # Every printed program heads with them: the clinic's programs are rendered again (a job).
            jobs.enqueue("rehab.prerender_clinic", obj.pk)


@admin.register(Clinician)
class ClinicianAdmin(ClinicScopedAdmin):
    """The clinic's manager sets what its clinicians do (profession, manager); logins, and so adding a clinician
    or removing one, stay the superuser's."""

    edit_capability = Cap.MANAGE_CLINIC
    list_display = ["__str__", "user_email", "profession", "is_manager", "clinic"]
    list_filter = ["profession", "is_manager"]
    search_fields = ["user__first_name", "user__last_name", "user__email"]
    list_select_related = ["user", "clinic"]
    raw_id_fields = ["user"]

    def get_fields(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_fields(request, obj)
        return ["user", "profession", "is_manager"]  # each clinician keeps their own email settings

    def get_readonly_fields(self, request, obj=None):
        return [] if request.user.is_superuser else ["user"]

    def has_change_permission(self, request, obj=None):
        if request.user.is_superuser:
            return super().has_change_permission(request, obj)
        # The Clinicians group may only view clinicians: the manager's capability is what lets them change one
        # of their clinic's (the list is scoped to it).
        return can(request.user, Cap.MANAGE_CLINIC)

    @admin.display(description=_("Email"), ordering="user__email")
    def user_email(self, obj):
        return obj.user.email

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.clinician_grant_access(obj.user)


@admin.register(Invite)
class InviteAdmin(ClinicScopedAdmin):
    view_capability = Cap.ADD_ATHLETE
    clinic_field = "athlete__clinic"
    list_display = ["email", "athlete", "created", "expires", "accepted", "revoked"]
    list_select_related = ["athlete"]
    search_fields = ["email", "athlete__first_name", "athlete__last_name"]
    readonly_fields = ["athlete", "email", "created_by", "created", "expires", "accepted", "revoked"]
    exclude = ["token_hash"]

    def has_add_permission(self, request):
        return False  # invites are sent from the athlete page, which shows the link once


class EmailUserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ["email"]


class EmailUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Only superusers manage logins; clinicians get no permission on users at all."""

    add_form = EmailUserCreationForm
    form = EmailUserChangeForm
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "first_name", "last_name"]

    # Deleting an athlete's login deletes the athlete's personal data too (portal.privacy.login_delete): the
    # confirmation page says so.

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        for athlete in Athlete.objects.filter(user__in=objs).order_by("pk"):
            deleted.append(
                format_html(
                    "The personal data of the athlete {} (their logs, hip checks and plans stay, anonymous)",
                    athlete.full_name,
                )
            )
        return deleted, counts, perms_needed, protected

    def delete_model(self, request, obj):
        privacy.login_delete(obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for user in queryset.order_by("pk"):
            privacy.login_delete(user, by=request.user)

    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "language"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.DateTimeField) and "widget" not in kwargs:
            kwargs["widget"] = AdminSplitDateTime(label=capfirst(db_field.verbose_name))
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class AlertKindFilter(admin.SimpleListFilter):
    title = _("reason")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        kinds = set(model_admin.get_queryset(request).values_list("kind", flat=True).distinct())
        # What raised an alert, in words: each app names its own kinds (portal.alert_kinds).
        labels = alert_kinds.labels()
        known = [(kind, label) for kind, label in labels.items() if kind in kinds]
        others = sorted((kind, alert_kinds.label(kind)) for kind in kinds - set(labels))
        return known + others

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(Alert)
class AlertAdmin(ClinicScopedAdmin):
    """Alerts are raised by services and closed with the “Resolve” action (or by reviewing what raised them)."""

    view_capability = edit_capability = Cap.RESOLVE_ALERT
    clinic_field = "athlete__clinic"
    audit_list_reads = True
    list_display = ["athlete", "severity", "kind_display", "text_display", "updated", "is_open_display"]
    list_filter = [
        "severity",
        AlertKindFilter,
        set_or_empty_filter("resolved_at", _("status"), _("Open"), _("Resolved"), parameter="status"),
    ]
    list_select_related = ["athlete"]
    search_fields = ["athlete__first_name", "athlete__last_name", "message"]
    readonly_fields = [
        "athlete",
        "kind_display",
        "severity",
        "text_display",
        "link_display",
        "created",
        "updated",
        "resolved_at",
        "resolved_by",
        "resolved_text_display",
    ]
    exclude = [
        "link",
        "kind",
        "message",
        "code",
        "params",
        "resolved_note",
        "resolved_code",
        "resolved_params",
    ]
    actions = ["resolve"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("Reason"), ordering="kind")
    def kind_display(self, obj):
        return alert_kinds.label(obj.kind)

    @admin.display(description=_("Message"))
    def text_display(self, obj):
        return obj.text

    @admin.display(description=_("Resolved note"))
    def resolved_text_display(self, obj):
        return obj.resolved_text

    @admin.display(description=_("Open"), boolean=True, ordering="resolved_at")
    def is_open_display(self, obj):
        return obj.is_open

    @admin.display(description=_("Link"))
    def link_display(self, obj):
        return format_html('<a href="{}">{}</a>', obj.link, obj.link) if obj.link else "—"

    @admin.action(description=_("Resolve the selected alerts"), permissions=["change"])
    def resolve(self, request, queryset):
        resolved = 0
        for alert in queryset.open():
            services.alert_resolve(alert=alert, by=request.user, note=gettext("Resolved in the admin."))
            resolved += 1
        self.message_user(
            request,
            ngettext("%(count)d alert resolved.", "%(count)d alerts resolved.", resolved)
            % {"count": resolved},
        )
