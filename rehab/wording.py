"""Prescriptions in plain words, for the athlete's pages and the printed program, in the active language
(gettext: call them inside the reader's language, e.g. portal.languages.override_for_person); the rehab engines'
reasons (codes with parameters: rehab.codes) in the active language, at the end."""

from collections import defaultdict
from datetime import date

from django.utils.formats import date_format, localize, number_format
from django.utils.translation import gettext, gettext_lazy, gettext_noop, ngettext, pgettext_lazy
from django.utils.translation import gettext as _

from library.dosage import dosage_in_words
from outcomes import wording as outcomes_wording
from rehab import codes
from rehab.codes import Action, Reason
from rehab.progression import RED_FLAG_LABELS

# Sessions a week in words; other counts go through ngettext.
TIMES = {
    1: gettext_lazy("once a week"),
    2: gettext_lazy("twice a week"),
    3: gettext_lazy("three times a week"),
    4: gettext_lazy("four times a week"),
    5: gettext_lazy("five times a week"),
    6: gettext_lazy("six times a week"),
    7: gettext_lazy("every day"),
}


def _per_week(sessions) -> str:
    if not sessions:
        return ""
    if sessions in TIMES:
        return str(TIMES[sessions])
    return ngettext("%(count)s time a week", "%(count)s times a week", sessions) % {"count": sessions}


def _number(value) -> str:
    """5 → "5", 2.5 → "2.5" (or "2,5" in Spanish)."""
    return number_format(f"{value:g}")


def run_text(phase) -> str:
    """The run prescription of a phase (any object with the PhaseFields attributes), walk/jog steps included."""
    text = run_main_text(phase)
    if steps := run_steps_text(phase):
        text += " " + steps
    if phase.run_note:
        text += " " + phase.run_note
    return text


def run_main_text(phase) -> str:
    """The run prescription without the walk/jog steps and the note, e.g. "Easy jog 25 min without stopping."."""
    activity = phase.run_activity
    minutes = phase.run_minutes
    week = _per_week(phase.sessions_per_week)
    incline = (
        _("on a %(incline)s %% incline") % {"incline": _number(phase.incline_pct)}
        if phase.incline_pct
        else ""
    )
    during = _("for %(minutes)s min") % {"minutes": minutes} if minutes else ""

    def sentence(*parts) -> str:
        """The parts that are there, joined by commas, with a full stop."""
        return ", ".join(part for part in parts if part) + "."

    if activity == "none":
        return _("No running in this phase.")
    if activity == "cross_train":
        text = _("No running. Keep fit with cycling, swimming or other low-impact training")
        if minutes:
            text = _("%(text)s: %(minutes)s min") % {"text": text, "minutes": minutes}
        return sentence(text, week)
    if activity == "walk":
        text = _("Brisk walk %(minutes)s min") % {"minutes": minutes} if minutes else _("Brisk walk")
        return sentence(" ".join(part for part in (text, incline) if part), week)
    if activity == "walk_jog":
        walk, jog = phase.walk_minutes, phase.jog_minutes
        if run_steps_lines(phase):
            # The steps say how long each jog and walk lasts; walk/jog minutes would only repeat step 1.
            text = " ".join(part for part in (_("Walk and jog in turns"), during, incline) if part)
            return sentence(text, week, _("one step at a time"))
        if walk and jog:
            text = _("Walk %(walk)s min / jog %(jog)s min") % {"walk": walk, "jog": jog}
            rounds = minutes // (walk + jog) if minutes else 0
            if rounds:
                text += f" × {rounds} ({minutes} min)"
            elif minutes:
                text += " " + during
        else:
            text = " ".join(part for part in (_("Walk and jog in turns"), during) if part)
        return sentence(" ".join(part for part in (text, incline) if part), week)
    if activity == "jog":
        text = (
            _("Easy jog %(minutes)s min without stopping") % {"minutes": minutes}
            if minutes
            else _("Easy jog without stopping")
        )
        return sentence(" ".join(part for part in (text, incline) if part), week)
    # run
    text = ", ".join(
        part for part in (_("Normal running"), f"{minutes} min" if minutes else "", week) if part
    )
    if phase.weekly_increase_cap_pct:
        cap = _("raise your weekly volume by no more than %(percent)s %% a week")
        text += "; " + cap % {"percent": phase.weekly_increase_cap_pct}
    return text + "."


