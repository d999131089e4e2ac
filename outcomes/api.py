"""Outcome measures over HTTP (docs/api.md, "Outcome measures"): the questionnaires as the caller's clinic can use
them, questionnaire rounds, and clinic visits with their test results.

- `/instruments/`: every questionnaire with its items, scoring and licence; the item texts are the shipped ones
  or the caller's clinic's licensed wording (outcomes.selectors.instruments_for), never another clinic's.
- `/objective-tests/`: the test catalog a visit's results are checked against (codes, sides, measures, ranges).
- `/questionnaire-responses/`: an athlete's own rounds, and the clinic's for its clinicians; POST saves a round
  (partly, or completed and scored by outcomes.services.response_save).
- `/visits/`: the clinic's visits with their tests nested, for clinicians who record clinical findings
  (Cap.RECORD_CLEARANCE) only; coaches and athletes get 403. POST and PUT take the results nested, each checked
  against the test catalog (outcomes/catalog.py): a refused value is a 400 naming `results.<n>.values`.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from outcomes import catalog, instruments, selectors, wording
from outcomes.codes import OutcomeError, Reason
from outcomes.forms_visits import pass_mark
from outcomes.models import QuestionnaireResponse, TestResult, Visit
from outcomes.services import response_save
from outcomes.services_visits import visit_delete, visit_record
from portal.api_base import (
    CharField,
    HasCapability,
    IdFilter,
    ModelSerializer,
    PrimaryKeyField,
    service_errors,
)
from portal.audit import AccessLoggedMixin
from portal.capabilities import Cap, can
from portal.models import Athlete
from portal.permissions import athlete_of, clinician_of

# ------------------------------------------------------------------------------------------------ instruments


def _clinic_of(user):
    person = clinician_of(user) or athlete_of(user)
    return getattr(person, "clinic", None)


def instruments_seen_by(user) -> dict[str, instruments.Instrument]:
    """The questionnaires as `user` may read them: with their clinic's licensed wording, or as shipped."""
    clinic = _clinic_of(user)
    return selectors.instruments_for(clinic) if clinic is not None else dict(instruments.shipped())


class ItemSerializer(serializers.Serializer):
    code = CharField()
    text = CharField(help_text="Empty until the clinic loads its licensed wording.")
    min = serializers.FloatField()
    max = serializers.FloatField()
    integer = serializers.BooleanField()
    optional = serializers.BooleanField()


class SubscaleSerializer(serializers.Serializer):
    code = CharField()
    name = CharField()
    items = serializers.ListField(child=CharField())


class InstrumentSerializer(serializers.Serializer):
    code = CharField()
    name = CharField()
    short_name = CharField()
    version = CharField()
    instructions = CharField()
    has_wording = serializers.BooleanField(
        help_text="False: the questionnaire needs your clinic's licensed wording before an athlete can answer "
        "it (manage.py import_questionnaire); its answers can still be scored."
    )
    status = serializers.SerializerMethodField(help_text="“ready”, or “needs your licensed wording”.")
    licence = CharField()
    licence_terms = CharField()
    source = CharField()
    score_min = serializers.FloatField()
    score_max = serializers.FloatField()
    higher_is = CharField(help_text="“better” or “worse”.")
    meaningful_change = serializers.SerializerMethodField(
        help_text="The change that matters (points on the total), or null when none is established."
    )
    anchors = serializers.DictField(child=CharField(), help_text="Answer value → its label.")
    items = ItemSerializer(many=True)
    subscales = SubscaleSerializer(many=True)

    def get_status(self, instrument) -> str:
        return "ready" if instrument.has_wording else "needs your licensed wording"

    def get_meaningful_change(self, instrument) -> float | None:
        return instrument.change.threshold()


class InstrumentViewSet(viewsets.ViewSet):
    """The questionnaires (patient-reported outcome measures) as the caller's clinic can use them."""

    lookup_field = "code"
    lookup_value_regex = r"[a-z0-9_]{1,20}"
    serializer_class = InstrumentSerializer

    @extend_schema(responses=InstrumentSerializer(many=True))
    def list(self, request: Request) -> Response:
        """Every questionnaire, by code. Licensed ones without the clinic's wording have empty item texts."""
        found = instruments_seen_by(request.user)
        return Response(InstrumentSerializer([found[code] for code in sorted(found)], many=True).data)

    @extend_schema(responses=InstrumentSerializer)
    def retrieve(self, request: Request, code: str | None = None) -> Response:
        """One questionnaire: its items, answer range, subscales, scoring range and licence."""
        found = instruments_seen_by(request.user)
        if code not in found:
            raise exceptions.NotFound()
        return Response(InstrumentSerializer(found[code]).data)


# ------------------------------------------------------------------------------------------ objective tests

