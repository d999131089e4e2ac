"""Existing English sentences become codes with parameters (issue #25: the engines speak in codes).

The sentences the engines wrote before (alerts, their automatic closing notes, RehabStatus.reasons, the
services' PhaseChange reasons) are matched by pattern and turned into the code and parameters that say the same
thing today. Days in the old sentences have no year ("Mon 3 Nov"): it is the row's own date's year, or the year
before when that would put the day after the row. Whatever is not recognised keeps its text and is shown as
stored. The old text stays in Alert.message / PhaseChange.reason (legacy fields), so reversing loses nothing.

The patterns are written out here, not imported, so this migration keeps meaning what it meant when the wording
changes.
"""

import re
from datetime import date, timedelta

from django.db import migrations

DAY = r"(?P<day>[A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2})"
NUM = r"-?\d+(?:\.\d+)?"
# The red flags' words in the old sentences (rehab.progression.RED_FLAG_LABELS then).
FLAG_WORDS = {
    "pain at night or at rest": "night_pain",
    "cannot bear weight": "cannot_bear_weight",
    "swelling or bruising": "swelling",
    "locking or giving way": "locking",
    "numbness or tingling": "numbness",
    "fever or feeling unwell": "fever_unwell",
    "saddle numbness or bladder/bowel change": "saddle_bladder_bowel",
}
FLAG_CODES = set(FLAG_WORDS.values())
ACTIONS = {"advance": "advance", "hold": "hold", "regress": "regress", "stop and refer": "stop_and_refer"}
MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), start=1)}
WEEKDAYS = "Mon Tue Wed Thu Fri Sat Sun".split()