def run_steps_lines(phase) -> list[str]:
    """A walk/jog phase's ladder, one line a step: ["Step 1: jog 1 min, walk 3 min", ...] (empty without one)."""
    if phase.run_activity != "walk_jog":
        return []
    verbs = {"jog": _("jog %(minutes)s"), "walk": _("walk %(minutes)s")}
    lines = []
    for step in getattr(phase, "run_steps", None) or []:
        if not isinstance(step, dict):
            continue
        parts = [
            verbs[verb] % {"minutes": _minutes(step.get(verb))}
            for verb in ("jog", "walk")
            if _minutes(step.get(verb))
        ]
        if parts:
            lines.append(
                _("Step %(number)s: %(parts)s") % {"number": len(lines) + 1, "parts": ", ".join(parts)}
            )
    return lines


def run_steps_text(phase) -> str:
    """The ladder as sentences: "Step 1: jog 1 min, walk 3 min. Step 2: jog 2 min, walk 2 min." ("" without one)."""
    return " ".join(f"{line}." for line in run_steps_lines(phase))


def _minutes(value) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return ""
    return f"{_number(value)} min"


def pain_text(phase) -> str:
    """The pain rule of a phase, e.g. "Up to 2/10 during is OK; it must settle by tomorrow morning."."""
    during, after = phase.max_pain_during, phase.max_pain_after
    if during == 0 and after == 0:
        # Nothing to settle: "settle by tomorrow" would suggest some pain is expected.
        parts = [_("No pain at all, during or after (0/10)")]
        if not phase.next_day_pain_allowed:
            parts.append(_("none the next morning either"))
    else:
        if during == 0:
            parts = [_("No pain during the activity (0/10)")]
        else:
            parts = [_("Up to %(pain)s/10 during is OK") % {"pain": during}]
        if after is not None and after != during:
            parts.append(
                _("none afterwards") if after == 0 else _("up to %(pain)s/10 afterwards") % {"pain": after}
            )
        if phase.must_settle_by_morning:
            parts.append(_("it must settle by tomorrow morning"))
        if not phase.next_day_pain_allowed:
            parts.append(_("no extra pain the next day"))
    text = "; ".join(parts) + "."
    if phase.pain_note:
        text += " " + phase.pain_note
    return text


def dosage_text(row) -> str:
    """A plan row's dosage in words, e.g. "3 sets × 10 reps, each side · 2 days a week. Band above the knees"."""
    return dosage_in_words(row, note=row.note, fallback=_("As your clinician showed you"))


# The stop-and-contact list (DOMAIN.md sections 2 and 6), in the athlete's words: every red flag a log can report
# (rehab.models.RedFlag values; one line each, so a new red flag without words fails tests/rehab/test_pdf.py) and
# severe pain. The printed program and the athlete's pages show the same list, translated as they render it
# ({% translate line %}): the English here is the msgid, marked with gettext_noop.
STOP_WORDS = {
    "night_pain": gettext_noop("pain wakes you at night or aches at rest"),
    "cannot_bear_weight": gettext_noop(
        "you cannot put your full weight on the leg, or the groin hurts when you stand or walk on it"
    ),
    "swelling": gettext_noop("you can see swelling or bruising"),
    "locking": gettext_noop("the hip locks, catches or gives way"),
    "numbness": gettext_noop("you feel numbness or tingling in the leg"),
    "fever_unwell": gettext_noop("you have a fever or feel unwell"),
    "saddle_bladder_bowel": gettext_noop(
        "numbness between your legs or around your bottom, or a new change in bladder or bowel control: go to an "
        "emergency department now"
    ),
}
HIGH_PAIN = gettext_noop("pain reaches 7/10 or more")
# On a pain-free (bone stress) plan any pain is the signal, not 7/10.
ANY_PAIN = gettext_noop("you feel any pain in the hip or groin, during, after or the next morning")
EMERGENCY_FLAG = STOP_WORDS["saddle_bladder_bowel"]


def stop_list(*, pain_free: bool) -> list[str]:
    """The "stop and contact us" lines, the emergency one (EMERGENCY_FLAG) left out to be shown on its own."""
    return [*(w for w in STOP_WORDS.values() if w != EMERGENCY_FLAG), ANY_PAIN if pain_free else HIGH_PAIN]


# ----------------------------------------------------------------------------------------------- reasons
# The rehab engines speak in codes (rehab.codes: a code and its parameters); these say them in the active
# language at display time. Days arrive as ISO strings, numbers as numbers.

_DAY_FORMAT = "D j M"  # "Mon 3 Nov" (in the active language)

