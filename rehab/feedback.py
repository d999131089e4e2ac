"""What an athlete should do right after a worrying log, in plain words (DOMAIN.md section 6), in the active
language: the sentences are marked with gettext_noop and translated when advice is made, inside the request.

`advice_for()` reads one log, most serious first:

- emergency: numbness around the bottom or a change in bladder or bowel control (emergency department now), a
  fever or feeling unwell (medical care today), or not being able to bear weight (checked today);
- stop: any other red flag, pain of 7/10 or more, or any pain in a running phase of a pain-free plan;
- ease_off: pain during or after above the phase's allowance (never more than 5/10), or any pain at all on a
  pain-free plan.

`advice_now()` decides what the athlete's Today page shows: stop or emergency advice for as long as the care team
has an open alert about it (until a clinician has acted), and easing-off advice while the latest log, from
today or yesterday, was over the allowance. The sentences live here, next to the rules that pick them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext as _

from rehab.progression import MAX_ALLOWANCE, REFER_PAIN
from rehab.status import STOP_ALERT_KINDS

EMERGENCY = "emergency"
STOP = "stop"
EASE_OFF = "ease_off"
RANK = {EASE_OFF: 1, STOP: 2, EMERGENCY: 3}
# Open alerts of these kinds (portal.models.Alert, raised with the log) keep stop advice on the athlete's page:
# a red flag or 7/10+, and pain while running on a pain-free plan. Resolving the alert is the clinician acting.
HOLD_ALERT_KINDS = STOP_ALERT_KINDS
# Easing off is shown on the day of the log and the day after.
EASE_OFF_DAYS = 2
# A back-filled day can raise an alert about a log up to this many days older than the alert.
BACKFILL_DAYS = 14


class PainLog(Protocol):
    """What the rules read of a log (rehab.models.DailyLog and rehab.progression.LogDay both fit)."""

    date: date
    pain_during: int | None
    pain_after: int | None
    pain_next_morning: int | None
    red_flags: Iterable[str]


class PainRule(Protocol):
    """A phase's pain allowance (rehab.models.PlanPhase fits)."""

    max_pain_during: int
    max_pain_after: int


@dataclass(frozen=True)
class Allowance:
    max_pain_during: int
    max_pain_after: int


@dataclass(frozen=True)
class Advice:
    level: str  # EMERGENCY, STOP or EASE_OFF
    code: str  # why: a red flag's code, "red_flag", "severe_pain", "pain_free_running", "alert_open", ...
    title: str
    why: str
    steps: tuple[str, ...]
    day: date | None = None  # the log it is about

    @property
    def run_on_hold(self) -> bool:
        return self.level in (EMERGENCY, STOP)


CONTACT_STEP = gettext_noop("Call or email the clinic today. Their details are below.")

STOP_STEPS = (
    gettext_noop("Don't run until your clinician has been in touch. Your plan's running is on hold."),
    gettext_noop("Only do the exercises that don't hurt at all, or rest."),
    CONTACT_STEP,
    gettext_noop("If it gets much worse, or you can't put weight on the leg, get medical care today."),
)
EASE_OFF_STEPS = (
    gettext_noop("Take a day or two off running, or go back to the last level that felt comfortable."),
    gettext_noop("Keep doing the exercises that don't hurt, and leave out any that do."),
    gettext_noop("Tomorrow morning, log how your hip feels. That tells your clinician the most."),
    gettext_noop(
        "If it hasn't settled in two days, or it gets worse, contact the clinic. Their details are below."
    ),
)

