"""Triage over HTTP: a stateless assessment, the condition catalogue, and intakes (submit, read, review)."""

from django.utils.translation import gettext
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api_base import (
    CharField,
    HasCapability,
    IdFilter,
    IsClinician,
    ModelSerializer,
    PrimaryKeyField,
    SlugRelatedField,
    TrueFalseFilter,
)
from portal.audit import AccessLoggedMixin
from portal.capabilities import Cap, require
from portal.models import Athlete
from portal.parsers import JSONParser
from portal.permissions import athlete_of, is_care_team
from triage import engine, services
from triage.engine import InvalidAnswers, assess
from triage.models import URGENCY_CHOICES, Condition, Intake
from triage.selectors import get_intake_for_user
from triage.wording import answer_errors, catalogue_text, render_result

EMPTY_BODY = engine.Problem("Answers must be a JSON object.")  # the engine's own message (translated)


def _answer_schema(spec: engine.Field) -> dict:
    if spec.kind == "bool":
        schema: dict = {"type": "boolean"}
    elif spec.kind in ("int", "number"):
        schema = {"type": "integer" if spec.kind == "int" else "number"}
        schema |= {"minimum": spec.min_value, "maximum": spec.max_value}
    elif spec.kind == "choice":
        schema = {"type": "string", "enum": [value for value, _ in spec.choices]}
    elif spec.kind == "multichoice":
        item = {"type": "string", "enum": [value for value, _ in spec.choices]}
        schema = {"type": "array", "items": item, "uniqueItems": True}
    else:  # the self-tests: an object of choices
        properties = {sub.name: _answer_schema(sub) for sub in spec.subfields}
        schema = {"type": "object", "properties": properties, "additionalProperties": False}
    if spec.retired:  # still accepted from older clients, no longer asked
        schema["deprecated"] = True
    return {**schema, "nullable": True, "description": spec.label}  # the schema is documented in English


# The engine's input, as OpenAPI: every question optional, null = not answered, nothing else accepted.
ANSWERS_SCHEMA = {
    "type": "object",
    "properties": {name: _answer_schema(spec) for name, spec in engine.FIELDS.items()},
    "additionalProperties": False,
    "description": "Hip-check answers (triage.engine.FIELDS). Every question is optional.",
}


class RedFlagSerializer(serializers.Serializer):
    code = CharField()
    params = serializers.DictField(help_text="The values the message is written with (often none).")
    message = CharField(help_text="In the request's language.")


class ReasonSerializer(serializers.Serializer):
    code = CharField(
        allow_null=True, help_text="The rule (clue.condition); null for a reason stored as words."
    )
    params = serializers.DictField()
    text = CharField(help_text="In the request's language.")


class ConditionResultSerializer(serializers.Serializer):
    code = CharField()
    name = CharField(help_text="In the request's language.")
    score = serializers.FloatField(help_text="0 to 1: how well the answers fit, not a probability.")
    reasons = serializers.ListField(child=CharField(), help_text="The reasons' texts (reason_details' text).")
    reason_details = ReasonSerializer(many=True)


class AssessmentSerializer(serializers.Serializer):
    """triage.wording.render_result(): the engine's codes, each with its text in the request's language
    (Accept-Language, else the user's language). Documentation only, the dict is returned as it is."""

    urgency = serializers.ChoiceField(choices=URGENCY_CHOICES)
    urgency_label = CharField()
    stop_running = serializers.BooleanField()
    red_flags = RedFlagSerializer(many=True)
    conditions = ConditionResultSerializer(many=True)
    advice = CharField()
    advice_for = CharField(allow_null=True, help_text="The condition whose advice the advice includes.")
    engine_version = CharField()
    disclaimer = CharField()


@extend_schema_field(ANSWERS_SCHEMA)
class AnswersField(serializers.JSONField):
    pass


@extend_schema_field(AssessmentSerializer)
class ResultField(serializers.JSONField):
    """The stored result (codes) rendered in the request's language."""

    def to_representation(self, value):
        return render_result(value)