# (code, pattern, names of the number groups, names of the day groups) of the progression engine's reasons.
REASONS = [
    ("red_flag", rf"{DAY}: red flag — (?P<flag>[^.]+?)\.", ()),
    ("refer_pain", rf"{DAY}: pain (?P<pain>\d+)/10 \(7 or more means stop and get checked\)\.", ("pain",)),
    (
        "bone_stress_running_pain",
        rf"{DAY}: pain (?P<pain>\d+)/10 while running on a bone stress plan: any pain here means stop running and "
        r"get checked\.",
        ("pain",),
    ),
    (
        "red_flag_waiting",
        r"A warning sign logged around (?P<since>[A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2}) is still waiting for a "
        r"clinician \(its alert is open\)\.",
        (),
    ),
    (
        "allowance_exceeded",
        rf"{DAY}: (?:(?P<during>\d+)/10 during, above the allowance of (?P<allow_during>\d+)/10)?(?:; )?"
        r"(?:(?P<after>\d+)/10 after, above the allowance of (?P<allow_after>\d+)/10)?\.",
        ("during", "allow_during", "after", "allow_after"),
    ),
    (
        "morning_rise",
        rf"{DAY}: next morning (?P<pain>\d+)/10, (?P<rise>{NUM}) points above the usual (?P<baseline>{NUM})/10\.",
        ("pain", "rise", "baseline"),
    ),
    (
        "first_phase_review",
        r"This is the plan's first phase, so there is nothing to step back to: hold, and review the plan with the "
        r"athlete\.",
        (),
    ),
    (
        "morning_not_settled",
        rf"{DAY}: next morning (?P<pain>\d+)/10, not settled back to (?P<baseline>{NUM})/10\.",
        ("pain", "baseline"),
    ),
    ("pain_free_pain", rf"{DAY}: pain (?P<pain>\d+)/10 — this plan must stay pain-free\.", ("pain",)),
    (
        "pain_rising",
        rf"Pain is rising week on week \(average (?P<before>{NUM}) → (?P<now>{NUM})/10\)\.",
        ("before", "now"),
    ),
    (
        "weekly_distance_jump",
        rf"Weekly distance up (?P<pct>{NUM}) % \((?P<before>{NUM}) → (?P<week>{NUM}) km\): more than "
        rf"(?P<limit>{NUM}) % in a week\. Do what this phase asks before moving on\.",
        ("pct", "before", "week", "limit"),
    ),
    (
        "long_run_jump",
        rf"{DAY}: a run of (?P<value>{NUM}) (?P<unit>km|min), (?P<pct>{NUM}) % longer than the longest of the 2 "
        rf"weeks before \((?P<longest>{NUM}) (?:km|min)\)\.",
        ("value", "pct", "longest"),
    ),
    (
        "over_prescription",
        rf"{DAY}: (?P<minutes>\d+) minutes, well above the (?P<prescribed>\d+) this phase asks for\. Do what this "
        r"phase asks before moving on\.",
        ("minutes", "prescribed"),
    ),
    ("days_in_phase", r"Day (?P<days>\d+) of at least (?P<min_days>\d+) in this phase\.", ("days", "min_days")),
    ("sessions_logged", r"(?P<logged>\d+) of (?P<needed>\d+) sessions logged in this phase\.", ("logged", "needed")),
    ("today_counts_tomorrow", r"Today's session counts once tomorrow morning's pain is recorded\.", ()),
    ("morning_pending", rf"{DAY}: next-morning pain not recorded yet\.", ()),
    (
        "pain_unanswered",
        rf"{DAY}: pain (?P<missing>during and after|during|after) not recorded, so this session cannot count as "
        r"within the allowance\.",
        (),
    ),
    (
        "ladder_waiting",
        rf"Walk/jog ladder: (?P<done>\d+) of (?P<needed>\d+) sessions at the last step \(jog (?P<jog>{NUM}) min, "
        rf"walk (?P<walk>{NUM}) min\) so far; each step is repeated until it stays within the allowance\.",
        ("done", "needed", "jog", "walk"),
    ),
    (
        "compliance_below",
        r"Compliance (?P<percent>\d+) % over the last 7 days \((?P<needed>\d+) % needed\)\.",
        ("percent", "needed"),
    ),
    ("final_phase_met", r"Final phase, and every criterion is met: consider completing the plan\.", ()),
    (
        "sessions_within",
        r"The last (?P<sessions>\d+) sessions were within the allowance and settled by the next morning\.",
        ("sessions",),
    ),
    ("compliance_met", r"Compliance of (?P<needed>\d+) % or more over the last 7 days\.", ("needed",)),
    (
        "needs_clearance",
        r"Every criterion of this phase is met, but the next phase needs a clinician's clearance \(and imaging "
        r"where needed\) before it starts: record the clearance to move on\.",
        (),
    ),
]
# The alerts rehab raised, and why they closed by themselves.
ALERTS = [
    ("alert_stop_and_refer", rf"Stop and refer: (?P<what>.+) \({DAY}\)\.", ()),
    (
        "alert_bone_stress_pain",
        rf"Pain (?P<pain>\d+)/10 on {DAY} in a running phase of a bone stress plan: stop running and check \(any "
        r"pain counts here\)\.",
        ("pain",),
    ),
    (
        "alert_pain_spike",
        rf"Pain (?P<pain>\d+)/10 on {DAY}, (?P<rise>{NUM}) points above the 7-day usual (?P<baseline>{NUM})/10\.",
        ("pain", "rise", "baseline"),
    ),
    ("alert_ready_to_advance", r"Ready to advance: every criterion of this phase is met\.", ()),
    (
        "alert_clearance_due",
        r"Every criterion of this phase is met: the next phase starts once a clinician records a clearance\.",
        (),
    ),
    ("alert_no_log", r"No log since (?P<last>[A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2}) \((?P<days>\d+) days\)\.", ("days",)),
    ("alert_no_log_since_start", r"Nothing logged since the plan started (?P<days>\d+) days ago\.", ("days",)),
    ("alert_low_compliance", r"Compliance (?P<percent>\d+) % over the last 7 days\.", ("percent",)),
    ("alert_coach_requests", r"(?P<count>A request|\d+ requests) from the coach waiting for your decision\.", ()),
]
CLOSINGS = [
    (
        "closed_engine_moved_on",
        r"Closed automatically: the progression engine now says (?P<action>advance|hold|regress|stop and refer)\.",
        (),
    ),
    ("closed_no_plan", r"Closed automatically: the progression engine has no active plan to judge\.", ()),
    ("closed_no_clearance_waiting", r"Closed automatically: no clearance is waiting any more\.", ()),
    (
        "closed_compliance",
        r"Closed automatically: 7-day compliance is (?P<percent>\d+ %|nothing planned) now\.",
        (),
    ),
    ("closed_plan_changed", r"The plan was changed\.", ()),
    (
        "closed_answered",
        r"Answered: the plan was (?P<action>stepped back one phase|paused for a referral)\.",
        (),
    ),
    ("closed_cleared", r"Cleared for “(?P<phase>.+)”\.", ()),
    ("closed_logged", r"The athlete logged (?P<logged>\d{2} [A-Z][a-z]{2})\.", ()),
    ("closed_coach_decided", r"Every request from the coach was decided\.", ()),
]
PHASE_REASONS = [
    ("plan_assigned", r"Assigned from “(?P<template>.+)”\.", ()),
    ("plan_started_blank", r"Started as an empty plan, built by the clinician\.", ()),
]
COMPILED = {
    name: [(code, re.compile(pattern), numbers) for code, pattern, numbers in table]
    for name, table in (("reasons", REASONS), ("alerts", ALERTS), ("closings", CLOSINGS), ("phase", PHASE_REASONS))
}


