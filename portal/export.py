"""“Everything about me”: an athlete's records as one JSON file and one CSV per table, in a zip.

Plain code (no HTTP): the pages and the API wrap `export_zip`. The data is read with a fixed number of queries
whatever the number of logs (`export_data`), and only through the athlete's own relations, so nothing of
another athlete can slip in. Logins appear as an email and dates only: never a password hash, a token or an
invite token hash. People other than the athlete (clinicians) appear by name only, never with their address.
The audit trail about the athlete (who changed or viewed their records) and the login records under their
email addresses (logins, failed logins, lockout counters) are in it too: "everything stored about you".
Messages: the athlete's thread with the care team, never the staff notes beside it. Those are the clinicians'
notes to each other; the export goes to the athlete whoever starts it, so a request for them is answered by
the clinic, which reviews them first as any clinical note (README_TEXT says so).
"""

import csv
import io
import json
import zipfile
from datetime import date

from django.utils import timezone
from django.utils.text import slugify

from portal import data_registry
from portal.data_registry import flat, num, when
from portal.models import Athlete

FORMAT_VERSION = 1
JSON_NAME = "stride-clinic-data.json"


# --------------------------------------------------------------------------------------------- reading


def _load(athlete: Athlete) -> Athlete:
    """The athlete with every app's related rows prefetched (portal.data_registry): a fixed number of queries,
    however many logs there are."""
    return (
        Athlete.objects.select_related("clinic", "user")
        .prefetch_related(*data_registry.prefetches())
        .get(pk=athlete.pk)
    )


def export_data(athlete: Athlete, *, now=None) -> dict:
    """Everything stored about `athlete`, nested, as JSON-ready values (see README_TEXT for the fields): the
    athlete's own record and login here, then each app's sections (portal.data_registry) in their places."""
    now = now or timezone.now()
    athlete = _load(athlete)
    user = athlete.user
    data = {
        "export": {
            "format": "stride-clinic-athlete-export",
            "version": FORMAT_VERSION,
            "exported_at": when(now),
            "athlete_id": athlete.pk,
        },
        "profile": {
            "first_name": athlete.first_name,
            "last_name": athlete.last_name,
            "email": athlete.email,
            "date_of_birth": when(athlete.date_of_birth),
            "sex": athlete.sex,
            "weekly_km": num(athlete.weekly_km),
            "years_running": athlete.years_running,
            "goal_event": athlete.goal_event,
            "goal_date": when(athlete.goal_date),
            "created": when(athlete.created),
            "updated": when(athlete.updated),
            "personal_data_deleted": when(athlete.anonymised_at),
        },
        "login": (
            {
                "email": user.email,
                "date_joined": when(user.date_joined),
                "last_login": when(user.last_login),
            }
            if user is not None
            else None
        ),
        "clinic": {"name": athlete.clinic.name},
    }
    for section in data_registry.sections():
        data[section.key] = section.collect(athlete)
    return data


# --------------------------------------------------------------------------------------------- tables


def _profile_rows(data: dict) -> list[dict]:
    profile = {**data["profile"], "clinic": data["clinic"]["name"]}
    if data["login"]:
        profile |= {f"login_{key}": value for key, value in data["login"].items()}
    return [profile]


PROFILE_TABLE = data_registry.Table(
    "profile.csv",
    _profile_rows,
    [],
    "profile.csv          Your profile, your clinic and your login's email address and dates.\n",
)


def _tables() -> list[data_registry.Table]:
    return [PROFILE_TABLE, *(table for section in data_registry.sections() for table in section.tables)]


def export_tables(data: dict) -> dict[str, list[dict]]:
    """The nested export as flat tables (file name → rows), the same values as the JSON file."""
    return {table.name: table.rows(data) for table in _tables()}


def _cell(value):
    value = flat(value)
    if value is None:
        return ""
    # A text cell starting like a formula is run by spreadsheet programs: make it plain text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(rows: list[dict], header: list[str] | None = None) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs read accents right."""
    header = list(rows[0]) if rows else list(header or [])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(row.get(name)) for name in header])
    return out.getvalue().encode("utf-8-sig")


# --------------------------------------------------------------------------------------------- the zip

# The README: this opening, then each table's lines (data_registry.Table.readme), then README_UNITS.
README_TEXT = """\
Your data from Stride Clinic
============================

Exported on {exported_at} for {name} ({clinic}).

This archive holds everything Stride Clinic stores about you: your profile, your care team, your shoes,
your hip checks with the answers you gave and the result you were shown, your rehab plans with every phase,
exercise and phase change, your daily logs, the alerts and notes your care team recorded about you, your
messages with your care team, your questionnaires and clinic visits with their tests, the audit trail of who looked at or changed your records, and the records of logins to your account.
Clinicians appear by name only. Passwords and login tokens are never exported.

Files
-----
{json_name}
    Everything in one file, nested (the most complete view; the CSV files below hold the same values).
"""

README_UNITS = """\
Units and formats
-----------------
- Dates are ISO 8601 (YYYY-MM-DD); times are ISO 8601 in the clinic's time zone with the UTC offset.
- Distances are kilometres (km); durations minutes; hold times seconds; incline and caps percent.
- Pain is scored 0 (no pain) to 10 (worst imaginable). A plan phase's pain limits use the same scale.
- Lists inside a CSV cell are separated by "; ". CSV files are UTF-8; text that starts with =, +, - or @
  is prefixed with an apostrophe so spreadsheet programs do not run it as a formula.
- Codes (urgency, plan status, kinds of alerts and phase changes, run activity) are the app's stable codes,
  e.g. urgency: emergency, urgent, routine, self_care.

Questions about your data, or a request to delete it: ask your clinic ({clinic}).
"""


def export_filename(athlete: Athlete, day: date) -> str:
    name = slugify(athlete.full_name) or f"athlete-{athlete.pk}"
    return f"stride-clinic-{name}-{day.isoformat()}.zip"


def export_zip(athlete: Athlete, *, now=None) -> bytes:
    """The zip: README.txt, the JSON file and one CSV per table."""
    now = now or timezone.now()
    data = export_data(athlete, now=now)
    stamp = timezone.localtime(now).timetuple()[:6]
    tables = _tables()
    readme = (
        README_TEXT.format(
            exported_at=data["export"]["exported_at"],
            name=f"{data['profile']['first_name']} {data['profile']['last_name']}".strip(),
            clinic=data["clinic"]["name"],
            json_name=JSON_NAME,
        )
        + "".join(table.readme for table in tables)
        + "\n"
        + README_UNITS.format(clinic=data["clinic"]["name"])
    )
    files = {
        "README.txt": readme.encode(),
        JSON_NAME: json.dumps(data, ensure_ascii=False, indent=2).encode(),
    }
    for table in tables:
        files[table.name] = to_csv(table.rows(data), table.header)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return buffer.getvalue()
