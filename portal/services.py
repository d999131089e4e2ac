"""Writes that involve people: adding athletes, inviting them, accepting invites, alerting the care team."""

from datetime import timedelta

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.jobs import enqueue
from portal.languages import override_for_person
from portal.links import absolute_url
from portal.mail import send_later
from portal.models import Alert, Athlete, CareTeamMember, Clinician, Invite
from portal.permissions import CLINICIANS_GROUP
from portal.privacy import anonymise_athlete  # noqa: F401 — one of the people services (portal.privacy has it)

ANONYMISED_MESSAGE = _("This athlete's personal data was deleted; their record can no longer be changed.")


def check_athlete_editable(athlete: Athlete) -> None:
    """Refuse writes to an athlete whose personal data was deleted (see anonymise_athlete)."""
    if athlete.anonymised_at is not None:
        raise ValidationError(ANONYMISED_MESSAGE, code="anonymised")


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


def invite_link(token: str, request=None) -> str:
    return absolute_url(reverse("invite_accept", args=[token]), request)


# Invite links one athlete may be sent in an hour (by anyone, page or API): enough to resend after a typo or a
# mail outage, too few to turn the clinic's mail server against someone's inbox.
INVITES_PER_HOUR = 5
TOO_MANY_INVITES = (
    f"{INVITES_PER_HOUR} invite links were sent for this athlete in the last hour. Wait a while before "
    "sending another, or pass on the last link yourself."
)


class TooManyInvites(ValidationError):
    """INVITES_PER_HOUR reached for this athlete."""


@transaction.atomic
def invite_send(*, athlete: Athlete, by, now=None, request=None) -> tuple[Invite, str]:
    """Revoke earlier open invites, create a new one and email its link. Returns the invite and the link.

    The email goes out after the commit (portal.mail.send_later), and its outcome is recorded on the invite
    (`invite.email_state()`): a mail server that is down never undoes the invite or the athlete.

    Whether the address already has a login somewhere on the platform is never told to the clinician (it would
    tell any clinic who uses Stride Clinic elsewhere): the invite is the same; only its email differs, asking
    the person to log in with their existing login and open the link to connect it (`invite_connect`).
    """
    check_athlete_editable(athlete)
    if athlete.user_id:
        raise ValidationError(_("This athlete already has a login."))
    if not athlete.email:
        raise ValidationError({"email": _("Add the athlete's email address first.")})
    now = now or timezone.now()
    Athlete.objects.select_for_update().filter(pk=athlete.pk).first()  # concurrent sends count one by one
    if athlete.invites.filter(created__gt=now - timedelta(hours=1)).count() >= INVITES_PER_HOUR:
        raise TooManyInvites(TOO_MANY_INVITES, code="too_many_invites")
    athlete.invites.filter(accepted__isnull=True, revoked__isnull=True).update(revoked=now)
    invite, token = Invite.new(athlete=athlete, email=athlete.email, created_by=by, now=now)
    invite.save()
    link = invite_link(token, request)
    has_login = get_user_model().objects.filter(email__iexact=athlete.email).exists()
    template = "portal/emails/invite-existing" if has_login else "portal/emails/invite"
    context = {"athlete": athlete, "clinic": athlete.clinic, "link": link, "invite": invite, "by": by}
    with override_for_person(athlete):  # in the athlete's language, or their clinic's
        subject = render_to_string(f"{template}-subject.txt", context)
        body = render_to_string(f"{template}-body.txt", context)
    send_later(
        subject=subject,
        body=body,
        to=[invite.email],
        invite=invite.pk,
    )
    return invite, link


def invite_email_result(*, invite_id: int | None, sent: bool, now=None) -> None:
    """Record what became of an invite's email (portal.tasks.mail); a later success overrides a failure."""
    if invite_id is None:
        return
    now = now or timezone.now()
    invites = Invite.objects.filter(pk=invite_id, email_sent_at__isnull=True)
    invites.update(**({"email_sent_at": now} if sent else {"email_failed_at": now}))


class InviteError(Exception):
    """The invite cannot be used; the message says why in plain words."""


EXISTING_LOGIN = _(
    "This email address already has a Stride Clinic login. Log in with it, then open this link again to "
    "connect it to your clinic."
)


def invite_check(invite: Invite | None, now=None) -> Invite:
    if invite is None:
        raise InviteError(_("This invite link is not valid. Check that you copied the whole link."))
    state = invite.state(now)
    if state == "accepted":
        raise InviteError(
            _("This invite link has already been used. Log in with your email address and password.")
        )
    if state == "revoked":
        raise InviteError(
            _("A newer invite was sent for this account. Use the link in the most recent email.")
        )
    if state == "expired":
        raise InviteError(_("This invite link has expired. Ask your clinician to send you a new one."))
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
        raise InviteError(_("This athlete already has a login. Log in with your email address and password."))
    User = get_user_model()
    if User.objects.filter(email__iexact=invite.email).exists():
        raise InviteError(EXISTING_LOGIN)
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


