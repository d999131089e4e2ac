"""GET /api/v1/me/export/ (and the athletes' `export` action): the athlete's data as a zip, as on the pages."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import renderers
from rest_framework.exceptions import PermissionDenied
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.views import APIView

from portal.permissions import athlete_of
from portal.recent_auth import api_check
from portal.views_privacy import export_response

ZIP = "application/zip"
EXPORT_RESPONSES = {
    (200, ZIP): OpenApiResponse(
        response=OpenApiTypes.BINARY,
        description="A zip: README.txt, stride-clinic-data.json (everything, nested) and one CSV per table. "
        "Sent as an attachment named stride-clinic-<name>-<date>.zip.",
    )
}


class AnyAccept(BaseContentNegotiation):
    """Whatever the client accepts (`application/zip`, `*/*`…): a success is the zip, an error the usual JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


EXPORT_VIEW_OPTIONS = {"renderer_classes": [renderers.JSONRenderer], "content_negotiation_class": AnyAccept}


class MyExportView(APIView):
    """Everything stored about the logged-in athlete, as on "My profile": the same zip as the page's download.

    Athletes only (clinicians download an athlete's data with `GET /api/v1/athletes/<id>/export/`).
    """

    renderer_classes = EXPORT_VIEW_OPTIONS["renderer_classes"]
    content_negotiation_class = AnyAccept

    @extend_schema(responses=EXPORT_RESPONSES)
    def get(self, request: Request):

        athlete = athlete_of(request.user)
        if athlete is None:
            raise PermissionDenied(_("Only athletes can download their own data here."))
        api_check(request)  # a browser session: the password typed lately (portal.recent_auth)
        return export_response(athlete, user=request.user)
