"""Prescriptions in plain words, for the athlete's pages and the printed program, in the active language
(gettext: call them inside the reader's language, e.g. portal.languages.override_for_person)."""

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from library.dosage import dosage_in_words

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
