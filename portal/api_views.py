"""People over HTTP: tokens, who am I, athletes (with their summary) and the care team's alerts."""

from django.contrib.auth import authenticate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import audit, services, tokens
from portal.api_base import (
    CharField,
    EmailField,
    HasCapability,
    IdFilter,
    IsClinician,
    ModelSerializer,
    PrimaryKeyField,
    TrueFalseFilter,
    service_errors,
)
from portal.api_export import EXPORT_RESPONSES, EXPORT_VIEW_OPTIONS
from portal.audit import AccessLoggedMixin
from portal.capabilities import Cap, require, resolve_capability
from portal.forms import _check_birth_date
from portal.lockout import LockedOut, reset_after_success
from portal.models import Alert, ApiToken, Athlete, Clinic, Clinician, Invite, Shoe
from portal.permissions import athlete_of, clinician_of, get_athlete_for_user, is_care_team
from portal.recent_auth import api_check
from portal.selectors import CASELOAD_FILTERS, athletes_for_list
from portal.throttles import ScopedRateThrottle
from rehab.api import AthleteSummarySerializer
from rehab.models import RehabStatus
from rehab.selectors import athlete_summary

# --------------------------------------------------------------------------------------------------- tokens


class TokenRequestSerializer(serializers.Serializer):
    email = EmailField(max_length=254)
    password = CharField(trim_whitespace=False, max_length=128, style={"input_type": "password"})
    name = CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="What will use the token, e.g. “Clinic dashboard”: shown in your token list.",
    )


class TokenSerializer(serializers.Serializer):
    token = CharField(help_text="Send it as `Authorization: Token <token>`. Shown only this once.")
    id = serializers.IntegerField(help_text="The token's id in GET /api/v1/auth/tokens/.")
    name = CharField()
    expires = serializers.DateTimeField()


class ApiTokenSerializer(ModelSerializer):
    key_start = CharField(read_only=True, help_text="The key's first characters.")
    expires = serializers.DateTimeField(read_only=True)
    current = serializers.SerializerMethodField(help_text="True for the token this request was sent with.")

    class Meta:
        model = ApiToken
        fields = ["id", "name", "key_start", "created", "last_used", "expires", "current"]
        read_only_fields = fields

    def get_current(self, token) -> bool:
        return token == self.context["request"].auth


class TokenView(APIView):
    """POST an email and password for a new API token (every request issues a new one; earlier tokens keep
    working until they are revoked or API_TOKEN_DAYS old, and all of them end when the password changes);
    DELETE revokes the token the request was sent with (with a session instead: every token of the login).
    Repeated wrong passwords lock the login out for a while, as on the site's login page: 429 with code
    "locked_out" and Retry-After. List and revoke tokens at /api/v1/auth/tokens/."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    def get_permissions(self):
        if self.request.method == "POST":
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated()]

    @extend_schema(request=TokenRequestSerializer, responses=TokenSerializer)
    def post(self, request: Request) -> Response:
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # The Django request, not DRF's: django-axes counts the failures on it and refuses a locked-out login.
        user = authenticate(
            request._request, email=data.validated_data["email"], password=data.validated_data["password"]
        )
        if user is None:
            if getattr(request._request, "axes_locked_out", False):
                raise LockedOut(request._request, {"email": data.validated_data["email"]})
            raise serializers.ValidationError([_("Wrong email address or password.")])
        reset_after_success(request._request, {"email": data.validated_data["email"]})
        token, key = tokens.token_issue(user=user, name=data.validated_data["name"])
        return Response({"token": key, "id": token.pk, "name": token.name, "expires": token.expires})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        if isinstance(request.auth, ApiToken):
            tokens.token_revoke(token=request.auth)
        else:
            ApiToken.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApiTokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Your own API tokens that still work, newest first (the key itself is never shown again); DELETE one to
    revoke it at once. Anyone logged in; nobody sees another login's tokens."""

    serializer_class = ApiTokenSerializer
    pagination_class = None  # at most tokens.MAX_TOKENS_PER_LOGIN
    filter_backends: list = []

    def get_queryset(self):
        return ApiToken.objects.filter(pk__in=[token.pk for token in tokens.tokens_of(self.request.user)])

    def perform_destroy(self, instance):
        tokens.token_revoke(token=instance)


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
        read_only_fields = ["next_review"]  # set on the timeline (portal.views_caseload.athlete_review)

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
        from portal.views_privacy import export_response

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


# --------------------------------------------------------------------------------------------------- alerts


class AlertSerializer(ModelSerializer):
    athlete_name = CharField(source="athlete.full_name", read_only=True)
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = Alert
        fields = ["id", "athlete", "athlete_name", "kind", "severity", "message", "link", "created", "updated",
                  "is_open", "resolved_at", "resolved_by", "resolved_note"]  # fmt: skip
        read_only_fields = fields


class AlertResolveSerializer(serializers.Serializer):
    note = CharField(max_length=300, help_text="What you did about it, for the care team.")


class AlertFilter(filters.FilterSet):
    open = TrueFalseFilter(field_name="resolved_at", lookup_expr="isnull", help_text="true: open only.")
    athlete = IdFilter(field_name="athlete", help_text="Only this athlete's alerts.")

    class Meta:
        model = Alert
        fields = ["kind", "severity"]


class AlertViewSet(AccessLoggedMixin, viewsets.ReadOnlyModelViewSet):
    """Alerts for the care team of the clinician's clinic: most severe first, then the latest raised."""

    serializer_class = AlertSerializer
    permission_classes = [IsClinician]
    filterset_class = AlertFilter
    ordering_fields = ["severity_rank", "updated", "created"]
    ordering = ["-severity_rank", "-updated", "-pk"]

    def get_queryset(self):
        return (
            Alert.objects.visible_to(self.request.user)
            .select_related("athlete")
            .annotate(severity_rank=Alert.severity_rank_expression())
        )

    @extend_schema(request=AlertResolveSerializer, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk=None) -> Response:
        """Close the alert with a note. Resolving a closed alert changes nothing (and keeps its first note)."""
        alert = self.get_object()
        require(request.user, resolve_capability(alert), alert.athlete)  # a coach resolves notices only
        data = AlertResolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.alert_resolve(alert=alert, by=request.user, note=data.validated_data["note"])
        return Response(self.get_serializer(self.get_queryset().get(pk=alert.pk)).data)


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
