"""What people read around the engine: form sections, self-test instructions, result headlines.

The engine (triage/engine.py) owns the clinical content; this module only arranges it for the pages and
says it in plain words.
"""

from dataclasses import dataclass

from django.utils import timezone

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
        "Where does it hurt?",
        "Tick every place that hurts.",
        ("locations", "knee_pain", "radiating", "numbness_tingling", "back_pain"),
    ),
    Section(
        "when",
        "When did it start?",
        "A rough answer is fine.",
        ("onset", "duration_days", "pain_running", "pain_after", "persists_despite_rest"),
    ),
    Section(
        "worse",
        "What makes it worse?",
        "Tick the ones that are true for you.",
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
        "Warning signs",
        "These help us spot anything that needs a doctor soon. Tick any that apply to you.",
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
        "You and your training",
        "Leave anything you are not sure about empty.",
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
        "Energy and bone health",
        "Some of these are personal: tick only what you are comfortable sharing. We ask because not eating "
        "enough for your training can weaken bones, and that changes what is safe for a sore hip.",
        ("missed_periods", "restricted_eating", "previous_bone_stress", "low_energy_risk"),
    ),
    Section(
        "tests",
        "Quick self-tests",
        "Each takes under a minute. Go gently and stop if something hurts. Choose “Skip” for any test you "
        "would rather not do.",
        ("tests",),
    ),
)

# Tick boxes read better as statements than as the engine's questions.
STATEMENTS = {
    "night_pain": "The pain wakes me at night",
    "pain_at_rest": "It hurts when I am resting",
    "cannot_bear_weight": "It is too painful to put weight on the leg",
    "limping": "I am limping, or cannot walk or run the way I normally do",
    "instability": "The hip feels unstable or gives way",
    "swelling_bruising": "I can see swelling or bruising",
    "hot_red_joint": "The hip is hot, red or swollen",
    "fever_unwell": "I have a fever or feel generally unwell",
    "locking_daily": "The hip clicks, catches or locks in everyday life",
    "clicking_running": "It clicks or snaps, but only while running",
    "radiating": "The pain spreads to my back, thigh or knee",
    "numbness_tingling": "I have numbness or tingling in the leg",
    "back_pain": "I also have low back pain",
    "knee_pain": "My knee hurts",
    "saddle_numbness": "I have numbness around my groin, bottom or inner thighs (where you sit on a saddle)",
    "bladder_bowel_change": "My bladder or bowels have changed recently: trouble peeing, leaking, new "
    "constipation, or less control",
    "both_legs": "Pain spreads down both legs, or both legs feel numb, tingly or weak",
    "leg_weakness": "One leg, or both, is getting weaker (for example the foot catches or drags)",
    "worse_lying_on_side": "It is worse lying on the painful side",
    "worse_sitting": "It is worse after sitting for a while",
    "stiff_after_rest": "The hip is stiff in the morning or after sitting",
    "pain_lifting_knee": "Lifting the knee hurts (stairs, knee drive)",
    "pain_uphill_speed": "It hurts more uphill or during speed work",
    "persists_despite_rest": "It has lasted more than two weeks despite rest",
    "previous_hip_injury": "I have injured this hip before",
    "hard_surfaces": "I mostly run on hard surfaces (roads, pavements)",
    "low_energy_risk": "I have missed periods, eat restrictively, or often feel low on energy",
    "missed_periods": "My periods have stopped for three months or more (not because of pregnancy or "
    "contraception)",
    "restricted_eating": "I may be eating less than my training needs, or I often feel low on energy",
    "previous_bone_stress": "I have had a stress fracture or bone stress injury before",
    "weight_loss_or_cancer": "I have lost weight without trying, or have had cancer",
}

HELP_TEXTS = {
    "duration_days": "Roughly how many days since it started.",
    "pain_running": "0 means no pain, 10 the worst pain you can imagine.",
    "pain_after": "In the hours after a run.",
    "weekly_km": "Your usual week before the pain started.",
    "mileage_change_pct": "Compared with before, how much more did you run per week recently? "
    "For example 20 for 20 % more, or -10 for less.",
    "shoe_km": "Roughly how far your current running shoes have gone.",
}

