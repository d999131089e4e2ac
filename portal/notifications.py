"""Telling the care team about alerts by email: at once, in a daily digest, or not at all.

Each clinician chooses per severity (`Clinician.notify_emergency`, `notify_urgent`, `notify_notice`): immediate,
digest or off. The jobs in portal/tasks/notifications.py call the functions below; every one takes `now=`.

- **At once.** `alert_raise` enqueues `portal.notify_alert` when it opens an alert, or makes an open one urgent or
  an emergency. `notify_alert` emails every care-team member (an active login with an email address) whose choice
  for the alert's severity is "immediate". A job lost on the way (the broker was away) is caught by the sweep:
  every minute `alerts_unsent` finds the open alerts raised in the last SWEEP_WINDOW, older than SWEEP_GRACE,
  that such a member has not been emailed about, and they are sent.
- **Daily digest.** Every few minutes `digests_due` lists the clinicians whose `digest_time` has come in their
  clinic's time zone and whose digest for that local day is not done; `digests_send` sends each one email listing
  the open alerts of their care-team athletes whose severity they get "in my daily digest" and that they were not
  emailed about yet. A tick up to DIGEST_CATCH_UP late still sends the day before's digest (a 23:55 digest
  whose tick fell after midnight). A day with nothing to tell sends nothing but is recorded as done (a
  `DigestSent` with 0 alerts), so later ticks skip the clinician until their next local day; an alert raised
  after that waits for the next digest.
- **Off.** No email for that severity; the caseload still lists the alert.

One email per alert, clinician and severity, whichever way it goes (immediate, digest, a retry, the sweep, two
workers at once): the `AlertEmail` row is written in the transaction that sends the email, and its unique
constraint refuses a second one; a send that fails rolls its row back and the job retries. An alert that becomes
more serious is news: an urgent red-flag alert that turns into an emergency the next day (or a notice told in a
digest that turns urgent) is emailed again at its new severity, to those who want that severity at once. The
digest lists only alerts the clinician was not told about at all.

What an email says: the severity in general words, the athlete's name, the clinic and a link to the page. Never
the alert's message, pain scores or warning signs: an email is forwarded, read over shoulders and kept on mail
servers, and the page behind the link asks for a login.
"""

import logging
import zoneinfo
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Case, DateField, Exists, OuterRef, Q, QuerySet, Value, When
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext, ngettext_lazy

from portal import alert_kinds
from portal.languages import override_for_person
from portal.links import absolute_url
from portal.models import Alert, AlertEmail, Athlete, CareTeamMember, Clinician, DigestSent, Notify

logger = logging.getLogger(__name__)

Severity = Alert.Severity
# The clinician's choice for each severity, most severe first.
PREFERENCE = {
    Severity.EMERGENCY: "notify_emergency",
    Severity.URGENT: "notify_urgent",
    Severity.NOTICE: "notify_notice",
}
SWEEP_WINDOW = timedelta(hours=24)  # alerts raised longer ago than this are left to the caseload
SWEEP_GRACE = timedelta(minutes=1)  # the job enqueued with the alert gets this long before the sweep steps in
DIGEST_CATCH_UP = timedelta(hours=1)
DIGEST_CHUNK = 100  # clinicians per digest job


# -------------------------------------------------------------------------------------------------- at once


def _members_to_tell(severity: str, channel: str) -> QuerySet:
    """Care-team rows (correlated with an outer Alert query) of clinicians who get `severity` by `channel`,
    can receive email, and have not been emailed about the alert."""
    told = AlertEmail.objects.filter(
        alert=OuterRef(OuterRef("pk")),
        clinician=OuterRef("clinician_id"),
        severity=OuterRef(OuterRef("severity")),
    )
    return (
        CareTeamMember.objects.filter(
            athlete_id=OuterRef("athlete_id"),
            clinician__user__is_active=True,
            **{f"clinician__{PREFERENCE[severity]}": channel},
        )
        .exclude(clinician__user__email="")
        .exclude(Exists(told))
    )


