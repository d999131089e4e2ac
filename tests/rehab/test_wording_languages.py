"""The prescription in words in both languages (issue #25): run, walk/jog steps, pain rule, dosage (its plural
forms), the training-load warnings and the after-log advice read in English and in Spanish, from the same rows."""

from datetime import date
from types import SimpleNamespace

import pytest
from django.utils import translation

from library.dosage import dosage_in_words
from rehab import feedback, load, wording
from rehab.compliance import Compliance

LADDER = [{"jog": 1, "walk": 3}, {"jog": 2, "walk": 2}]


def phase(**kw):
    base = {
        "run_activity": "none", "run_minutes": None, "sessions_per_week": None, "walk_minutes": None,
        "jog_minutes": None, "incline_pct": None, "weekly_increase_cap_pct": None, "run_note": "", "run_steps": [],
        "max_pain_during": 2, "max_pain_after": 2, "must_settle_by_morning": True, "next_day_pain_allowed": False,
        "pain_note": "",
    }  # fmt: skip
    return SimpleNamespace(**(base | kw))


def dose(**kw):
    base = {"sets": None, "reps": None, "hold_seconds": None, "duration_minutes": None, "per_side": False,
            "times_per_day": None, "days_per_week": None, "note": ""}  # fmt: skip
    return SimpleNamespace(**(base | kw))


RUNS = [
    ("none", {}, "No running in this phase.", "En esta fase no se corre."),
    ("walk-incline", {"run_activity": "walk", "run_minutes": 15, "sessions_per_week": 3, "incline_pct": 2.5},
     "Brisk walk 15 min on a 2.5 % incline, three times a week.",
     "Camina a paso rápido 15 min en una pendiente del 2,5 %, tres veces por semana."),
    ("walk-jog-rounds", {"run_activity": "walk_jog", "run_minutes": 20, "sessions_per_week": 2, "walk_minutes": 3,
                         "jog_minutes": 1},
     "Walk 3 min / jog 1 min × 5 (20 min), twice a week.",
     "Camina 3 min / trota 1 min × 5 (20 min), dos veces por semana."),
    ("walk-jog-ladder", {"run_activity": "walk_jog", "run_minutes": 20, "sessions_per_week": 3,
                         "run_steps": LADDER, "run_note": "Flat ground."},
     "Walk and jog in turns for 20 min, three times a week, one step at a time. Step 1: jog 1 min, walk 3 min. "
     "Step 2: jog 2 min, walk 2 min. Flat ground.",
     "Alterna caminar y trotar durante 20 min, tres veces por semana, paso a paso. Paso 1: trota 1 min, camina "
     "3 min. Paso 2: trota 2 min, camina 2 min. Flat ground."),
    ("jog", {"run_activity": "jog", "run_minutes": 25, "sessions_per_week": 7},
     "Easy jog 25 min without stopping, every day.", "Trota suave 25 min sin parar, todos los días."),
    ("run-cap", {"run_activity": "run", "run_minutes": 40, "sessions_per_week": 4, "weekly_increase_cap_pct": 10},
     "Normal running, 40 min, four times a week; raise your weekly volume by no more than 10 % a week.",
     "Carrera normal, 40 min, cuatro veces por semana; no subas tu volumen semanal más de un 10 % por semana."),
    ("cross-train", {"run_activity": "cross_train", "run_minutes": 30, "sessions_per_week": 1},
     "No running. Keep fit with cycling, swimming or other low-impact training: 30 min, once a week.",
     "Sin correr. Mantén la forma con bici, natación u otro entrenamiento de bajo impacto: 30 min, una vez por "
     "semana."),
    ("eight-a-week", {"run_activity": "jog", "sessions_per_week": 8},
     "Easy jog without stopping, 8 times a week.", "Trota suave sin parar, 8 veces por semana."),
]  # fmt: skip


@pytest.mark.parametrize(
    "fields,english,spanish", [case[1:] for case in RUNS], ids=[case[0] for case in RUNS]
)
def test_run_text_in_both_languages(fields, english, spanish):
    with translation.override("en-gb"):
        assert wording.run_text(phase(**fields)) == english
    with translation.override("es"):
        assert wording.run_text(phase(**fields)) == spanish


