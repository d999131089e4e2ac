"""What people read around the engine: form sections, self-test instructions, result headlines, and the
engine's result said in the reader's language.

The engine (triage/engine.py) owns the clinical content, in English marked for the catalog; an intake stores its
result as codes (``Assessment.to_record()``). This module arranges it for the pages and says it in plain words,
translating with gettext at display time. A text stored as words (a result saved before the codes, or one whose
English no longer matches the engine: see triage/records.py) is shown as it was stored.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from triage import engine
from triage.engine import Urgency


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    intro: str
    fields: tuple[str, ...]


# Every engine field appears in exactly one section (tests/triage/test_forms.py checks it). A retired field
# stays in its section so older intakes still show the answer; the form no longer asks it.
SECTIONS: tuple[Section, ...] = (
    Section(
        "where",
        _("Where does it hurt?"),
        _("Tick every place that hurts."),
        ("locations", "knee_pain", "radiating", "numbness_tingling", "back_pain"),
    ),
    Section(
        "when",
        _("When did it start?"),
        _("A rough answer is fine."),
        ("onset", "duration_days", "pain_running", "pain_after", "persists_despite_rest"),
    ),
    Section(
        "worse",
        _("What makes it worse?"),
        _("Tick the ones that are true for you."),
        (
            "worse_lying_on_side",
            "worse_sitting",
            "stiff_after_rest",
            "pain_lifting_knee",
            "pain_uphill_speed",
            "clicking_running",
        ),
    ),
    Section(
        "warning",
        _("Warning signs"),
        _("These help us spot anything that needs a doctor soon. Tick any that apply to you."),
        (
            "cannot_bear_weight",
            "limping",
            "night_pain",
            "pain_at_rest",
            "swelling_bruising",
            "hot_red_joint",
            "fever_unwell",
            "locking_daily",
            "instability",
            "weight_loss_or_cancer",
            "saddle_numbness",
            "bladder_bowel_change",
            "both_legs",
            "leg_weakness",
        ),
    ),
    Section(
        "training",
        _("You and your training"),
        _("Leave anything you are not sure about empty."),
        (
            "age",
            "sex",
            "weekly_km",
            "mileage_change_pct",
            "shoe_km",
            "running_focus",
            "hard_surfaces",
            "previous_hip_injury",
        ),
    ),
    Section(
        "energy",
        _("Energy and bone health"),
        _(
            "Some of these are personal: tick only what you are comfortable sharing. We ask because not eating "
            "enough for your training can weaken bones, and that changes what is safe for a sore hip."
        ),
        ("missed_periods", "restricted_eating", "previous_bone_stress", "low_energy_risk"),
    ),
    Section(
        "tests",
        _("Quick self-tests"),
        _(
            "Each takes under a minute. Go gently and stop if something hurts. Choose “Skip” for any test you "
            "would rather not do."
        ),
        ("tests",),
    ),
)

# Tick boxes read better as statements than as the engine's questions.
STATEMENTS = {
    "night_pain": _("The pain wakes me at night"),
    "pain_at_rest": _("It hurts when I am resting"),
    "cannot_bear_weight": _("It is too painful to put weight on the leg"),
    "limping": _("I am limping, or cannot walk or run the way I normally do"),
    "instability": _("The hip feels unstable or gives way"),
    "swelling_bruising": _("I can see swelling or bruising"),
    "hot_red_joint": _("The hip is hot, red or swollen"),
    "fever_unwell": _("I have a fever or feel generally unwell"),
    "locking_daily": _("The hip clicks, catches or locks in everyday life"),
    "clicking_running": _("It clicks or snaps, but only while running"),
    "radiating": _("The pain spreads to my back, thigh or knee"),
    "numbness_tingling": _("I have numbness or tingling in the leg"),
    "back_pain": _("I also have low back pain"),
    "knee_pain": _("My knee hurts"),
    "saddle_numbness": _(
        "I have numbness around my groin, bottom or inner thighs (where you sit on a saddle)"
    ),
    "bladder_bowel_change": _(
        "My bladder or bowels have changed recently: trouble peeing, leaking, new "
        "constipation, or less control"
    ),
    "both_legs": _("Pain spreads down both legs, or both legs feel numb, tingly or weak"),
    "leg_weakness": _("One leg, or both, is getting weaker (for example the foot catches or drags)"),
    "worse_lying_on_side": _("It is worse lying on the painful side"),
    "worse_sitting": _("It is worse after sitting for a while"),
    "stiff_after_rest": _("The hip is stiff in the morning or after sitting"),
    "pain_lifting_knee": _("Lifting the knee hurts (stairs, knee drive)"),
    "pain_uphill_speed": _("It hurts more uphill or during speed work"),
    "persists_despite_rest": _("It has lasted more than two weeks despite rest"),
    "previous_hip_injury": _("I have injured this hip before"),
    "hard_surfaces": _("I mostly run on hard surfaces (roads, pavements)"),
    "low_energy_risk": _("I have missed periods, eat restrictively, or often feel low on energy"),
    "missed_periods": _(
        "My periods have stopped for three months or more (not because of pregnancy or contraception)"
    ),
    "restricted_eating": _("I may be eating less than my training needs, or I often feel low on energy"),
    "previous_bone_stress": _("I have had a stress fracture or bone stress injury before"),
    "weight_loss_or_cancer": _("I have lost weight without trying, or have had cancer"),
}

HELP_TEXTS = {
    "duration_days": _("Roughly how many days since it started."),
    "pain_running": _("0 means no pain, 10 the worst pain you can imagine."),
    "pain_after": _("In the hours after a run."),
    "weekly_km": _("Your usual week before the pain started."),
    "mileage_change_pct": _(
        "Compared with before, how much more did you run per week recently? "
        "For example 20 for 20 % more, or -10 for less."
    ),
    "shoe_km": _("Roughly how far your current running shoes have gone."),
}

PAIN_SCALE = [
    (0, _("0 – no pain")),
    (1, _("1 – very mild")),
    (2, _("2 – mild")),
    (3, _("3 – mild")),
    (4, _("4 – moderate")),
    (5, _("5 – moderate")),
    (6, _("6 – moderate to severe")),
    (7, _("7 – severe")),
    (8, _("8 – severe")),
    (9, _("9 – very severe")),
    (10, _("10 – worst imaginable")),
]
PAIN_FIELDS = ("pain_running", "pain_after")

TEST_RESULT_LABELS = {"pain": _("It hurt"), "no_pain": _("No pain"), "not_done": _("Skip")}


@dataclass(frozen=True)
class SelfTest:
    title: str
    how: str
    question: str
    caution: str = ""


SELF_TESTS = {
    "leg_swing": SelfTest(
        _("Standing leg swing"),
        _(
            "Stand side-on to a wall with one hand on it. Swing the sore leg gently forwards and back about ten "
            "times, keeping your body upright."
        ),
        _("Did you feel pain at the front of the hip?"),
    ),
    "resisted_clamshell": SelfTest(
        _("Resisted clamshell"),
        _(
            "Lie on your good side with both knees bent and together. Put your hand on the outside of the top "
            "knee and try to lift that knee for about five seconds while your hand holds it down."
        ),
        _("Did you feel pain on the outside of the hip?"),
    ),
    "seated_rotation": SelfTest(
        _("Seated rotation"),
        _(
            "Sit on a chair and rest the ankle of the sore leg on the other knee. Let the knee fall outwards, "
            "then press it down gently with your hand."
        ),
        _("Did you feel pain deep in the groin?"),
    ),
    "single_leg_hop": SelfTest(
        _("Single-leg hop"),
        _(
            "Stand on the sore leg next to something you can hold, and do up to ten small hops on the spot. "
            "Stop at once if it hurts."
        ),
        _("Did hopping hurt?"),
        caution=_("Only if walking does not hurt at all. If it does, choose “Skip”."),
    ),
}
# Ticking one of these hides the hop test (the engine owns the list and scores a hop answer with it in mind).
HOP_BLOCKERS = engine.HOP_BLOCKERS


@dataclass(frozen=True)
class Banner:
    tone: str  # a Bootstrap colour
    title: str
    lead: str


URGENCY_TONES = {
    Urgency.EMERGENCY: "danger",
    Urgency.URGENT: "warning",
    Urgency.ROUTINE: "primary",
    Urgency.SELF_CARE: "success",
}
BANNERS = {
    Urgency.EMERGENCY: Banner(
        URGENCY_TONES[Urgency.EMERGENCY],
        _("Stop running now and get medical care today."),
        _("Some of your answers can be a sign of a problem that should be checked today."),
    ),
    Urgency.URGENT: Banner(
        URGENCY_TONES[Urgency.URGENT],
        _("Stop running for now and see a clinician within 48 hours."),
        _("Some of your answers need a closer look before you run again."),
    ),
    Urgency.ROUTINE: Banner(
        URGENCY_TONES[Urgency.ROUTINE],
        _("Book an assessment in the coming days."),
        _("Nothing in your answers needs urgent care, but a physio or sports doctor should look at it."),
    ),
    Urgency.SELF_CARE: Banner(
        URGENCY_TONES[Urgency.SELF_CARE],
        _("This looks suitable for careful self-care."),
        _("Nothing in your answers needs urgent care. Keep an eye on how it responds."),
    ),
}

# Red flags whose own advice is stronger than "care today": the banner says what the flag says.
EMERGENCY_DEPARTMENT_BANNER = Banner(
    "danger",
    _("Go to an emergency department now."),
    _(
        "Some of your answers can mean the nerves at the bottom of the spine are being squeezed. That needs "
        "checking in hospital straight away; don't wait for an appointment."
    ),
)
BANNER_FLAGS = {"possible_cauda_equina": EMERGENCY_DEPARTMENT_BANNER}


def banner_for(result: dict, urgency: str) -> Banner | None:
    """The result page's headline: the urgency's, unless a red flag asks for more (an emergency department)."""
    for flag in result.get("red_flags") or []:
        if flag.get("code") in BANNER_FLAGS:
            return BANNER_FLAGS[flag["code"]]
    return BANNERS.get(urgency)


# Short, clinician-facing names for the red flags (alerts, the caseload).
RED_FLAG_TITLES = {
    "groin_pain_cannot_bear_weight": _("groin pain and cannot bear weight"),
    "hop_test_pain": _("pain on the single-leg hop"),
    "possible_infection": _("fever or a hot, red joint"),
    "possible_slipped_growth_plate": _("age 8–16 with a limp (possible slipped growth plate)"),
    "weight_loss_or_cancer_with_rest_pain": _("rest or night pain with weight loss or cancer history"),
    "night_or_rest_pain": _("night or rest pain"),
    "swelling_bruising": _("swelling or bruising"),
    "locking_daily": _("locking in daily life"),
    "persists_despite_rest": _("pain over two weeks despite rest"),
    "limping_or_instability": _("limping, instability or not bearing weight"),
    "radiating_or_numbness": _("radiating pain or numbness"),
    "clicking_while_running": _("clicking while running"),
    "possible_cauda_equina": _(
        "saddle numbness, bladder or bowel change, both legs or a weakening leg (possible cauda equina)"
    ),
    "red_s_bone_stress": _(
        "RED-S signs with groin or front-of-hip pain (possible femoral neck stress injury)"
    ),
    "severe_running_pain": _("pain 7/10 or more while running"),
    "young_athlete_hip_or_knee_pain": _("age 8–16 with hip, thigh or knee pain"),
}
URGENCY_LABELS = {
    Urgency.EMERGENCY: _("Emergency"),
    Urgency.URGENT: _("Urgent"),
    Urgency.ROUTINE: _("Routine"),
    Urgency.SELF_CARE: _("Self-care"),
}


# --------------------------------------------------------------------------- the engine's words

# What each stored code says, in the engine's English (the catalog's msgids).
REASON_TEXTS = {rule.id: rule.reason for rule in engine.RULES} | {
    rule.referral_code: rule.refer for rule in engine.RED_FLAG_RULES if rule.refer
}
FLAG_MESSAGES = {rule.code: rule.message for rule in engine.RED_FLAG_RULES}
_FLAG_URGENCY = {rule.code: rule.urgency for rule in engine.RED_FLAG_RULES}


def _definition(code):
    return engine.REFER_MEDICAL if code == engine.REFER_MEDICAL.code else engine.CONDITIONS.get(code)


def answer_errors(error: engine.InvalidAnswers) -> dict[str, list[str]]:
    """The engine's validation messages in the active language (field name -> messages)."""
    return {
        field: [
            gettext(m.template) % m.params if isinstance(m, engine.Problem) else gettext(m) for m in messages
        ]
        for field, messages in error.errors.items()
    }


