"""Messages on the care team: one thread per athlete, a "team" channel with the athlete and a "staff" channel of
notes the athlete never sees (portal.models.Message). Services and selectors; the pages are
portal/views_messages.py, the API portal/api_messages.py.

Who
- The athlete: their own thread, the team channel only.
- Clinicians of the athlete's clinic who hold Cap.MESSAGE_TEAM (clinical and coach): both channels.
- Superusers: read both, write nothing (they are not on anyone's care team).

Read state is one `MessageRead` row per person, athlete and channel holding how far they have read: a message
is unread by someone when it is newer than their row (or they have none) and they did not write it. One row per
person and channel instead of one per message keeps an unread count to one indexed comparison, and posting a
message to a team of five writes one row, not six.

Unread counts in the navigation (`unread_total`) and the list of threads with unread messages
(`unread_threads`) are one query each. The navigation's count is also kept in the cache (with Redis, or when
UNREAD_COUNT_CACHE says the cache is this process's alone): each person's count is stored with the cache's
"unread generation", a token replaced after any change that can move anyone's count commits (a message posted
or deleted, a thread read, a care team, shared care, athlete or clinician saved or deleted: `unread_changed`,
connected to those models' signals in portal.apps). A count stored under an older token is counted again. So a
page reads the count from the cache in one round trip, and a count never outlives a change by more than the
commit; the count is computed before the token it is stored under is replaced, never after. For a clinician they cover the athletes whose care team they are on;
the thread of any athlete of their clinic is open to them from the athlete's page. An outside coach (an
athlete's own coach, portal.shared_care) is on the care team of the athletes shared with them: both channels,
counts and emails.

Email (`notify_thread`, run by the portal.message_notify job after a message is posted, and by the minute's
sweep): the other people in the thread are told that there is a new message, never what it says, with a link.
At most one email per person and thread per BATCH (15 minutes): a message posted within a quarter of an hour
of the last email waits, and the sweep sends one email for it when the quarter has passed, if it is still
unread. Who is emailed:
- the athlete, about team messages (their login active, with an email address). Athletes have no email
  setting for messages (their only one is the daily log reminder, about something else): they are emailed;
- care-team clinicians, about both channels, unless their "notices" choice is "No email": a message is a
  person waiting for an answer, so "in my daily digest" still gets this batched email (the digest does not
  list messages).
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from portal.capabilities import Cap, can
from portal.jobs import enqueue_once
from portal.languages import override_for
from portal.links import absolute_url
from portal.models import (
    Athlete,
    CareTeamMember,
    Clinician,
    Message,
    MessageEmail,
    MessageRead,
    Notify,
    SharedCare,
)
from portal.permissions import athlete_of, clinician_of, shared_athlete_ids
from portal.services import check_athlete_editable

Channel = Message.Channel
RATE = 30  # messages one person may post …
RATE_PERIOD = timedelta(minutes=10)  # … in this long
BATCH = timedelta(minutes=15)  # at most one email per person and thread this often
SWEEP_WINDOW = timedelta(hours=1)  # messages older than this are left to the navigation's badge
NOTIFY_TASK = "portal.message_notify"


def notify_key(athlete_id: int) -> str:
    """One email job waiting per thread (portal.jobs.enqueue_once): later posts are read when it runs."""
    return f"message-notify:{athlete_id}"


class RateLimited(ValidationError):
    """Too many messages in RATE_PERIOD; `retry_after` in seconds."""

    def __init__(self, retry_after: int):
        minutes = max(1, -(-retry_after // 60))
        super().__init__(
            ngettext(
                "You have sent %(count)d messages in the last %(period)d minutes. Please wait %(minutes)d minute "
                "before sending another.",
                "You have sent %(count)d messages in the last %(period)d minutes. Please wait %(minutes)d minutes "
                "before sending another.",
                minutes,
            )
            % {"count": RATE, "period": RATE_PERIOD.seconds // 60, "minutes": minutes},
            code="rate_limited",
        )
        self.retry_after = retry_after


# -------------------------------------------------------------------------------------------------- who


def channels_for(user, athlete: Athlete) -> list[str]:
    """The channels of `athlete`'s thread that `user` may read (empty: none)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.is_superuser or can(user, Cap.MESSAGE_TEAM, athlete):
        return [Channel.TEAM, Channel.STAFF]
    own = athlete_of(user)
    if own is not None and own.pk == athlete.pk:
        return [Channel.TEAM]
    return []


def may_post(user, athlete: Athlete, channel: str) -> bool:
    """The athlete in their own team channel; the care team (MESSAGE_TEAM for the athlete: the clinic's
    clinicians, an outside coach the athlete shared their care with) in both; never a superuser (who reads
    only) and never to an athlete whose personal data was deleted."""
    if athlete.is_anonymised or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return False
    if can(user, Cap.MESSAGE_TEAM, athlete):
        return channel in Channel.values
    own = athlete_of(user)
    return own is not None and own.pk == athlete.pk and channel == Channel.TEAM


