"""Shared helpers for the triage tests: the sample answer files and a form-POST builder."""

import json
from pathlib import Path

from triage import engine

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "triage" / "samples"
SAMPLE_FILES = sorted(SAMPLES_DIR.glob("*.json"))
VALID_SAMPLES = [p for p in SAMPLE_FILES if not p.name.startswith("invalid")]


def sample(name: str) -> dict:
    return json.loads((SAMPLES_DIR / f"{name}.json").read_text())


def post_data(answers: dict) -> dict:
    """What a browser would POST for these engine answers on the hip-check form (tests default to skip)."""
    data: dict[str, object] = {f"test_{sub.name}": "not_done" for sub in engine.FIELDS["tests"].subfields}
    for name, value in answers.items():
        spec = engine.FIELDS[name]
        if spec.kind == "tests":
            for test, result in value.items():
                data[f"test_{test}"] = result
        elif spec.kind == "bool":
            if value:
                data[name] = "on"
        elif spec.kind == "multichoice":
            data[name] = list(value)
        else:
            data[name] = str(value)
    return data


def with_unticked(answers: dict) -> dict:
    """`answers` as the form stores them: every tick box it asks present (False when not ticked), tests completed."""
    full = {name: False for name, spec in engine.FIELDS.items() if spec.kind == "bool" and not spec.retired}
    full.update(answers)
    tests = {sub.name: "not_done" for sub in engine.FIELDS["tests"].subfields}
    tests.update(answers.get("tests", {}))
    full["tests"] = tests
    return full
