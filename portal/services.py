"""Writes that involve people: adding athletes, inviting them, accepting invites, alerting the care team."""

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from portal.jobs import enqueue
from portal.mail import send_later
from portal.models import Alert, Athlete, CareTeamMember, Clinician, Invite

ANONYMISED_MESSAGE = "This athlete's personal data was deleted; their record can no longer be changed."


def check_athlete_editable(athlete: Athlete) -> None:
    """Refuse writes to an athlete whose personal data was deleted (see anonymise_athlete)."""
    if athlete.anonymised_at is not None:
        raise ValidationError(ANONYMISED_MESSAGE, code="anonymised")


def anonymise_athlete(athlete: Athlete, *, by, now=None) -> Athlete:
    """Delete the athlete's personal data and keep the clinic's statistics (portal.privacy has the details).

    Atomic and idempotent. Its home is portal.privacy because it reads the rehab and triage records, which
    import this module.
    """
    from portal.privacy import anonymise_athlete as anonymise

    return anonymise(athlete, by=by, now=now)


@transaction.atomic
def athlete_create(*, clinic, by, primary: Clinician | None = None, **fields) -> Athlete:
    """Create an athlete in `clinic`, with `primary` (default: the creating clinician) on the care team."""
    athlete = Athlete(clinic=clinic, **fields)
    athlete.full_clean()
    athlete.save()
    primary = primary or getattr(by, "clinician_or_none", None)
    if primary is not None:
        member = CareTeamMember(athlete=athlete, clinician=primary, is_primary=True)
        member.full_clean()
        member.save()
    return athlete


def invite_link(token: str) -> str:
    return settings.SITE_URL + reverse("invite_accept", args=[token])


@transaction.atomic
def invite_send(*, athlete: Athlete, by, now=None) -> tuple[Invite, str]:
    """Revoke earlier open invites, create a new one and email its link. Returns the invite and the link."""
    check_athlete_editable(athlete)
    if athlete.user_id:
        raise ValidationError("This athlete already has a login.")
    if not athlete.email:
        raise ValidationError({"email": "Add the athlete's email address first."})
    User = get_user_model()
    if User.objects.filter(email__iexact=athlete.email).exists():
        raise ValidationError({"email": "Someone already logs in with this email address."})
    now = now or timezone.now()
    athlete.invites.filter(accepted__isnull=True, revoked__isnull=True).update(revoked=now)
    invite, token = Invite.new(athlete=athlete, email=athlete.email, created_by=by, now=now)
    invite.save()
    link = invite_link(token)
    context = {"athlete": athlete, "clinic": athlete.clinic, "link": link, "invite": invite, "by": by}
    send_later(
        subject=render_to_string("portal/emails/invite-subject.txt", context),
        body=render_to_string("portal/emails/invite-body.txt", context),
        to=[invite.email],
    )
    return invite, link


class InviteError(Exception):
    """The invite cannot be used; the message says why in plain words."""


def invite_check(invite: Invite | None, now=None) -> Invite:
    if invite is None:
        raise InviteError("This invite link is not valid. Check that you copied the whole link.")
    state = invite.state(now)
    if state == "accepted":
        raise InviteError(
            "This invite link has already been used. Log in with your email address and password."
        )
    if state == "revoked":
        raise InviteError("A newer invite was sent for this account. Use the link in the most recent email.")
    if state == "expired":
        raise InviteError("This invite link has expired. Ask your clinician to send you a new one.")
    return invite


@transaction.atomic
def invite_accept(*, invite: Invite, password: str, now=None):
    """Create the athlete's login with `password`, link it and use up the invite.

    A password the validators (AUTH_PASSWORD_VALIDATORS) refuse raises ValidationError, whoever calls; the
    invite form checks the same first, to show the messages next to the field."""
    now = now or timezone.now()
    invite = Invite.objects.select_for_update().select_related("athlete").get(pk=invite.pk)
    invite_check(invite, now)
    athlete = invite.athlete
    if athlete.user_id:
        raise InviteError("This athlete already has a login. Log in with your email address and password.")
    User = get_user_model()
    if User.objects.filter(email__iexact=invite.email).exists():
        raise InviteError("Someone already logs in with this email address. Try logging in instead.")
    candidate = User(email=invite.email, first_name=athlete.first_name, last_name=athlete.last_name)
    password_validation.validate_password(password, candidate)
    user = User.objects.create_user(
        email=invite.email, password=password, first_name=athlete.first_name, last_name=athlete.last_name
    )
    athlete.user = user
    athlete.save(update_fields=["user", "updated"])
    invite.accepted = now
    invite.save(update_fields=["accepted"])
    return user


def clinician_grant_access(user) -> None:
    """Clinicians work in the admin: staff status and the Clinicians group, never superuser rights."""
    from django.contrib.auth.models import Group

    from portal.permissions import CLINICIANS_GROUP

    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.groups.add(Group.objects.get(name=CLINICIANS_GROUP))


@transaction.atomic
def alert_raise(
    *, athlete: Athlete, kind: str, severity: str, message: str, link: str = "", now=None
) -> Alert:
    """Open an alert for the care team, or update the athlete's open alert of this `kind`.

    An open alert never gets less severe: a milder event keeps the existing message and link, so the alert
    always points at the most serious thing still waiting for a clinician. A new alert, or one made urgent or an
    emergency, is emailed to the care team after the commit (portal.notifications).
    """
    if severity not in Alert.Severity.values:
        raise ValidationError({"severity": f"Unknown severity {severity!r}."})
    now = now or timezone.now()
    alert = Alert.objects.select_for_update().open().filter(athlete=athlete, kind=kind).first()
    if alert is None:
        alert = Alert(athlete=athlete, kind=kind, severity=severity, message=message, link=link, created=now)
        alert.updated = now
        alert.full_clean(validate_constraints=False)  # the database enforces one open alert per kind
        try:
            with transaction.atomic():
                alert.save()
        except IntegrityError:  # raised at the same moment by another request
            alert = Alert.objects.select_for_update().open().get(athlete=athlete, kind=kind)
        else:
            enqueue("portal.notify_alert", alert.pk)
            return alert
    escalated = Alert.SEVERITY_RANK[severity] > Alert.SEVERITY_RANK[alert.severity]
    if Alert.SEVERITY_RANK[severity] >= Alert.SEVERITY_RANK[alert.severity]:
        alert.severity, alert.message, alert.link = severity, message, link
    alert.updated = now
    alert.full_clean()
    alert.save()
    if escalated and severity in (Alert.Severity.URGENT, Alert.Severity.EMERGENCY):
        enqueue("portal.notify_alert", alert.pk)
    return alert


@transaction.atomic
def alert_resolve(*, alert: Alert, by, note: str = "", now=None) -> Alert:
    """Close an open alert (resolving an already closed one changes nothing)."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.resolved_at is not None:
        return alert
    alert.resolved_at = now or timezone.now()
    alert.resolved_by = by
    alert.resolved_note = note
    alert.full_clean()
    alert.save()
    if by is not None:
        # A clinician answering an alert can change what the engine says (a red flag answered ends "stop and
        # refer"): the athlete's status is recomputed after the commit. Alerts closed by a refresh need none.
        enqueue("rehab.refresh_athletes", [alert.athlete_id], timezone.localdate().isoformat())
    return alert