PAIN_SCALE = [
    (0, "0 – no pain"),
    (1, "1 – very mild"),
    (2, "2 – mild"),
    (3, "3 – mild"),
    (4, "4 – moderate"),
    (5, "5 – moderate"),
    (6, "6 – moderate to severe"),
    (7, "7 – severe"),
    (8, "8 – severe"),
    (9, "9 – very severe"),
    (10, "10 – worst imaginable"),
]
PAIN_FIELDS = ("pain_running", "pain_after")

TEST_RESULT_LABELS = {"pain": "It hurt", "no_pain": "No pain", "not_done": "Skip"}


@dataclass(frozen=True)
class SelfTest:
    title: str
    how: str
    question: str
    caution: str = ""


SELF_TESTS = {
    "leg_swing": SelfTest(
        "Standing leg swing",
        "Stand side-on to a wall with one hand on it. Swing the sore leg gently forwards and back about ten "
        "times, keeping your body upright.",
        "Did you feel pain at the front of the hip?",
    ),
    "resisted_clamshell": SelfTest(
        "Resisted clamshell",
        "Lie on your good side with both knees bent and together. Put your hand on the outside of the top "
        "knee and try to lift that knee for about five seconds while your hand holds it down.",
        "Did you feel pain on the outside of the hip?",
    ),
    "seated_rotation": SelfTest(
        "Seated rotation",
        "Sit on a chair and rest the ankle of the sore leg on the other knee. Let the knee fall outwards, "
        "then press it down gently with your hand.",
        "Did you feel pain deep in the groin?",
    ),
    "single_leg_hop": SelfTest(
        "Single-leg hop",
        "Stand on the sore leg next to something you can hold, and do up to ten small hops on the spot. "
        "Stop at once if it hurts.",
        "Did hopping hurt?",
        caution="Only if walking does not hurt at all. If it does, choose “Skip”.",
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
        "Stop running now and get medical care today.",
        "Some of your answers can be a sign of a problem that should be checked today.",
    ),
    Urgency.URGENT: Banner(
        URGENCY_TONES[Urgency.URGENT],
        "Stop running for now and see a clinician within 48 hours.",
        "Some of your answers need a closer look before you run again.",
    ),
    Urgency.ROUTINE: Banner(
        URGENCY_TONES[Urgency.ROUTINE],
        "Book an assessment in the coming days.",
        "Nothing in your answers needs urgent care, but a physio or sports doctor should look at it.",
    ),
    Urgency.SELF_CARE: Banner(
        URGENCY_TONES[Urgency.SELF_CARE],
        "This looks suitable for careful self-care.",
        "Nothing in your answers needs urgent care. Keep an eye on how it responds.",
    ),
}

# Red flags whose own advice is stronger than "care today": the banner says what the flag says.
EMERGENCY_DEPARTMENT_BANNER = Banner(
    "danger",
    "Go to an emergency department now.",
    "Some of your answers can mean the nerves at the bottom of the spine are being squeezed. That needs "
    "checking in hospital straight away; don't wait for an appointment.",
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
    "groin_pain_cannot_bear_weight": "groin pain and cannot bear weight",
    "hop_test_pain": "pain on the single-leg hop",
    "possible_infection": "fever or a hot, red joint",
    "possible_slipped_growth_plate": "age 8–16 with a limp (possible slipped growth plate)",
    "weight_loss_or_cancer_with_rest_pain": "rest or night pain with weight loss or cancer history",
    "night_or_rest_pain": "night or rest pain",
    "swelling_bruising": "swelling or bruising",
    "locking_daily": "locking in daily life",
    "persists_despite_rest": "pain over two weeks despite rest",
    "limping_or_instability": "limping, instability or not bearing weight",
    "radiating_or_numbness": "radiating pain or numbness",
    "clicking_while_running": "clicking while running",
    "possible_cauda_equina": "saddle numbness, bladder or bowel change, both legs or a weakening leg "
    "(possible cauda equina)",
    "red_s_bone_stress": "RED-S signs with groin or front-of-hip pain (possible femoral neck stress injury)",
    "severe_running_pain": "pain 7/10 or more while running",
    "young_athlete_hip_or_knee_pain": "age 8–16 with hip, thigh or knee pain",
}
URGENCY_LABELS = {
    Urgency.EMERGENCY: "Emergency",
    Urgency.URGENT: "Urgent",
    Urgency.ROUTINE: "Routine",
    Urgency.SELF_CARE: "Self-care",
}


