"""Rehab over HTTP: plan templates, plans (assign, change, phase moves), daily logs and the athlete summary."""

from contextlib import contextmanager
from datetime import date

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound, PermissionDenied
from rest_framework.response import Response

from portal.api_base import (
    ID_MAX,
    CharField,
    HasCapability,
    IdFilter,
    ModelSerializer,
    PrimaryKeyField,
    TrueFalseFilter,
    service_errors,
)
from portal.api_schema import ErrorSerializer
from portal.audit import AccessLoggedMixin
from portal.capabilities import Cap
from portal.models import Athlete, Shoe
from portal.permissions import athlete_of, is_clinic_staff
from rehab import log_rules, selectors, services, wording
from rehab import models as rehab_models
from rehab.compliance import BAND_LABELS
from rehab.criteria import reason_text
from rehab.forms import VERSION_MAX
from rehab.models import (
    Action,
    DailyLog,
    ExerciseLog,
    PhaseChange,
    PhaseTemplate,
    Plan,
    PlanExercise,
    PlanPhase,
    PlanTemplate,
    RedFlag,
    Trigger,
)
from triage.engine import LOCATION_CHOICES

PHASE_FIELDS = ["id", *rehab_models.PHASE_FIELDS]
DOSAGE_FIELDS = ["id", "order", "exercise", "exercise_name", *rehab_models.DOSAGE_FIELDS, "dosage_text"]


class IsClinicianForWrites(permissions.BasePermission):
    message = _("Only clinicians can change plans.")

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return is_clinic_staff(request.user)


class ExerciseRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    order = serializers.IntegerField()
    exercise = serializers.IntegerField(source="exercise_id")
    exercise_name = CharField(source="exercise.name")
    sets = serializers.IntegerField(allow_null=True)
    reps = serializers.IntegerField(allow_null=True)
    hold_seconds = serializers.IntegerField(allow_null=True)
    duration_minutes = serializers.IntegerField(allow_null=True)
    per_side = serializers.BooleanField()
    times_per_day = serializers.IntegerField(allow_null=True)
    days_per_week = serializers.IntegerField(allow_null=True)
    note = CharField()
    dosage_text = CharField()


class PhaseSerializer(ModelSerializer):
    exercises = ExerciseRowSerializer(many=True, read_only=True)
    run_text = CharField(read_only=True)
    pain_text = CharField(read_only=True)
    cleared_by = serializers.SlugRelatedField(slug_field="email", read_only=True, allow_null=True)
    structured_criteria = serializers.JSONField(
        read_only=True,
        help_text="Measured exit criteria (docs/outcomes.md, Exit criteria syntax); changed on the phase's "
        "edit page.",
    )

    class Meta:
        model = PlanPhase
        fields = [*PHASE_FIELDS, "started_on", "cleared_at", "cleared_by", "cleared_on_imaging", "clearance_note",
                  "run_text", "pain_text", "exercises"]  # fmt: skip


class TemplatePhaseSerializer(PhaseSerializer):
    class Meta(PhaseSerializer.Meta):
        model = PhaseTemplate
        fields = [*PHASE_FIELDS, "run_text", "pain_text", "exercises"]


class PlanTemplateSerializer(ModelSerializer):
    phases = TemplatePhaseSerializer(many=True, read_only=True)
    conditions = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    shipped = serializers.BooleanField(source="is_shipped", read_only=True)

    class Meta:
        model = PlanTemplate
        fields = ["id", "slug", "name", "summary", "conditions", "duration_weeks_min", "duration_weeks_max",
                  "shipped", "active", "phases"]  # fmt: skip


class PhaseChangeSerializer(ModelSerializer):
    reason = CharField(source="reason_text", read_only=True, help_text="Why, in the language of the request.")
    reason_code = CharField(read_only=True, help_text='Why, as a code ("" for a clinician\'s own words).')
    reason_params = serializers.DictField(read_only=True)

    class Meta:
        model = PhaseChange
        fields = ["kind", "from_phase", "to_phase", "reason", "reason_code", "reason_params", "created"]