# CLOSED_ENGINE_MOVED_ON, by what the engine says now (a sentence each: the action's word changes with it).
_MOVED_ON = {
    Action.ADVANCE: gettext_noop("Closed automatically: the progression engine now says advance."),
    Action.HOLD: gettext_noop("Closed automatically: the progression engine now says hold."),
    Action.REGRESS: gettext_noop("Closed automatically: the progression engine now says regress."),
    Action.STOP_AND_REFER: gettext_noop(
        "Closed automatically: the progression engine now says stop and refer."
    ),
}

_TEXTS = {
    codes.RED_FLAG: gettext_noop("%(day)s: red flag — %(flag)s."),
    codes.REFER_PAIN: gettext_noop("%(day)s: pain %(pain)s/10 (7 or more means stop and get checked)."),
    codes.BONE_STRESS_RUNNING_PAIN: gettext_noop(
        "%(day)s: pain %(pain)s/10 while running on a bone stress plan: any pain here means stop running and "
        "get checked."
    ),
    codes.RED_FLAG_WAITING: gettext_noop(
        "A warning sign logged around %(since)s is still waiting for a clinician (its alert is open)."
    ),
    codes.MORNING_RISE: gettext_noop(
        "%(day)s: next morning %(pain)s/10, %(rise)s points above the usual %(baseline)s/10."
    ),
    codes.FIRST_PHASE_REVIEW: gettext_noop(
        "This is the plan's first phase, so there is nothing to step back to: hold, and review the plan with "
        "the athlete."
    ),
    codes.MORNING_NOT_SETTLED: gettext_noop(
        "%(day)s: next morning %(pain)s/10, not settled back to %(baseline)s/10."
    ),
    codes.PAIN_FREE_PAIN: gettext_noop("%(day)s: pain %(pain)s/10 — this plan must stay pain-free."),
    codes.PAIN_RISING: gettext_noop("Pain is rising week on week (average %(before)s → %(now)s/10)."),
    codes.WEEKLY_DISTANCE_JUMP: gettext_noop(
        "Weekly distance up %(pct)s %% (%(before)s → %(week)s km): more than %(limit)s %% in a week. Do what "
        "this phase asks before moving on."
    ),
    codes.LONG_RUN_JUMP: gettext_noop(
        "%(day)s: a run of %(value)s %(unit)s, %(pct)s %% longer than the longest of the 2 weeks before "
        "(%(longest)s %(unit)s)."
    ),
    codes.OVER_PRESCRIPTION: gettext_noop(
        "%(day)s: %(minutes)s minutes, well above the %(prescribed)s this phase asks for. Do what this phase "
        "asks before moving on."
    ),
    codes.DAYS_IN_PHASE: gettext_noop("Day %(days)s of at least %(min_days)s in this phase."),
    codes.SESSIONS_LOGGED: gettext_noop("%(logged)s of %(needed)s sessions logged in this phase."),
    codes.TODAY_COUNTS_TOMORROW: gettext_noop(
        "Today's session counts once tomorrow morning's pain is recorded."
    ),
    codes.MORNING_PENDING: gettext_noop("%(day)s: next-morning pain not recorded yet."),
    codes.LADDER_WAITING: gettext_noop(
        "Walk/jog ladder: %(done)s of %(needed)s sessions at the last step (jog %(jog)s min, walk %(walk)s min) "
        "so far; each step is repeated until it stays within the allowance."
    ),
    codes.COMPLIANCE_BELOW: gettext_noop(
        "Compliance %(percent)s %% over the last 7 days (%(needed)s %% needed)."
    ),
    codes.FINAL_PHASE_MET: gettext_noop(
        "Final phase, and every criterion is met: consider completing the plan."
    ),
    codes.SESSIONS_WITHIN: gettext_noop(
        "The last %(sessions)s sessions were within the allowance and settled by the next morning."
    ),
    codes.COMPLIANCE_MET: gettext_noop("Compliance of %(needed)s %% or more over the last 7 days."),
    codes.NEEDS_CLEARANCE: gettext_noop(
        "Every criterion of this phase is met, but the next phase needs a clinician's clearance (and imaging "
        "where needed) before it starts: record the clearance to move on."
    ),
    codes.ALERT_STOP_AND_REFER: gettext_noop("Stop and refer: %(what)s (%(day)s)."),
    codes.ALERT_BONE_STRESS_PAIN: gettext_noop(
        "Pain %(pain)s/10 on %(day)s in a running phase of a bone stress plan: stop running and check (any pain "
        "counts here)."
    ),
    codes.ALERT_PAIN_SPIKE: gettext_noop(
        "Pain %(pain)s/10 on %(day)s, %(rise)s points above the 7-day usual %(baseline)s/10."
    ),
    codes.ALERT_READY_TO_ADVANCE: gettext_noop("Ready to advance: every criterion of this phase is met."),
    codes.ALERT_CLEARANCE_DUE: gettext_noop(
        "Every criterion of this phase is met: the next phase starts once a clinician records a clearance."
    ),
    codes.ALERT_NO_LOG: gettext_noop("No log since %(last)s (%(days)s days)."),
    codes.ALERT_NO_LOG_SINCE_START: gettext_noop("Nothing logged since the plan started %(days)s days ago."),
    codes.ALERT_LOW_COMPLIANCE: gettext_noop("Compliance %(percent)s %% over the last 7 days."),
    codes.CLOSED_NO_PLAN: gettext_noop(
        "Closed automatically: the progression engine has no active plan to judge."
    ),
    codes.CLOSED_NO_CLEARANCE_WAITING: gettext_noop(
        "Closed automatically: no clearance is waiting any more."
    ),
    codes.CLOSED_PLAN_CHANGED: gettext_noop("The plan was changed."),
    codes.CLOSED_CLEARED: gettext_noop("Cleared for “%(phase)s”."),
    codes.CLOSED_LOGGED: gettext_noop("The athlete logged %(day)s."),
    codes.CLOSED_COACH_DECIDED: gettext_noop("Every request from the coach was decided."),
    codes.PHASE_RECOMMENDED: gettext_noop("Recommended: %(reasons)s"),
    codes.PHASE_AUTOMATIC: gettext_noop("Automatic: %(reasons)s"),
    codes.PLAN_ASSIGNED: gettext_noop("Assigned from “%(template)s”."),
    codes.PLAN_STARTED_BLANK: gettext_noop("Started as an empty plan, built by the clinician."),
}
# PAIN_UNANSWERED, by which answers are missing.
_UNANSWERED = {
    ("during",): gettext_noop(
        "%(day)s: pain during not recorded, so this session cannot count as within the allowance."
    ),
    ("after",): gettext_noop(
        "%(day)s: pain after not recorded, so this session cannot count as within the allowance."
    ),
    ("during", "after"): gettext_noop(
        "%(day)s: pain during and after not recorded, so this session cannot count as within the allowance."
    ),
}
# Rendered by code rather than from _TEXTS alone (their parameters need more than a format).
_COMPOSED = (
    codes.ALLOWANCE_EXCEEDED,
    codes.PAIN_UNANSWERED,
    codes.ALERT_COACH_REQUESTS,
    codes.CLOSED_COMPLIANCE,
    codes.CLOSED_ENGINE_MOVED_ON,
    codes.CLOSED_ANSWERED,
)
# Every rehab code reason_text says: the engines' (rehab.codes) — anything else is an outcomes code.
REASON_CODES = frozenset(_TEXTS) | frozenset(_COMPOSED)