# -------------------------------------------------------------------------------------------------- reads


def thread(athlete: Athlete, channel: str) -> QuerySet:
    """The channel's messages, oldest first, with their authors' roles (one query)."""
    return (
        Message.objects.filter(athlete=athlete, channel=channel)
        .select_related("author__clinician", "author__athlete")
        .order_by("created", "pk")
    )


def author_label(message: Message, athlete: Athlete) -> str:
    """ "Maya Okafor · Physiotherapist", "Anna Aalto" (the athlete), or a removed login's "Former member"."""
    author = message.author
    if author is None:
        return gettext("Former member of the team")
    clinician = getattr(author, "clinician_or_none", None)
    name = author.get_full_name() or gettext("A member of the clinic")
    if clinician is not None:
        return f"{name} · {clinician.get_profession_display()}"
    if athlete.user_id == author.pk:
        return athlete.full_name
    return name


def last_read(user, athlete: Athlete, channel: str) -> datetime | None:
    row = MessageRead.objects.filter(user=user, athlete=athlete, channel=channel).first()
    return row.last_read_at if row else None


def _unread_messages(user) -> QuerySet:
    """Messages `user` has not read, in the threads counted for them (see the module docstring)."""
    read_up_to = MessageRead.objects.filter(
        user=user, athlete_id=OuterRef("athlete_id"), channel=OuterRef("channel")
    ).values("last_read_at")[:1]
    threads = Q(pk__in=[])
    clinician = clinician_of(user)
    if clinician is not None:
        care_of = CareTeamMember.objects.filter(clinician=clinician, athlete__clinic_id=clinician.clinic_id)
        threads |= Q(athlete_id__in=care_of.values("athlete_id"))
    elif athlete_of(user) is not None:
        threads |= Q(athlete__user=user, channel=Channel.TEAM)
    shared = shared_athlete_ids(user)
    if shared:
        threads |= Q(athlete_id__in=shared)
    if threads == Q(pk__in=[]):
        return Message.objects.none()
    return (
        Message.objects.filter(threads, athlete__anonymised_at__isnull=True)
        .exclude(author=user)
        .annotate(read_up_to=Subquery(read_up_to))
        .filter(Q(read_up_to__isnull=True) | Q(created__gt=F("read_up_to")))
    )


UNREAD_GENERATION_KEY = "unread-generation"
# A safety net only: a change that sent no signal (a bulk write by a management command) is seen within this.
UNREAD_CACHE_SECONDS = 300


def _unread_key(user) -> str:
    return f"unread-count:{user.pk}"


def unread_total(user) -> int:
    """How many messages `user` has not read: one query, or one cache round trip when the cache holds their
    count under the current generation (see the module docstring)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return 0
    if not settings.UNREAD_COUNT_CACHE:
        return _unread_messages(user).count()
    key = _unread_key(user)
    cached = cache.get_many([UNREAD_GENERATION_KEY, key])
    generation = cached.get(UNREAD_GENERATION_KEY)
    stored = cached.get(key)
    if generation is not None and isinstance(stored, tuple) and stored[0] == generation:
        return stored[1]
    if generation is None:
        # No generation yet (a new or emptied cache): start one. If another request started one meanwhile, a
        # change may already have replaced it: count without storing, this once.
        generation = uuid4().hex
        if not cache.add(UNREAD_GENERATION_KEY, generation, timeout=None):
            generation = None
    count = _unread_messages(user).count()
    if generation is not None:
        cache.set(key, (generation, count), UNREAD_CACHE_SECONDS)
    return count


def unread_changed(**_signal) -> None:
    """Someone's unread count may have changed: every stored count is stale now, and again once the
    transaction commits (a count another request stored meanwhile was read before the change was visible)."""
    if settings.UNREAD_COUNT_CACHE:
        _new_generation()
        transaction.on_commit(_new_generation)


def _new_generation() -> None:
    cache.set(UNREAD_GENERATION_KEY, uuid4().hex, timeout=None)


@dataclass
class UnreadThread:
    athlete: Athlete
    team: int
    staff: int
    latest: datetime

    @property
    def total(self) -> int:
        return self.team + self.staff


def unread_threads(user) -> list[UnreadThread]:
    """The threads with messages `user` has not read, the latest first: two queries."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    rows = list(
        _unread_messages(user)
        .order_by()
        .values("athlete_id", "channel")
        .annotate(count=Count("pk"), latest=Max("created"))
    )
    athletes = Athlete.objects.in_bulk({row["athlete_id"] for row in rows})
    threads: dict[int, UnreadThread] = {}
    for row in rows:
        item = threads.setdefault(
            row["athlete_id"], UnreadThread(athletes[row["athlete_id"]], 0, 0, row["latest"])
        )
        setattr(item, row["channel"], row["count"])
        item.latest = max(item.latest, row["latest"])
    return sorted(threads.values(), key=lambda item: item.latest, reverse=True)