VERSION_HELP = (
    "In a change: the plan's `version` as you last read it. If the plan has changed since, nothing is changed "
    "and the answer is 409 with code `plan_changed`. Leave it out to change the plan as it is now (last write "
    "wins)."
)


def version_field() -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=1, max_value=VERSION_MAX, required=False, help_text=VERSION_HELP
    )


class PlanConflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The plan has changed since you read it; nothing was changed.")
    default_code = "plan_changed"


PLAN_CHANGED_RESPONSE = OpenApiResponse(
    ErrorSerializer,
    description="`plan_changed`: the plan is no longer at the `version` sent. Nothing was changed: read the "
    "plan again and decide.",
)


@contextmanager
def plan_errors():
    """service_errors, and a stale `version` as a 409 in the usual error shape."""
    try:
        with service_errors():
            yield
    except services.PlanChanged as stale:
        raise PlanConflict(
            f"{stale.summary()}: it is now version {stale.plan.version}, not {stale.seen}. Nothing was changed; "
            "read the plan again and send your change with the new version."
        ) from None


class PlanSerializer(ModelSerializer):
    phases = PhaseSerializer(many=True, read_only=True)
    history = PhaseChangeSerializer(source="phase_changes", many=True, read_only=True)
    version = version_field()

    class Meta:
        model = Plan
        fields = ["id", "athlete", "template", "name", "goal", "start_date", "status", "current_phase",
                  "auto_advance", "pain_free", "version", "completed_at", "cancel_reason", "cancelled_at", "phases",
                  "history"]  # fmt: skip
        read_only_fields = [
            "athlete",
            "template",
            "start_date",
            "current_phase",
            "completed_at",
            "cancel_reason",
            "cancelled_at",
        ]


class PlanAssignSerializer(serializers.Serializer):
    athlete = PrimaryKeyField(queryset=Athlete.objects.none())
    template = PrimaryKeyField(queryset=PlanTemplate.objects.none())
    start_date = serializers.DateField()
    goal = CharField(max_length=300, required=False, allow_blank=True, default="")
    pain_free = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Any pain holds the phase (bone stress injury). Left out: on when the template is for a bone "
        "stress injury or one was confirmed on the athlete's latest intake; always on with such a template.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")  # absent while the OpenAPI schema is generated
        if request is not None:
            self.fields["athlete"].queryset = Athlete.objects.visible_to(request.user)
            self.fields["template"].queryset = PlanTemplate.objects.visible_to(request.user).filter(
                active=True
            )


class ReasonSerializer(serializers.Serializer):
    reason = CharField(
        max_length=500, required=False, allow_blank=True, default="", help_text="Kept in the phase history."
    )
    version = version_field()


class CancelSerializer(serializers.Serializer):
    reason = CharField(
        max_length=500, help_text="Why the plan is cancelled (required): kept on the plan and in its history."
    )
    version = version_field()


class PhaseMoveSerializer(ReasonSerializer):
    phase = serializers.IntegerField(
        min_value=1, max_value=ID_MAX, help_text="The id of one of this plan's phases."
    )


class ClearanceSerializer(serializers.Serializer):
    phase = serializers.IntegerField(
        min_value=1, max_value=ID_MAX, help_text="The id of the plan's phase that needs clearance."
    )
    imaging = serializers.BooleanField(help_text="Whether imaging was part of the clearance.")
    note = CharField(max_length=500, required=False, default="", allow_blank=True)
    version = version_field()


# The engine's actions a clinician can apply in one step (holding needs none).
APPLICABLE_ACTIONS = [(a.value, a.label) for a in (Action.ADVANCE, Action.REGRESS, Action.STOP_AND_REFER)]


class RecommendationApplySerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=APPLICABLE_ACTIONS,
        help_text="The action the athlete's summary recommends (stop_and_refer pauses the plan). Refused when "
        "the advice has changed since it was read.",
    )
    version = version_field()


