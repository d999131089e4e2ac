"""`manage.py triage_assess FILE|-`: the engine's JSON out, or a clean list of what is wrong (exit 2)."""

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.triage.utils import SAMPLE_FILES, VALID_SAMPLES, sample
from triage import engine

ROOT = Path(__file__).resolve().parents[2]


def run(*args, stdin=None) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    extra = {"stdin": StringIO(stdin)} if stdin is not None else {}
    call_command("triage_assess", *args, stdout=out, stderr=err, **extra)
    return out.getvalue(), err.getvalue()


def test_samples_cover_every_urgency_and_an_invalid_file():
    assert {p.stem.split("_")[0] for p in VALID_SAMPLES} >= {"emergency", "urgent", "routine", "self"}
    assert any(p.name == "invalid_example.json" for p in SAMPLE_FILES)


@pytest.mark.parametrize("path", VALID_SAMPLES, ids=lambda p: p.stem)
def test_every_valid_sample_prints_the_engines_json(path):
    out, err = run(str(path))
    answers = json.loads(path.read_text())
    assert json.loads(out) == engine.assess(answers).to_dict()
    assert out.startswith('{\n  "urgency"')  # indented for people
    assert err == ""


def test_invalid_sample_lists_each_wrong_field_and_exits_2():
    with pytest.raises(CommandError) as caught:
        run(str(ROOT / "triage/samples/invalid_example.json"))
    assert caught.value.returncode == 2
    assert "invalid answers (9 problems listed above)" in str(caught.value)


def test_invalid_sample_messages_name_the_fields():
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("triage_assess", str(ROOT / "triage/samples/invalid_example.json"), stderr=err)
    lines = err.getvalue().splitlines()
    assert "age: Must be between 5 and 100." in lines
    assert "favourite_shoe: Unknown question." in lines
    assert "tests.toe_touch: Unknown self-test." in lines
    assert all(": " in line for line in lines)


def test_reads_standard_input_with_a_dash():
    out, _ = run("-", stdin=json.dumps(sample("urgent_night_pain")))
    assert json.loads(out)["urgency"] == "urgent"


@pytest.mark.parametrize(
    "text,message",
    [
        ("{", "standard input: not valid JSON"),
        ("", "standard input: not valid JSON"),
        ('{"age": NaN}', "not valid JSON (NaN is not allowed"),
        ("[1, 2]", "invalid answers (1 problem listed above)"),
    ],
    ids=["truncated", "empty", "nan", "list"],
)
def test_bad_input_on_stdin_exits_2_with_a_message(text, message):
    with pytest.raises(CommandError) as caught:
        run("-", stdin=text)
    assert caught.value.returncode == 2
    assert message in str(caught.value)


def test_missing_file_exits_2(tmp_path):
    with pytest.raises(CommandError) as caught:
        run(str(tmp_path / "nope.json"))
    assert caught.value.returncode == 2 and "Cannot read" in str(caught.value)


def test_real_process_exit_codes_and_no_traceback():
    """As a user runs it: no database needed, exit 0 or 2, never a traceback."""
    manage = [sys.executable, str(ROOT / "manage.py"), "triage_assess"]
    ok = subprocess.run(
        [*manage, "-"],
        input=json.dumps(sample("emergency_stress_fracture")),
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["urgency"] == "emergency"
    bad = subprocess.run(
        [*manage, "triage/samples/invalid_example.json"], capture_output=True, text=True, cwd=ROOT
    )
    assert bad.returncode == 2
    assert "age: Must be between 5 and 100." in bad.stderr
    assert "Traceback" not in bad.stderr and bad.stdout == ""
