"""Outcome records in the athlete's data export and in the deletion of their personal data: questionnaire rounds
(answers, the activities they named), clinic visits (notes) and the tests recorded at them."""

import csv
import io
import json
import zipfile
from datetime import date

import pytest
from django.urls import reverse

from outcomes import services
from outcomes.models import QuestionnaireResponse, TestResult, Visit
from portal.export import export_data, export_zip
from portal.models import AuditEntry
from portal.privacy import anonymise_athlete

DAY = date(2026, 5, 10)


@pytest.fixture
def outcomes_of_anna(people):
    a = people.athlete_a
    psfs = services.response_save(
        athlete=a,
        instrument="psfs",
        answers={"activity_1": 3, "activity_2": 6, "activity_3": 5},
        item_labels={"activity_1": "Kicking long balls", "activity_2": "Stairs", "activity_3": "Cutting"},
        round="intake",
        complete=True,
    )
    visit = services.visit_save(
        athlete=a, clinician=people.clinician, on=DAY, notes="Worried about her exams; groin sore."
    )
    services.visit_test_save(visit=visit, test="single_leg_squat", side="left", values={"reps": 9, "pain": 3})
    services.visit_test_save(
        visit=visit, test="hhd_hip_adduction", side="right", values={"left": 200, "right": 170, "unit": "N"}
    )
    # Someone else's, which must not appear.
    services.visit_save(athlete=people.athlete_b, clinician=people.clinician, on=DAY, notes="Bruno's visit.")
    return psfs, visit


def unzip(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rows(files, name) -> list[dict]:
    return list(csv.DictReader(io.StringIO(files[name].decode("utf-8-sig"))))


def test_the_export_holds_questionnaires_visits_and_tests(people, outcomes_of_anna):
    psfs, visit = outcomes_of_anna
    data = export_data(people.athlete_a)
    [round_] = data["questionnaires"]
    assert round_["questionnaire"] == "psfs" and round_["round"] == "intake"
    assert round_["answers"] == {"activity_1": 3, "activity_2": 6, "activity_3": 5}
    assert round_["activities_named"]["activity_1"] == "Kicking long balls"
    assert round_["total"] == psfs.total and round_["scored"] is True
    [seen] = data["visits"]
    assert (seen["date"], seen["clinician"], seen["notes"]) == (
        "2026-05-10",
        "Maya Okafor",
        "Worried about her exams; groin sore.",
    )
    tests = {(t["test"], t["side"]): t for t in seen["tests"]}
    assert tests[("single_leg_squat", "left")] | {"test_name": ""} == {
        "test": "single_leg_squat",
        "test_name": "",
        "side": "left",
        "values": {"reps": 9, "pain": 3},
        "passed": False,
        "side_to_side_pct": None,
    }
    assert tests[("hhd_hip_adduction", "right")]["side_to_side_pct"] == 85.0
    assert "Bruno's visit." not in json.dumps(data)


def test_the_zip_has_a_table_for_each_with_a_readme_entry(people, outcomes_of_anna):
    files = unzip(export_zip(people.athlete_a))
    answers = rows(files, "questionnaire_answers.csv")
    assert {(r["item"], r["answer"], r["activity_named"]) for r in answers} >= {
        ("activity_1", "3", "Kicking long balls")
    }
    assert [r["notes"] for r in rows(files, "visits.csv")] == ["Worried about her exams; groin sore."]
    tests = rows(files, "visit_tests.csv")
    assert {(r["test"], r["side"], r["passed"]) for r in tests} == {
        ("single_leg_squat", "left", "False"),
        ("hhd_hip_adduction", "right", "False"),
    }
    readme = files["README.txt"].decode()
    for name in ("questionnaires.csv", "questionnaire_answers.csv", "visits.csv", "visit_tests.csv"):
        assert name in readme


def test_an_athlete_without_outcomes_gets_empty_tables_with_headers(people):
    files = unzip(export_zip(people.athlete_b))
    assert files["visit_tests.csv"].decode("utf-8-sig").startswith("visit_id,date,test,")
    assert rows(files, "questionnaires.csv") == []


@pytest.mark.parametrize(
    "persona, page, expected",
    [
        ("athlete_a", "my_export", "anna"),
        ("athlete_b", "my_export", "bruno"),
        ("clinician", "athlete_export", "anna"),
        ("other_clinician", "athlete_export", 404),
        ("coach", "athlete_export", 403),
    ],
)
def test_who_gets_the_outcome_records_in_an_export(
    client_for, people, outcomes_of_anna, persona, page, expected
):
    client = client_for(persona)
    args = [] if page == "my_export" else [people.athlete_a.pk]
    asked = client.post(reverse(page, args=args))
    if isinstance(expected, int):
        assert asked.status_code == expected
        return
    download = client.get(asked["Location"]).context["download"]
    content = b"".join(
        unzip(client.get(reverse("download_file", args=[download.pk])).content).values()
    ).decode()
    assert ("Worried about her exams" in content) is (expected == "anna")
    assert ("Kicking long balls" in content) is (expected == "anna")


def test_deleting_personal_data_removes_notes_and_named_activities_and_keeps_the_numbers(
    people, outcomes_of_anna
):
    psfs, visit = outcomes_of_anna
    anonymise_athlete(people.athlete_a, by=people.clinician.user)
    psfs.refresh_from_db()
    visit.refresh_from_db()
    assert visit.notes == "" and psfs.item_labels == {}
    assert psfs.answers == {"activity_1": 3, "activity_2": 6, "activity_3": 5} and psfs.total is not None
    assert TestResult.objects.filter(visit=visit).count() == 2
    # Nothing of it is left in the audit trail or the export either.
    trail = json.dumps(
        list(AuditEntry.objects.filter(athlete=people.athlete_a).values("changes", "object_repr"))
    )
    exported = json.dumps(export_data(people.athlete_a))
    for text in ("Worried about her exams", "Kicking long balls"):
        assert text not in trail and text not in exported
    # Bruno's record is untouched.
    assert Visit.objects.get(athlete=people.athlete_b).notes == "Bruno's visit."


def test_outcome_records_are_in_the_audit_trail(people, outcomes_of_anna):
    psfs, visit = outcomes_of_anna
    kinds = set(
        AuditEntry.objects.filter(athlete=people.athlete_a).values_list("content_type__model", flat=True)
    )
    assert {"questionnaireresponse", "visit", "testresult"} <= kinds


def test_deleting_an_athlete_deletes_their_outcome_records(people, outcomes_of_anna):
    from portal.privacy import athlete_delete

    athlete_delete(people.athlete_a, by=people.superuser)
    assert not QuestionnaireResponse.objects.filter(athlete_id=people.athlete_a.pk).exists()
    assert not Visit.objects.filter(athlete_id=people.athlete_a.pk).exists()
    assert Visit.objects.filter(athlete=people.athlete_b).exists()
