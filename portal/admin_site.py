"""The project's admin site: Django's, open to those who may use it (Cap.USE_ADMIN, not `is_staff` alone), with
"view on site" scoped like every other admin page.

Django's own "view on site" redirect (`admin/r/<content type>/<id>/`) looks the record up without asking the
model's admin: a clinician could tell whether another clinic's record exists (a redirect, not a 404). Here it
answers 404 unless the record is in the list the model's admin shows this user.
"""

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext_lazy as _

from portal.capabilities import Cap, can


class StrideAdminSite(admin.AdminSite):
    site_header = _("Stride Clinic administration")
    site_title = "Stride Clinic"
    index_title = _("Clinic records")

    def has_permission(self, request):
        # A coach is staff (a clinician's login) but does not use the admin; a coach who manages the clinic does.
        return super().has_permission(request) and can(request.user, Cap.USE_ADMIN)

    def get_urls(self):
        urls = super().get_urls()
        scoped = path(
            "r/<path:content_type_id>/<path:object_id>/",
            self.admin_view(self.view_on_site),
            name="view_on_site",
        )
        return [scoped if getattr(url, "name", None) == "view_on_site" else url for url in urls]

    def view_on_site(self, request, content_type_id, object_id):
        try:
            model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
        except (ContentType.DoesNotExist, ValueError, OverflowError):
            raise Http404("No such record.") from None
        model_admin = self._registry.get(model)
        if model_admin is None or not model_admin.has_view_or_change_permission(request):
            raise Http404("No such record.")
        try:
            visible = model_admin.get_queryset(request).filter(pk=object_id).exists()
        except (ValueError, TypeError, ValidationError, OverflowError):
            visible = False
        if not visible:
            raise Http404("No such record.")
        return shortcut(request, content_type_id, object_id)