def unread_by_channel(user, athlete: Athlete) -> dict[str, int]:
    """{"team": n, "staff": m} for one athlete's thread: one query."""
    counts = dict.fromkeys(Channel.values, 0)
    if not getattr(user, "is_authenticated", False):
        return counts
    read_up_to = MessageRead.objects.filter(
        user=user, athlete_id=athlete.pk, channel=OuterRef("channel")
    ).values("last_read_at")[:1]
    rows = (
        Message.objects.filter(athlete=athlete, channel__in=channels_for(user, athlete))
        .exclude(author=user)
        .annotate(read_up_to=Subquery(read_up_to))
        .filter(Q(read_up_to__isnull=True) | Q(created__gt=F("read_up_to")))
        .order_by()
        .values("channel")
        .annotate(count=Count("pk"))
    )
    counts.update({row["channel"]: row["count"] for row in rows})
    return counts


# -------------------------------------------------------------------------------------------------- writes


def mark_read(*, user, athlete: Athlete, channel: str, now: datetime | None = None) -> None:
    """`user` has read `channel` of `athlete`'s thread up to `now` (never moves back)."""
    if channel not in channels_for(user, athlete):
        raise PermissionDenied
    now = now or timezone.now()
    updated = MessageRead.objects.filter(
        user=user, athlete=athlete, channel=channel, last_read_at__lt=now
    ).update(last_read_at=now)
    if updated:
        unread_changed()  # an update() sends no signal
        return
    try:
        with transaction.atomic():
            MessageRead.objects.get_or_create(
                user=user, athlete=athlete, channel=channel, defaults={"last_read_at": now}
            )
    except IntegrityError:  # written meanwhile by another request of theirs
        pass


def _check_rate(user, now: datetime) -> None:
    # Posts, not messages: the messages of one post to several threads (message_post_many) share their time.
    recent = list(
        Message.objects.filter(author=user, created__gt=now - RATE_PERIOD)
        .order_by("-created")
        .values_list("created", flat=True)
        .distinct()[:RATE]
    )
    if len(recent) >= RATE:
        oldest = recent[-1]
        raise RateLimited(retry_after=max(1, int((oldest + RATE_PERIOD - now).total_seconds())))


@transaction.atomic
def message_post(
    *, athlete: Athlete, author, channel: str, body: str, now: datetime | None = None
) -> Message:
    """Post `body` to `channel` of `athlete`'s thread as `author`; the others in the thread are emailed (see
    the module docstring). PermissionDenied if `author` may not write there; ValidationError for an empty or
    long body, a deleted athlete, or RATE messages in RATE_PERIOD (RateLimited)."""
    now = now or timezone.now()
    check_athlete_editable(athlete)
    if not may_post(author, athlete, channel):
        raise PermissionDenied
    _check_rate(author, now)
    message = Message(athlete=athlete, channel=channel, author=author, body=body.strip(), created=now)
    message.full_clean()
    message.save()
    mark_read(user=author, athlete=athlete, channel=channel, now=now)
    enqueue_once(notify_key(athlete.pk), NOTIFY_TASK, athlete.pk)
    return message


@transaction.atomic
def message_post_many(
    *, athletes: list[Athlete], author, body: str, now: datetime | None = None
) -> tuple[list[Message], list[Athlete]]:
    """Post `body` as `author` to the care-team channel of each of `athletes` (the caseload's bulk message): one
    message in each athlete's own thread, all with the same time, so the post counts once against RATE; each
    thread's email job as after message_post. Returns (the messages, the athletes skipped because `author` may not
    write to them, such as a deleted athlete). ValidationError for an empty or long body or RateLimited, with
    nothing saved."""
    now = now or timezone.now()
    _check_rate(author, now)
    sent, skipped = [], []
    for athlete in athletes:
        if not may_post(author, athlete, Channel.TEAM):
            skipped.append(athlete)
            continue
        message = Message(
            athlete=athlete, channel=Channel.TEAM, author=author, body=body.strip(), created=now
        )
        message.full_clean()
        message.save()
        mark_read(user=author, athlete=athlete, channel=Channel.TEAM, now=now)
        enqueue_once(notify_key(athlete.pk), NOTIFY_TASK, athlete.pk)
        sent.append(message)
    return sent, skipped


# -------------------------------------------------------------------------------------------------- email


