"""The outcomes engines' reasons, statuses and scale words in the reader's language (issue #25): every coded
sentence is in the catalog, so a Spanish reader never sees the English."""

import re

import pytest
from django.utils import translation

from outcomes import wording
from outcomes.codes import Reason
from outcomes.criteria import MET, MISSING, NOT_MET

PARAMS = {
    "scale": "pain", "answered": 3, "needed": 5, "count": 2, "item": "q3", "value": 12, "min": 0, "max": 10,
    "test": "fadir", "test_name": "FADIR", "measure": "reps", "side": "left", "test_side": "FADIR (left)",
    "pain": 4, "max_pain": 2, "unit": "reps", "min_count": 10, "pct": 85, "min_pct": 90, "number": 1,
    "problem": "unknown test", "on": "2026-11-02", "instrument_name": "HAGOS",
}  # fmt: skip


@pytest.mark.parametrize("code", sorted(wording.TEXTS))
def test_every_coded_sentence_reads_in_spanish(code):
    reason = Reason(code, PARAMS)
    with translation.override("en-gb"):
        english = wording.render(reason)
    with translation.override("es"):
        spanish = wording.render(reason)
    assert english and spanish and spanish != english
    assert not re.search(r"%\(\w+\)", spanish)


@pytest.mark.parametrize(
    ("status", "english", "spanish"),
    [(MET, "Met", "Cumplido"), (NOT_MET, "Not met yet", "Aún sin cumplir"),
     (MISSING, "Not measured in this phase", "Sin medir en esta fase")],
)  # fmt: skip
def test_a_criterions_status_in_both_languages(status, english, spanish):
    with translation.override("en-gb"):
        assert wording.status_label(status) == english
    with translation.override("es"):
        assert wording.status_label(status) == spanish


def test_scores_take_the_languages_decimal_separator():
    with translation.override("en-gb"):
        assert wording._number(3.4) == "3.4" and wording._number(12) == "12"
    with translation.override("es"):
        assert wording._number(3.4) == "3,4" and wording._number(12) == "12"