# The red flags that need care today, most urgent first: (title, why, steps).
EMERGENCIES = {
    "saddle_bladder_bowel": (
        gettext_noop("Go to an emergency department now"),
        gettext_noop(
            "You ticked numbness between the legs or around the bottom, or a change in bladder or bowel control. "
            "That can mean the nerves at the bottom of the spine are being squeezed, and it needs checking in "
            "hospital straight away."
        ),
        (
            gettext_noop(
                "Go to the nearest emergency department now. If you can't get there safely, call your local "
                "emergency number."
            ),
            gettext_noop(
                "Tell them what you noticed: the numbness, or the change in bladder or bowel control."
            ),
            gettext_noop("Don't run or do your exercises until a doctor has seen you."),
            gettext_noop("When you can, let the clinic know. Their details are below."),
        ),
    ),
    "fever_unwell": (
        gettext_noop("Get medical care today"),
        gettext_noop(
            "You ticked a fever or feeling generally unwell. Together with a sore hip, a doctor should check you "
            "today to rule out an infection."
        ),
        (
            gettext_noop(
                "See a doctor today: a same-day appointment with your GP, or an urgent care centre. If you feel very "
                "unwell, go to an emergency department."
            ),
            gettext_noop("Don't run or do your exercises until you have been checked."),
            gettext_noop("Let the clinic know too. Their details are below."),
        ),
    ),
    "cannot_bear_weight": (
        gettext_noop("Stop, and get your hip checked today"),
        gettext_noop(
            "You ticked that you can't put your full weight on the leg. That can be a sign of a bone injury, so it "
            "needs checking before you walk or run on it any more."
        ),
        (
            gettext_noop("Don't run, and keep weight off the leg as much as you can."),
            CONTACT_STEP,
            gettext_noop(
                "If you can't reach anyone at the clinic today, go to an urgent care centre or an emergency "
                "department today."
            ),
        ),
    ),
}
STOP_TITLE = gettext_noop("Stop running and contact the clinic")
EASE_OFF_TITLE = gettext_noop("Ease off for a day or two")
ALERT_OPEN_WHY = gettext_noop(
    "You sent a worrying log recently, and your clinician hasn't been in touch about it yet."
)
NO_CONTACT = gettext_noop(
    "The clinic hasn't added its phone number or email here yet. Contact your clinician the way you usually do."
)


def _advice(
    level: str, code: str, title: str, why: str, steps: tuple[str, ...], day: date | None = None
) -> Advice:
    """Advice in the active language: `title` and `steps` are the English sentences above, `why` is translated."""
    return Advice(level, code, gettext(title), why, tuple(gettext(step) for step in steps), day)


def peak_pain(log: PainLog) -> int | None:
    values = [v for v in (log.pain_during, log.pain_after, log.pain_next_morning) if v is not None]
    return max(values) if values else None


