"""Portal's part of an athlete's personal data (portal.data_registry): care team, shoes, alerts, invites,
messages, prepared files and shared care, and the records about their login (audit trail, login attempts,
signed-in devices).

The athlete's own row and their login are the core of export and deletion (portal.export, portal.privacy).
"""

from django.apps import apps
from django.db.models import Prefetch, Q

from portal import shared_care
from portal.audit import entry_model
from portal.data_registry import PersonalData, Section, Table, name_of, num, pks, register, when
from portal.models import (
    Alert,
    CareTeamMember,
    Download,
    Invite,
    Message,
    MessageEmail,
    MessageRead,
    Shoe,
    SignedInDevice,
)
from portal.privacy import ALERT_CLOSED_NOTE

AUDIT_ACTIONS = {
    "CREATE": "created",
    "UPDATE": "changed",
    "DELETE": "deleted",
    "ACCESS": "viewed",
}  # LogEntry.Action


def _prefetch() -> list:
    return [
        Prefetch("care_team", queryset=CareTeamMember.objects.select_related("clinician__user")),
        "shoes",
        Prefetch("alerts", queryset=Alert.objects.select_related("resolved_by").order_by("created", "pk")),
        "invites",
        Prefetch(
            "messages",
            queryset=Message.objects.filter(channel=Message.Channel.TEAM)
            .select_related("author")
            .order_by("created", "pk"),
            to_attr="team_messages",
        ),
    ]


def _care_team(athlete) -> list[dict]:
    return [
        {
            "name": name_of(member.clinician.user),
            "profession": member.clinician.get_profession_display(),
            "primary": member.is_primary,
        }
        for member in athlete.care_team.all()
    ]


def _shoes(athlete) -> list[dict]:
    return [{"name": shoe.name, "km": num(shoe.km), "retired": shoe.retired} for shoe in athlete.shoes.all()]


def _alerts(athlete) -> list[dict]:
    return [
        {
            "kind": alert.kind,
            "severity": alert.severity,
            "message": alert.text,
            "created": when(alert.created),
            "updated": when(alert.updated),
            "resolved_at": when(alert.resolved_at),
            "resolved_by": name_of(alert.resolved_by),
            "resolved_note": alert.resolved_note,
        }
        for alert in athlete.alerts.all()
    ]


def _invites(athlete) -> list[dict]:
    return [
        {
            "email": invite.email,
            "sent": when(invite.created),
            "expires": when(invite.expires),
            "accepted": when(invite.accepted),
            "revoked": when(invite.revoked),
        }
        for invite in athlete.invites.all()
    ]


def _messages(athlete) -> list[dict]:
    """The athlete's thread with the care team, never the staff notes beside it (portal.export says why)."""
    user = athlete.user
    return [
        {
            "when": when(message.created),
            "channel": message.channel,
            "from": "you" if user is not None and message.author_id == user.pk else name_of(message.author),
            "message": message.body,
        }
        for message in athlete.team_messages
    ]


def _audit_trail(athlete) -> list[dict]:
    """The audit entries about the athlete and their records, and those of what their login did (one query).

    Clinicians appear by name; an IP address only on the athlete's own actions (a clinician's is theirs)."""
    AuditEntry = entry_model()
    actions = {getattr(AuditEntry.Action, name): said for name, said in AUDIT_ACTIONS.items()}
    query = Q(athlete_id=athlete.pk)
    if athlete.user_id:
        query |= Q(actor_id=athlete.user_id)
    entries = (
        AuditEntry.objects.filter(query).select_related("actor", "content_type").order_by("timestamp", "pk")
    )
    trail = []
    for entry in entries:
        own = athlete.user_id is not None and entry.actor_id == athlete.user_id
        model = entry.content_type.model_class() if entry.content_type_id else None
        trail.append(
            {
                "when": when(entry.timestamp),
                "action": actions.get(entry.action, str(entry.action)),
                "record": str(model._meta.verbose_name) if model else None,
                "record_id": entry.object_pk,
                "by": "you" if own else name_of(entry.actor),
                "changes": entry.changes if isinstance(entry.changes, dict) else {},
                "page": (entry.additional_data or {}).get("view")
                or (entry.additional_data or {}).get("event"),
                "ip_address": entry.remote_addr if own else None,
            }
        )
    return trail


def _login_records(athlete) -> list[dict]:
    """django-axes' records of logins, failed logins and lockout counters under the athlete's email addresses
    (three queries): the address they typed, the device's browser and the IP address, per attempt."""
    user = athlete.user
    emails = {email for email in (athlete.email, user.email if user else "") if email}
    if not emails or not apps.is_installed("axes"):
        return []
    by_email = Q(pk__in=[])
    for email in emails:
        by_email |= Q(username__iexact=email)
    records = []
    for kind, model in (
        ("login", "AccessLog"),
        ("failed login", "AccessFailureLog"),
        ("lockout counter", "AccessAttempt"),
    ):
        # By name through the app registry: axes is an optional app.
        for row in apps.get_model("axes", model).objects.filter(by_email).order_by("attempt_time", "pk"):
            records.append(
                {
                    "when": when(row.attempt_time),
                    "kind": kind,
                    "email_typed": row.username,
                    "ip_address": row.ip_address,
                    "browser": row.user_agent,
                    "page": row.path_info,
                    "logged_out": when(getattr(row, "logout_time", None)),
                    "failures": getattr(row, "failures_since_start", None),
                }
            )
    return sorted(records, key=lambda record: record["when"] or "")