class PlanTemplateFilter(filters.FilterSet):
    condition = filters.CharFilter(
        field_name="conditions__code",
        help_text="Only templates for this condition code, e.g. `stress_fracture`.",
    )
    shipped = TrueFalseFilter(
        field_name="clinic",
        lookup_expr="isnull",
        help_text="true: shipped templates; false: the clinic's own.",
    )
    active = TrueFalseFilter(help_text="false: templates retired from new assignments.")

    class Meta:
        model = PlanTemplate
        fields = []


class PlanTemplateViewSet(viewsets.ReadOnlyModelViewSet):
    """Plan templates (protocols): the shipped ones and the user's clinic's own, with phases and exercises."""

    serializer_class = PlanTemplateSerializer
    filterset_class = PlanTemplateFilter
    ordering_fields = ["name", "updated"]
    ordering = ["name", "pk"]

    def get_queryset(self):
        return PlanTemplate.objects.visible_to(self.request.user).prefetch_related(
            "conditions", "phases__exercises__exercise"
        )


class PlanFilter(filters.FilterSet):
    athlete = IdFilter(field_name="athlete", help_text="Only this athlete's plans.")
    template = IdFilter(field_name="template", help_text="Only plans copied from this template.")

    class Meta:
        model = Plan
        fields = ["status"]


def _phase_of(plan: Plan, pk: int) -> PlanPhase:
    """One of the plan's phases by id, or a 400 on the `phase` field."""
    phase = plan.phases.filter(pk=pk).first()
    if phase is None:
        raise serializers.ValidationError({"phase": [gettext("Not a phase of this plan.")]})
    return phase


