"""Scoring by the published rules, worked by hand (see each case's comment)."""

import json

import pytest

from outcomes import codes, instruments
from outcomes.codes import OutcomeError
from outcomes.instruments import InstrumentError, load, parse
from outcomes.scoring import change, change_in, score


def items(prefix, values):
    return {f"{prefix}{i}": v for i, v in enumerate(values, start=1)}


def hoos_answers(*, symptoms=(), pain=(), adl=(), sport=(), qol=()):
    return {
        **items("S", symptoms),
        **items("P", pain),
        **items("A", adl),
        **items("SP", sport),
        **items("Q", qol),
    }


@pytest.mark.parametrize(
    ("code", "answers", "total", "subscales", "valid"),
    [
        pytest.param("nprs", {"pain": 7}, 7, {}, True, id="nprs-one-item"),
        pytest.param("nprs", {"pain": None}, None, {}, False, id="nprs-unanswered"),
        # PSFS: mean of the rated activities, (3 + 5 + 7) / 3 = 5.
        pytest.param("psfs", items("activity_", [3, 5, 7]), 5.0, {}, True, id="psfs-three-activities"),
        pytest.param("psfs", items("activity_", [2, 3, 4, 5]), 3.5, {}, True, id="psfs-four-activities"),
        pytest.param("psfs", items("activity_", [2, 3]), None, {}, False, id="psfs-two-is-too-few"),
        # LEFS: sum of 20 items.
        pytest.param("lefs", items("I", [3] * 20), 60, {}, True, id="lefs-sum"),
        pytest.param("lefs", items("I", [4] * 8 + [2] * 8), 60, {}, True, id="lefs-4-missing-mean-imputed"),
        pytest.param("lefs", items("I", [4] * 15), None, {}, False, id="lefs-5-missing-not-scored"),
        # iHOT-12: mean of 0–100 answers, (6 × 40 + 6 × 80) / 12 = 60.
        pytest.param("ihot12", items("Q", [40] * 6 + [80] * 6), 60, {}, True, id="ihot12-mean"),
        pytest.param("ihot12", items("Q", [50] * 10), 50, {}, True, id="ihot12-two-missing"),
        pytest.param("ihot12", items("Q", [50] * 9), None, {}, False, id="ihot12-three-missing"),
        pytest.param("ihot12", items("Q", [55.5] * 12), 55.5, {}, True, id="ihot12-decimal-vas"),
        # VISA-G: 7 × 5 + 20 = 55.
        pytest.param("visag", items("Q", [5] * 7 + [20]), 55, {}, True, id="visag-sum"),
        pytest.param("visag", items("Q", [5] * 7), None, {}, False, id="visag-every-item-needed"),
        # HOOS: 100 − mean × 25 per subscale.
        pytest.param(
            "hoos",
            hoos_answers(
                symptoms=[0, 1, 2, 3, 4], pain=[1] * 10, adl=[0] * 17, sport=[4] * 4, qol=[1, 2, None, None]
            ),
            None,
            {"symptoms": 50, "pain": 75, "adl": 100, "sport": 0, "qol": 62.5},
            True,
            id="hoos-subscales-qol-exactly-half",
        ),
        pytest.param(
            "hoos",
            # pain: 6 of 10 answered, mean 8/6 → 100 − 33.33 = 66.7; symptoms 2 of 5 < half → not scored.
            hoos_answers(symptoms=[1, 1], pain=[1, 1, 2, 1, 1, 2], adl=[0] * 17, sport=[2] * 4, qol=[0] * 4),
            None,
            {"symptoms": None, "pain": 66.7, "adl": 100, "sport": 50, "qol": 100},
            False,
            id="hoos-less-than-half",
        ),
        # HOOS-12: subscales as HOOS; summary = mean of the three (75 + 50 + 100) / 3 = 75.
        pytest.param(
            "hoos12",
            {**items("P", [1] * 4), **items("F", [2] * 4), **items("Q", [0, 0])},
            75,
            {"pain": 75, "function": 50, "qol": 100},
            True,
            id="hoos12-summary",
        ),
        pytest.param(
            "hoos12",
            {**items("P", [1] * 4), **items("F", [2] * 4), **items("Q", [0])},
            None,
            {"pain": 75, "function": 50, "qol": None},
            False,
            id="hoos12-summary-needs-all-subscales",
        ),
        # HAGOS: 6 subscales; physical activity has 2 items, 1 answered is half.
        pytest.param(
            "hagos",
            {
                **items("S", [2] * 7),
                **items("P", [1] * 10),
                **items("A", [0] * 5),
                **items("SP", [3] * 8),
                **items("PA", [4]),
                **items("Q", [2] * 5),
            },
            None,
            {"symptoms": 50, "pain": 75, "adl": 100, "sport": 25, "pa": 0, "qol": 50},
            True,
            id="hagos-subscales",
        ),
    ],
)
def test_score_worked_examples(code, answers, total, subscales, valid):
    result = score(load(code), answers)
    assert result.total == total
    assert result.subscales == subscales
    assert result.valid is valid


