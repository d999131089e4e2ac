"""The athlete's phone app: the web app manifest, the service worker and the sending of logs saved offline.

The service worker (templates/rehab/sw.js) keeps copies of Today, Log today and My plan and of the files they
use; rehab/static/rehab/offline.js saves a log submitted without a connection on the phone (IndexedDB) and sends
it here when the phone is online again (`log_sync`). A copy is sent with the id the phone gave it and the
version of the day's log the page was showing: the same copy sent twice changes nothing, and a log changed on the
server since is not overwritten unless the athlete chooses the phone's copy ("replace").
"""

import hashlib
import json
import uuid
from contextlib import nullcontext
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from portal.models import Shoe
from portal.permissions import athlete_of
from rehab import log_rules, selectors, services
from rehab.forms import DailyLogForm
from rehab.models import DailyLog, RedFlag

THEME_COLOUR = "#0f766e"  # portal/static/portal/site.css: --stride-accent
ICONS = [("rehab/icons/icon-192.png", "192x192"), ("rehab/icons/icon-512.png", "512x512")]
# The files the athlete's pages need offline, kept by the service worker when it is installed (the pages'
# other files, exercise pictures say, are kept the first time they are shown).
SHELL_STATIC = [
    "vendor/bootstrap/bootstrap.min.css",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "portal/site.css",
    "portal/forms.js",
    "portal/favicon.svg",
    "rehab/log.css",
    "rehab/log.js",
    "rehab/charts.css",
    "rehab/offline.js",
    *(path for path, _ in ICONS),
]
SHELL_PAGES = ["rehab:athlete_today", "rehab:log_today", "rehab:my_plan"]


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest: the phone's "Add to home screen" opens Today, full screen."""
    data = {
        "name": "Stride Clinic",
        "short_name": "Stride",
        "description": "Your rehab plan and daily log, from your clinic.",
        "id": reverse("rehab:athlete_today"),
        "start_url": reverse("rehab:athlete_today"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#f8f9fa",
        "theme_color": THEME_COLOUR,
        "icons": [
            {"src": static(path), "sizes": sizes, "type": "image/png", "purpose": "any"}
            for path, sizes in ICONS
        ],
    }
    return JsonResponse(data, content_type="application/manifest+json")


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, at the site's root so that it can look after the athlete's pages (/today/, /log/,
    /my-plan/). Never cached by the browser's HTTP cache: a new release reaches the phone on its next visit."""
    context = {
        "pages": json.dumps([reverse(name) for name in SHELL_PAGES]),
        "assets": json.dumps([static(path) for path in SHELL_STATIC]),
        "login": json.dumps(reverse("login")),
    }
    body = render_to_string("rehab/sw.js", context | {"version": ""})
    # The cache names carry a hash of the script and of its file list (whose names carry the files' hashes in
    # production): a release that changes either installs afresh and drops the caches of the one before.
    version = hashlib.sha256(body.encode()).hexdigest()[:12]
    body = render_to_string("rehab/sw.js", context | {"version": version})
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


def _json(code: int, **data) -> JsonResponse:
    response = JsonResponse(data, status=code)
    response["Cache-Control"] = "no-store"
    return response


def _invalid(errors: dict[str, list[str]]) -> JsonResponse:
    said = " ".join(message for messages in errors.values() for message in messages)
    return _json(
        400, status="invalid", errors=errors,
        message=gettext("This log could not be saved: %(problems)s") % {"problems": said},
    )  # fmt: skip


def _day_words(day: date) -> str:
    """ "Sunday 6 December", in the athlete's language."""
    return date_format(day, gettext("l j F"))


@never_cache
@require_http_methods(["GET", "POST"])
def log_sync(request: HttpRequest) -> HttpResponse:
    """GET: a fresh CSRF token for the phone's script (the cookie is HttpOnly). POST: one log the phone saved
    offline, with its fields as the log form posts them plus `client_id` (the phone's id for the copy), `base`
    (the version of the day's log the page showed, empty when there was none) and `replace` ("1": the athlete
    chose the phone's copy over the server's).

    Answers 200 {"status": "saved" | "unchanged"}, 409 {"status": "conflict", "rows": …} when the day's log was
    changed since (both versions, side by side), 400 {"status": "invalid", "errors": {field: [message]}}, or
    403 when the user is not signed in as an athlete."""
    athlete = athlete_of(request.user)
    if athlete is None:
        message = (
            gettext("Sign in to send the logs saved on this phone.")
            if not request.user.is_authenticated
            else gettext("Only athletes keep a daily log.")
        )
        return _json(403, status="forbidden", message=message)
    if request.method == "GET":
        return _json(200, csrf=get_token(request))
    try:
        client_id = uuid.UUID(request.POST.get("client_id", ""))
    except ValueError:
        return _invalid({"client_id": [gettext("The phone's id for this log is missing or not valid.")]})
    today = timezone.localdate()
    try:
        day = date.fromisoformat(request.POST.get("date", ""))
        services.check_log_date(day, today)
    except ValueError:
        return _invalid({"date": [gettext("The day of this log is missing or not a date.")]})
    except ValidationError:
        # check_log_date's reasons (in English for the API), in the athlete's language.
        if day > today:
            problem = gettext("You can't log a day that hasn't happened yet.")
        else:
            problem = ngettext(
                "Logs can go back %(days)d day at most.", "Logs can go back %(days)d days at most.",
                services.BACKFILL_DAYS,
            ) % {"days": services.BACKFILL_DAYS}  # fmt: skip
        return _invalid({"date": [problem]})
    base = request.POST.get("base", "")
    replace = request.POST.get("replace") == "1"

    read = selectors.DaysRead([athlete.pk], today, exercise_names=True)
    plan = read.plan(athlete.pk)
    yesterday = today - timedelta(days=1)
    logs = {row.date: row for row in DailyLog.objects.filter(athlete=athlete, date__in={day, yesterday})}
    phase = selectors.phase_for_log(plan, logs.get(day), day)
    ask_morning = (
        day == today
        and "this_morning" in request.POST
        and getattr(logs.get(yesterday), "pain_next_morning", None) is None
    )
    form = DailyLogForm(
        request.POST, day=day, today=today, phase=phase, shoes=log_rules.shoes_for_log(athlete),
        ask_morning=ask_morning,
    )  # fmt: skip
    if not form.is_valid():
        return _invalid({name: list(messages) for name, messages in form.errors.items()})
    data = form.log_data()
    if "pain_next_morning" not in request.POST:
        data.pop("pain_next_morning", None)  # the page that saved it did not ask: what is stored stays
    sets = form.sets_done()
    with transaction.atomic():
        log = DailyLog.objects.select_for_update().filter(athlete=athlete, date=day).first()
        if log is not None and log.client_id == client_id:
            return _json(200, status="unchanged", message=_saved_text(day, today), version=_version(log))
        if log is not None and not replace and base != _version(log):
            rows = _compare(log, data, sets, form)
            if any(row["phone"] != row["server"] for row in rows):
                return _json(
                    409, status="conflict", day=_day_words(day), date=day.isoformat(), rows=rows,
                    message=gettext("Your log for %(day)s was changed after this phone saved its copy.")
                    % {"day": _day_words(day)},
                )  # fmt: skip
        morning = form.cleaned_data.get("this_morning") if ask_morning else None
        try:
            with transaction.atomic() if morning is not None else nullcontext():
                if morning is not None:
                    services.log_save(athlete=athlete, day=yesterday, today=today, read=read,
                                      data={"pain_next_morning": morning})  # fmt: skip
                    read = None  # that save may have advanced the plan: the next one reads it again
                log = services.log_save(
                    athlete=athlete, day=day, data=data, sets=sets, today=today, read=read
                )
        except ValidationError as error:
            return _invalid({name: list(messages) for name, messages in error.message_dict.items()})
        DailyLog.objects.filter(pk=log.pk).update(
            client_id=client_id
        )  # not a change to the log: `updated` stays
    log.refresh_from_db(fields=["updated"])
    return _json(200, status="saved", message=_saved_text(day, today), version=_version(log))


def _version(log: DailyLog) -> str:
    """The day's log as the page showed it: its last change (templates/rehab/log_form.html, data-version)."""
    return log.updated.isoformat()


def _saved_text(day: date, today: date) -> str:
    if day == today:
        return gettext("Sent: your log for today is saved.")
    return gettext("Sent: your log for %(day)s is saved.") % {"day": _day_words(day)}


COMPARED = [
    ("pain_during", gettext_lazy("Pain during")),
    ("pain_after", gettext_lazy("Pain afterwards")),
    ("pain_next_morning", gettext_lazy("Pain the next morning")),
    ("run_minutes", gettext_lazy("Run or walk (minutes)")),
    ("distance_km", gettext_lazy("Distance (km)")),
    ("walk_minutes", gettext_lazy("Walk intervals (minutes)")),
    ("jog_minutes", gettext_lazy("Jog intervals (minutes)")),
    ("shoe", gettext_lazy("Shoe")),
    ("session_rpe", gettext_lazy("Session effort (0–10)")),
    ("surface", gettext_lazy("Surface")),
    ("avg_cadence", gettext_lazy("Cadence (steps/min)")),
    ("pain_locations", gettext_lazy("Where it hurt")),
    ("triggers", gettext_lazy("What set it off")),
    ("notes", gettext_lazy("Notes")),
]


def _compare(log: DailyLog, data: dict, sets: dict[int, int], form: DailyLogForm) -> list[dict]:
    """The two versions of the day, one row per answer either of them gives: {"label", "phone", "server"}."""
    choices = {
        "pain_locations": dict(form.fields["pain_locations"].choices),
        "triggers": dict(form.fields["triggers"].choices),
        "surface": dict(form.fields["surface"].choices),
    }
    rows = []
    for name, label in COMPARED:
        if name not in data:
            continue
        phone = _shown(data[name], choices.get(name))
        server = _shown(log.shoe if name == "shoe" and log.shoe_id else getattr(log, name), choices.get(name))
        if phone or server:
            rows.append({"label": str(label), "phone": phone or "—", "server": server or "—"})
    if sets and (sum(sets.values()) or log.sets_done):
        rows.append(
            {
                "label": gettext("Exercise sets done"),
                "phone": str(sum(sets.values())),
                "server": str(log.sets_done),
            }
        )
    phone_flags = [gettext(flag.label) for flag in RedFlag if data.get(flag)]
    server_flags = [gettext(RedFlag(flag).label) for flag in log.red_flags]
    if phone_flags or server_flags:
        rows.append(
            {"label": gettext("Worrying signs"), "phone": "; ".join(phone_flags) or gettext("None"),
             "server": "; ".join(server_flags) or gettext("None")}
        )  # fmt: skip
    return rows


def _shown(value, choices: dict | None) -> str:
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, list):
        return ", ".join(str((choices or {}).get(item, item)) for item in value)
    if isinstance(value, Shoe):
        return str(value)
    if choices:
        return str(choices.get(value, value))
    return f"{value:f}".rstrip("0").rstrip(".") if hasattr(value, "quantize") else str(value)