def recipients(alert: Alert, channel: str = Notify.IMMEDIATE) -> QuerySet:
    """The clinicians still to be emailed about `alert` by `channel`: care team, active login with an email,
    that choice for the alert's severity, no email about it yet."""
    return (
        Clinician.objects.filter(
            care_of__athlete_id=alert.athlete_id,
            user__is_active=True,
            **{PREFERENCE[alert.severity]: channel},
        )
        .exclude(user__email="")
        .exclude(
            Exists(AlertEmail.objects.filter(alert=alert, clinician=OuterRef("pk"), severity=alert.severity))
        )
        .select_related("user")
        .order_by("pk")
    )


def notify_alert(*, alert_id: int, now: datetime | None = None) -> int:
    """Email `alert` to the care-team members who want it at once and were not told yet; returns how many.

    Safe to run twice and concurrently. A resolved alert, or one about an athlete whose personal data was
    deleted, sends nothing. A failure for one clinician does not hold back the others; the first is raised at
    the end so that the job retries (the ones already emailed are then skipped).
    """
    now = now or timezone.now()
    alert = (
        Alert.objects.open()
        .filter(pk=alert_id, athlete__anonymised_at__isnull=True)
        .select_related("athlete__clinic")
        .first()
    )
    if alert is None:
        return 0
    clinicians = list(recipients(alert))
    if not clinicians:
        return 0
    sent, failure = 0, None
    with get_connection() as connection:
        for clinician in clinicians:
            try:
                with transaction.atomic():
                    AlertEmail.objects.create(
                        alert=alert,
                        clinician=clinician,
                        severity=alert.severity,
                        channel=AlertEmail.Channel.IMMEDIATE,
                        sent_at=now,
                    )
                    alert_email(alert, clinician, connection=connection).send()
            except IntegrityError:  # another run emailed this clinician first
                continue
            except Exception as error:  # noqa: BLE001 — raised below, after the others had their turn
                logger.warning("alert %s: email to clinician %s not sent: %r", alert.pk, clinician.pk, error)
                failure = failure or error
                continue
            sent += 1
    if failure is not None:
        raise failure
    return sent


def alerts_unsent(*, now: datetime | None = None) -> list[int]:
    """Open alerts raised (or made more severe) in the last SWEEP_WINDOW, at least SWEEP_GRACE ago, with a
    care-team member who wants them at once and has no email about them: their job was lost. One query."""
    now = now or timezone.now()
    waiting = Q()
    for severity in PREFERENCE:
        waiting |= Q(severity=severity) & Q(Exists(_members_to_tell(severity, Notify.IMMEDIATE)))
    return list(
        Alert.objects.open()
        .filter(
            updated__gte=now - SWEEP_WINDOW,
            updated__lte=now - SWEEP_GRACE,
            athlete__anonymised_at__isnull=True,
        )
        .filter(waiting)
        .order_by("updated", "pk")
        .values_list("pk", flat=True)
    )


def alert_link(alert: Alert) -> str:
    """The absolute address of the alert's page (the athlete's page when it has none)."""
    path = alert.link if alert.link.startswith("/") else reverse("athlete_detail", args=[alert.athlete_id])
    return absolute_url(path)


def alert_email(alert: Alert, clinician: Clinician, *, connection=None) -> EmailMessage:
    """The immediate email: the severity in words, the athlete, the clinic, the link. No health details."""
    clinic = alert.athlete.clinic
    context = {
        "clinician": clinician,
        "athlete_name": alert.athlete.full_name,
        "clinic": clinic,
        "severity": alert.severity,
        "raised": timezone.localtime(alert.updated, _zone(clinic.time_zone)),
        "link": alert_link(alert),
        "settings_url": absolute_url(reverse("notification_settings")),
    }
    with override_for_person(clinician):  # in the clinician's language
        return EmailMessage(
            subject=_one_line(render_to_string("portal/emails/alert-subject.txt", context)),
            body=render_to_string("portal/emails/alert-body.txt", context),
            to=[clinician.user.email],
            connection=connection,
        )


# -------------------------------------------------------------------------------------------------- digest


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        logger.warning("notifications: unknown time zone %r, using %s", name, settings.TIME_ZONE)
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _digest_clinicians() -> QuerySet:
    """Clinicians who get a digest at all: an active login with an email and one severity "in my digest"."""
    return Clinician.objects.filter(
        Q(notify_emergency=Notify.DIGEST) | Q(notify_urgent=Notify.DIGEST) | Q(notify_notice=Notify.DIGEST),
        user__is_active=True,
    ).exclude(user__email="")


