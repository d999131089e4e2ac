"""Prescriptions in plain words, for the athlete's pages and the printed program. No Django imports."""

from library.dosage import dosage_in_words

TIMES = {
    1: "once",
    2: "twice",
    3: "three times",
    4: "four times",
    5: "five times",
    6: "six times",
    7: "every day",
}


def _per_week(sessions) -> str:
    if not sessions:
        return ""
    if sessions == 7:
        return "every day"
    return f"{TIMES.get(sessions, f'{sessions} times')} a week"


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
    incline = f" on a {phase.incline_pct:g} % incline" if phase.incline_pct else ""
    if activity == "none":
        text = "No running in this phase."
    elif activity == "cross_train":
        text = "No running. Keep fit with cycling, swimming or other low-impact training"
        text += f": {minutes} min" if minutes else ""
        text += f", {week}." if week else "."
    elif activity == "walk":
        text = (
            "Brisk walk" + (f" {minutes} min" if minutes else "") + incline + (f", {week}." if week else ".")
        )
    elif activity == "walk_jog":
        walk, jog = phase.walk_minutes, phase.jog_minutes
        if run_steps_lines(phase):
            # The steps say how long each jog and walk lasts; walk/jog minutes would only repeat step 1.
            text = "Walk and jog in turns" + (f" for {minutes} min" if minutes else "") + incline
            text += (f", {week}" if week else "") + ", one step at a time."
        else:
            if walk and jog:
                text = f"Walk {walk} min / jog {jog} min"
                if minutes:
                    rounds = minutes // (walk + jog)
                    text += f" × {rounds} ({minutes} min)" if rounds else f" for {minutes} min"
            else:
                text = "Walk and jog in turns" + (f" for {minutes} min" if minutes else "")
            text += incline + (f", {week}." if week else ".")
    elif activity == "jog":
        text = "Easy jog" + (f" {minutes} min" if minutes else "") + " without stopping" + incline
        text += f", {week}." if week else "."
    else:  # run
        text = "Normal running" + (f", {minutes} min" if minutes else "") + (f", {week}" if week else "")
        if phase.weekly_increase_cap_pct:
            text += f"; raise your weekly volume by no more than {phase.weekly_increase_cap_pct} % a week"
        text += "."
    return text


def run_steps_lines(phase) -> list[str]:
    """A walk/jog phase's ladder, one line a step: ["Step 1: jog 1 min, walk 3 min", ...] (empty without one)."""
    if phase.run_activity != "walk_jog":
        return []
    lines = []
    for step in getattr(phase, "run_steps", None) or []:
        if not isinstance(step, dict):
            continue
        parts = [f"{verb} {_minutes(step.get(verb))}" for verb in ("jog", "walk") if _minutes(step.get(verb))]
        if parts:
            lines.append(f"Step {len(lines) + 1}: " + ", ".join(parts))
    return lines


def run_steps_text(phase) -> str:
    """The ladder as sentences: "Step 1: jog 1 min, walk 3 min. Step 2: jog 2 min, walk 2 min." ("" without one)."""
    return " ".join(f"{line}." for line in run_steps_lines(phase))


def _minutes(value) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return ""
    return f"{value:g} min"


def pain_text(phase) -> str:
    """The pain rule of a phase, e.g. "Up to 2/10 during is OK; it must settle by tomorrow morning."."""
    during, after = phase.max_pain_during, phase.max_pain_after
    if during == 0 and after == 0:
        # Nothing to settle: "settle by tomorrow" would suggest some pain is expected.
        parts = ["No pain at all, during or after (0/10)"]
        if not phase.next_day_pain_allowed:
            parts.append("none the next morning either")
    else:
        if during == 0:
            parts = ["No pain during the activity (0/10)"]
        else:
            parts = [f"Up to {during}/10 during is OK"]
        if after is not None and after != during:
            parts.append("none afterwards" if after == 0 else f"up to {after}/10 afterwards")
        if phase.must_settle_by_morning:
            parts.append("it must settle by tomorrow morning")
        if not phase.next_day_pain_allowed:
            parts.append("no extra pain the next day")
    text = "; ".join(parts) + "."
    if phase.pain_note:
        text += " " + phase.pain_note
    return text


def dosage_text(row) -> str:
    """A plan row's dosage in words, e.g. "3 sets × 10 reps, each side · 2 days a week. Band above the knees"."""
    return dosage_in_words(row, note=row.note, fallback="As your clinician showed you")


# The stop-and-contact list (DOMAIN.md sections 2 and 6), in the athlete's words: every red flag a log can report
# (rehab.models.RedFlag values; one line each, so a new red flag without words fails tests/rehab/test_pdf.py) and
# severe pain. The printed program and the athlete's pages show the same list.
STOP_WORDS = {
    "night_pain": "pain wakes you at night or aches at rest",
    "cannot_bear_weight": "you cannot put your full weight on the leg, or the groin hurts when you stand or walk "
    "on it",
    "swelling": "you can see swelling or bruising",
    "locking": "the hip locks, catches or gives way",
    "numbness": "you feel numbness or tingling in the leg",
    "fever_unwell": "you have a fever or feel unwell",
    "saddle_bladder_bowel": "numbness between your legs or around your bottom, or a new change in bladder or "
    "bowel control: go to an emergency department now",
}
HIGH_PAIN = "pain reaches 7/10 or more"
# On a pain-free (bone stress) plan any pain is the signal, not 7/10.
ANY_PAIN = "you feel any pain in the hip or groin, during, after or the next morning"
EMERGENCY_FLAG = STOP_WORDS["saddle_bladder_bowel"]


def stop_list(*, pain_free: bool) -> list[str]:
    """The "stop and contact us" lines, the emergency one (EMERGENCY_FLAG) left out to be shown on its own."""
    return [*(w for w in STOP_WORDS.values() if w != EMERGENCY_FLAG), ANY_PAIN if pain_free else HIGH_PAIN]