def field_label(spec: engine.Field) -> str:
    return gettext(spec.label)


def choice_labels(spec: engine.Field) -> list[tuple[str, str]]:
    return [(value, gettext(label)) for value, label in spec.choices]


def condition_name(code: str, stored: str | None = None) -> str:
    """A suggested condition's name; a name stored with the result (older results) is shown as stored."""
    if stored:
        return stored
    definition = _definition(code)
    return gettext(definition.name) if definition else str(code).replace("_", " ")


def catalogue_text(code: str, field: str, text: str) -> str:
    """A Condition row's text (name, region, presentation, advice) in the reader's language while it is the
    engine's: the table is a copy of engine.CONDITIONS; a text changed in the table is shown as it is."""
    definition = engine.CONDITIONS.get(code)
    return gettext(text) if definition is not None and text and getattr(definition, field) == text else text


def catalogue_name(code: str, name: str) -> str:
    return catalogue_text(code, "name", name)


def condition_advice(code: str) -> str:
    definition = _definition(code)
    return gettext(definition.advice) if definition else ""


def _text(item, sources: dict[str, str], stored_key: str = "text") -> tuple[str | None, dict, str]:
    """(code, params, text) of one stored text: a code rendered in the active language, else the words stored."""
    if isinstance(item, str):
        return None, {}, item
    if not isinstance(item, dict):
        return None, {}, str(item)
    code, params = item.get("code"), item.get("params") or {}
    if item.get(stored_key):
        return code, params, item[stored_key]
    source = sources.get(code)
    if source is None:
        return code, params, str(code or "")
    text = gettext(source)
    return code, params, text % params if params else text


