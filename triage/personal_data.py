"""Triage's part of an athlete's personal data (portal.data_registry): their hip checks (intakes)."""

from django.db.models import Prefetch

from portal.data_registry import PersonalData, Section, Table, flat, name_of, pks, register, when
from triage.models import Intake
from triage.wording import render_result


def _prefetch() -> list:
    return [
        Prefetch(
            "intakes",
            queryset=Intake.objects.select_related("confirmed_condition", "reviewed_by").order_by(
                "created", "pk"
            ),
        ),
    ]


def _intake(intake) -> dict:
    condition = intake.confirmed_condition
    return {
        "id": intake.pk,
        "created": when(intake.created),
        "urgency": intake.urgency,
        "engine_version": intake.engine_version,
        "answers": intake.answers,
        "result": render_result(intake.result),  # the codes, each with its words
        "confirmed_condition": {"code": condition.code, "name": condition.name} if condition else None,
        "reviewed_at": when(intake.reviewed_at),
        "reviewed_by": name_of(intake.reviewed_by),
        "review_notes": intake.review_notes,
    }


def _intakes(athlete) -> list[dict]:
    return [_intake(intake) for intake in athlete.intakes.all()]


def _intake_rows(data: dict) -> list[dict]:
    rows = []
    for intake in data["intakes"]:
        result = intake["result"] or {}
        condition = intake["confirmed_condition"]
        rows.append(
            {
                "id": intake["id"],
                "created": intake["created"],
                "urgency": intake["urgency"],
                "stop_running": result.get("stop_running"),
                "red_flags": "; ".join(flag.get("message", "") for flag in result.get("red_flags") or []),
                "suggested_conditions": "; ".join(c.get("name", "") for c in result.get("conditions") or []),
                "advice": result.get("advice"),
                "confirmed_condition": condition["name"] if condition else None,
                "reviewed_at": intake["reviewed_at"],
                "reviewed_by": intake["reviewed_by"],
                "review_notes": intake["review_notes"],
                "engine_version": intake["engine_version"],
            }
        )
    return rows


def _answer_rows(data: dict) -> list[dict]:
    rows = []
    for intake in data["intakes"]:
        for question, answer in sorted(intake["answers"].items()):
            if isinstance(answer, dict):  # the self-tests: one row each
                for test, outcome in sorted(answer.items()):
                    rows.append(
                        {"intake_id": intake["id"], "question": f"{question}.{test}", "answer": outcome}
                    )
            else:
                rows.append({"intake_id": intake["id"], "question": question, "answer": flat(answer)})
    return rows


def _rows(athlete) -> dict[type, list]:
    return {Intake: pks(Intake.objects.filter(athlete=athlete))}


def _anonymise(athlete, *, by, now) -> None:
    Intake.objects.filter(athlete=athlete).exclude(review_notes="").update(review_notes="")


register(
    PersonalData(
        app_label="triage",
        models={"triage.Intake": "kept (answers, urgency, conditions); the review notes are blanked"},
        prefetch=_prefetch,
        sections=(
            Section("intakes", 60, _intakes, (
                Table("intakes.csv", _intake_rows,
                      ["id", "created", "urgency", "stop_running", "red_flags", "suggested_conditions", "advice",
                       "confirmed_condition", "reviewed_at", "reviewed_by", "review_notes", "engine_version"],
                      "intakes.csv          One row per hip check: urgency, red flags, suggested and confirmed conditions, advice,\n"
                      "                     your clinician's review.\n"),
                Table("intake_answers.csv", _answer_rows, ["intake_id", "question", "answer"],
                      "intake_answers.csv   Every answer of every hip check (intake_id links to intakes.csv; self-tests appear as\n"
                      "                     tests.<name>).\n"),
            )),
        ),
        rows=_rows,
        personal_fields={"triage.intake": {"review_notes"}},
        anonymise=_anonymise,
    )
)  # fmt: skip