TEST_SIDES = {
    catalog.EACH: [catalog.LEFT, catalog.RIGHT],
    catalog.NONE: [catalog.NONE],
    catalog.PAIRED: [catalog.NONE, catalog.LEFT, catalog.RIGHT],
}


class MeasureSerializer(serializers.Serializer):
    code = CharField()
    label = serializers.SerializerMethodField()
    unit = CharField(
        help_text="“/10” for pain; empty for a finding; strength takes `unit` N or kg beside it."
    )
    min = serializers.FloatField()
    max = serializers.FloatField()
    integer = serializers.BooleanField()
    choices = serializers.ListField(child=CharField(), help_text="A finding's values; empty for a number.")

    def get_label(self, measure) -> str:
        return wording.measure_label(measure)


class PassRuleSerializer(serializers.Serializer):
    kind = CharField(help_text="“negative”, “pain” or “symmetry”.")
    max_pain = serializers.IntegerField(allow_null=True)
    count_measure = CharField(allow_null=True)
    min_count = serializers.FloatField(allow_null=True)
    min_pct = serializers.FloatField(allow_null=True)


class ObjectiveTestSerializer(serializers.Serializer):
    code = CharField()
    name = serializers.SerializerMethodField()
    sides = CharField(
        help_text="“each”: one result per side; “none”: one result; “paired”: one result holding left and right, "
        "whose side names the affected leg (none: weaker ÷ stronger)."
    )
    result_sides = serializers.SerializerMethodField(
        help_text="The `side` values a result of this test takes."
    )
    measures = MeasureSerializer(many=True)
    required = serializers.ListField(child=CharField(), help_text="The measures a result must hold.")
    any_of = serializers.BooleanField(help_text="True: at least one measure, rather than every required one.")
    how_to = serializers.SerializerMethodField()
    pass_rule = PassRuleSerializer(allow_null=True, help_text="Null: recorded for the trend, no pass mark.")
    pass_mark = serializers.SerializerMethodField(help_text="What “pass” means, in words.")
    source = CharField()

    def get_name(self, test) -> str:
        return wording.test_name(test.code)

    def get_result_sides(self, test) -> list[str]:
        return TEST_SIDES[test.sides]

    def get_how_to(self, test) -> str:
        return wording.how_to(test)

    def get_pass_mark(self, test) -> str:
        return pass_mark(test)


class ObjectiveTestViewSet(viewsets.ViewSet):
    """The objective tests a visit can record (outcomes/catalog.py): the codes, sides and measures a visit's
    `results` take, with their valid ranges and pass marks. The same for everyone signed in."""

    lookup_field = "code"
    lookup_value_regex = r"[a-z0-9_]{1,40}"
    serializer_class = ObjectiveTestSerializer

    @extend_schema(responses=ObjectiveTestSerializer(many=True))
    def list(self, request: Request) -> Response:
        """Every test of the catalog, in the visit form's order."""
        return Response(ObjectiveTestSerializer(catalog.TESTS, many=True).data)

    @extend_schema(responses=ObjectiveTestSerializer)
    def retrieve(self, request: Request, code: str | None = None) -> Response:
        """One test: its sides, measures (unit, valid range) and pass mark."""
        if code not in catalog.BY_CODE:
            raise exceptions.NotFound()
        return Response(ObjectiveTestSerializer(catalog.BY_CODE[code]).data)


# --------------------------------------------------------------------------------------- questionnaire rounds


class ResponseSerializer(ModelSerializer):
    instrument_name = serializers.SerializerMethodField()
    complete = serializers.BooleanField(source="is_complete", read_only=True)
    reasons_text = serializers.SerializerMethodField(help_text="The scoring notes in words.")

    class Meta:
        model = QuestionnaireResponse
        fields = ["id", "athlete", "instrument", "instrument_name", "instrument_version", "round", "answers",
                  "item_labels", "started_at", "completed_at", "complete", "total", "subscales", "valid",
                  "reasons", "reasons_text"]  # fmt: skip
        read_only_fields = fields

    def get_instrument_name(self, response) -> str:
        return response.instrument_name

    def get_reasons_text(self, response) -> list[str]:
        return [wording.render(r) for r in response.reasons]


