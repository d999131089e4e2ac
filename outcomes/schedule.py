"""When a questionnaire is due: the pure rule behind a plan's questionnaire schedule. No Django imports.

A schedule (outcomes.models.Schedule) asks one questionnaire of one plan's athlete at intake, every N weeks and
at discharge. `due_round(...)` reads the schedule, the plan's start, end and status and the athlete's rounds of
that questionnaire since the plan started, and says which round is due today and since when, or None:

- nothing is due before the plan starts, while it is paused, or once it is cancelled;
- intake (when asked): due from the plan's start until a round is completed; it is the baseline, so follow-ups
  wait for it (a late intake that falls after a follow-up's date counts for that follow-up too);
- follow-up N (every `every_weeks` weeks): due from start + N × every_weeks weeks, the latest such date that has
  come, until a round is completed on or after that date; an earlier follow-up missed is not asked for again;
- discharge (when asked): due from the day the plan was completed, for DISCHARGE_DAYS days, until a discharge
  round is completed. A plan completed without a follow-up schedule still gets its discharge round.

A partly saved round does not make a round done: the athlete carries on with it.

`suggest(condition_codes)` gives the questionnaires to suggest for a plan, from its conditions: PSFS for all,
VISA-G for gluteal tendinopathy (greater trochanteric pain), iHOT-12 and HAGOS for joint-related hip pain
(impingement, labral tear), HAGOS for groin (adductor) pain, HOOS-12 for hip osteoarthritis.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

INTAKE, FOLLOW_UP, DISCHARGE = "intake", "follow_up", "discharge"
ACTIVE, PAUSED, COMPLETED, CANCELLED = "active", "paused", "completed", "cancelled"
DISCHARGE_DAYS = 28  # how long after a plan is completed its discharge round stays due
MAX_EVERY_WEEKS = 26


@dataclass(frozen=True)
class Round:
    """One of the athlete's rounds of the questionnaire: the round asked, when it was started and (empty while
    partly saved) completed."""

    round: str
    started_on: date
    completed_on: date | None = None


@dataclass(frozen=True)
class Due:
    round: str  # INTAKE | FOLLOW_UP | DISCHARGE
    since: date
    number: int = 0  # the follow-up's number (1, 2, …); 0 for intake and discharge

    @property
    def key(self) -> str:
        """Names the round once per plan, e.g. "follow_up:2": at most one reminder per key."""
        return f"{self.round}:{self.number}" if self.round == FOLLOW_UP else self.round


def due_round(
    *,
    at_intake: bool,
    every_weeks: int | None,
    at_discharge: bool,
    start: date,
    end: date | None,
    status: str,
    rounds: Iterable[Round],
    today: date,
) -> Due | None:
    """The round of one questionnaire due `today` under one plan's schedule, or None (see the module docstring).

    `rounds` are the athlete's rounds of this questionnaire; those started before the plan's `start` are
    ignored. `end` is the day the plan was completed (read only when `status` is completed).
    """
    completed = sorted(
        r.completed_on for r in rounds if r.completed_on is not None and r.completed_on >= start
    )
    if status == COMPLETED:
        if not at_discharge or end is None or not end <= today < end + timedelta(days=DISCHARGE_DAYS):
            return None
        discharged = [
            r
            for r in rounds
            if r.round == DISCHARGE and r.completed_on is not None and r.completed_on >= start
        ]
        return None if discharged else Due(DISCHARGE, end)
    if status != ACTIVE or today < start:
        return None
    if at_intake and not completed:
        return Due(INTAKE, start)
    if not every_weeks or every_weeks < 1:
        return None
    number = (today - start).days // (7 * every_weeks)
    if number < 1:
        return None
    since = start + timedelta(weeks=number * every_weeks)
    if completed and completed[-1] >= since:
        return None
    return Due(FOLLOW_UP, since, number)


# -------------------------------------------------------------------------------------------------- suggestions

ALWAYS = ("psfs",)
BY_CONDITION: dict[str, tuple[str, ...]] = {
    "greater_trochanteric_pain": ("visag",),  # gluteal tendinopathy
    "hip_impingement": ("ihot12", "hagos"),  # joint-related (FAI)
    "labral_tear": ("ihot12", "hagos"),
    "adductor_strain": ("hagos",),  # groin
    "osteoarthritis": ("hoos12",),
}


@dataclass(frozen=True)
class Suggestion:
    instrument: str
    conditions: tuple[str, ...]  # the condition codes it is suggested for; empty: suggested for every plan


def suggest(condition_codes: Sequence[str]) -> list[Suggestion]:
    """The questionnaires to suggest for a plan treating these conditions, PSFS first, each once."""
    found: dict[str, list[str]] = {code: [] for code in ALWAYS}
    for condition in condition_codes:
        for code in BY_CONDITION.get(condition, ()):
            found.setdefault(code, [])
            if code not in ALWAYS and condition not in found[code]:
                found[code].append(condition)
    return [Suggestion(code, tuple(conditions)) for code, conditions in found.items()]