def flag_message(flag) -> str:
    return _text(flag, FLAG_MESSAGES, "message")[2]


def reason_details(condition: dict) -> list[dict]:
    return [
        {"code": code, "params": params, "text": text}
        for code, params, text in (_text(r, REASON_TEXTS) for r in condition.get("reasons") or [])
    ]


def urgency_advice(urgency: str) -> str:
    source = engine.URGENCY_ADVICE.get(urgency)
    return gettext(source) if source else ""


def advice_text(result: dict) -> str:
    """The advice the athlete was given: the urgency's, the leading entry's, then the warning signs."""
    advice = result.get("advice")
    if not isinstance(advice, dict):
        return advice or ""
    parts = [urgency_advice(advice.get("urgency"))]
    if advice.get("condition"):
        parts.append(f"{condition_name(advice['condition'])}: {condition_advice(advice['condition'])}")
    messages = [flag_message(flag) for flag in result.get("red_flags") or []]
    if messages:
        parts.append(gettext(engine.WARNING_SIGNS) + " " + " ".join(messages))
    return " ".join(part for part in parts if part)


def disclaimer(result: dict) -> str:
    return result.get("disclaimer") or gettext(engine.DISCLAIMER)


def render_result(result: dict) -> dict:
    """A stored result in the active language: every code with its parameters and its text. The keys of the
    engine's English output (``Assessment.to_dict()``) keep their meaning (text), so clients reading them
    still work."""
    if not isinstance(result, dict):
        return result
    advice = result.get("advice")
    return {
        "urgency": result.get("urgency"),
        "urgency_label": str(URGENCY_LABELS.get(result.get("urgency"), result.get("urgency") or "")),
        "stop_running": bool(result.get("stop_running")),
        "red_flags": [
            {"code": flag.get("code"), "params": flag.get("params") or {}, "message": flag_message(flag)}
            for flag in result.get("red_flags") or []
            if isinstance(flag, dict)
        ],
        "conditions": [
            {
                "code": c.get("code"),
                "name": condition_name(c.get("code"), c.get("name")),
                "score": c.get("score"),
                "reasons": [detail["text"] for detail in details],
                "reason_details": details,
            }
            for c in result.get("conditions") or []
            if isinstance(c, dict)
            for details in [reason_details(c)]
        ],
        "advice": advice_text(result),
        "advice_for": advice.get("condition") if isinstance(advice, dict) else None,
        "engine_version": result.get("engine_version"),
        "disclaimer": disclaimer(result),
    }


