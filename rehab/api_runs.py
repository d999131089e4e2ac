"""POST /api/v1/me/runs/import/: the athlete's runs from a watch's files, as on the "Import runs" page."""

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api_base import CharField, error_body
from portal.parsers import JSONParser
from portal.permissions import athlete_of
from rehab.runfiles import MAX_BYTES, MAX_FILES
from rehab.services.runs import IMPORTED, REFUSED, UNCHANGED, import_runs
from rehab.views_runs import result_text


class RunImportInputSerializer(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True, use_url=False),
        allow_empty=False,
        max_length=MAX_FILES,
        help_text=f"GPX, TCX or FIT files (multipart, one `files` part each): up to {MAX_FILES}, "
        f"{MAX_BYTES // (1024 * 1024)} MB each.",
        error_messages={
            "empty": _("Send one or more files as `files`."),
            "required": _("Send one or more files as `files`."),
            "max_length": _("At most {max_length} files at a time."),
        },
    )


class RunImportResultSerializer(serializers.Serializer):
    name = CharField(read_only=True)
    outcome = serializers.ChoiceField(choices=[IMPORTED, UNCHANGED, REFUSED], read_only=True)
    message = CharField(read_only=True, help_text="What became of the file, in a sentence for the runner.")
    date = serializers.DateField(
        allow_null=True, read_only=True, help_text="The run's day in the athlete's time zone."
    )
    distance_km = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True, read_only=True)
    run_minutes = serializers.IntegerField(allow_null=True, read_only=True, help_text="Minutes on the move.")
    started_at = serializers.DateTimeField(allow_null=True, read_only=True)
    replaced_typed_run = serializers.BooleanField(
        read_only=True,
        help_text="The day had a run typed in by hand with other numbers: the file's replaced it.",
    )


class RunImportResponseSerializer(serializers.Serializer):
    results = RunImportResultSerializer(many=True)


class RunImportView(APIView):
    """Import the logged-in athlete's runs from GPX, TCX or FIT files: each becomes the run part of that day's
    log (pain answers untouched); the same run sent again changes nothing. 200 when at least one file is on a
    log now (imported or already there), each file's outcome in `results`; 400 when none is, with each file's
    message in `errors.files` (and `results` as well)."""

    # JSON is taken only to answer it with a 400 that says to send files (multipart), rather than a bare 415.
    parser_classes = [MultiPartParser, JSONParser]

    @extend_schema(
        request={"multipart/form-data": RunImportInputSerializer},
        responses={200: RunImportResponseSerializer},
    )
    def post(self, request: Request) -> Response:
        athlete = athlete_of(request.user)
        if athlete is None:
            raise PermissionDenied(gettext("Only an athlete imports runs, into their own log."))
        data = RunImportInputSerializer(data={"files": request.FILES.getlist("files")})
        data.is_valid(raise_exception=True)
        files = [(upload.name, upload) for upload in data.validated_data["files"]]
        results = import_runs(athlete=athlete, files=files, now=timezone.now())
        rows = [
            {
                "name": result.name,
                "outcome": result.outcome,
                "message": result_text(result),
                "date": result.day if result.run else None,
                "distance_km": result.run.distance_km if result.run else None,
                "run_minutes": result.run.moving_minutes if result.run else None,
                "started_at": result.run.start if result.run else None,
                "replaced_typed_run": result.replaced is not None,
            }
            for result in results
        ]
        body = RunImportResponseSerializer({"results": rows}).data
        if any(result.ok for result in results):
            return Response(body, status=status.HTTP_200_OK)
        refused = error_body(
            gettext("None of the files could be imported."),
            "invalid",
            {"files": [row["message"] for row in rows]},
        )
        return Response(refused | body, status=status.HTTP_400_BAD_REQUEST)