def _reason_day(value) -> str:
    if not value:
        return ""
    try:
        day = date.fromisoformat(value) if isinstance(value, str) else value
    except ValueError:
        return str(value)
    return date_format(day, _DAY_FORMAT)


def _reason_number(value, digits: int | None = None) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if digits is not None:
        return number_format(value, digits)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return localize(value)


def _flag_words(flag: str) -> str:
    return gettext(RED_FLAG_LABELS.get(flag, flag))


def _reason_words(code: str, params: dict) -> dict:
    """The parameters as they read in a sentence: days formatted, numbers localised, words translated."""
    words = {}
    for key, value in params.items():
        if key in ("day", "since", "last"):
            words[key] = _reason_day(value)
        elif key in ("before", "now") and code == codes.PAIN_RISING:
            words[key] = _reason_number(value, 1)
        elif key == "flag":
            words[key] = _flag_words(value)
        elif key == "reasons":
            words[key] = " ".join(say(r) for r in value or ())
        else:
            words[key] = _reason_number(value)
    if code == codes.ALERT_STOP_AND_REFER:
        what = [_flag_words(flag) for flag in params.get("flags") or ()]
        if params.get("pain") is not None:
            what.append(gettext("pain %(pain)s/10") % {"pain": _reason_number(params["pain"])})
        words["what"] = ", ".join(what)
    return words