@extend_schema_view(
    update=extend_schema(responses={200: PlanSerializer, 409: PLAN_CHANGED_RESPONSE}),
    partial_update=extend_schema(responses={200: PlanSerializer, 409: PLAN_CHANGED_RESPONSE}),
)
class PlanViewSet(
    AccessLoggedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Plans the user may see. Clinicians POST to assign a template (copying it), PATCH to change name, goal,
    status or auto-advance, and move phases with the actions below. Changes may send the `version` they read
    (409 `plan_changed` when the plan changed since)."""

    serializer_class = PlanSerializer
    permission_classes = [permissions.IsAuthenticated, IsClinicianForWrites, HasCapability]
    # A coach reads plans here; the running part and requests have their own endpoints (rehab.views_coach).
    capabilities = {
        "create": Cap.ASSIGN_PLAN,
        "update": Cap.TAILOR_PLAN,
        "partial_update": Cap.TAILOR_PLAN,
        "advance": Cap.CHANGE_PHASE,
        "regress": Cap.CHANGE_PHASE,
        "move": Cap.CHANGE_PHASE,
        "apply_recommendation": Cap.CHANGE_PHASE,
        "cancel": Cap.ASSIGN_PLAN,
        "clearance": Cap.RECORD_CLEARANCE,
    }
    filterset_class = PlanFilter
    ordering_fields = ["start_date", "created", "updated"]
    ordering = ["-start_date", "-pk"]

    def get_queryset(self):
        exercises = PlanExercise.objects.select_related("exercise").order_by("order", "pk")
        return (
            Plan.objects.visible_to(self.request.user)
            .select_related("athlete")
            .prefetch_related(
                Prefetch("phases", queryset=PlanPhase.objects.select_related("cleared_by")),
                Prefetch("phases__exercises", queryset=exercises),
                "phase_changes",
            )
        )

    def _plan_response(self, plan: Plan, code=status.HTTP_200_OK) -> Response:
        return Response(PlanSerializer(self.get_queryset().get(pk=plan.pk)).data, status=code)

    @extend_schema(request=PlanAssignSerializer, responses={201: PlanSerializer})
    def create(self, request, *args, **kwargs):
        data = PlanAssignSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        with service_errors():
            plan = services.plan_assign(
                athlete=data.validated_data["athlete"],
                template=data.validated_data["template"],
                by=request.user,
                start=data.validated_data["start_date"],
                goal=data.validated_data["goal"],
                pain_free=data.validated_data["pain_free"],
            )
        return self._plan_response(plan, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        plan = self.get_object()
        serializer = self.get_serializer(plan, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        with plan_errors():
            services.plan_update(plan=plan, by=request.user, seen=changes.pop("version", None), **changes)
        return self._plan_response(plan)

    @extend_schema(request=ReasonSerializer, responses={200: PlanSerializer, 409: PLAN_CHANGED_RESPONSE})
    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        """Move the plan to its next phase (400 in the last phase)."""
        return self._move(request, pk, services.plan_advance)

    @extend_schema(request=ReasonSerializer, responses={200: PlanSerializer, 409: PLAN_CHANGED_RESPONSE})
    @action(detail=True, methods=["post"])
    def regress(self, request, pk=None):
        """Step the plan back to its previous phase (400 in the first phase)."""
        return self._move(request, pk, services.plan_regress)

    @extend_schema(request=PhaseMoveSerializer, responses={200: PlanSerializer, 409: PLAN_CHANGED_RESPONSE})
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Move the plan to any of its phases."""
        plan = selectors.get_plan_for_user(request.user, pk)
        data = PhaseMoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        phase = _phase_of(plan, data.validated_data["phase"])
        with plan_errors():
            services.plan_move(plan=plan, to_phase=phase, by=request.user, reason=data.validated_data["reason"],
                               today=timezone.localdate(), seen=data.validated_data.get("version"))  # fmt: skip
        return self._plan_response(plan)

    @extend_schema(
        request=RecommendationApplySerializer, responses={200: PlanSerializer, 409: PLAN_CHANGED_RESPONSE}
    )
    @action(detail=True, methods=["post"], url_path="apply-recommendation")
    def apply_recommendation(self, request, pk=None):
        """Act on the progression engine's current advice (see the athlete's summary) in one step."""
        plan = selectors.get_plan_for_user(request.user, pk)
        data = RecommendationApplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with plan_errors():
            services.recommendation_apply(plan=plan, action=data.validated_data["action"], by=request.user,
                                          seen=data.validated_data.get("version"))  # fmt: skip
        return self._plan_response(plan)

    @extend_schema(request=CancelSerializer, responses={200: PlanSerializer, 409: PLAN_CHANGED_RESPONSE})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel an active or paused plan with a reason: the athlete no longer sees it (400 without a reason
        or when the plan is completed or cancelled already)."""
        plan = selectors.get_plan_for_user(request.user, pk)
        data = CancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with plan_errors():
            services.plan_cancel(plan=plan, by=request.user, reason=data.validated_data["reason"],
                                 seen=data.validated_data.get("version"))  # fmt: skip
        return self._plan_response(plan)

    @extend_schema(request=ClearanceSerializer, responses={200: PlanSerializer, 409: PLAN_CHANGED_RESPONSE})
    @action(detail=True, methods=["post"])
    def clearance(self, request, pk=None):
        """Record a clinician's clearance for a phase that needs one before it starts (400 when it needs none
        or has one already)."""
        plan = selectors.get_plan_for_user(request.user, pk)
        data = ClearanceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        phase = _phase_of(plan, data.validated_data["phase"])
        with plan_errors():
            services.phase_clear(plan=plan, phase=phase, by=request.user, imaging=data.validated_data["imaging"],
                                 note=data.validated_data["note"], seen=data.validated_data.get("version"))  # fmt: skip
        return self._plan_response(plan)

    def _move(self, request, pk, move) -> Response:
        plan = selectors.get_plan_for_user(request.user, pk)
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with plan_errors():
            move(plan=plan, by=request.user, reason=data.validated_data["reason"], today=timezone.localdate(),
                 seen=data.validated_data.get("version"))  # fmt: skip
        return self._plan_response(plan)


# ---------------------------------------------------------------------------------------------------------------
# Daily logs

# A pain question left out is not answered: null, never 0 (and a PUT that leaves it out keeps the saved answer).
LOG_FIELDS = list(rehab_models.REPORTED_LOG_FIELDS)
# Filled by a run imported from a watch's file (POST /me/runs/import/): shown, never sent.
IMPORTED_RUN_FIELDS = ["avg_heart_rate", "elevation_gain_m", "run_source", "run_started_at"]


def _locations(**kwargs):
    return serializers.ListField(
        child=serializers.ChoiceField(choices=LOCATION_CHOICES), max_length=10, **kwargs
    )


def _triggers(**kwargs):
    return serializers.ListField(
        child=serializers.ChoiceField(choices=Trigger.choices), max_length=10, **kwargs
    )


class ExerciseDoneSerializer(serializers.Serializer):
    plan_exercise = serializers.IntegerField(help_text="A PlanExercise id of the day's phase.")
    sets_done = serializers.IntegerField(min_value=0, max_value=50)


class ExerciseLogSerializer(ModelSerializer):
    class Meta:
        model = ExerciseLog
        fields = ["plan_exercise", "exercise", "sets_done"]


class DailyLogSerializer(ModelSerializer):
    exercises = ExerciseLogSerializer(many=True, read_only=True)
    red_flags = serializers.ListField(child=serializers.ChoiceField(choices=RedFlag.choices), read_only=True)
    pain_locations = _locations(read_only=True)
    triggers = _triggers(read_only=True)
    # Empty when not given: the schema says so (a read-only choice would list the choices only).
    surface = serializers.ChoiceField(choices=DailyLog.Surface.choices, allow_blank=True, read_only=True)
    run_source = serializers.ChoiceField(choices=DailyLog.RunSource.choices, allow_blank=True, read_only=True)

    class Meta:
        model = DailyLog
        fields = ["id", "athlete", "date", "plan", "phase", *LOG_FIELDS, *IMPORTED_RUN_FIELDS, "red_flags",
                  "sets_done", "exercises", "updated"]  # fmt: skip
        read_only_fields = fields


class DailyLogInputSerializer(ModelSerializer):
    """What an athlete sends for one day. Omitted fields keep their saved values."""

    serializer_related_field = PrimaryKeyField

    exercises = ExerciseDoneSerializer(
        many=True,
        required=False,
        help_text="Sets done per planned exercise; omit to keep the logged exercises.",
    )
    pain_locations = _locations(required=False)
    triggers = _triggers(required=False)

    class Meta:
        model = DailyLog
        fields = [*LOG_FIELDS, "exercises"]
        extra_kwargs = {"shoe": {"help_text": "One of your shoes; the distance is added to its total."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any of the athlete's shoes is found; a retired one is then refused with its reason (log_rules).
        self.fields["shoe"].queryset = Shoe.objects.filter(athlete=self.context.get("athlete"))

    def validate(self, attrs):
        """The rules the Log today form applies too (rehab.log_rules), on the day as it would be saved."""
        day, today = self.context["day"], self.context["today"]
        saved = (
            DailyLog.objects.filter(athlete=self.context["athlete"], date=day)
            .values(*(name if name != "shoe" else "shoe_id" for name in LOG_FIELDS))
            .first()
        ) or {}
        saved = {("shoe" if name == "shoe_id" else name): value for name, value in saved.items()}
        sent = {name: value for name, value in attrs.items() if name != "exercises"}
        problems = log_rules.log_problems(saved, sent, day=day, today=today)
        if problems:
            raise serializers.ValidationError({name: [message] for name, message in problems.items()})
        return attrs


class DailyLogFilter(filters.FilterSet):
    athlete = IdFilter(field_name="athlete", help_text="Only this athlete's logs (clinicians).")
    date = filters.DateFromToRangeFilter(
        help_text="`date_after` / `date_before`: an inclusive range of days."
    )
    plan = IdFilter(field_name="plan", help_text="Only logs under this plan.")

    class Meta:
        model = DailyLog
        fields = []


class WhoseLogSerializer(serializers.Serializer):
    athlete = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=ID_MAX,
        help_text="Whose log: clinicians must say; athletes read their own.",
    )


# `?athlete=` on GET /daily-logs/<date>/, as it behaves (WhoseLogSerializer checks it). Not required in the schema:
# an athlete's request needs none. OpenAPI cannot make a parameter required for some callers only: it says so.
WHOSE_LOG = OpenApiParameter(
    "athlete",
    {"type": "integer", "format": "int64", "minimum": 1, "maximum": ID_MAX},
    required=False,
    description="Whose log (an athlete id). **Clinicians: required** — without it the answer is 400 with "
    "`errors.athlete`; an athlete outside their clinic is 404. **Athletes: optional** — they always read "
    "their own log; naming anyone else finds nothing (404).",
)


class DailyLogViewSet(AccessLoggedMixin, viewsets.ReadOnlyModelViewSet):
    """Daily logs: athletes read and write their own (`PUT /daily-logs/<YYYY-MM-DD>/` saves that day, again and
    again, without duplicates); clinicians read their clinic's."""

    serializer_class = DailyLogSerializer
    lookup_field = "date"
    lookup_value_regex = r"\d{4}-\d{2}-\d{2}"
    filterset_class = DailyLogFilter
    ordering_fields = ["date", "updated"]
    ordering = ["-date", "pk"]

    def get_queryset(self):
        return DailyLog.objects.visible_to(self.request.user).prefetch_related("exercises")

    def _day(self) -> date:
        try:
            return date.fromisoformat(self.kwargs["date"])
        except ValueError:
            raise NotFound(gettext("Not a date.")) from None

    def get_object(self):
        params = WhoseLogSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        chosen = params.validated_data.get("athlete")
        logs = self.get_queryset().filter(date=self._day())
        athlete = athlete_of(self.request.user)
        if athlete is not None:  # their own; naming someone else finds nothing
            logs = logs.filter(athlete=athlete)
        elif chosen is None:
            raise serializers.ValidationError({"athlete": [gettext("Say whose log: ?athlete=<id>.")]})
        return get_object_or_404(logs, **({"athlete_id": chosen} if chosen is not None else {}))

    @extend_schema(parameters=[WHOSE_LOG])
    def retrieve(self, request, *args, **kwargs):
        """One day's log. Athletes read their own; clinicians name the athlete (`?athlete=<id>`)."""
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(request=DailyLogInputSerializer, responses=DailyLogSerializer)
    def update(self, request, *args, **kwargs):
        """Save the athlete's own log for the day in the URL (today or up to 14 days back). Idempotent."""
        athlete = athlete_of(request.user)
        if athlete is None:
            raise PermissionDenied(gettext("Only the athlete writes their daily log."))
        day = self._day()
        serializer = DailyLogInputSerializer(
            data=request.data,
            context={"athlete": athlete, "request": request, "day": day, "today": timezone.localdate()},
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        exercises = data.pop("exercises", None)
        sets = (
            {row["plan_exercise"]: row["sets_done"] for row in exercises} if exercises is not None else None
        )
        with service_errors():
            log = services.log_save(athlete=athlete, day=day, data=data, sets=sets)
        log = DailyLog.objects.prefetch_related("exercises").get(pk=log.pk)
        return Response(DailyLogSerializer(log).data, status=status.HTTP_200_OK)


# ---------------------------------------------------------------------------------------------------------------
# The athlete summary (GET /api/v1/athletes/<id>/summary/ and, for athletes, /api/v1/me/)


class RoundedFloatField(serializers.FloatField):
    """Planned sets and runs are sums of sevenths: 31.000000000000007 is 31.0 to anyone reading it."""

    def to_representation(self, value):
        return round(float(value), 2)


class ComplianceSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    percent = serializers.IntegerField(
        allow_null=True, help_text="Exercises and runs weigh the same; null when nothing was planned."
    )
    exercise_percent = serializers.IntegerField(allow_null=True)
    run_percent = serializers.IntegerField(allow_null=True)
    band = serializers.ChoiceField(choices=list(BAND_LABELS.items()))
    band_label = CharField()
    sets_planned = RoundedFloatField()
    sets_done = serializers.IntegerField()
    runs_planned = RoundedFloatField()
    runs_done = serializers.IntegerField()


class LoadWarningSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=["notice", "warning"])
    message = CharField()