def old_day(text: str, on: date, *, weekday: bool = True) -> str:
    """ "Mon 3 Nov" of a row dated `on`, as an ISO day: the latest such day not after `on` (+1 day of slack),
    preferring a year where the weekday matches (`weekday=False`: the text has none)."""
    weekday_name, day, month = text.split()
    candidates = []
    for year in (on.year + 1, on.year, on.year - 1, on.year - 2):
        try:
            candidates.append(date(year, MONTHS[month], int(day)))
        except (KeyError, ValueError):
            continue
    candidates = [c for c in candidates if c <= on + timedelta(days=1)]
    matching = [c for c in candidates if WEEKDAYS[c.weekday()] == weekday_name] if weekday else []
    chosen = (matching or candidates or [None])[0]
    if chosen is None:
        raise ValueError(text)
    return chosen.isoformat()


def _number(text: str):
    return float(text) if "." in text else int(text)


def _params(code: str, match: re.Match, numbers, on: date) -> dict | None:
    params = {key: value for key, value in match.groupdict().items() if value is not None}
    for key in ("day", "since", "last"):
        if key in params:
            params[key] = old_day(params[key], on)
    for key in numbers:
        if key in params:
            params[key] = _number(params[key])
    if code == "allowance_exceeded" and "during" not in params and "after" not in params:
        return None
    if code == "red_flag":
        flag = FLAG_WORDS.get(params["flag"], params["flag"])
        if flag not in FLAG_CODES:
            return None
        params["flag"] = flag
    if code == "pain_unanswered":
        params["missing"] = params["missing"].split(" and ")
    if code == "alert_stop_and_refer":
        flags, pain = [], None
        for part in params.pop("what").split(", "):
            if part in FLAG_WORDS:
                flags.append(FLAG_WORDS[part])
            elif (found := re.fullmatch(r"pain (\d+)/10", part)) is not None:
                pain = int(found.group(1))
            else:
                return None
        params.update(flags=flags, pain=pain)
    if code == "alert_coach_requests":
        params["count"] = 1 if params["count"] == "A request" else int(params["count"].split()[0])
    if code == "closed_engine_moved_on":
        params["action"] = ACTIONS[params["action"]]
    if code == "closed_answered":
        params["action"] = "regress" if params["action"].startswith("stepped") else "stop_and_refer"
    if code == "closed_logged":  # "05 Dec": no weekday
        day, month = params.pop("logged").split()
        params["day"] = old_day(f"{WEEKDAYS[0]} {int(day)} {month}", on, weekday=False)
    if code == "closed_compliance":
        percent = params["percent"]
        params["percent"] = None if percent == "nothing planned" else int(percent.split()[0])
    return params