def red_flags_for_display(result: dict) -> list[dict]:
    """The result's red flags with a short title and their urgency, for clinicians."""
    shown = []
    for flag in result.get("red_flags") or []:
        code = flag.get("code", "")
        urgency = _FLAG_URGENCY.get(code, "")
        title = RED_FLAG_TITLES.get(code)
        shown.append(
            {
                "code": code,
                "title": str(title) if title else code.replace("_", " "),
                "message": flag_message(flag),
                "urgency": urgency,
                "urgency_label": str(URGENCY_LABELS.get(urgency, "")),
            }
        )
    return shown


def match_label(score: float) -> str:
    """How well a condition fits, in words (athletes do not need the number)."""
    if score >= 0.75:
        return gettext("Strong match")
    if score >= 0.5:
        return gettext("Fits partly")
    return gettext("Possible")


def alert_message(result: dict, when=None) -> str:
    """One line for the care team saying why (the alert's severity badge says how urgent).

    The alert stores the line, so it is written in the site's language whoever submitted the check."""
    with translation.override(settings.LANGUAGE_CODE):
        flags = [str(RED_FLAG_TITLES.get(f["code"], f["code"])) for f in result.get("red_flags", [])]
        conditions = result.get("conditions") or []
        if flags:
            why = "; ".join(flags)
        elif conditions:
            why = f"top suggestion {condition_name(conditions[0]['code'], conditions[0].get('name'))}"
        else:
            why = "see the answers"
    day = f" ({timezone.localtime(when):%d %b})" if when else ""
    text = f"Hip check{day}: {why}"
    return text if len(text) <= 300 else text[:299] + "…"