def digests_due(*, now: datetime | None = None) -> list[tuple[int, date]]:
    """(clinician id, local day) of every digest due at `now`: the clinic's local time has passed the
    clinician's `digest_time` that day — today, or yesterday within DIGEST_CATCH_UP after midnight — and that
    day's digest is not done. Two queries whatever the number of clinicians."""
    now = now or timezone.now()
    clinicians = _digest_clinicians()
    whens = []
    for name in clinicians.values_list("clinic__time_zone", flat=True).distinct().order_by():
        zone = _zone(name)
        local, earlier = now.astimezone(zone), (now - DIGEST_CATCH_UP).astimezone(zone)
        in_zone = Q(clinic__time_zone=name)
        whens.append(When(in_zone & Q(digest_time__lte=_clock(local)), then=Value(local.date())))
        if earlier.date() < local.date():  # just after midnight: yesterday's late digest may be waiting
            whens.append(When(in_zone & Q(digest_time__gte=_clock(earlier)), then=Value(earlier.date())))
    if not whens:
        return []
    done = DigestSent.objects.filter(clinician=OuterRef("pk"), day=OuterRef("due_day"))
    return list(
        clinicians.annotate(due_day=Case(*whens, output_field=DateField()))
        .filter(due_day__isnull=False)
        .exclude(Exists(done))
        .order_by("pk")
        .values_list("pk", "due_day")
    )


def _clock(local: datetime) -> time:
    return local.time().replace(microsecond=0)


def digest_alerts(clinician: Clinician) -> QuerySet:
    """The open alerts about the clinician's care-team athletes whose severity they get in the digest and that
    they were not emailed about, most severe first, then by athlete."""
    severities = [s for s, field in PREFERENCE.items() if getattr(clinician, field) == Notify.DIGEST]
    told = AlertEmail.objects.filter(alert=OuterRef("pk"), clinician=clinician)
    return (
        Alert.objects.open()
        .filter(
            athlete__care_team__clinician=clinician,
            severity__in=severities,
            athlete__anonymised_at__isnull=True,
        )
        .exclude(Exists(told))
        .select_related("athlete")
        .annotate(severity_rank=Alert.severity_rank_expression())
        .order_by("-severity_rank", "athlete__last_name", "athlete__first_name", "pk")
    )


def digest_reviews(clinicians: Sequence[Clinician], days: dict[int, date]) -> dict[int, list[Athlete]]:
    """Per clinician id, their care-team athletes whose planned review is on their digest's day or before it
    (overdue), soonest first, in one query: the digest lists them every day until the date is moved or cleared
    (rehab.views_caseload)."""
    if not clinicians:
        return {}
    members = (
        CareTeamMember.objects.filter(
            clinician__in=clinicians,
            athlete__anonymised_at__isnull=True,
            athlete__next_review__lte=max(days.values()),
        )
        .select_related("athlete")
        .order_by("athlete__next_review", "athlete__last_name", "athlete__first_name", "athlete__pk")
    )
    reviews: dict[int, list[Athlete]] = {}
    for member in members:
        if member.athlete.next_review <= days[member.clinician_id]:
            reviews.setdefault(member.clinician_id, []).append(member.athlete)
    return reviews


