"""What a running coach may change on a plan without asking the clinician. No Django imports.

The clinician sets the limits on the plan (rehab.models.Plan's coach_* fields):
- running: the longest session, the most minutes a week (sessions × session length) and the largest weekly
  increase over the current prescription. All three or none: without them every running change is a request;
- advancing: the last phase number the coach may move the plan into.

`check_running(limits, current, proposed)` lists what puts a running change outside the limits, in this order:
- closed: the clinician set no running limits on the plan;
- no_running: the phase has no running (its activity is "No running"), and the change would add some;
- week_unknown: a session length without sessions a week, or the other way round: the week can't be checked;
- session_over: a session longer than the longest allowed;
- week_over: more minutes a week than allowed;
- no_base: the current prescription has no minutes a week to grow from, and the change adds some;
- increase_over: the week grows by more than the allowed percentage over the current prescription, or
  (increase_over_week) over the prescription of a week ago, before the coach's own changes since.
A value that does not go up is never refused for its size: the coach may always ease off, even when the
clinician's own prescription is above the coach's limits.

`check_advance(limits, situation)` lists why the coach may not move the plan on one phase, in this order:
- not_active: the plan is paused, completed or cancelled;
- last_phase: there is no next phase;
- advance_closed: the clinician opened no phase to the coach;
- beyond: the next phase is past the last one opened to the coach;
- needs_clearance: the next phase needs a clinician's clearance that is not recorded yet;
- engine: the progression engine says stop and refer, or step back;
- serious_alert: an urgent or emergency alert is open for the athlete.

A refusal is a code and its parameters (`Refusal`); `message()` puts it in words for the coach.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rehab.codes import Action

ENGINE_VERSION = 1


def gettext_noop(message: str) -> str:
    """Marks an English sentence for the catalog (makemessages finds it by this name); the pages translate it
    where they show it (rehab.services.coach.refusal_text). Not Django's own: this module has no Django imports."""
    return message


# The running part of a phase the coach manages (rehab.models.PhaseFields), in the form's order.
RUN_FIELDS = ("run_minutes", "sessions_per_week", "walk_minutes", "jog_minutes", "run_note")
RUN_FIELD_LABELS = {
    "run_minutes": gettext_noop("session length (minutes)"),
    "sessions_per_week": gettext_noop("sessions a week"),
    "walk_minutes": gettext_noop("walk interval (minutes)"),
    "jog_minutes": gettext_noop("jog interval (minutes)"),
    "run_note": gettext_noop("note on running"),
}
# The engine's advice (rehab.progression) under which the coach never moves the plan on.
BLOCKING_ACTIONS = (Action.STOP_AND_REFER, Action.REGRESS)
NO_RUNNING = "none"  # rehab.models.RunActivity.NONE


def run_field_label(name: str) -> str:
    return RUN_FIELD_LABELS[name]


@dataclass(frozen=True)
class Limits:
    """The limits the clinician set on a plan; None is "not set"."""

    session_minutes: int | None = None
    week_minutes: int | None = None
    weekly_increase_pct: int | None = None
    advance_to: int | None = None

    @property
    def running_open(self) -> bool:
        return None not in (self.session_minutes, self.week_minutes, self.weekly_increase_pct)

    def validate(self) -> list[str]:
        """The field names at fault when only some of the running limits are set (all or none)."""
        running = {
            "coach_max_session_minutes": self.session_minutes,
            "coach_max_week_minutes": self.week_minutes,
            "coach_max_weekly_increase_pct": self.weekly_increase_pct,
        }
        given = [name for name, value in running.items() if value is not None]
        return [] if len(given) in (0, len(running)) else [n for n, v in running.items() if v is None]

    @property
    def ceiling_pct(self) -> int | None:
        return None if self.weekly_increase_pct is None else 100 + self.weekly_increase_pct


@dataclass(frozen=True)
class Running:
    """A phase's running prescription (the activity and the fields the coach manages)."""

    activity: str = NO_RUNNING
    run_minutes: int | None = None
    sessions_per_week: int | None = None
    walk_minutes: int | None = None
    jog_minutes: int | None = None
    run_note: str = ""

    @property
    def week_minutes(self) -> int | None:
        """Sessions × session length; 0 without either; None when only one of them is given."""
        if not self.run_minutes and not self.sessions_per_week:
            return 0
        if not self.run_minutes or not self.sessions_per_week:
            return None
        return self.run_minutes * self.sessions_per_week

    def replace(self, **values) -> Running:
        return Running(**{**self.__dict__, **values})


@dataclass(frozen=True)
class Refusal:
    code: str
    params: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        return MESSAGES[self.code].format(**self.params)


