"""Shared care across organisations (issue #21): an athlete's own coach from outside the clinic joins their care
team by the athlete's consent, sees only that athlete, and leaves it the moment the athlete or the clinic says so.

The athlete invites their coach from "My care team", or a clinician does it for them after recording the
athlete's consent. The email carries a one-time link (`SharedCare`, hashed token). The coach accepts it with a
new login (a password on the invite's address) or with the login they already have, another clinic's included,
as long as it is the invite's address. From then on the coach's login holds the coach's capabilities for that
athlete only (portal.capabilities, portal.permissions.scope_by_clinic through `shared_athlete_ids`).

Removal is immediate: the scoping reads the memberships at every request (no cache across requests), and a login
left with no access at all loses its API tokens. Who invited, accepted and removed is in the audit trail
(portal.audit), as is every record the coach opens (record_access, like everyone's).
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.links import absolute_url
from portal.mail import send_later
from portal.models import ApiToken, Athlete, SharedCare, _hash_token
from portal.permissions import shared_athlete_ids  # noqa: F401  (the scoping reads it; one name)
from portal.services import check_athlete_editable

VALID_DAYS = 7
INVITES_PER_DAY = 5  # per athlete: enough to correct a typo, too few to spam someone's inbox
TOO_MANY = lazy(
    lambda: (
        gettext("%(count)d coach invites were sent for this athlete today. Try again tomorrow.")
        % {"count": INVITES_PER_DAY}
    ),
    str,
)()


class SharedCareError(Exception):
    """The invite link cannot be used; the message says why in plain words."""


def invite_link(token: str, request=None) -> str:
    return absolute_url(reverse("shared_care_accept", args=[token]), request)


@transaction.atomic
def invite(
    *, athlete: Athlete, name: str, email: str, organisation: str = "", by, consent_recorded: bool = False,
    now=None, request=None,
) -> tuple[SharedCare, str]:  # fmt: skip
    """Invite `email` as the athlete's own coach; email the link after the commit. Returns the row and the link.

    `by` is the athlete (their consent is the invite itself) or a clinician, who must have recorded the athlete's
    consent (`consent_recorded`)."""
    check_athlete_editable(athlete)
    now = now or timezone.now()
    email = email.strip()
    by_athlete = athlete.user_id is not None and by.pk == athlete.user_id
    if not by_athlete and not consent_recorded:
        raise ValidationError(
            {
                "consent_recorded": _(
                    "Tick this once the athlete has agreed that their coach may see their plan."
                )
            }
        )
    if email.lower() in {athlete.email.lower(), getattr(athlete.user, "email", "").lower()}:
        raise ValidationError({"email": _("This is the athlete's own address. Enter the coach's email.")})
    User = get_user_model()
    existing = User.objects.filter(email__iexact=email).select_related("clinician").first()
    if existing is not None:
        clinician = existing.clinician_or_none
        if clinician is not None and clinician.clinic_id == athlete.clinic_id:
            raise ValidationError(
                {"email": gettext("%(name)s works at %(clinic)s: add them to the care team instead.")
                          % {"name": existing.get_full_name() or email, "clinic": athlete.clinic}}
            )  # fmt: skip
    Athlete.objects.select_for_update().filter(pk=athlete.pk).first()  # concurrent invites count one by one
    if athlete.shared_care.filter(created__gt=now - timedelta(days=1)).count() >= INVITES_PER_DAY:
        raise ValidationError(TOO_MANY, code="too_many_invites")
    for row in athlete.shared_care.open().filter(email__iexact=email):
        if row.state(now) != "expired":
            raise ValidationError({"email": _("This coach is already invited or on the care team.")})
        row.removed_at, row.removed_by = now, by  # an expired invite makes way for the new one
        row.save(update_fields=["removed_at", "removed_by"])
    token = secrets.token_urlsafe(32)
    row = SharedCare(
        athlete=athlete,
        name=name.strip(),
        email=email,
        organisation=organisation.strip(),
        token_hash=_hash_token(token),
        consent=SharedCare.Consent.ATHLETE if by_athlete else SharedCare.Consent.RECORDED,
        invited_by=by,
        created=now,
        expires=now + timedelta(days=VALID_DAYS),
    )
    row.full_clean(exclude=["user", "invited_by", "removed_by"])
    row.save()
    link = invite_link(token, request)
    context = {"row": row, "athlete": athlete, "clinic": athlete.clinic, "link": link, "has_login": existing}
    with translation.override(athlete.clinic.language or settings.LANGUAGE_CODE):  # the coach's is unknown
        subject = render_to_string("portal/emails/shared-care-subject.txt", context)
        body = render_to_string("portal/emails/shared-care-body.txt", context)
    send_later(
        subject=subject,
        body=body,
        to=[email],
    )
    return row, link


def check(row: SharedCare | None, now=None) -> SharedCare:
    if row is None:
        raise SharedCareError(_("This invite link is not valid. Check that you copied the whole link."))
    state = row.state(now)
    if state == "active":
        raise SharedCareError(_("This invite has already been accepted. Log in with your email address."))
    if state == "removed":
        raise SharedCareError(_("This invite was withdrawn. Ask the athlete to invite you again if needed."))
    if state == "expired":
        raise SharedCareError(_("This invite link has expired. Ask the athlete to send you a new one."))
    return row


EXISTING_LOGIN = _(
    "This email address already has a Stride Clinic login. Log in with it, then open this link again to accept."
)


@transaction.atomic
def accept_with_password(*, row: SharedCare, password: str, now=None):
    """A new login for the invite's address, with `password`, and the membership. Returns the user."""
    now = now or timezone.now()
    row = SharedCare.objects.select_for_update().get(pk=row.pk)
    check(row, now)
    User = get_user_model()
    if User.objects.filter(email__iexact=row.email).exists():
        raise SharedCareError(EXISTING_LOGIN)
    first, _space, last = row.name.partition(" ")
    candidate = User(email=row.email, first_name=first, last_name=last)
    password_validation.validate_password(password, candidate)
    user = User.objects.create_user(email=row.email, password=password, first_name=first, last_name=last)
    _join(row, user, now)
    return user


