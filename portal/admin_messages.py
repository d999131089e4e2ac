"""Care-team messages in the admin: read only, scoped to the clinic like every health record. Messages are
written on the athlete's thread page (portal.views_messages) or through the API, never here."""

from django.contrib import admin
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from portal.admin_base import ClinicScopedAdmin
from portal.capabilities import Cap
from portal.models import Message


@admin.register(Message)
class MessageAdmin(ClinicScopedAdmin):
    # Health records: clinical staff only, as daily logs are (a coach who manages the clinic does not read them).
    view_capability = Cap.EXPORT_DATA
    clinic_field = "athlete__clinic"
    audit_list_reads = True
    list_display = ["athlete", "channel", "author", "short_body", "created"]
    list_filter = ["channel"]
    list_select_related = ["athlete", "author"]
    search_fields = ["athlete__first_name", "athlete__last_name"]
    date_hierarchy = "created"
    fields = ["athlete", "channel", "author", "created", "body"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Message"))
    def short_body(self, obj: Message) -> str:
        return Truncator(obj.body).chars(80)