MESSAGES = {
    "closed": gettext_noop(
        "The clinician has not set running limits on this plan, so every running change goes to them "
        "as a request."
    ),
    "no_running": gettext_noop("This phase has no running: adding running is the clinician's decision."),
    "week_unknown": gettext_noop(
        "Give both the session length and the sessions a week, so the minutes a week can be checked."
    ),
    "session_over": gettext_noop(
        "A session of {minutes} minutes is longer than the {limit} minutes you may set."
    ),
    "week_over": gettext_noop(
        "{minutes} minutes a week is more than the {limit} minutes a week you may set."
    ),
    "no_base": gettext_noop(
        "The current prescription has no running minutes to build on, so any increase goes to the clinician."
    ),
    "increase_over": gettext_noop(
        "{minutes} minutes a week is {pct}% more than the current {current}; you may add up to "
        "{limit}% a week (at most {ceiling} minutes)."
    ),
    "increase_over_week": gettext_noop(
        "{minutes} minutes a week is {pct}% more than the {current} of a week ago, before "
        "your changes since; you may add up to {limit}% a week (at most {ceiling} minutes)."
    ),
    "not_active": gettext_noop("The plan is not active."),
    "last_phase": gettext_noop("This is the plan's last phase."),
    "advance_closed": gettext_noop(
        "The clinician has not opened any phase to you: moving the plan on is theirs."
    ),
    "beyond": gettext_noop(
        "You may advance the plan up to phase {limit}; phase {order} is the clinician's decision."
    ),
    "needs_clearance": gettext_noop(
        "Phase {order} needs a clinician's clearance, which is not recorded yet."
    ),
    "engine": gettext_noop("The progression engine says {action}: only the clinician moves the plan now."),
    "serious_alert": gettext_noop(
        "An urgent alert is open for this athlete: only the clinician moves the plan now."
    ),
}
ACTION_WORDS = {
    Action.STOP_AND_REFER: gettext_noop("stop and refer"),
    Action.REGRESS: gettext_noop("step back"),
}


def _rises(new: int | None, old: int | None) -> bool:
    return new is not None and new > (old or 0)


def check_running(
    limits: Limits, current: Running, proposed: Running, *, week_ago: int | None = None
) -> list[Refusal]:
    """What puts the change from `current` to `proposed` outside `limits` (empty: the coach may make it).

    `week_ago`: the minutes a week before the coach's own changes of the last 7 days, when there were some:
    the weekly increase counts from there, so two changes in one week cannot add twice the allowance.
    """
    if not limits.running_open:
        return [Refusal("closed")]
    week, week_now = proposed.week_minutes, current.week_minutes
    if proposed.activity == NO_RUNNING and week:
        return [Refusal("no_running")]
    if week is None:
        return [Refusal("week_unknown")]
    refusals = []
    session = proposed.run_minutes
    if _rises(session, current.run_minutes) and session > limits.session_minutes:
        refusals.append(Refusal("session_over", {"minutes": session, "limit": limits.session_minutes}))
    if not _rises(week, week_now):
        return refusals
    if week > limits.week_minutes:
        refusals.append(Refusal("week_over", {"minutes": week, "limit": limits.week_minutes}))
    base = (week_now or 0) if week_ago is None else min(week_now or 0, week_ago)
    if not base:
        refusals.append(Refusal("no_base"))
    elif week * 100 > base * limits.ceiling_pct:
        ceiling = base * limits.ceiling_pct // 100
        pct = round((week - base) * 100 / base)
        code = "increase_over" if base == (week_now or 0) else "increase_over_week"
        refusals.append(
            Refusal(code, {"minutes": week, "pct": pct, "current": base, "limit": limits.weekly_increase_pct,
                           "ceiling": ceiling})
        )  # fmt: skip
    return refusals


@dataclass(frozen=True)
class AdvanceSituation:
    """Where the plan stands for a move on by one phase."""

    plan_active: bool
    next_order: int | None  # None: the current phase is the last
    next_waits_for_clearance: bool = False  # it needs one and none is recorded
    engine_action: str = ""  # the progression engine's advice now ("" when it has none)
    serious_alert: bool = False  # an open urgent or emergency alert


def check_advance(limits: Limits, situation: AdvanceSituation) -> list[Refusal]:
    """Why the coach may not move the plan on one phase (empty: they may). The first reason found wins."""
    s = situation
    if not s.plan_active:
        return [Refusal("not_active")]
    if s.next_order is None:
        return [Refusal("last_phase")]
    if limits.advance_to is None:
        return [Refusal("advance_closed")]
    if s.next_order > limits.advance_to:
        return [Refusal("beyond", {"order": s.next_order, "limit": limits.advance_to})]
    if s.next_waits_for_clearance:
        return [Refusal("needs_clearance", {"order": s.next_order})]
    if s.engine_action in BLOCKING_ACTIONS:
        return [Refusal("engine", {"action": ACTION_WORDS[s.engine_action]})]
    if s.serious_alert:
        return [Refusal("serious_alert")]
    return []


def changed_fields(current: Running, proposed: Running) -> dict[str, tuple]:
    """{field: (before, after)} for each of RUN_FIELDS that differs."""
    return {
        name: (getattr(current, name), getattr(proposed, name))
        for name in RUN_FIELDS
        if getattr(current, name) != getattr(proposed, name)
    }