def test_all_missing_scores_nothing_and_says_so():
    result = score(load("hoos"), {})
    assert result.valid is False
    assert set(result.subscales.values()) == {None}
    assert [r.code for r in result.reasons] == [codes.NO_ANSWERS]
    assert result.answered == 0
    assert len(result.missing) == 40


def test_too_few_answered_names_the_scale_and_the_counts():
    result = score(
        load("hoos"), hoos_answers(symptoms=[1, 1], adl=[0] * 17, pain=[0] * 10, sport=[0] * 4, qol=[0] * 4)
    )
    assert result.reasons[0].code == codes.TOO_FEW_ANSWERED
    assert result.reasons[0].params == {"scale": "symptoms", "answered": 2, "needed": 3}


def test_imputed_items_are_reported():
    result = score(load("lefs"), items("I", [4] * 8 + [2] * 8))
    assert [r.as_dict() for r in result.reasons] == [
        {"code": codes.ITEMS_IMPUTED, "params": {"scale": "total", "count": 4}}
    ]


def test_psfs_counts_an_unrated_named_activity_as_missing_but_not_an_unnamed_one():
    assert score(load("psfs"), items("activity_", [3, 5, 7])).missing == ()
    assert score(load("psfs"), items("activity_", [3, 5, 7, None])).missing == ("activity_4",)


@pytest.mark.parametrize(
    ("code", "answers", "error"),
    [
        pytest.param("hoos", {"P1": 5}, codes.OUT_OF_RANGE, id="above-range"),
        pytest.param("hoos", {"P1": -1}, codes.OUT_OF_RANGE, id="below-range"),
        pytest.param("visag", {"Q8": 31}, codes.OUT_OF_RANGE, id="visag-item-8-above-30"),
        pytest.param("visag", {"Q1": 11}, codes.OUT_OF_RANGE, id="visag-item-1-above-10"),
        pytest.param("ihot12", {"Q1": 100.5}, codes.OUT_OF_RANGE, id="vas-above-100"),
        pytest.param("hoos", {"P1": 2.5}, codes.NOT_WHOLE_NUMBER, id="fraction-on-whole-number-item"),
        pytest.param("hoos", {"P1": "3"}, codes.NOT_A_NUMBER, id="string"),
        pytest.param("hoos", {"P1": True}, codes.NOT_A_NUMBER, id="boolean"),
        pytest.param("ihot12", {"Q1": float("nan")}, codes.NOT_A_NUMBER, id="nan"),
        pytest.param("hoos", {"P11": 1}, codes.UNKNOWN_ITEM, id="unknown-item"),
        pytest.param("hoos", [1, 2], codes.NOT_A_MAPPING, id="not-a-mapping"),
    ],
)
def test_bad_answers_are_refused_with_a_code(code, answers, error):
    with pytest.raises(OutcomeError) as caught:
        score(load(code), answers)
    assert caught.value.code == error
    assert str(caught.value)


def test_out_of_range_error_says_the_item_and_range():
    with pytest.raises(OutcomeError, match="P1: 5 is outside 0–4"):
        score(load("hoos"), {"P1": 5})


@pytest.mark.parametrize(
    ("code", "baseline", "current", "difference", "improved", "meaningful"),
    [
        pytest.param("lefs", 40, 49, 9, True, True, id="lefs-9-points"),
        pytest.param("lefs", 40, 48, 8, True, False, id="lefs-8-points"),
        pytest.param("lefs", 49, 40, -9, False, True, id="lefs-worse-by-9"),
        pytest.param("nprs", 7, 4, -3, True, True, id="nprs-lower-is-better"),
        pytest.param("nprs", 5, 4, -1, True, False, id="nprs-1-point-20-percent"),
        pytest.param("nprs", 3, 2, -1, True, True, id="nprs-1-point-33-percent"),
        pytest.param("nprs", 4, 4, 0, None, False, id="nprs-no-change"),
        pytest.param("psfs", 3, 5, 2, True, True, id="psfs-2-on-the-mean"),
        pytest.param("ihot12", 50, 62.9, 12.9, True, False, id="ihot12-below-13"),
        pytest.param("ihot12", 50, 63, 13, True, True, id="ihot12-13"),
        pytest.param("visag", 50, 80, 30, True, None, id="visag-no-threshold"),
        pytest.param("lefs", None, 60, None, None, None, id="no-baseline"),
    ],
)
def test_change_in(code, baseline, current, difference, improved, meaningful):
    result = change_in(load(code), baseline, current)
    assert (result.difference, result.improved, result.meaningful) == (difference, improved, meaningful)