def reason_text(code: str, params: dict | None = None) -> str:
    """One reason (a rehab code, or an outcomes one) in words, in the active language."""
    params = params or {}
    if code not in REASON_CODES:
        try:
            return outcomes_wording.render(Reason(code, dict(params)))
        except (KeyError, TypeError, ValueError):  # a code no engine knows (yet): say the code, never fail
            return code
    words = _reason_words(code, params)
    if code == codes.ALLOWANCE_EXCEEDED:
        over = []
        if params.get("during") is not None:
            over.append(
                gettext("%(pain)s/10 during, above the allowance of %(allowance)s/10")
                % {"pain": words["during"], "allowance": words.get("allow_during", "")}
            )
        if params.get("after") is not None:
            over.append(
                gettext("%(pain)s/10 after, above the allowance of %(allowance)s/10")
                % {"pain": words["after"], "allowance": words.get("allow_after", "")}
            )
        return gettext("%(day)s: %(over)s.") % {"day": words.get("day", ""), "over": "; ".join(over)}
    if code == codes.PAIN_UNANSWERED:
        missing = tuple(m for m in ("during", "after") if m in (params.get("missing") or ()))
        return gettext(_UNANSWERED.get(missing, _UNANSWERED[("during", "after")])) % words
    if code == codes.ALERT_COACH_REQUESTS:
        count = params.get("count") or 1
        return ngettext(
            "A request from the coach waiting for your decision.",
            "%(count)s requests from the coach waiting for your decision.",
            count,
        ) % {"count": _reason_number(count)}
    if code == codes.CLOSED_ENGINE_MOVED_ON:
        return gettext(_MOVED_ON.get(params.get("action"), _MOVED_ON[Action.HOLD]))
    if code == codes.CLOSED_ANSWERED:
        if params.get("action") == Action.REGRESS:
            return gettext("Answered: the plan was stepped back one phase.")
        return gettext("Answered: the plan was paused for a referral.")
    if code == codes.CLOSED_COMPLIANCE:
        if params.get("percent") is None:
            return gettext("Closed automatically: nothing is planned over the last 7 days now.")
        return gettext("Closed automatically: 7-day compliance is %(percent)s %% now.") % words
    try:
        return gettext(_TEXTS[code]) % words
    except KeyError:  # a parameter missing from an old row: say the sentence's gist without failing
        return gettext(_TEXTS[code]) % defaultdict(str, words)


def say(reason) -> str:
    """A reason in words: a `Reason`, a stored {"code", "params"}, or a sentence kept as it was (old rows)."""
    if isinstance(reason, Reason):
        return reason_text(reason.code, reason.params)
    if isinstance(reason, dict) and reason.get("code"):
        return reason_text(reason["code"], reason.get("params") or {})
    return "" if reason is None else str(reason)


def says(reasons) -> list[str]:
    return [say(r) for r in reasons or ()]


def as_dict(reason) -> dict | str:
    """A reason as stored (JSON): {"code", "params"}; an old row's sentence stays a sentence."""
    if isinstance(reason, Reason):
        return reason.as_dict()
    return reason


def api_items(reasons) -> list[dict]:
    """The reasons for the API: each with its code, parameters and words (code "" for an old row's sentence)."""
    items = []
    for r in reasons or ():
        stored = as_dict(r)
        if isinstance(stored, dict) and stored.get("code"):
            items.append({"code": stored["code"], "params": stored.get("params") or {}, "text": say(stored)})
        else:
            items.append({"code": "", "params": {}, "text": str(stored)})
    return items


# The pain sparkline (rehab.charts.PainTrend) in words: the caseload's and Today's trend, and its accessible name.
TREND_WORDS = {
    "rising": pgettext_lazy("pain trend", "rising"),
    "falling": pgettext_lazy("pain trend", "falling"),
    "steady": pgettext_lazy("pain trend", "steady"),
}


def trend_words(direction: str) -> str:
    return str(TREND_WORDS.get(direction, direction))


def pain_trend_sentence(trend) -> str:
    """A PainTrend as its sparkline's accessible name, in the active language (PainTrend.sentence in English)."""
    if trend.logged == 1:
        return gettext("Pain, last %(days)s days: %(last)s out of 10, on the only day logged") % {
            "days": trend.days, "last": trend.last,
        }  # fmt: skip
    return gettext(
        "Pain, last %(days)s days: from %(first)s to %(last)s out of 10, %(direction)s; highest %(peak)s; "
        "%(logged)s of %(days)s days logged"
    ) % {
        "days": trend.days, "first": trend.first, "last": trend.last, "direction": trend_words(trend.direction),
        "peak": trend.peak, "logged": trend.logged,
    }  # fmt: skip
