"""A clinic that holds a questionnaire's licence loads its wording; the scoring stays the shipped one."""

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import CommandError, call_command

from outcomes import instruments, services
from outcomes.instruments import InstrumentError, parse_wording
from outcomes.models import InstrumentWording
from outcomes.selectors import instruments_for


def ihot_file(**changes):
    data = {
        "instrument": "ihot12",
        "version": "1",
        "instructions": "Mark the line.",
        "items": {f"Q{i}": f"Licensed question {i}" for i in range(1, 13)},
        "answer_labels": {"0": "Extremely difficult", "100": "No difficulty"},
    }
    data.update(changes)
    return data


def test_a_complete_file_gives_the_instrument_its_wording():
    worded = parse_wording(ihot_file())
    assert worded.has_wording
    assert worded.item("Q3").text == "Licensed question 3"
    assert worded.anchors == {"0": "Extremely difficult", "100": "No difficulty"}
    assert worded.total_rule == instruments.load("ihot12").total_rule


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(ihot_file(version="2"), id="other-version"),
        pytest.param(ihot_file(instrument="sf36"), id="unknown-instrument"),
        pytest.param(ihot_file(items={"Q1": "only one"}), id="items-missing"),
        pytest.param(ihot_file(items={f"Q{i}": "t" for i in range(1, 14)}), id="unknown-item"),
        pytest.param(ihot_file(items={f"Q{i}": " " for i in range(1, 13)}), id="blank-texts"),
        pytest.param(ihot_file(items={f"Q{i}": 3 for i in range(1, 13)}), id="texts-not-strings"),
        pytest.param(ihot_file(answer_labels={"101": "x"}), id="label-out-of-range"),
        pytest.param(ihot_file(answer_labels={"low": "x"}), id="label-not-a-value"),
        pytest.param(ihot_file(items={f"Q{i}": "x" * 1001 for i in range(1, 13)}), id="text-too-long"),
        pytest.param({**ihot_file(), "scoring": {}}, id="scoring-cannot-be-changed"),
        pytest.param([], id="not-an-object"),
    ],
)
def test_a_bad_file_is_refused(data):
    with pytest.raises(InstrumentError):
        parse_wording(data)


def test_import_command_is_per_clinic_and_idempotent(people, tmp_path, capsys):
    path = tmp_path / "ihot12.json"
    path.write_text(json.dumps(ihot_file()))
    call_command("import_questionnaire", str(path), clinic="riverside")
    call_command("import_questionnaire", str(path), clinic="riverside")
    out = capsys.readouterr().out
    assert "12 items imported for Riverside" in out and "12 items replaced for Riverside" in out
    assert InstrumentWording.objects.count() == 1
    assert instruments_for(people.clinic)["ihot12"].has_wording
    assert not instruments_for(people.other_clinic)["ihot12"].has_wording
    assert instruments_for(people.clinic)["hoos"].has_wording is False


@pytest.mark.parametrize(
    ("content", "clinic", "message"),
    [
        (json.dumps(ihot_file(version="9")), "riverside", "does not match the scoring"),
        ("{not json", "riverside", "Cannot read"),
        (json.dumps(ihot_file()), "nowhere", "No clinic"),
    ],
)
def test_import_command_errors(people, tmp_path, content, clinic, message):
    path = tmp_path / "wording.json"
    path.write_text(content)
    with pytest.raises(CommandError, match=message):
        call_command("import_questionnaire", str(path), clinic=clinic)
    assert not InstrumentWording.objects.exists()


@pytest.mark.parametrize(
    ("persona", "count"),
    [
        ("anonymous", 0),
        ("athlete_a", 1),
        ("clinician", 1),
        ("coach", 1),
        ("other_clinician", 0),
        ("superuser", 1),
    ],
)
def test_wording_is_seen_by_its_clinic(people, persona, count):
    services.wording_import(clinic=people.clinic, data=ihot_file())
    user = people.user(persona) or AnonymousUser()
    assert InstrumentWording.objects.visible_to(user).count() == count