def parse(text: str, on: date, table: str) -> dict | None:
    """One old sentence as {"code", "params"}, or None when it is not one the engines wrote."""
    for code, pattern, numbers in COMPILED[table]:
        match = pattern.fullmatch(text)
        if match is not None:
            try:
                params = _params(code, match, numbers, on)
            except ValueError:
                return None
            if params is not None:
                return {"code": code, "params": params}
    return None


def parse_many(text: str, on: date) -> list[dict] | None:
    """Old reasons joined by spaces ("Recommended: …"), each as a code; None when any part is not recognised."""
    found, rest = [], text.strip()
    while rest:
        for code, pattern, numbers in COMPILED["reasons"]:
            match = pattern.match(rest)
            if match is None or (match.end() < len(rest) and rest[match.end()] != " "):
                continue
            try:
                params = _params(code, match, numbers, on)
            except ValueError:
                continue
            if params is not None:
                found.append({"code": code, "params": params})
                rest = rest[match.end() :].strip()
                break
        else:
            return None
    return found


def parse_phase_change(text: str, on: date) -> dict | None:
    """A PhaseChange reason the services wrote, as a code (a clinician's own words are not recognised)."""
    for prefix, code in (("Recommended: ", "phase_recommended"), ("Automatic: ", "phase_automatic")):
        if text.startswith(prefix):
            reasons = parse_many(text[len(prefix) :], on)
            return {"code": code, "params": {"reasons": reasons}} if reasons else None
    return parse(text, on, "phase")


def _local_day(moment) -> date:
    return moment.date() if moment is not None else date.today()


def to_codes(apps, schema_editor):
    Alert = apps.get_model("portal", "Alert")
    for alert in Alert.objects.filter(code="").exclude(message="").iterator():
        on = _local_day(alert.updated or alert.created)
        fields = []
        said = parse(alert.message, on, "alerts")
        if said is not None:
            alert.code, alert.params = said["code"], said["params"]
            fields += ["code", "params"]
        closing = parse(alert.resolved_note, on, "closings") if alert.resolved_note else None
        if closing is not None:
            alert.resolved_code, alert.resolved_params = closing["code"], closing["params"]
            fields += ["resolved_code", "resolved_params"]
        if fields:
            alert.save(update_fields=fields)
    RehabStatus = apps.get_model("rehab", "RehabStatus")
    for status in RehabStatus.objects.exclude(reasons=[]).iterator():
        reasons = [
            (parse(r, status.as_of, "reasons") or r) if isinstance(r, str) else r for r in status.reasons or []
        ]
        if reasons != status.reasons:
            status.reasons = reasons
            status.save(update_fields=["reasons"])
    PhaseChange = apps.get_model("rehab", "PhaseChange")
    for change in PhaseChange.objects.filter(reason_code="").exclude(reason="").iterator():
        said = parse_phase_change(change.reason, _local_day(change.created))
        if said is not None:
            change.reason_code, change.reason_params = said["code"], said["params"]
            change.save(update_fields=["reason_code", "reason_params"])


def statuses_to_text(apps, schema_editor):
    """Backwards: the old code read a status's reasons as sentences or outcomes codes; rehab codes are dropped
    (the nightly refresh, rehab.refresh_athletes, writes them again). Alerts and phase changes kept their text."""
    RehabStatus = apps.get_model("rehab", "RehabStatus")
    for status in RehabStatus.objects.exclude(reasons=[]).iterator():
        rehab_codes = {code for code, _pattern, _numbers in REASONS}
        kept = [r for r in status.reasons if isinstance(r, str) or r.get("code") not in rehab_codes]
        if kept != status.reasons:
            status.reasons = kept
            status.save(update_fields=["reasons"])


class Migration(migrations.Migration):
    dependencies = [
        ("rehab", "0019_phase_change_reason_code"),
        ("portal", "0019_alert_code_params"),
    ]

    operations = [migrations.RunPython(to_codes, statuses_to_text)]