def test_change_per_subscale():
    hoos = load("hoos")
    before = score(
        hoos, hoos_answers(symptoms=[2] * 5, pain=[2] * 10, adl=[2] * 17, sport=[2] * 4, qol=[2] * 4)
    )
    after = score(
        hoos, hoos_answers(symptoms=[2] * 5, pain=[1] * 10, adl=[2] * 17, sport=[2] * 4, qol=[2] * 4)
    )
    changes = change(hoos, before, after)
    assert "total" not in changes
    assert (changes["pain"].difference, changes["pain"].meaningful) == (25, True)
    assert (changes["adl"].difference, changes["adl"].meaningful) == (0, False)


def test_change_refuses_two_instruments():
    with pytest.raises(OutcomeError) as caught:
        change(load("lefs"), score(load("lefs"), items("I", [3] * 20)), score(load("nprs"), {"pain": 1}))
    assert caught.value.code == codes.DIFFERENT_INSTRUMENTS


# The instrument files


def test_every_shipped_instrument_is_valid_and_named_after_its_file():
    found = {i.code for i in instruments.all_instruments()}
    assert found == {"nprs", "psfs", "lefs", "hoos", "hoos12", "hagos", "ihot12", "visag"}


@pytest.mark.parametrize("instrument", instruments.all_instruments(), ids=lambda i: i.code)
def test_wording_ships_only_with_free_instruments(instrument):
    assert instrument.licence in ("free", "licensed")
    assert instrument.source and instrument.missing_rule and instrument.change.basis
    if instrument.licence == "free":
        assert instrument.has_wording
    else:
        assert not any(item.text for item in instrument.items)


@pytest.mark.parametrize(
    ("code", "n_items", "subscales"),
    [
        ("hoos", 40, {"symptoms": 5, "pain": 10, "adl": 17, "sport": 4, "qol": 4}),
        ("hoos12", 12, {"pain": 4, "function": 4, "qol": 4}),
        ("hagos", 37, {"symptoms": 7, "pain": 10, "adl": 5, "sport": 8, "pa": 2, "qol": 5}),
        ("ihot12", 12, {}),
        ("visag", 8, {}),
        ("lefs", 20, {}),
    ],
)
def test_item_counts_match_the_published_instruments(code, n_items, subscales):
    instrument = load(code)
    assert len(instrument.items) == n_items
    assert {s.code: len(s.items) for s in instrument.subscales} == subscales


def test_licensed_wording_can_be_added_per_clinic():
    ihot = load("ihot12")
    worded = instruments.with_wording(ihot, {f"Q{i}": f"Licensed text {i}" for i in range(1, 13)})
    assert worded.has_wording and not ihot.has_wording
    assert score(worded, items("Q", [50] * 12)).total == 50
    with pytest.raises(InstrumentError):
        instruments.with_wording(ihot, {"Q1": "only one"})
    with pytest.raises(InstrumentError):
        instruments.with_wording(ihot, {**{f"Q{i}": "t" for i in range(1, 13)}, "Q13": "extra"})


@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(lambda d: d.pop("licence"), id="no-licence"),
        pytest.param(lambda d: d["licence"].update(status="maybe"), id="unknown-licence"),
        pytest.param(lambda d: d["score"].update(higher_is="up"), id="unknown-direction"),
        pytest.param(lambda d: d["scoring"]["total"].update(method="median"), id="unknown-method"),
        pytest.param(lambda d: d["scoring"]["total"].update(max_missing=2), id="two-missing-rules"),
        pytest.param(lambda d: d["items"].append(dict(d["items"][0])), id="duplicate-item"),
        pytest.param(lambda d: d["items"][0].update(min=5, max=1), id="min-above-max"),
        pytest.param(lambda d: d["scoring"]["total"].update(impute="zero"), id="unknown-imputation"),
    ],
)
def test_parse_refuses_broken_instruments(mutate):
    data = json.loads((instruments.HERE / "psfs.json").read_text())
    mutate(data)
    with pytest.raises(InstrumentError):
        parse(data)
