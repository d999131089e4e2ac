"""Every code an outcomes engine can return has words."""

import pytest
from django.utils import translation

from outcomes import codes, wording
from outcomes.codes import Reason

SAMPLE_PARAMS = {
    "scale": "adl",
    "answered": 2,
    "needed": 3,
    "count": 4,
    "missing": ["qol"],
    "item": "P1",
    "value": 5,
    "min": 0,
    "max": 4,
    "baseline": "lefs",
    "current": "nprs",
    "test": "single_leg_squat",
    "measure": "reps",
    "side": "left",
    "unit": "lb",
    "needed_measures": ["pain"],
    "pain": 4,
    "max_pain": 2,
    "min_count": 10,
    "pct": 85.0,
    "min_pct": 90,
    "index": 0,
    "problem": "unknown test",
    "on": "2026-05-10",
    "instrument": "ihot12",
    "kind": "prom",
    "op": ">=",
    "target": 70,
}
ALL_CODES = [value for name, value in vars(codes).items() if name.isupper() and isinstance(value, str)]


@pytest.mark.parametrize("code", ALL_CODES)
def test_every_code_renders_without_leftover_placeholders(code):
    text = wording.render(Reason(code, SAMPLE_PARAMS))
    assert text and "%(" not in text and "{" not in text


def test_render_accepts_stored_dicts():
    stored = Reason(
        codes.PAIN_TOO_HIGH, {"test": "hop_on_spot", "side": "right", "pain": 4, "max_pain": 2}
    ).as_dict()
    assert wording.render(stored) == "Hopping on the spot, right: pain 4/10, above 2/10."


@pytest.mark.parametrize(
    "test, words",
    [
        (
            "fadir",
            "FADIR (flexion, adduction, internal rotation), left: positive, it brought on the familiar pain.",
        ),
        ("trendelenburg", "Trendelenburg, left: positive, the pelvis dropped or the trunk leaned."),
    ],
)
def test_a_positive_finding_says_what_was_positive(test, words):
    """Trendelenburg provokes no pain: its positive finding is the pelvis dropping, not the familiar pain."""
    with translation.override("en-gb"):
        assert (
            wording.render({"code": codes.POSITIVE_FINDING, "params": {"test": test, "side": "left"}})
            == words
        )