def red_flags_for_display(result: dict) -> list[dict]:
    """The result's red flags with a short title and their urgency, for clinicians."""
    urgency_of = {rule.code: rule.urgency for rule in engine.RED_FLAG_RULES}
    return [
        {
            "code": flag["code"],
            "title": RED_FLAG_TITLES.get(flag["code"], flag["code"].replace("_", " ")),
            "message": flag["message"],
            "urgency": urgency_of.get(flag["code"], ""),
            "urgency_label": URGENCY_LABELS.get(urgency_of.get(flag["code"], ""), ""),
        }
        for flag in result.get("red_flags", [])
    ]


def match_label(score: float) -> str:
    """How well a condition fits, in words (athletes do not need the number)."""
    if score >= 0.75:
        return "Strong match"
    if score >= 0.5:
        return "Fits partly"
    return "Possible"


def alert_message(result: dict, when=None) -> str:
    """One line for the care team saying why (the alert's severity badge says how urgent)."""
    flags = [RED_FLAG_TITLES.get(f["code"], f["code"]) for f in result.get("red_flags", [])]
    conditions = result.get("conditions") or []
    if flags:
        why = "; ".join(flags)
    elif conditions:
        why = f"top suggestion {conditions[0]['name']}"
    else:
        why = "see the answers"
    day = f" ({timezone.localtime(when):%d %b})" if when else ""
    text = f"Hip check{day}: {why}"
    return text if len(text) <= 300 else text[:299] + "…"


def advice_parts(result: dict) -> tuple[str, str]:
    """Split the engine's advice into (what to do now, advice for the top condition).

    The engine joins these with the red-flag messages; the result page shows red flags as their own list.
    Results from an engine whose wording differs are shown whole.
    """
    advice = result.get("advice", "")
    general = engine.URGENCY_ADVICE.get(result.get("urgency"), "")
    if not general or not advice.startswith(general):
        return advice, ""
    rest = advice[len(general) :].strip()
    conditions = result.get("conditions") or []
    code = conditions[0]["code"] if conditions else None
    definition = engine.REFER_MEDICAL if code == engine.REFER_MEDICAL.code else engine.CONDITIONS.get(code)
    if definition and rest.startswith(f"{definition.name}: {definition.advice}"):
        return general, definition.advice
    return general, ""


def _value_text(spec: engine.Field, value) -> str:
    if spec.kind in ("choice", "multichoice"):
        labels = dict(spec.choices)
        values = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(v, str(v)) for v in values)
    if spec.name in PAIN_FIELDS:
        return f"{value}/10"
    if spec.name == "mileage_change_pct":
        return f"{value:+g} %"
    if spec.name in ("weekly_km", "shoe_km"):
        return f"{value:g} km"
    if spec.name == "duration_days":
        return f"{value} day{'s' if value != 1 else ''}"
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
                    label = SELF_TESTS[sub.name].title if sub.name in SELF_TESTS else sub.label
                    rows.append((label, TEST_RESULT_LABELS.get(result, "Not answered")))
            elif spec.kind == "bool":
                statement = STATEMENTS.get(name, spec.label)
                if value is True:
                    ticked.append(statement)
                elif value is False:
                    unticked.append(statement)
            elif value is not None:
                label = "Places" if spec.label == section.title else spec.label
                rows.append((label, _value_text(spec, value)))
        shown.append({"section": section, "rows": rows, "ticked": ticked, "unticked": unticked})
    return shown