class ResponseCreateSerializer(serializers.Serializer):
    athlete = PrimaryKeyField(
        queryset=Athlete.objects.none(),
        required=False,
        help_text="Whose round. Athletes leave it out (their own); clinicians must give it.",
    )
    instrument = serializers.ChoiceField(
        choices=[], help_text="The questionnaire's code (see /instruments/)."
    )
    round = serializers.ChoiceField(
        choices=QuestionnaireResponse.Round.choices, default=QuestionnaireResponse.Round.FOLLOW_UP
    )
    answers = serializers.DictField(
        child=serializers.JSONField(), help_text="Item code → answer (a number in the item's range)."
    )
    item_labels = serializers.DictField(
        child=CharField(max_length=200),
        required=False,
        help_text="PSFS: item code → the activity the athlete named.",
    )
    complete = serializers.BooleanField(
        default=True, help_text="False saves the answers so far without a score (finish later on the page)."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instrument"].choices = sorted(instruments.shipped())
        request = self.context.get("request")  # absent while the OpenAPI schema is generated
        if request is not None:
            self.fields["athlete"].queryset = Athlete.objects.visible_to(request.user)

    def validate(self, data):
        user = self.context["request"].user
        own = athlete_of(user)
        if "athlete" not in data:
            if own is None:
                raise serializers.ValidationError(
                    {"athlete": [gettext("Say whose questionnaire: the athlete's id.")]}
                )
            data["athlete"] = own
        athlete = data["athlete"]
        if athlete.is_anonymised:
            raise serializers.ValidationError(
                {"athlete": [gettext("This athlete's personal data was deleted.")]}
            )
        if own is None or athlete.pk != own.pk:
            if not can(user, Cap.RECORD_CLEARANCE, athlete):
                raise exceptions.PermissionDenied(
                    gettext("Only the athlete or their clinicians enter their answers.")
                )
        elif not selectors.instruments_for(athlete.clinic)[data["instrument"]].has_wording:
            raise serializers.ValidationError(
                {"instrument": [gettext("This questionnaire needs your clinic's licensed wording first.")]}
            )
        return data


class ResponseFilter(filters.FilterSet):
    athlete = IdFilter(field_name="athlete", help_text="Only this athlete's rounds.")

    class Meta:
        model = QuestionnaireResponse
        fields = ["instrument", "round"]


class QuestionnaireResponseViewSet(
    AccessLoggedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Questionnaire rounds: an athlete's own; a clinician's clinic's. Newest first."""

    serializer_class = ResponseSerializer
    filterset_class = ResponseFilter
    ordering_fields = ["started_at", "completed_at"]
    ordering = ["-started_at", "-pk"]

    def get_queryset(self):
        return QuestionnaireResponse.objects.visible_to(self.request.user).select_related("athlete")

    @extend_schema(request=ResponseCreateSerializer, responses={201: ResponseSerializer})
    def create(self, request: Request) -> Response:
        """Save a round. Completed (the default): scored, with the score, subscales and whether every score
        could be computed; `complete: false` keeps the answers so far. A clinician enters one for `athlete`;
        an answer out of range or an unknown item is a 400 on `answers`."""
        data = ResponseCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        with service_errors():
            try:
                response = response_save(
                    athlete=values["athlete"],
                    instrument=values["instrument"],
                    answers=values["answers"],
                    round=values["round"],
                    item_labels=values.get("item_labels"),
                    complete=values["complete"],
                    by=request.user,
                )
            except OutcomeError as error:
                raise exceptions.ValidationError({"answers": [wording.render(error.reason)]}) from None
        return Response(ResponseSerializer(response).data, status=status.HTTP_201_CREATED)


# ------------------------------------------------------------------------------------------------ visits


class TestResultSerializer(ModelSerializer):
    __test__ = False  # pytest: a serializer, not a test class

    test_name = serializers.SerializerMethodField()
    reasons_text = serializers.SerializerMethodField(help_text="Why it did not pass, in words.")

    class Meta:
        model = TestResult
        fields = ["id", "test", "test_name", "side", "values", "passed", "symmetry_pct", "reasons",
                  "reasons_text"]  # fmt: skip
        read_only_fields = fields

    def get_test_name(self, result) -> str:
        return result.test_name

    def get_reasons_text(self, result) -> list[str]:
        return [wording.render(r) for r in result.reasons]


class VisitSerializer(ModelSerializer):
    clinician_name = serializers.SerializerMethodField()
    results = TestResultSerializer(source="test_results", many=True, read_only=True)

    class Meta:
        model = Visit
        fields = ["id", "athlete", "clinician", "clinician_name", "date", "notes", "created", "results"]
        read_only_fields = fields

    def get_clinician_name(self, visit) -> str | None:
        return visit.clinician.user.get_full_name() if visit.clinician else None


class ResultInputSerializer(serializers.Serializer):
    test = serializers.ChoiceField(choices=[t.code for t in catalog.TESTS], help_text="The test's code.")
    side = serializers.ChoiceField(
        choices=[catalog.LEFT, catalog.RIGHT, catalog.NONE],
        default=catalog.NONE,
        help_text="left / right for tests done on each side; none for the others; for strength, the affected "
        "leg (or none).",
    )
    values = serializers.DictField(
        child=serializers.JSONField(),
        help_text='Measure code → value, e.g. {"reps": 10, "pain": 1}; strength: {"left": 210, "right": 180, '
        '"unit": "N"}.',
    )

    def validate(self, data):
        test = catalog.get(data["test"])
        try:
            data["values"] = catalog.clean_values(test, data["side"], data["values"])
        except OutcomeError as error:
            field = "side" if error.code == "bad_side" else "values"
            params = dict(error.params)
            if "test" not in params and error.code in ("nothing_recorded", "unknown_measure"):
                params["test"] = test.code
            raise serializers.ValidationError({field: [wording.render(Reason(error.code, params))]}) from None
        return data


class VisitInputSerializer(serializers.Serializer):
    athlete = PrimaryKeyField(queryset=Athlete.objects.none(), help_text="Whose visit (create only).")
    date = serializers.DateField(required=False, help_text="Default: today.")
    notes = CharField(max_length=5000, required=False, allow_blank=True, default="")
    results = ResultInputSerializer(many=True, required=False, default=list)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["athlete"].queryset = Athlete.objects.visible_to(request.user)
        if self.context.get("visit") is not None:  # a change keeps the athlete
            self.fields["athlete"].required = False

    def validate_date(self, value):
        if value > timezone.localdate() + timedelta(days=1):
            raise serializers.ValidationError("A visit cannot be recorded ahead of its date.")
        return value

    def validate(self, data):
        athlete = data.get("athlete") or getattr(self.context.get("visit"), "athlete", None)
        if athlete is not None and athlete.is_anonymised:
            raise serializers.ValidationError(
                {"athlete": [gettext("This athlete's personal data was deleted.")]}
            )
        seen = set()
        for index, result in enumerate(data.get("results", [])):
            key = (result["test"], result["side"])
            if key in seen:
                raise serializers.ValidationError(
                    {f"results.{index}.side": [gettext("This test is already given for that side.")]}
                )
            seen.add(key)
        return data


class VisitFilter(filters.FilterSet):
    athlete = IdFilter(field_name="athlete", help_text="Only this athlete's visits.")
    date = filters.DateFromToRangeFilter(help_text="date_after / date_before (YYYY-MM-DD).")

    class Meta:
        model = Visit
        fields = ["athlete", "date"]


RECORD = Cap.RECORD_CLEARANCE


class VisitViewSet(
    AccessLoggedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Clinic visits with their test results nested, newest first: the clinic's clinicians who record clinical
    findings only (coaches and athletes get 403)."""

    serializer_class = VisitSerializer
    permission_classes = [*viewsets.GenericViewSet.permission_classes, HasCapability]
    capabilities = {"list": RECORD, "retrieve": RECORD, "create": RECORD, "update": RECORD, "destroy": RECORD}
    filterset_class = VisitFilter
    ordering_fields = ["date", "created"]
    ordering = ["-date", "-pk"]
    http_method_names = ["get", "post", "put", "delete", "head", "options"]

    def get_queryset(self):
        return (
            Visit.objects.visible_to(self.request.user)
            .select_related("athlete", "clinician__user")
            .prefetch_related(Prefetch("test_results", queryset=TestResult.objects.order_by("test", "side")))
        )

    def _save(self, request: Request, visit: Visit | None) -> Visit:
        data = VisitInputSerializer(data=request.data, context={"request": request, "visit": visit})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        athlete = visit.athlete if visit is not None else values["athlete"]
        with service_errors():
            visit = visit_record(
                athlete=athlete,
                clinician=clinician_of(request.user),
                on=values.get("date") or (visit.date if visit else None),
                notes=values.get("notes", ""),
                results={(r["test"], r["side"]): r["values"] for r in values.get("results", [])},
                visit=visit,
            )
        return self.get_queryset().get(pk=visit.pk)

    @extend_schema(request=VisitInputSerializer, responses={201: VisitSerializer})
    def create(self, request: Request) -> Response:
        """Record a visit with its tests. Each result is checked against the catalog (unit, sides, valid
        range) and stored with whether it passed and, for strength, the side-to-side %."""
        return Response(self.get_serializer(self._save(request, None)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=VisitInputSerializer, responses=VisitSerializer)
    def update(self, request: Request, pk=None) -> Response:
        """Replace a visit's date, notes and results: results left out are removed (`athlete` is kept)."""
        visit = self.get_object()
        return Response(self.get_serializer(self._save(request, visit)).data)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, pk=None) -> Response:
        """Delete a visit recorded in error, with its results (the audit trail keeps what they held)."""
        visit = self.get_object()
        with service_errors():
            visit_delete(visit=visit)
        return Response(status=status.HTTP_204_NO_CONTENT)