@transaction.atomic
def accept_as(*, row: SharedCare, user, now=None) -> SharedCare:
    """The logged-in `user` (whose address the invite is for) joins the athlete's care team."""
    now = now or timezone.now()
    row = SharedCare.objects.select_for_update(of=("self",)).select_related("athlete__clinic").get(pk=row.pk)
    check(row, now)
    if user.email.lower() != row.email.lower():
        raise SharedCareError(
            gettext(
                "This invite is for %(invited)s, and you are logged in as %(email)s. Log out, then log in as "
                "%(invited)s and open the link again."
            )
            % {"invited": row.email, "email": user.email}
        )
    if row.athlete.user_id == user.pk:
        raise SharedCareError(_("This invite is for the athlete's coach, not for the athlete."))
    _join(row, user, now)
    return row


def _join(row: SharedCare, user, now) -> None:
    row.user, row.accepted_at = user, now
    row.save(update_fields=["user", "accepted_at"])
    if not user.has_shared_care:
        user.has_shared_care = True
        user.save(update_fields=["has_shared_care"])
    user.__dict__.pop("_shared_athlete_ids", None)


@transaction.atomic
def remove(*, row: SharedCare, by, now=None) -> SharedCare:
    """End the membership (or withdraw the invite) now. A login left with no access loses its API tokens."""
    now = now or timezone.now()
    row = SharedCare.objects.select_for_update(of=("self",)).select_related("user").get(pk=row.pk)
    if row.removed_at:
        return row  # a double click: already gone
    row.removed_at, row.removed_by = now, by
    row.save(update_fields=["removed_at", "removed_by"])
    user = row.user
    if user is not None:
        user.__dict__.pop("_shared_athlete_ids", None)
    if user is not None and not SharedCare.objects.active().filter(user=user).exists():
        user.has_shared_care = False
        user.save(update_fields=["has_shared_care"])
        if user.clinician_or_none is None and user.athlete_or_none is None and not user.is_superuser:
            ApiToken.objects.filter(user=user).delete()
    return row
