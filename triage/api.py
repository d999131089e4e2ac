"""Triage over HTTP: a stateless assessment, and the intakes a user may see (read-only)."""

from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.permissions import clinician_of
from triage.engine import InvalidAnswers, assess
from triage.models import Intake

EMPTY_BODY = "Answers must be a JSON object."


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:  # absurdly deep nesting is a bad request, not a server error
            raise ParseError("JSON parse error - nested too deeply.") from None


class AssessView(APIView):
    """POST an answers object; get the engine's assessment back. Nothing is stored."""

    permission_classes = [IsAuthenticated]
    parser_classes = [StrictJSONParser]

    def post(self, request: Request) -> Response:
        if request.stream is None:  # an empty body: DRF would hand us {}, which is not what was sent
            return Response({"__all__": [EMPTY_BODY]}, status=status.HTTP_400_BAD_REQUEST)
        try:
            assessment = assess(request.data)
        except InvalidAnswers as error:
            return Response(error.errors, status=status.HTTP_400_BAD_REQUEST)
        return Response(assessment.to_dict())


class IntakeSerializer(serializers.ModelSerializer):
    athlete_name = serializers.CharField(source="athlete.full_name", read_only=True)
    confirmed_condition = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Intake
        fields = [
            "id",
            "athlete",
            "athlete_name",
            "submitted_by",
            "created",
            "engine_version",
            "urgency",
            "answers",
            "result",
            "confirmed_condition",
            "review_notes",
            "reviewed_by",
            "reviewed_at",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("care_team"):
            data.pop("review_notes")  # notes are for the care team
        return data


class IntakeViewSet(viewsets.ReadOnlyModelViewSet):
    """Intakes the user may see: an athlete their own, a clinician their clinic's. Newest first."""

    serializer_class = IntakeSerializer

    def get_serializer_context(self):
        user = self.request.user
        return {
            **super().get_serializer_context(),
            "care_team": user.is_superuser or clinician_of(user) is not None,
        }

    def get_queryset(self):
        return Intake.objects.visible_to(self.request.user).select_related("athlete", "confirmed_condition")