class LoadSerializer(serializers.Serializer):
    km_7d = RoundedFloatField()
    km_prev_7d = RoundedFloatField()
    km_28d = RoundedFloatField()
    change_pct = serializers.IntegerField(
        allow_null=True, help_text="Week over week; null without last week."
    )
    acwr = serializers.FloatField(allow_null=True, help_text="Acute:chronic ratio, for information only.")
    acwr_text = CharField()
    warnings = LoadWarningSerializer(many=True)


class ReasonField(CharField):
    """One of the engine's reasons in words, in the language of the request (rehab.wording.say)."""

    def to_representation(self, value) -> str:
        return reason_text(value)


class ReasonItemSerializer(serializers.Serializer):
    code = CharField(help_text="The reason as a code (rehab.codes, outcomes codes for measured criteria).")
    params = serializers.DictField(help_text="The code's parameters (days as ISO dates, numbers as numbers).")
    text = CharField(help_text="The reason in words, in the language of the request.")


class RecommendationSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=Action.choices)
    label = serializers.SerializerMethodField()
    reasons = serializers.ListField(
        child=ReasonField(), help_text="The reasons in words (as `reason_codes`)."
    )
    reason_codes = serializers.SerializerMethodField()

    def get_label(self, recommendation) -> str:
        return Action(recommendation.action).label

    @extend_schema_field(ReasonItemSerializer(many=True))
    def get_reason_codes(self, recommendation) -> list[dict]:
        """Each reason with its code, parameters and words."""
        return wording.api_items(recommendation.reasons)


