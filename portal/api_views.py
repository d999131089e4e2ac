"""Logins and alerts over HTTP: API tokens and the care team's alerts. The athletes and "who am I" are rehab's
(rehab.api_people): they show the rehab status and the day's summary."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import services, tokens
from portal.api_base import (
    CharField,
    EmailField,
    IdFilter,
    IsClinician,
    ModelSerializer,
    TrueFalseFilter,
)
from portal.audit import AccessLoggedMixin
from portal.capabilities import require, resolve_capability
from portal.lockout import LockedOut, reset_after_success
from portal.models import Alert, ApiToken
from portal.throttles import ScopedRateThrottle

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


# --------------------------------------------------------------------------------------------------- alerts


class AlertSerializer(ModelSerializer):
    athlete_name = CharField(source="athlete.full_name", read_only=True)
    is_open = serializers.BooleanField(read_only=True)
    code = CharField(
        read_only=True, help_text='What the alert says, as a code ("" for an alert from before codes).'
    )
    params = serializers.DictField(read_only=True, help_text="The code's parameters (days as ISO dates).")
    text = CharField(read_only=True, help_text="What the alert says, in the language of the request.")
    message = CharField(
        source="text", read_only=True, help_text="The same as `text` (kept for older clients)."
    )
    resolved_code = CharField(read_only=True, help_text='Why it closed by itself, as a code ("" otherwise).')
    resolved_params = serializers.DictField(read_only=True)
    resolved_note = CharField(
        source="resolved_text",
        read_only=True,
        help_text="Why it was closed: the note, or `resolved_code` in words.",
    )

    class Meta:
        model = Alert
        fields = ["id", "athlete", "athlete_name", "kind", "severity", "code", "params", "text", "message", "link",
                  "created", "updated", "is_open", "resolved_at", "resolved_by", "resolved_note", "resolved_code",
                  "resolved_params"]  # fmt: skip
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
