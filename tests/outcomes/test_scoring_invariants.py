"""Invariants of scoring, for any answers a questionnaire accepts."""

from hypothesis import given
from hypothesis import strategies as st

from outcomes import instruments
from outcomes.scoring import change_in, score


@st.composite
def instrument_and_answers(draw):
    instrument = draw(st.sampled_from(instruments.all_instruments()))
    answers = {}
    for item in instrument.items:
        if draw(st.booleans()):
            continue  # left unanswered
        if item.integer:
            answers[item.code] = draw(st.integers(int(item.min), int(item.max)))
        else:
            answers[item.code] = draw(st.floats(item.min, item.max, allow_nan=False))
    return instrument, answers


@given(instrument_and_answers())
def test_every_score_is_within_the_instruments_range(case):
    instrument, answers = case
    result = score(instrument, answers)
    for value in [result.total, *result.subscales.values()]:
        assert value is None or instrument.score_min <= value <= instrument.score_max
    assert result.answered == len(answers)
    assert result.valid == all(
        v is not None
        for v in [*result.subscales.values()] + ([result.total] if instrument.total_rule else [])
    )


@given(instrument_and_answers())
def test_answering_every_item_always_scores(case):
    instrument, answers = case
    full = {item.code: answers.get(item.code, item.min) for item in instrument.items}
    assert score(instrument, full).valid


@given(
    st.sampled_from(instruments.all_instruments()),
    st.floats(0, 10, allow_nan=False),
    st.floats(0, 10, allow_nan=False),
)
def test_change_is_antisymmetric(instrument, a, b):
    there, back = change_in(instrument, a, b), change_in(instrument, b, a)
    assert (
        there.meaningful == back.meaningful or instrument.change.percent
    )  # a percent depends on the baseline
    if there.improved is not None and back.improved is not None:
        assert there.improved != back.improved
