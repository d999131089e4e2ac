"""The athletes over HTTP as the care team and the athlete see them: the caseload (riskiest first, as on the
athletes page) with each athlete's summary, adding and inviting athletes, and "who am I" with the athlete's day at
a glance. Rehab's read model (rehab.selectors_caseload, rehab.selectors.athlete_summary), so it lives with rehab;
portal's API keeps tokens and alerts (portal.api_views)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import audit, services
from portal.api_base import (
    CharField,
    EmailField,
    HasCapability,
    IsClinician,
    ModelSerializer,
    PrimaryKeyField,
    service_errors,
)
from portal.api_export import EXPORT_RESPONSES, EXPORT_VIEW_OPTIONS
from portal.audit import AccessLoggedMixin
from portal.capabilities import Cap
from portal.forms import _check_birth_date
from portal.models import Alert, Athlete, Clinic, Clinician, Invite, Shoe
from portal.permissions import athlete_of, clinician_of, get_athlete_for_user, is_care_team
from portal.recent_auth import api_check
from portal.views_privacy import export_response
from rehab.api import AthleteSummarySerializer
from rehab.models import RehabStatus
from rehab.selectors import athlete_summary
from rehab.selectors_caseload import CASELOAD_FILTERS, athletes_for_list

# --------------------------------------------------------------------------------------------------- athletes


class ClinicRefSerializer(ModelSerializer):
    class Meta:
        model = Clinic
        fields = ["id", "name"]


class RehabStatusSerializer(ModelSerializer):
    class Meta:
        model = RehabStatus
        fields = ["as_of", "plan", "phase", "action", "last_log_date", "last_pain", "compliance_7d", "km_7d",
                  "km_change_pct", "risk"]  # fmt: skip


class AthleteSerializer(ModelSerializer):
    clinic = ClinicRefSerializer(read_only=True)
    full_name = CharField(read_only=True)
    has_login = serializers.SerializerMethodField()
    open_alerts = serializers.IntegerField(source="alert_count", read_only=True)
    worst_alert = serializers.ChoiceField(
        source="alert_severity",
        choices=Alert.Severity.choices,
        allow_null=True,
        read_only=True,
        help_text="Severity of the most severe open alert; null without one.",
    )
    status = RehabStatusSerializer(
        source="rehab_status", read_only=True, allow_null=True, help_text="The caseload snapshot."
    )

    class Meta:
        model = Athlete
        fields = ["id", "clinic", "first_name", "last_name", "full_name", "email", "date_of_birth", "sex",
                  "weekly_km", "years_running", "goal_event", "goal_date", "next_review", "has_login",
                  "open_alerts", "worst_alert", "status", "created", "updated"]  # fmt: skip
        read_only_fields = ["next_review"]  # set on the timeline (rehab.views_caseload.athlete_review)

    def get_has_login(self, athlete) -> bool:
        return athlete.user_id is not None


class AthleteCreateSerializer(ModelSerializer):
    clinic = PrimaryKeyField(
        queryset=Clinic.objects.none(),
        required=False,
        help_text="Superusers only: the athlete's clinic. Clinicians always add to their own.",
    )
    primary = PrimaryKeyField(
        queryset=Clinician.objects.none(),
        required=False,
        allow_null=True,
        help_text="The primary clinician (a Clinician id of the clinic); default: you.",
    )

    class Meta:
        model = Athlete
        fields = ["first_name", "last_name", "email", "date_of_birth", "sex", "weekly_km", "years_running",
                  "goal_event", "goal_date", "clinic", "primary"]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")  # absent while the OpenAPI schema is generated
        if request is not None:
            self.fields["clinic"].queryset = Clinic.objects.visible_to(request.user)
            self.fields["primary"].queryset = Clinician.objects.visible_to(request.user)

    def validate_date_of_birth(self, value):
        return _check_birth_date(value)

    def validate_email(self, value):
        return (value or "").strip().lower()

    def validate(self, attrs):
        clinician = clinician_of(self.context["request"].user)
        clinic = clinician.clinic if clinician is not None else attrs.get("clinic")
        if clinic is None:
            raise serializers.ValidationError({"clinic": [_("Choose the athlete's clinic.")]})
        email = attrs.get("email")
        if email and Athlete.objects.filter(clinic=clinic, email__iexact=email).exists():
            raise serializers.ValidationError(
                {"email": [_("An athlete with this email address is already in the clinic.")]}
            )
        primary = attrs.get("primary")
        if primary is not None and primary.clinic_id != clinic.pk:
            raise serializers.ValidationError(
                {"primary": [_("Choose a clinician from the athlete's clinic.")]}
            )
        return {**attrs, "clinic": clinic}


class InviteSerializer(ModelSerializer):
    email_state = serializers.ChoiceField(
        choices=["sending", "sent", "not_sent"],
        read_only=True,
        help_text="What became of the email with the link: not_sent means the mail server did not take it.",
    )

    class Meta:
        model = Invite
        fields = ["email", "created", "expires", "email_state"]


class CaseloadParams(serializers.Serializer):
    q = CharField(
        max_length=100, required=False, allow_blank=True, default="", help_text="Name or email words."
    )
    show = serializers.ChoiceField(
        choices=[(key, label) for key, label in CASELOAD_FILTERS.items() if key],
        required=False,
        allow_blank=True,
        default="",
        help_text="A caseload filter, as on the athletes page.",
    )


class AthleteViewSet(
    AccessLoggedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The caseload (clinicians): riskiest first, as on the athletes page. Athletes use `/me/` instead."""

    audit_lists = False  # the caseload is a directory, not the records (docs/design.md, "Audit trail")
    list_parameters = ["q", "show"]  # CaseloadParams

    serializer_class = AthleteSerializer
    permission_classes = [IsClinician, HasCapability]
    capabilities = {"create": Cap.ADD_ATHLETE, "invite": Cap.ADD_ATHLETE, "export": Cap.EXPORT_DATA}
    ordering_fields = ["last_name", "first_name", "created", "risk", "alert_rank"]

    def get_queryset(self):
        params = CaseloadParams(data=self.request.query_params if self.action == "list" else {})
        params.is_valid(raise_exception=True)
        return athletes_for_list(self.request.user, params.validated_data["q"], params.validated_data["show"])

    @extend_schema(parameters=[CaseloadParams])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=AthleteCreateSerializer, responses={201: AthleteSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        """Add an athlete to the clinic (invite them with the `invite` action)."""
        data = AthleteCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        clinic, primary = fields.pop("clinic"), fields.pop("primary", None)
        with service_errors():
            athlete = services.athlete_create(clinic=clinic, by=request.user, primary=primary, **fields)
        return Response(
            AthleteSerializer(self.get_queryset().get(pk=athlete.pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(responses=AthleteSummarySerializer)
    @action(detail=True, methods=["get"])
    def summary(self, request: Request, pk=None) -> Response:
        """Plan and phase, compliance, training load, pain and the progression engine's advice, as of today."""
        athlete = get_athlete_for_user(request.user, pk)
        audit.record_access(request.user, athlete)
        today = timezone.localdate()
        context = {"today": today, "care_team": True}
        return Response(AthleteSummarySerializer(athlete_summary(athlete, today), context=context).data)

    @extend_schema(responses=EXPORT_RESPONSES)
    @action(detail=True, methods=["get"], **EXPORT_VIEW_OPTIONS)
    def export(self, request: Request, pk=None):
        """Everything stored about the athlete as a zip (JSON and CSV), e.g. to answer a data request by email."""
        athlete = get_athlete_for_user(request.user, pk)
        api_check(request)  # a browser session: the password typed lately (portal.recent_auth)
        return export_response(athlete, user=request.user)

    @extend_schema(request=None, responses={201: InviteSerializer})
    @action(detail=True, methods=["post"])
    def invite(self, request: Request, pk=None) -> Response:
        """Email the athlete a link to set their password (an earlier link stops working). The email is sent
        after the answer: `email_state` says "sending", later "sent" or "not_sent" (the mail server was down:
        send it again). At most 5 links per athlete an hour (429 after)."""
        athlete = get_athlete_for_user(request.user, pk)
        with service_errors():
            try:
                invite, _ = services.invite_send(athlete=athlete, by=request.user, request=request)
            except services.TooManyInvites as error:
                raise exceptions.Throttled(detail=error.message) from error
        invite.refresh_from_db(fields=["email_sent_at", "email_failed_at"])
        return Response(InviteSerializer(invite).data, status=status.HTTP_201_CREATED)


# --------------------------------------------------------------------------------------------------- me


class ShoeSerializer(ModelSerializer):
    needs_replacing = serializers.BooleanField(read_only=True)

    class Meta:
        model = Shoe
        fields = ["id", "name", "km", "retired", "needs_replacing"]


class MyAthleteSerializer(ModelSerializer):
    clinic = ClinicRefSerializer(read_only=True)
    shoes = ShoeSerializer(many=True, read_only=True)

    class Meta:
        model = Athlete
        fields = ["id", "clinic", "first_name", "last_name", "email", "date_of_birth", "sex", "weekly_km",
                  "years_running", "goal_event", "goal_date", "shoes"]  # fmt: skip


class MyClinicianSerializer(ModelSerializer):
    clinic = ClinicRefSerializer(read_only=True)

    class Meta:
        model = Clinician
        fields = ["id", "clinic", "profession"]


ROLES = ["superuser", "clinician", "athlete", "none"]


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="user.pk")
    email = EmailField(source="user.email")
    first_name = CharField(source="user.first_name")
    last_name = CharField(source="user.last_name")
    role = serializers.ChoiceField(choices=ROLES, help_text="What this login may do (none: no role yet).")
    clinician = MyClinicianSerializer(allow_null=True)
    athlete = MyAthleteSerializer(allow_null=True, help_text="For athletes: their record and shoes.")
    summary = AthleteSummarySerializer(allow_null=True, help_text="For athletes: their day at a glance.")


class MeView(APIView):
    """Who is logged in: their role, their clinician or athlete record and, for athletes, their summary."""

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        user = request.user
        clinician, athlete = clinician_of(user), athlete_of(user)
        role = next(
            name
            for name, match in zip(ROLES, [user.is_superuser, clinician, athlete, True], strict=True)
            if match
        )
        summary = None
        today = timezone.localdate()
        if athlete is not None:
            athlete = Athlete.objects.select_related("clinic").prefetch_related("shoes").get(pk=athlete.pk)
            summary = athlete_summary(athlete, today)
        if clinician is not None:
            clinician = Clinician.objects.select_related("clinic").get(pk=clinician.pk)
        me = {"user": user, "role": role, "clinician": clinician, "athlete": athlete, "summary": summary}
        context = {"today": today, "care_team": is_care_team(user)}
        return Response(MeSerializer(me, context=context).data)