class AssessView(APIView):
    """POST an answers object; get the engine's assessment back. Nothing is stored."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]  # JSON only: an answers object, never a form

    @extend_schema(request={"application/json": ANSWERS_SCHEMA}, responses=AssessmentSerializer)
    def post(self, request: Request) -> Response:
        if request.stream is None:  # an empty body: DRF would hand us {}, which is not what was sent
            raise ValidationError([gettext(EMPTY_BODY.template)])
        try:
            assessment = assess(request.data)
        except InvalidAnswers as error:
            raise ValidationError(answer_errors(error)) from None
        return Response(render_result(assessment.to_record()))


class ConditionSerializer(ModelSerializer):
    """A catalogue entry; its words in the request's language while they are the engine's."""

    class Meta:
        model = Condition
        fields = ["code", "name", "region", "presentation", "default_urgency", "advice", "source"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for name in ("name", "region", "presentation", "advice"):
            data[name] = catalogue_text(instance.code, name, data[name])
        return data


class ConditionViewSet(viewsets.ReadOnlyModelViewSet):
    """The conditions the triage engine knows (read-only; `GET /conditions/<code>/`)."""

    serializer_class = ConditionSerializer
    lookup_field = "code"
    lookup_value_regex = r"[-\w]+"
    filterset_fields = ["default_urgency"]
    ordering_fields = ["name", "code"]
    ordering = ["name"]

    def get_queryset(self):
        return Condition.objects.visible_to(self.request.user)


class IntakeSerializer(ModelSerializer):
    athlete_name = CharField(source="athlete.full_name", read_only=True)
    confirmed_condition = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    answers = AnswersField(read_only=True)
    result = ResultField(read_only=True)
    review_notes = CharField(
        read_only=True, allow_null=True, help_text="For the care team: null for athletes."
    )

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
            data["review_notes"] = None  # notes are for the care team
        return data


class IntakeCreateSerializer(serializers.Serializer):
    athlete = PrimaryKeyField(
        queryset=Athlete.objects.none(),
        required=False,
        help_text="Clinicians: whose check this is. Athletes leave it out: theirs is always their own.",
    )
    answers = AnswersField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")  # absent while the OpenAPI schema is generated
        if request is not None:
            self.fields["athlete"].queryset = Athlete.objects.visible_to(request.user)


class IntakeReviewSerializer(serializers.Serializer):
    condition = SlugRelatedField(
        slug_field="code",
        queryset=Condition.objects.all(),
        allow_null=True,
        required=False,
        help_text="The condition confirmed on assessment (a code); null when it is not clear yet.",
    )
    notes = CharField(
        max_length=5000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Not shown to the athlete here (null for them), but included in their data export.",
    )


class IntakeFilter(filters.FilterSet):
    athlete = IdFilter(field_name="athlete", help_text="Only this athlete's intakes.")
    needs_review = TrueFalseFilter(method="filter_needs_review", help_text="Urgent and not reviewed yet.")
    reviewed = TrueFalseFilter(field_name="reviewed_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Intake
        fields = ["urgency"]

    def filter_needs_review(self, queryset, name, value):
        waiting = queryset.needing_review()
        return waiting if value else queryset.exclude(pk__in=waiting.values("pk"))


class IntakeViewSet(
    AccessLoggedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Intakes the user may see: an athlete their own, a clinician their clinic's. Newest first.

    POST submits a hip check (stored, assessed, and the care team alerted when it is urgent); clinicians
    record their review with the `review` action.
    """

    serializer_class = IntakeSerializer
    capabilities = {"review": Cap.REVIEW_INTAKE}
    filterset_class = IntakeFilter
    ordering_fields = ["created"]
    ordering = ["-created", "-pk"]

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "care_team": is_care_team(self.request.user)}

    def get_queryset(self):
        return Intake.objects.visible_to(self.request.user).select_related("athlete", "confirmed_condition")

    def _intake_response(self, intake: Intake, code: int = 200) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=intake.pk)).data, status=code)

    @extend_schema(request=IntakeCreateSerializer, responses={201: IntakeSerializer})
    def create(self, request: Request) -> Response:
        data = IntakeCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        athlete = athlete_of(request.user) or data.validated_data.get("athlete")
        if athlete is None:
            raise ValidationError({"athlete": [gettext("Choose the athlete this hip check is for.")]})
        if athlete.user_id != request.user.pk:  # the care team fills one in: triage is clinical work
            require(request.user, Cap.REVIEW_INTAKE, athlete)
        try:
            intake = services.intake_submit(
                athlete=athlete, by=request.user, answers=data.validated_data["answers"]
            )
        except InvalidAnswers as error:
            raise ValidationError({"answers": answer_errors(error)}) from None
        return self._intake_response(intake, 201)

    @extend_schema(request=IntakeReviewSerializer, responses=IntakeSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsClinician, HasCapability])
    def review(self, request: Request, pk=None) -> Response:
        """Record the clinician's review: the confirmed condition and notes (resolves the triage alert)."""
        intake = get_intake_for_user(request.user, pk)
        data = IntakeReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.intake_review(
            intake=intake,
            by=request.user,
            condition=data.validated_data.get("condition"),
            notes=data.validated_data["notes"],
        )
        return self._intake_response(intake)
