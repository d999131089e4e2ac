"""Care-team messages over HTTP (docs/api.md, "Messages"): list and post an athlete's messages, mark a channel
read, and the caller's unread counts. The rules are portal.care_messages's, as on the pages."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import BooleanField, Case, F, OuterRef, Q, Subquery, Value, When
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from portal import care_messages
from portal.api_base import CharField, IdFilter, ModelSerializer, PrimaryKeyField, service_errors
from portal.audit import AccessLoggedMixin
from portal.models import Athlete, Message, MessageRead
from portal.permissions import athlete_of

Channel = Message.Channel


class MessageSerializer(ModelSerializer):
    author_name = serializers.SerializerMethodField(
        help_text="Who wrote it: their name and role, e.g. “Sam Jones · Physiotherapist”."
    )
    own = serializers.SerializerMethodField(help_text="True for the caller's own messages.")
    unread = serializers.BooleanField(read_only=True, help_text="True if the caller has not read it yet.")

    class Meta:
        model = Message
        fields = ["id", "athlete", "channel", "author_name", "own", "body", "created", "unread"]
        read_only_fields = fields

    def get_author_name(self, message) -> str:
        return care_messages.author_label(message, message.athlete)

    def get_own(self, message) -> bool:
        return message.author_id == self.context["request"].user.pk


class _ThreadSerializer(serializers.Serializer):
    """Whose thread: an athlete may leave it out (their own); a clinician names one of their clinic's."""

    athlete = PrimaryKeyField(
        queryset=Athlete.objects.none(),
        required=False,
        help_text="Whose thread. Athletes may leave it out (their own); clinicians must give it.",
    )
    channel = serializers.ChoiceField(
        choices=Channel.choices,
        default=Channel.TEAM,
        help_text="team (with the athlete) or staff (care team).",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")  # absent while the OpenAPI schema is generated
        if request is not None:
            self.fields["athlete"].queryset = Athlete.objects.visible_to(request.user)

    def validate(self, data):
        if "athlete" not in data:
            own = athlete_of(self.context["request"].user)
            if own is None:
                raise serializers.ValidationError({"athlete": [_("Say whose thread: the athlete's id.")]})
            data["athlete"] = own
        return data


class MessagePostSerializer(_ThreadSerializer):
    body = CharField(
        max_length=Message.BODY_MAX, help_text=f"The message, at most {Message.BODY_MAX} characters."
    )

    def validate_body(self, value: str) -> str:
        if "\x00" in value:
            raise serializers.ValidationError(_("The message holds a character that cannot be saved."))
        return value


class MarkReadSerializer(_ThreadSerializer):
    pass


class UnreadThreadSerializer(serializers.Serializer):
    athlete = serializers.IntegerField(source="athlete.pk", read_only=True)
    athlete_name = CharField(source="athlete.full_name", read_only=True)
    team = serializers.IntegerField(read_only=True, help_text="Unread in the thread with the athlete.")
    staff = serializers.IntegerField(read_only=True, help_text="Unread staff notes (clinicians only).")
    latest = serializers.DateTimeField(read_only=True, help_text="When the latest unread one was written.")


class UnreadSerializer(serializers.Serializer):
    total = serializers.IntegerField(read_only=True)
    threads = UnreadThreadSerializer(many=True, read_only=True)


class MessageFilter(filters.FilterSet):
    athlete = IdFilter(field_name="athlete", help_text="Only this athlete's thread.")

    class Meta:
        model = Message
        fields = ["channel"]


class RateLimited(exceptions.Throttled):
    default_detail = _("Too many messages.")
    default_code = "rate_limited"


class MessageViewSet(AccessLoggedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Messages in the threads the caller may read: an athlete their own thread with the care team, clinicians
    both channels of their clinic's athletes, superusers everything (read only). Newest first."""

    serializer_class = MessageSerializer
    filterset_class = MessageFilter
    ordering_fields = ["created"]
    ordering = ["-created", "-pk"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema: no user
            return Message.objects.none()
        user = self.request.user
        read_up_to = MessageRead.objects.filter(
            user=user, athlete_id=OuterRef("athlete_id"), channel=OuterRef("channel")
        ).values("last_read_at")[:1]
        return (
            Message.objects.visible_to(user)
            .select_related("athlete", "author__clinician", "author__athlete")
            .annotate(read_up_to=Subquery(read_up_to))
            .annotate(
                unread=Case(
                    When(author=user, then=Value(False)),
                    When(Q(read_up_to__isnull=True) | Q(created__gt=F("read_up_to")), then=Value(True)),
                    default=Value(False),
                    output_field=BooleanField(),
                )
            )
        )

    @extend_schema(request=MessagePostSerializer, responses={201: MessageSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        """Post a message. 403 if the caller may not write in that channel (an athlete in staff notes, a
        superuser anywhere); 429 after 30 messages in 10 minutes (Retry-After says when to try again)."""
        data = MessagePostSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        try:
            with service_errors():
                try:
                    message = care_messages.message_post(
                        athlete=data.validated_data["athlete"],
                        author=request.user,
                        channel=data.validated_data["channel"],
                        body=data.validated_data["body"],
                    )
                except care_messages.RateLimited as error:
                    raise RateLimited(detail=error.messages[0], wait=error.retry_after) from error
        except DjangoPermissionDenied:
            raise exceptions.PermissionDenied(_("You cannot write in this thread.")) from None
        return Response(
            self.get_serializer(self.get_queryset().get(pk=message.pk)).data, status.HTTP_201_CREATED
        )

    @extend_schema(request=MarkReadSerializer, responses=UnreadSerializer)
    @action(detail=False, methods=["post"])
    def read(self, request: Request) -> Response:
        """Mark a channel of a thread read up to now; answers the caller's unread counts."""
        data = MarkReadSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        try:
            care_messages.mark_read(
                user=request.user,
                athlete=data.validated_data["athlete"],
                channel=data.validated_data["channel"],
            )
        except DjangoPermissionDenied:
            raise exceptions.PermissionDenied(_("You cannot read this channel.")) from None
        return self._unread(request)

    @extend_schema(responses=UnreadSerializer)
    @action(detail=False, methods=["get"])
    def unread(self, request: Request) -> Response:
        """The caller's unread messages: the total and each thread with some (athletes: their own thread;
        clinicians: their care-team athletes)."""
        return self._unread(request)

    def _unread(self, request: Request) -> Response:
        threads = care_messages.unread_threads(request.user)
        return Response(UnreadSerializer({"total": sum(t.total for t in threads), "threads": threads}).data)