class SummaryPhaseSerializer(ModelSerializer):
    label = CharField(read_only=True)
    run_text = CharField(read_only=True)
    pain_text = CharField(read_only=True)

    class Meta:
        model = PlanPhase
        fields = ["id", "order", "name", "label", "started_on", "run_text", "pain_text"]


class SummaryPlanSerializer(ModelSerializer):
    day = serializers.SerializerMethodField(help_text="Day of the plan, 1 on its start date.")

    class Meta:
        model = Plan
        fields = ["id", "name", "status", "start_date", "day"]

    def get_day(self, plan) -> int:
        return plan.day_number(self.context["today"])


class AthleteSummarySerializer(serializers.Serializer):
    as_of = serializers.DateField(source="snap.today")
    plan = SummaryPlanSerializer(
        allow_null=True, help_text="The active plan, else the latest paused or completed."
    )
    phase = SummaryPhaseSerializer(allow_null=True)
    recommendation = RecommendationSerializer(
        source="snap.recommendation",
        allow_null=True,
        help_text="The progression engine's advice on the active plan. For the care team: null for athletes.",
    )
    compliance_7d = ComplianceSerializer(source="snap.compliance", allow_null=True)
    weeks = ComplianceSerializer(many=True, help_text="Compliance per calendar week since the plan started.")
    load = LoadSerializer(source="snap.load")
    last_log_date = serializers.DateField(source="snap.last_log_date", allow_null=True)
    days_without_log = serializers.IntegerField(source="snap.days_without_log", allow_null=True)
    pain_last = serializers.IntegerField(source="snap.last_pain", allow_null=True)
    pain_baseline = serializers.FloatField(
        source="snap.baseline", help_text="Median next-morning pain, 7 days."
    )
    pain_trend = serializers.FloatField(source="snap.trend", allow_null=True)
    pain_spark = serializers.ListField(
        source="snap.spark",
        child=serializers.IntegerField(allow_null=True),
        help_text="Peak pain per day, the last 14 days, oldest first (null: not logged).",
    )
    risk = serializers.IntegerField(
        source="snap.risk",
        allow_null=True,
        help_text="Caseload sort key (higher: look sooner). Care team only.",
    )

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("care_team"):
            data["recommendation"] = data["risk"] = None  # advice and triage order are for the care team
        else:  # the care team reads the load warnings about the athlete, not the athlete's "Your distance…"
            load = self.fields["load"].get_attribute(instance)
            data["load"]["warnings"] = LoadWarningSerializer(load.clinician_warnings, many=True).data
        return data