PAIN = [
    ("allowance", {}, "Up to 2/10 during is OK; it must settle by tomorrow morning; no extra pain the next day.",
     "Hasta 2/10 durante la actividad es aceptable; debe haberse calmado mañana por la mañana; sin más dolor al día "
     "siguiente."),
    ("pain-free", {"max_pain_during": 0, "max_pain_after": 0},
     "No pain at all, during or after (0/10); none the next morning either.",
     "Nada de dolor, ni durante ni después (0/10); ni tampoco a la mañana siguiente."),
    ("less-after", {"max_pain_during": 3, "max_pain_after": 1, "next_day_pain_allowed": True},
     "Up to 3/10 during is OK; up to 1/10 afterwards; it must settle by tomorrow morning.",
     "Hasta 3/10 durante la actividad es aceptable; hasta 1/10 después; debe haberse calmado mañana por la mañana."),
]  # fmt: skip


@pytest.mark.parametrize(
    "fields,english,spanish", [case[1:] for case in PAIN], ids=[case[0] for case in PAIN]
)
def test_pain_text_in_both_languages(fields, english, spanish):
    with translation.override("en-gb"):
        assert wording.pain_text(phase(**fields)) == english
    with translation.override("es"):
        assert wording.pain_text(phase(**fields)) == spanish


DOSES = [
    ("one-rep", {"reps": 1}, "1 rep", "1 repetición"),
    ("reps", {"reps": 12}, "12 reps", "12 repeticiones"),
    ("sets-reps-each-side", {"sets": 3, "reps": 10, "per_side": True},
     "3 sets × 10 reps, each side", "3 series × 10 repeticiones, por lado"),
    ("one-set", {"sets": 1}, "1 set", "1 serie"),
    ("sets", {"sets": 2}, "2 sets", "2 series"),
    ("reps-hold", {"sets": 2, "reps": 8, "hold_seconds": 5}, "2 sets × 8 reps, 5 s hold",
     "2 series × 8 repeticiones, manteniendo 5 s"),
    ("hold-sets", {"sets": 3, "hold_seconds": 30}, "Hold 30 s × 3", "Mantén 30 s × 3"),
    ("twice-a-day", {"hold_seconds": 120, "times_per_day": 2}, "Hold 2 min · twice a day",
     "Mantén 2 min · dos veces al día"),
    ("six-a-day", {"reps": 5, "times_per_day": 6}, "5 reps · 6 times a day", "5 repeticiones · 6 veces al día"),
    ("one-day-a-week", {"duration_minutes": 30, "days_per_week": 1}, "30 min · 1 day a week",
     "30 min · 1 día por semana"),
    ("days-a-week", {"reps": 10, "days_per_week": 3}, "10 reps · 3 days a week", "10 repeticiones · 3 días por semana"),
    ("every-day", {"reps": 10, "days_per_week": 7}, "10 reps · every day", "10 repeticiones · todos los días"),
    ("note-follows", {"reps": 8, "note": "Band above the knees."}, "8 reps. Band above the knees.",
     "8 repeticiones. Band above the knees."),
    ("nothing", {}, "As your clinician showed you", "Como te enseñó tu fisioterapeuta"),
]  # fmt: skip


@pytest.mark.parametrize(
    "fields,english,spanish", [case[1:] for case in DOSES], ids=[case[0] for case in DOSES]
)
def test_dosage_text_in_both_languages(fields, english, spanish):
    with translation.override("en-gb"):
        assert wording.dosage_text(dose(**fields)) == english
    with translation.override("es"):
        assert wording.dosage_text(dose(**fields)) == spanish


def test_a_library_range_counts_by_its_upper_end():
    ranged = SimpleNamespace(**vars(dose(sets=1, sets_max=2, reps=1, reps_max=3)))
    with translation.override("es"):
        assert dosage_in_words(ranged, fallback="") == "1–2 series × 1–3 repeticiones"


def test_the_stop_list_is_english_data_the_pages_translate():
    # The lines are the msgids: English in code, the templates translate them as they render.
    assert wording.stop_list(pain_free=False)[-1] == "pain reaches 7/10 or more"
    with translation.override("es"):
        assert translation.gettext(wording.HIGH_PAIN) == "el dolor llega a 7/10 o más"
        assert all(translation.gettext(line) != line for line in wording.stop_list(pain_free=True))


