from datetime import date

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from portal.models import Athlete
from portal.permissions import athlete_of, clinician_of
from rehab import services
from rehab.models import DailyLog, PhaseChange, PhaseTemplate, Plan, PlanPhase, PlanTemplate, Trigger
from triage.engine import LOCATION_CHOICES

PHASE_FIELDS = ["id", "order", "name", "goal", "min_days", "max_pain_during", "max_pain_after",
                "must_settle_by_morning", "next_day_pain_allowed", "pain_note", "run_activity", "run_minutes",
                "sessions_per_week", "walk_minutes", "jog_minutes", "incline_pct", "weekly_increase_cap_pct",
                "run_note", "exit_criteria"]  # fmt: skip
DOSAGE_FIELDS = ["id", "order", "exercise", "exercise_name", "sets", "reps", "hold_seconds", "duration_minutes",
                 "per_side", "times_per_day", "days_per_week", "note", "dosage_text"]  # fmt: skip


class IsClinicianForWrites(permissions.BasePermission):
    message = "Only clinicians can change plans."

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return request.user.is_superuser or clinician_of(request.user) is not None


class ExerciseRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    order = serializers.IntegerField()
    exercise = serializers.IntegerField(source="exercise_id")
    exercise_name = serializers.CharField(source="exercise.name")
    sets = serializers.IntegerField(allow_null=True)
    reps = serializers.IntegerField(allow_null=True)
    hold_seconds = serializers.IntegerField(allow_null=True)
    duration_minutes = serializers.IntegerField(allow_null=True)
    per_side = serializers.BooleanField()
    times_per_day = serializers.IntegerField(allow_null=True)
    days_per_week = serializers.IntegerField(allow_null=True)
    note = serializers.CharField()
    dosage_text = serializers.CharField()


class PhaseSerializer(serializers.ModelSerializer):
    exercises = ExerciseRowSerializer(many=True, read_only=True)
    run_text = serializers.CharField(read_only=True)
    pain_text = serializers.CharField(read_only=True)

    class Meta:
        model = PlanPhase
        fields = [*PHASE_FIELDS, "started_on", "run_text", "pain_text", "exercises"]


class TemplatePhaseSerializer(PhaseSerializer):
    class Meta(PhaseSerializer.Meta):
        model = PhaseTemplate
        fields = [*PHASE_FIELDS, "run_text", "pain_text", "exercises"]


class PlanTemplateSerializer(serializers.ModelSerializer):
    phases = TemplatePhaseSerializer(many=True, read_only=True)
    conditions = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    shipped = serializers.BooleanField(source="is_shipped", read_only=True)

    class Meta:
        model = PlanTemplate
        fields = ["id", "slug", "name", "summary", "conditions", "duration_weeks_min", "duration_weeks_max",
                  "shipped", "phases"]  # fmt: skip


class PhaseChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = PhaseChange
        fields = ["kind", "from_phase", "to_phase", "reason", "created"]


class PlanSerializer(serializers.ModelSerializer):
    phases = PhaseSerializer(many=True, read_only=True)
    history = PhaseChangeSerializer(source="phase_changes", many=True, read_only=True)

    class Meta:
        model = Plan
        fields = ["id", "athlete", "template", "name", "goal", "start_date", "status", "current_phase",
                  "auto_advance", "version", "phases", "history"]  # fmt: skip
        read_only_fields = ["athlete", "template", "start_date", "current_phase", "version"]


class PlanAssignSerializer(serializers.Serializer):
    athlete = serializers.PrimaryKeyRelatedField(queryset=Athlete.objects.none())
    template = serializers.PrimaryKeyRelatedField(queryset=PlanTemplate.objects.none())
    start_date = serializers.DateField()
    goal = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.context["request"].user
        self.fields["athlete"].queryset = Athlete.objects.visible_to(user)
        self.fields["template"].queryset = PlanTemplate.objects.visible_to(user).filter(active=True)


class PlanTemplateViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PlanTemplateSerializer

    def get_queryset(self):
        return PlanTemplate.objects.visible_to(self.request.user).prefetch_related(
            "conditions", "phases__exercises__exercise"
        )


class PlanViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Plans the user may see. POST assigns a template (copying it); PATCH changes name, goal, status."""

    serializer_class = PlanSerializer
    permission_classes = [permissions.IsAuthenticated, IsClinicianForWrites]

    def get_queryset(self):
        return (
            Plan.objects.visible_to(self.request.user)
            .select_related("athlete")
            .prefetch_related("phases__exercises__exercise", "phase_changes")
        )

    def create(self, request, *args, **kwargs):
        data = PlanAssignSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        try:
            plan = services.plan_assign(
                athlete=data.validated_data["athlete"],
                template=data.validated_data["template"],
                by=request.user,
                start=data.validated_data["start_date"],
                goal=data.validated_data["goal"],
            )
        except DjangoValidationError as error:
            return Response({"non_field_errors": error.messages}, status=status.HTTP_400_BAD_REQUEST)
        return Response(
            PlanSerializer(self.get_queryset().get(pk=plan.pk)).data, status=status.HTTP_201_CREATED
        )

    def perform_update(self, serializer):
        plan = serializer.instance
        new_status = serializer.validated_data.pop("status", plan.status)
        if new_status != plan.status:
            try:
                services.plan_set_status(plan=plan, status=new_status, by=self.request.user)
            except DjangoValidationError as error:
                raise serializers.ValidationError({"status": error.messages}) from None
        serializer.save()
        services.plan_touch(plan)


class ExerciseDoneSerializer(serializers.Serializer):
    plan_exercise = serializers.IntegerField(help_text="A PlanExercise id of the day's phase.")
    sets_done = serializers.IntegerField(min_value=0, max_value=50)


class DailyLogSerializer(serializers.ModelSerializer):
    exercises = ExerciseDoneSerializer(
        many=True, required=False, write_only=True, help_text="Omit to keep the logged exercises."
    )
    red_flags = serializers.ListField(child=serializers.CharField(), read_only=True)
    pain_locations = serializers.ListField(
        child=serializers.ChoiceField(choices=LOCATION_CHOICES), required=False, max_length=10
    )
    triggers = serializers.ListField(child=serializers.ChoiceField(choices=Trigger.choices), required=False,
                                     max_length=10)  # fmt: skip

    class Meta:
        model = DailyLog
        fields = ["id", "athlete", "date", "plan", "phase", "run_minutes", "distance_km", "walk_minutes",
                  "jog_minutes", "shoe", "pain_during", "pain_after", "pain_next_morning", "pain_locations",
                  "triggers", "notes", "night_pain", "cannot_bear_weight", "swelling", "locking", "red_flags",
                  "sets_done", "exercises", "updated"]  # fmt: skip
        read_only_fields = ["id", "athlete", "date", "plan", "phase", "sets_done", "updated"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["exercises"] = [
            {"plan_exercise": row.plan_exercise_id, "exercise": row.exercise_id, "sets_done": row.sets_done}
            for row in instance.exercises.all()
        ]
        return data

    def validate_shoe(self, shoe):
        if shoe is not None and shoe.athlete_id != self.context["athlete"].pk:
            raise serializers.ValidationError("Not one of your shoes.")
        return shoe


class DailyLogViewSet(viewsets.ReadOnlyModelViewSet):
    """Daily logs: athletes read and write their own (`PUT /daily-logs/<YYYY-MM-DD>/` saves that day, again and
    again, without duplicates); clinicians read their clinic's."""

    serializer_class = DailyLogSerializer
    lookup_field = "date"
    lookup_value_regex = r"\d{4}-\d{2}-\d{2}"

    def get_queryset(self):
        logs = (
            DailyLog.objects.visible_to(self.request.user)
            .prefetch_related("exercises")
            .order_by("-date", "pk")
        )
        athlete = self.request.query_params.get("athlete")
        return logs.filter(athlete_id=athlete) if athlete and athlete.isdigit() else logs

    def get_object(self):
        try:
            day = date.fromisoformat(self.kwargs["date"])
        except ValueError:
            raise NotFound("Not a date.") from None
        athlete = athlete_of(self.request.user)
        logs = self.get_queryset().filter(date=day)
        if athlete is not None:
            logs = logs.filter(athlete=athlete)
        return get_object_or_404(logs)

    def update(self, request, *args, **kwargs):
        athlete = athlete_of(request.user)
        if athlete is None:
            raise PermissionDenied("Only the athlete writes their daily log.")
        try:
            day = date.fromisoformat(kwargs["date"])
        except ValueError:
            raise NotFound("Not a date.") from None
        serializer = self.get_serializer(data=request.data, context={"athlete": athlete, "request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        exercises = data.pop("exercises", None)
        sets = (
            {row["plan_exercise"]: row["sets_done"] for row in exercises} if exercises is not None else None
        )
        try:
            log = services.log_save(athlete=athlete, day=day, data=data, sets=sets)
        except DjangoValidationError as error:
            raise serializers.ValidationError(
                error.message_dict if hasattr(error, "error_dict") else error.messages
            ) from error
        log = DailyLog.objects.prefetch_related("exercises").get(pk=log.pk)
        return Response(self.get_serializer(log).data, status=status.HTTP_200_OK)
