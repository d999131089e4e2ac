"""Outcomes' part of an athlete's personal data (portal.data_registry): questionnaire rounds, clinic visits and the
tests recorded at them."""

from django.db.models import Prefetch

from outcomes.models import QuestionnaireResponse, TestResult, Visit
from portal.data_registry import PersonalData, Section, Table, name_of, pks, register, when


def _prefetch() -> list:
    return [
        Prefetch(
            "questionnaire_responses",
            queryset=QuestionnaireResponse.objects.select_related("entered_by").order_by("started_at", "pk"),
        ),
        Prefetch("visits", queryset=Visit.objects.select_related("clinician__user").order_by("date", "pk")),
        Prefetch("visits__test_results", queryset=TestResult.objects.order_by("test", "side")),
    ]


def _questionnaire(response) -> dict:
    return {
        "id": response.pk,
        "questionnaire": response.instrument,
        "questionnaire_name": response.instrument_name,
        "version": response.instrument_version,
        "round": response.round,
        "started": when(response.started_at),
        "completed": when(response.completed_at),
        "answers": dict(response.answers),
        "activities_named": dict(response.item_labels),
        "total": response.total,
        "subscales": dict(response.subscales),
        "scored": response.valid,
        "entered_by": name_of(response.entered_by),
    }


def _visit(visit) -> dict:
    return {
        "id": visit.pk,
        "date": when(visit.date),
        "clinician": name_of(visit.clinician.user) if visit.clinician else None,
        "notes": visit.notes,
        "tests": [
            {
                "test": result.test,
                "test_name": result.test_name,
                "side": result.side,
                "values": dict(result.values),
                "passed": result.passed,
                "side_to_side_pct": result.symmetry_pct,
            }
            for result in visit.test_results.all()
        ],
    }


def _questionnaires(athlete) -> list[dict]:
    return [_questionnaire(response) for response in athlete.questionnaire_responses.all()]


def _visits(athlete) -> list[dict]:
    return [_visit(visit) for visit in athlete.visits.all()]


def _questionnaire_rows(data: dict) -> list[dict]:
    return [
        {key: value for key, value in row.items() if key not in ("answers", "activities_named")}
        for row in data["questionnaires"]
    ]


def _answer_rows(data: dict) -> list[dict]:
    return [
        {
            "questionnaire_id": row["id"],
            "item": item,
            "answer": answer,
            "activity_named": row["activities_named"].get(item, ""),
        }
        for row in data["questionnaires"]
        for item, answer in row["answers"].items()
    ]


def _visit_rows(data: dict) -> list[dict]:
    return [{key: value for key, value in row.items() if key != "tests"} for row in data["visits"]]


def _visit_test_rows(data: dict) -> list[dict]:
    return [
        {"visit_id": row["id"], "date": row["date"], **test}
        for row in data["visits"]
        for test in row["tests"]
    ]


def _rows(athlete) -> dict[type, list]:
    return {
        QuestionnaireResponse: pks(QuestionnaireResponse.objects.filter(athlete=athlete)),
        Visit: pks(Visit.objects.filter(athlete=athlete)),
        TestResult: pks(TestResult.objects.filter(visit__athlete=athlete)),
    }


def _anonymise(athlete, *, by, now) -> None:
    # The clinician's visit notes and the activities the athlete named (PSFS) are free text; the answers, scores
    # and test results are clinical numbers and stay.
    Visit.objects.filter(athlete=athlete).exclude(notes="").update(notes="")
    QuestionnaireResponse.objects.filter(athlete=athlete).exclude(item_labels={}).update(item_labels={})


register(
    PersonalData(
        app_label="outcomes",
        models={
            "outcomes.QuestionnaireResponse": "kept (answers, scores); the activities named are blanked",
            "outcomes.Visit": "kept with its tests; the notes are blanked",
        },
        prefetch=_prefetch,
        sections=(
            Section("questionnaires", 120, _questionnaires, (
                Table("questionnaires.csv", _questionnaire_rows,
                      ["id", "questionnaire", "questionnaire_name", "version", "round", "started", "completed",
                       "total", "subscales", "scored", "entered_by"],
                      "questionnaires.csv   Questionnaires you filled in (or your clinician entered for you): which one, the round\n"
                      "                     (intake, follow_up, discharge), when, the score and the part scores (subscales).\n"),
                Table("questionnaire_answers.csv", _answer_rows,
                      ["questionnaire_id", "item", "answer", "activity_named"],
                      "questionnaire_answers.csv\n"
                      "                     Every answer (questionnaire_id links to questionnaires.csv), with the activity you named\n"
                      "                     where the questionnaire asks for one (PSFS).\n"),
            )),
            Section("visits", 130, _visits, (
                Table("visits.csv", _visit_rows, ["id", "date", "clinician", "notes"],
                      "visits.csv           Your visits to the clinic: the date, the clinician and their notes.\n"),
                Table("visit_tests.csv", _visit_test_rows,
                      ["visit_id", "date", "test", "test_name", "side", "values", "passed", "side_to_side_pct"],
                      "visit_tests.csv      The tests recorded at each visit (visit_id links to visits.csv): the side, the values\n"
                      "                     (pain out of 10, counts, seconds, degrees, strength in N or kg), whether it passed and,\n"
                      "                     for strength, your affected leg's strength as a percentage of the other's.\n"),
            )),
        ),
        rows=_rows,
        personal_fields={"outcomes.questionnaireresponse": {"item_labels"}, "outcomes.visit": {"notes"}},
        anonymise=_anonymise,
    )
)  # fmt: skip
