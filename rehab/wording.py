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
    """The run prescription of a phase (any object with the PhaseFields attributes)."""
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
    if phase.run_note:
        text += " " + phase.run_note
    return text


def pain_text(phase) -> str:
    """The pain rule of a phase, e.g. "Up to 2/10 during is OK; it must settle by tomorrow morning."."""
    during, after = phase.max_pain_during, phase.max_pain_after
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