def advice_parts(result: dict) -> tuple[str, str]:
    """Split the advice into (what to do now, advice for the top condition), in the active language.

    The advice ends with the red-flag messages; the result page shows red flags as their own list. Results
    stored as words are split when they read as the engine's English, else shown whole.
    """
    advice = result.get("advice")
    if isinstance(advice, dict):
        condition = advice.get("condition")
        return urgency_advice(advice.get("urgency")), condition_advice(condition) if condition else ""
    advice = advice or ""
    general = engine.URGENCY_ADVICE.get(result.get("urgency"), "")
    if not general or not advice.startswith(general):
        return advice, ""
    rest = advice[len(general) :].strip()
    conditions = result.get("conditions") or []
    code = conditions[0]["code"] if conditions else None
    definition = _definition(code)
    if definition and rest.startswith(f"{definition.name}: {definition.advice}"):
        return general, definition.advice
    return general, ""


def _value_text(spec: engine.Field, value) -> str:
    if spec.kind in ("choice", "multichoice"):
        labels = dict(choice_labels(spec))
        values = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(v, str(v)) for v in values)
    if spec.name in PAIN_FIELDS:
        return f"{value}/10"
    if spec.name == "mileage_change_pct":
        return f"{value:+g} %"
    if spec.name in ("weekly_km", "shoe_km"):
        return f"{value:g} km"
    if spec.name == "duration_days":
        return ngettext("%(count)s day", "%(count)s days", value) % {"count": value}
    return str(value)


def answers_for_display(answers: dict) -> list[dict]:
    """The answers grouped like the form: per section, the values given, the boxes ticked and not ticked."""
    shown = []
    for section in SECTIONS:
        rows, ticked, unticked = [], [], []
        for name in section.fields:
            spec = engine.FIELDS[name]
            value = answers.get(name)
            if spec.kind == "tests":
                for sub in spec.subfields:
                    result = (value or {}).get(sub.name)
                    label = SELF_TESTS[sub.name].title if sub.name in SELF_TESTS else field_label(sub)
                    rows.append((str(label), str(TEST_RESULT_LABELS.get(result, _("Not answered")))))
            elif spec.kind == "bool":
                statement = str(STATEMENTS[name]) if name in STATEMENTS else field_label(spec)
                if value is True:
                    ticked.append(statement)
                elif value is False:
                    unticked.append(statement)
            elif value is not None:
                # The section's title already asks "Where does it hurt?"
                label = (
                    gettext("Places") if spec.label == engine.FIELDS["locations"].label else field_label(spec)
                )
                rows.append((label, _value_text(spec, value)))
        shown.append({"section": section, "rows": rows, "ticked": ticked, "unticked": unticked})
    return shown