def digests_send(*, items, now: datetime | None = None) -> int:
    """Send each (clinician id, local day) digest still not done; returns how many emails went out.

    Per clinician, in one transaction: the day's DigestSent row, an AlertEmail row per alert listed, then the
    email. A digest already done (another run, a repeated job) is skipped; a failed send leaves no row, and
    the first failure is raised at the end so that the job retries."""
    now = now or timezone.now()
    days = {int(pk): day for pk, day in items}
    clinicians = list(
        _digest_clinicians().filter(pk__in=days).select_related("user", "clinic").order_by("pk")
    )
    reviews_due = digest_reviews(clinicians, {clinician.pk: days[clinician.pk] for clinician in clinicians})
    sent, failure, connection = 0, None, None
    try:
        for clinician in clinicians:
            day = days[clinician.pk]
            try:
                with transaction.atomic():
                    alerts = list(digest_alerts(clinician))
                    reviews = reviews_due.get(clinician.pk, [])
                    DigestSent.objects.create(clinician=clinician, day=day, alerts=len(alerts), sent_at=now)
                    if not alerts and not reviews:
                        continue
                    AlertEmail.objects.bulk_create(
                        AlertEmail(
                            alert=a,
                            clinician=clinician,
                            severity=a.severity,
                            channel=AlertEmail.Channel.DIGEST,
                            sent_at=now,
                        )
                        for a in alerts
                    )
                    if (
                        connection is None
                    ):  # opened for the first email only: a quiet chunk connects to nothing
                        connection = get_connection()
                        connection.open()
                    digest_email(clinician, day, alerts, reviews=reviews, connection=connection).send()
            except (
                IntegrityError
            ):  # done by another run (or an alert emailed meanwhile: the next tick retries)
                continue
            except Exception as error:  # noqa: BLE001 — raised below, after the others had their turn
                logger.warning("digest for clinician %s not sent: %r", clinician.pk, error)
                failure = failure or error
                continue
            sent += 1
    finally:
        if connection is not None:
            connection.close()
    if failure is not None:
        raise failure
    return sent


GROUPS = {  # severity → "3 notices"
    Severity.EMERGENCY: ngettext_lazy("%(count)d emergency alert", "%(count)d emergency alerts", "count"),
    Severity.URGENT: ngettext_lazy("%(count)d urgent alert", "%(count)d urgent alerts", "count"),
    Severity.NOTICE: ngettext_lazy("%(count)d notice", "%(count)d notices", "count"),
}


def digest_email(
    clinician: Clinician, day: date, alerts: list[Alert], *, reviews: Sequence[Athlete] = (), connection=None
) -> EmailMessage:
    """One email: per severity, "3 notices" and a line per alert with the athlete's name, what it is about in
    general words (portal.alert_kinds.email_words) and a link; then the reviews due that day or overdue, with a
    link to each athlete's timeline."""
    with override_for_person(clinician):
        groups = []
        for severity, title in GROUPS.items():
            lines = [
                (a.athlete.full_name, str(alert_kinds.email_words(a.kind)), alert_link(a))
                for a in alerts
                if a.severity == severity
            ]
            if lines:
                groups.append({"title": title % {"count": len(lines)}, "lines": lines})
        review_lines = [
            (
                athlete.full_name,
                gettext("due today")
                if athlete.next_review == day
                else gettext("planned for %(day)s, overdue")
                % {"day": date_format(athlete.next_review, gettext("j M"))},
                absolute_url(reverse("rehab:timeline", args=[athlete.pk])),
            )
            for athlete in reviews
        ]
        titles = [group["title"] for group in groups]
        if review_lines:
            titles.append(
                ngettext("%(count)d review due", "%(count)d reviews due", len(review_lines))
                % {"count": len(review_lines)}
            )
        context = {
            "clinician": clinician,
            "clinic": clinician.clinic,
            "day": day,
            "groups": groups,
            "reviews": review_lines,
            "summary": ", ".join(titles),
            "settings_url": absolute_url(reverse("notification_settings")),
        }
        return EmailMessage(
            subject=_one_line(render_to_string("portal/emails/digest-subject.txt", context)),
            body=render_to_string("portal/emails/digest-body.txt", context),
            to=[clinician.user.email],
            connection=connection,
        )


def _one_line(text: str) -> str:
    return " ".join(text.split())


# -------------------------------------------------------------------------------------------------- settings


@transaction.atomic
def notification_settings_save(
    *, clinician: Clinician, notify_emergency: str, notify_urgent: str, notify_notice: str, digest_time: time
) -> Clinician:
    """The clinician's own choice: how each severity reaches them, and when the daily digest comes."""
    clinician.notify_emergency, clinician.notify_urgent = notify_emergency, notify_urgent
    clinician.notify_notice, clinician.digest_time = notify_notice, digest_time
    clinician.full_clean()
    clinician.save(update_fields=["notify_emergency", "notify_urgent", "notify_notice", "digest_time"])
    return clinician