def _devices(athlete) -> list[dict]:
    """The login's signed-in devices (portal.devices): the browser and system in words, and when."""
    if athlete.user is None:
        return []
    return [
        {
            "device": device.device,
            "kept_signed_in": device.kept_signed_in,
            "signed_in": when(device.created),
            "last_seen": when(device.last_seen),
            "expires": when(device.expires),
        }
        for device in SignedInDevice.objects.filter(user=athlete.user).order_by("created", "pk")
    ]


def _rows(athlete) -> dict[type, list]:
    return {
        Shoe: pks(Shoe.objects.filter(athlete=athlete)),
        CareTeamMember: pks(CareTeamMember.objects.filter(athlete=athlete)),
        Invite: pks(Invite.objects.filter(athlete=athlete)),
        Alert: pks(Alert.objects.filter(athlete=athlete)),
        Message: pks(Message.objects.filter(athlete=athlete)),
    }


def _forget(athlete) -> None:
    """Prepared files for the athlete (their data export) would otherwise wait up to a day for the clean-up."""
    Download.objects.filter(athlete=athlete).delete()


def _anonymise(athlete, *, by, now) -> None:
    athlete.invites.all().delete()
    # Messages are free text from first to last word: the thread and the staff notes go whole.
    Message.objects.filter(athlete=athlete).delete()
    MessageRead.objects.filter(athlete=athlete).delete()
    MessageEmail.objects.filter(athlete=athlete).delete()
    for number, shoe in enumerate(athlete.shoes.order_by("pk"), start=1):
        if shoe.name != f"Shoe {number}":
            shoe.name = f"Shoe {number}"
            shoe.save(update_fields=["name"])
    Alert.objects.filter(athlete=athlete, resolved_at__isnull=True).update(
        resolved_at=now,
        resolved_by=by,
        resolved_note=ALERT_CLOSED_NOTE,
    )
    Alert.objects.filter(athlete=athlete).exclude(resolved_note__in=["", ALERT_CLOSED_NOTE]).update(
        resolved_note=""
    )
    for row in athlete.shared_care.open():  # the athlete's own coach from outside loses access at once
        shared_care.remove(row=row, by=by, now=now)


register(
    PersonalData(
        app_label="portal",
        models={
            "portal.Shoe": "kept with the distance; the name becomes “Shoe <n>”",
            "portal.CareTeamMember": "kept: the clinic's counts still add up",
            "portal.Invite": "deleted",
            "portal.Alert": "kept (kind, severity, dates); open ones closed, resolution notes blanked",
            "portal.AuditEntry": "kept; personal values scrubbed (portal.privacy)",
            "portal.Download": "deleted (prepared files)",
            "portal.Message": "deleted, the thread and the staff notes",
            "portal.MessageRead": "deleted",
            "portal.MessageEmail": "deleted",
            "portal.SharedCare": "kept as history; open memberships removed",
        },
        prefetch=_prefetch,
        sections=(
            Section("care_team", 40, _care_team, (
                Table("care_team.csv", lambda data: data["care_team"], ["name", "profession", "primary"],
                      "care_team.csv        The clinicians looking after you (name, profession, primary clinician).\n"),
            )),
            Section("shoes", 50, _shoes, (
                Table("shoes.csv", lambda data: data["shoes"], ["name", "km", "retired"],
                      "shoes.csv            Your shoes and the distance on each.\n"),
            )),
            Section("alerts", 90, _alerts, (
                Table("alerts.csv", lambda data: data["alerts"],
                      ["kind", "severity", "message", "created", "updated", "resolved_at", "resolved_by",
                       "resolved_note"],
                      "alerts.csv           Alerts your care team received about you, and how they were resolved.\n"),
            )),
            Section("invites", 100, _invites, (
                Table("invites.csv", lambda data: data["invites"],
                      ["email", "sent", "expires", "accepted", "revoked"],
                      "invites.csv          Invite links sent to you (the links themselves are not kept).\n"),
            )),
            Section("messages", 110, _messages, (
                Table("messages.csv", lambda data: data["messages"], ["when", "channel", "from", "message"],
                      "messages.csv         Your messages with your care team: when, who wrote (you, or a clinician by name) and the\n"
                      "                     text. The care team's staff notes to each other are not in this file: ask your clinic\n"
                      "                     for them, and a clinician will review them with you.\n"),
            )),
            Section("audit_trail", 140, _audit_trail, (
                Table("audit_trail.csv", lambda data: data["audit_trail"],
                      ["when", "action", "record", "record_id", "by", "changes", "page", "ip_address"],
                      "audit_trail.csv      The audit trail: each time someone created, changed, deleted or viewed one of your\n"
                      "                     records (or you did), who (clinicians by name) and when; changes as before and after.\n"),
            )),
            Section("login_records", 150, _login_records, (
                Table("login_records.csv", lambda data: data["login_records"],
                      ["when", "kind", "email_typed", "ip_address", "browser", "page", "logged_out", "failures"],
                      "login_records.csv    Logins, failed logins and lockout counters under your email address: when, the\n"
                      "                     address typed, the IP address and the browser.\n"),
            )),
            Section("signed_in_devices", 160, _devices, (
                Table("signed_in_devices.csv", lambda data: data.get("signed_in_devices", []),
                      ["device", "kept_signed_in", "signed_in", "last_seen", "expires"],
                      "signed_in_devices.csv  The devices where you are signed in: the browser and system in words (for example\n"
                      "                     \"Chrome on Android\"), whether you asked to stay signed in there, and when it was last used.\n"),
            )),
        ),
        rows=_rows,
        personal_fields={
            "portal.shoe": {"name"},
            "portal.invite": {"email", "token_hash"},
            "portal.alert": {"resolved_note"},
            "portal.message": {"body"},
        },
        forget=_forget,
        anonymise=_anonymise,
    )
)  # fmt: skip