def advice_for(
    log: PainLog,
    rule: PainRule | None,
    *,
    pain_free: bool = False,
    running_phase: bool = False,
    flag_labels: Mapping[str, str] | None = None,
) -> Advice | None:
    """What the athlete should do now after `log`, or None when nothing in it calls for a change.

    `rule` is the phase's allowance (None without an active plan: then only red flags and 7/10+ count);
    `pain_free` for a plan with the pain-free rule (bone stress injury); `running_phase` when the phase runs;
    `flag_labels` the red flags' names as the athlete saw them on the form.
    """
    flags = list(log.red_flags)
    peak = peak_pain(log)
    for code, (title, why, steps) in EMERGENCIES.items():
        if code in flags:
            return _advice(EMERGENCY, code, title, gettext(why), steps, log.date)
    if flags:
        # The form's labels are English messages marked for the catalog: said in the reader's language here.
        labels = "”, “".join(gettext((flag_labels or {}).get(flag, flag)) for flag in flags)
        why = _("You ticked “%(flags)s”. Your clinician needs to check this before you carry on.") % {
            "flags": labels
        }
        return _advice(STOP, "red_flag", STOP_TITLE, why, STOP_STEPS, log.date)
    if peak is not None and peak >= REFER_PAIN:
        why = _(
            "You logged pain of %(pain)s/10. At 7 or more, your plan stops until your clinician has checked you."
        )
        return _advice(STOP, "severe_pain", STOP_TITLE, why % {"pain": peak}, STOP_STEPS, log.date)
    if pain_free and peak:
        if running_phase:
            why = _(
                "You logged pain of %(pain)s/10, and your plan needs running to stay pain-free. With a bone stress "
                "injury, pain while running can mean the bone isn't ready for it yet."
            )
            return _advice(STOP, "pain_free_running", STOP_TITLE, why % {"pain": peak}, STOP_STEPS, log.date)
        why = _("You logged pain of %(pain)s/10, and your plan needs you to stay pain-free.") % {"pain": peak}
        return _advice(EASE_OFF, "pain_free", EASE_OFF_TITLE, why, EASE_OFF_STEPS, log.date)
    if rule is None:
        return None
    over = []
    for value, allowed, text in (
        (
            log.pain_during,
            rule.max_pain_during,
            gettext_noop("%(pain)s/10 during (this phase allows up to %(allowed)s/10)"),
        ),
        (
            log.pain_after,
            rule.max_pain_after,
            gettext_noop("%(pain)s/10 afterwards (this phase allows up to %(allowed)s/10)"),
        ),
    ):
        allowed = min(allowed, MAX_ALLOWANCE)
        if value is not None and value > allowed:
            over.append(gettext(text) % {"pain": value, "allowed": allowed})
    if over:
        if len(over) == 2:
            why = _("You logged %(first)s and %(second)s.") % {"first": over[0], "second": over[1]}
        else:
            why = _("You logged %(pain)s.") % {"pain": over[0]}
        return _advice(EASE_OFF, "allowance", EASE_OFF_TITLE, why, EASE_OFF_STEPS, log.date)
    return None


def advice_now(
    logs: Iterable[PainLog],
    rule: PainRule | None,
    *,
    today: date,
    alert_since: date | None,
    pain_free: bool = False,
    running_phase: bool = False,
    flag_labels: Mapping[str, str] | None = None,
) -> Advice | None:
    """The advice the athlete's Today page shows, or None.

    `alert_since`: the day the oldest open HOLD_ALERT_KINDS alert was raised (None without one). While one is
    open, the most serious stop or emergency advice among the logs it can be about is shown (a general "stop"
    when none of them calls for it any more, e.g. the phase changed). Otherwise easing-off advice, when the
    latest log is from the last EASE_OFF_DAYS days and was over the allowance.
    """
    logs = sorted((log for log in logs if log.date <= today), key=lambda log: log.date)

    def advise(log: PainLog) -> Advice | None:
        return advice_for(
            log, rule, pain_free=pain_free, running_phase=running_phase, flag_labels=flag_labels
        )

    if alert_since is not None:
        start = alert_since - timedelta(days=BACKFILL_DAYS)
        serious = [
            advice
            for advice in (advise(log) for log in logs if log.date >= start)
            if advice is not None and advice.run_on_hold
        ]
        if serious:
            return max(serious, key=lambda advice: (RANK[advice.level], advice.day))
        return _advice(STOP, "alert_open", STOP_TITLE, gettext(ALERT_OPEN_WHY), STOP_STEPS)
    if not logs or logs[-1].date <= today - timedelta(days=EASE_OFF_DAYS):
        return None
    advice = advise(logs[-1])
    return advice if advice is not None and advice.level == EASE_OFF else None


@dataclass(frozen=True)
class Contact:
    """The clinic as the athlete reaches it: its phone number as a tel: link, its email as a mailto: link."""

    name: str
    phone: str = ""
    email: str = ""

    @property
    def tel(self) -> str:
        """The number for a tel: link: its digits and a leading +; empty when it has too few digits to dial."""
        digits = "".join(ch for ch in self.phone if ch in "0123456789")
        if len(digits) < 3:
            return ""
        return ("+" if self.phone.strip().startswith("+") else "") + digits

    @property
    def missing(self) -> str:
        return "" if self.phone.strip() or self.email.strip() else gettext(NO_CONTACT)