def _recipients(athlete: Athlete) -> list[tuple[object, list[str]]]:
    """(user, channels they are emailed about) for everyone in `athlete`'s thread who may get an email."""
    people = []
    user = athlete.user
    if user is not None and user.is_active and user.email and clinician_of(user) is None:
        people.append((user, [Channel.TEAM]))
    clinicians = (
        Clinician.objects.filter(care_of__athlete=athlete, clinic_id=athlete.clinic_id, user__is_active=True)
        .exclude(user__email="")
        .exclude(notify_notice=Notify.OFF)
        .select_related("user")
        .order_by("pk")
    )
    people.extend((clinician.user, [Channel.TEAM, Channel.STAFF]) for clinician in clinicians)
    # The athlete's own coach from outside the clinic, on the care team by the athlete's consent.
    outside = (
        SharedCare.objects.active()
        .filter(athlete=athlete, user__is_active=True)
        .exclude(user__email="")
        .exclude(user__in=[user for user, _ in people])
        .select_related("user")
        .order_by("pk")
    )
    people.extend((row.user, [Channel.TEAM, Channel.STAFF]) for row in outside)
    return people


def _claim(user, athlete: Athlete, now: datetime) -> bool:
    """Take this person's email slot for the thread: True at most once per BATCH, whoever asks."""
    if MessageEmail.objects.filter(user=user, athlete=athlete, sent_at__lte=now - BATCH).update(sent_at=now):
        return True
    try:
        with transaction.atomic():
            MessageEmail.objects.create(user=user, athlete=athlete, sent_at=now)
    except IntegrityError:  # a row exists: emailed within BATCH (or another run claimed it just now)
        return False
    return True


def notify_thread(*, athlete_id: int, now: datetime | None = None) -> int:
    """Email the people with new, unread messages in `athlete_id`'s thread who were not emailed about them and
    not in the last BATCH; returns how many emails went out. Safe to run twice and concurrently."""
    now = now or timezone.now()
    athlete = Athlete.objects.current().filter(pk=athlete_id).select_related("clinic", "user").first()
    if athlete is None:
        return 0
    recent = list(
        Message.objects.filter(athlete=athlete, created__gt=now - SWEEP_WINDOW, created__lte=now).values_list(
            "author_id", "channel", "created"
        )
    )
    if not recent:
        return 0
    people = _recipients(athlete)
    ids = [user.pk for user, _ in people]
    reads = {
        (row.user_id, row.channel): row.last_read_at
        for row in MessageRead.objects.filter(athlete=athlete, user_id__in=ids)
    }
    emailed = dict(
        MessageEmail.objects.filter(athlete=athlete, user_id__in=ids).values_list("user_id", "sent_at")
    )
    sent, failure = 0, None
    with get_connection() as connection:
        for user, channels in people:
            last_email = emailed.get(user.pk)
            if last_email is not None and now - last_email < BATCH:
                continue  # the sweep sends it when the quarter of an hour has passed
            if not any(
                author != user.pk
                and channel in channels
                and created > _seen(reads.get((user.pk, channel)), last_email)
                for author, channel, created in recent
            ):
                continue
            try:
                with transaction.atomic():
                    if not _claim(user, athlete, now):
                        continue
                    message_email(athlete, user, connection=connection).send()
            except Exception as error:  # noqa: BLE001 — raised below, after the others had their turn
                failure = failure or error
                continue
            sent += 1
    if failure is not None:
        raise failure
    return sent


def _seen(*times) -> datetime:
    """The latest of a read mark and an email (either may be None): messages after it are news."""
    return max((t for t in times if t is not None), default=datetime.min.replace(tzinfo=UTC))


def threads_waiting(*, now: datetime | None = None) -> list[int]:
    """Athletes with a message in the last SWEEP_WINDOW: the sweep runs `notify_thread` for each (a batched
    email whose quarter of an hour has passed, or a job that was lost)."""
    now = now or timezone.now()
    return list(
        Message.objects.filter(created__gt=now - SWEEP_WINDOW, athlete__anonymised_at__isnull=True)
        .order_by("athlete_id")
        .values_list("athlete_id", flat=True)
        .distinct()
    )


def message_email(athlete: Athlete, user, *, connection=None) -> EmailMessage:
    """ "There is a new message", the athlete's or the care team's, with a link: never what it says."""
    to_athlete = athlete.user_id == user.pk
    path = reverse("my_messages") if to_athlete else reverse("athlete_messages", args=[athlete.pk])
    context = {
        "user": user,
        "to_athlete": to_athlete,
        "athlete_name": athlete.full_name,
        "clinic": athlete.clinic,
        "link": absolute_url(path),
        "settings_url": absolute_url(reverse("notification_settings")),
    }
    with override_for(user):  # in the recipient's language
        return EmailMessage(
            subject=" ".join(render_to_string("portal/emails/message-subject.txt", context).split()),
            body=render_to_string("portal/emails/message-body.txt", context),
            to=[user.email],
            connection=connection,
        )