LOADS = [
    ("athlete-warning", load.ATHLETE, 40,
     "Your distance is up 60 % on the week before (25 → 40 km). Jumps above 30 % are linked to running injuries: "
     "ease back this week.",
     "Tu distancia ha subido un 60 % respecto a la semana anterior (25 → 40 km). Los saltos de más del 30 % se "
     "asocian a lesiones en corredores: baja la carga esta semana."),
    ("clinician-notice", load.CLINICIAN, 30,
     "Distance up 20 % on the week before (25 → 30 km); about 10 % a week is the usual ceiling.",
     "Distancia un 20 % mayor que la semana anterior (25 → 30 km); lo habitual es no pasar de un 10 % por semana."),
]  # fmt: skip


@pytest.mark.parametrize("audience,week,english,spanish", [c[1:] for c in LOADS], ids=[c[0] for c in LOADS])
def test_load_warnings_in_both_languages(audience, week, english, spanish):
    change = round(100 * (week - 25) / 25)
    with translation.override("en-gb"):
        assert [w.message for w in load.load_warnings(25, week, change, audience=audience)] == [english]
    with translation.override("es"):
        assert [w.message for w in load.load_warnings(25, week, change, audience=audience)] == [spanish]


def test_shoe_and_decimal_distances_read_the_spanish_way():
    shoe = SimpleNamespace(name="Ghost 16", km=812.5, retired=False)
    with translation.override("es"):
        warnings = load.load_warnings(10.5, 12.5, 19, shoes=[shoe])
    assert [w.message for w in warnings] == [
        "Tu distancia ha subido un 19 % respecto a la semana anterior (10,5 → 12,5 km). Intenta no subir más de un "
        "10 % por semana, y cambia la distancia o la velocidad, no las dos.",
        "Tus Ghost 16 llevan 812,5 km: es momento de pensar en unas zapatillas nuevas.",
    ]


@pytest.mark.parametrize(
    "rated,runs,english,spanish",
    [(1, 2, "30 AU (1 of 2 runs rated)", "30 UA (1 de 2 carreras valoradas)"),
     (2, 2, "30 AU", "30 UA")],
    ids=["some-rated", "all-rated"],
)  # fmt: skip
def test_week_load_text_in_both_languages(rated, runs, english, spanish):
    week = load.Week(date(2026, 11, 1), date(2026, 11, 7), 10.0, runs, rated, 30)
    with translation.override("en-gb"):
        assert week.load_text == english
    with translation.override("es"):
        assert week.load_text == spanish


def test_compliance_band_in_spanish():
    with translation.override("es"):
        assert Compliance(date(2026, 11, 1), date(2026, 11, 7)).band_label == "Nada previsto"


LOG = SimpleNamespace(
    date=date(2026, 11, 5), pain_during=4, pain_after=3, pain_next_morning=None, red_flags=[]
)


def test_after_log_advice_in_both_languages():
    rule = feedback.Allowance(max_pain_during=2, max_pain_after=2)
    with translation.override("en-gb"):
        advice = feedback.advice_for(LOG, rule)
    assert advice.title == "Ease off for a day or two"
    assert advice.why == (
        "You logged 4/10 during (this phase allows up to 2/10) and 3/10 afterwards (this phase allows up to 2/10)."
    )
    with translation.override("es"):
        advice = feedback.advice_for(LOG, rule)
    assert advice.title == "Afloja uno o dos días"
    assert advice.why == (
        "Has registrado 4/10 durante la actividad (esta fase permite hasta 2/10) y 3/10 después (esta fase permite "
        "hasta 2/10)."
    )
    assert (
        advice.steps[0] == "Tómate uno o dos días sin correr, o vuelve al último nivel que te resultó cómodo."
    )


def test_emergency_advice_in_spanish():
    log = SimpleNamespace(**{**vars(LOG), "red_flags": ["saddle_bladder_bowel"]})
    with translation.override("es"):
        advice = feedback.advice_for(log, None)
    assert advice.title == "Ve a urgencias ahora mismo"
    assert advice.steps[-1] == "Cuando puedas, avisa a la clínica. Tienes sus datos más abajo."