@transaction.atomic
def invite_connect(*, invite: Invite, user, now=None) -> Athlete:
    """Make `user`, the login already using the invite's email address, the athlete's login and use up the
    invite. Logging in proved they own the address; a staff login, or one that already is another athlete's,
    cannot become this athlete's (InviteError says what to do instead)."""
    now = now or timezone.now()
    invite = Invite.objects.select_for_update().select_related("athlete__clinic").get(pk=invite.pk)
    invite_check(invite, now)
    athlete = invite.athlete
    if athlete.user_id:
        raise InviteError(_("This athlete already has a login. Log in with your email address and password."))
    if user.email.lower() != invite.email.lower():
        raise InviteError(
            gettext(
                "This invite is for %(invited)s, and you are logged in as %(email)s. Log out, then log in as "
                "%(invited)s and open the link again."
            )
            % {"invited": invite.email, "email": user.email}
        )
    if user.is_staff or user.is_superuser or user.clinician_or_none is not None:
        raise InviteError(
            gettext(
                "Your login is a clinic staff login, which cannot also be an athlete's. Ask %(clinic)s to invite "
                "another email address of yours."
            )
            % {"clinic": athlete.clinic.name}
        )
    other = user.athlete_or_none
    if other is not None:
        raise InviteError(
            gettext(
                "Your login already holds your record at %(other)s, and a login holds one athlete record. Ask "
                "%(clinic)s to invite another email address of yours."
            )
            % {"other": other.clinic.name, "clinic": athlete.clinic.name}
        )
    athlete.user = user
    athlete.save(update_fields=["user", "updated"])
    invite.accepted = now
    invite.save(update_fields=["accepted"])
    return athlete


def clinician_grant_access(user) -> None:
    """Clinicians work in the admin: staff status and the Clinicians group, never superuser rights."""
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.groups.add(Group.objects.get(name=CLINICIANS_GROUP))


@transaction.atomic
def alert_raise(
    *, athlete: Athlete, kind: str, severity: str, message: str = "", code: str = "", params: dict | None = None,
    link: str = "", now=None,
) -> Alert:  # fmt: skip
    """Open an alert for the care team, or update the athlete's open alert of this `kind`.

    What it says: a `code` with its `params` (said at display time: portal.alert_words), or a `message` sentence.

    An open alert never gets less severe: a milder event keeps the existing message and link, so the alert
    always points at the most serious thing still waiting for a clinician. A new alert, or one made urgent or an
    emergency, is emailed to the care team after the commit (portal.notifications).
    """
    if severity not in Alert.Severity.values:
        raise ValidationError({"severity": f"Unknown severity {severity!r}."})
    now = now or timezone.now()
    alert = Alert.objects.select_for_update().open().filter(athlete=athlete, kind=kind).first()
    if alert is None:
        alert = Alert(athlete=athlete, kind=kind, severity=severity, message="" if code else message, code=code,
                      params=params or {}, link=link, created=now)  # fmt: skip
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
        alert.severity, alert.message, alert.link = severity, "" if code else message, link
        alert.code, alert.params = code, params or {}
    alert.updated = now
    alert.full_clean()
    alert.save()
    if escalated and severity in (Alert.Severity.URGENT, Alert.Severity.EMERGENCY):
        enqueue("portal.notify_alert", alert.pk)
    return alert


@transaction.atomic
def alert_resolve(
    *, alert: Alert, by, note: str = "", note_code: str = "", note_params: dict | None = None, now=None
) -> Alert:
    """Close an open alert (resolving an already closed one changes nothing). Why: a clinician's `note`, or a
    code with its parameters when it closes by itself (`note_code`, said as the alert's code is)."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.resolved_at is not None:
        return alert
    alert.resolved_at = now or timezone.now()
    alert.resolved_by = by
    alert.resolved_note = note
    alert.resolved_code, alert.resolved_params = note_code, note_params or {}
    alert.full_clean()
    alert.save()
    if by is not None:
        # A clinician answering an alert can change what the engine says (a red flag answered ends "stop and
        # refer"): the athlete's status is recomputed after the commit. Alerts closed by a refresh need none.
        enqueue("rehab.refresh_athletes", [alert.athlete_id], timezone.localdate().isoformat())
    return alert
