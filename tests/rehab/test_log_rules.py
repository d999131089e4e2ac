"""The Log today form and the API's `PUT /daily-logs/<date>/` refuse the same days (rehab.log_rules): what one
forbids, the other does not store."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from rehab.models import DailyLog
from tests.factories import ShoeFactory, api_token_key

TODAY = timezone.localdate


def _retired(people):
    return ShoeFactory(athlete=people.athlete_a, name="Old Pegasus", retired=True).pk


# (name, form fields posted, API body, the field each refuses). Shoes are made by a callable (they need a row).
CASES = [
    ("no minutes", {"did_run": "on", "run_minutes": "0"}, {"run_minutes": 0}, "run_minutes"),
    ("too many minutes", {"did_run": "on", "run_minutes": "601"}, {"run_minutes": 601}, "run_minutes"),
    ("too far", {"did_run": "on", "run_minutes": "30", "distance_km": "250.5"},
     {"run_minutes": 30, "distance_km": "250.5"}, "distance_km"),
    ("walk too long", {"did_run": "on", "run_minutes": "30", "walk_minutes": "61"},
     {"run_minutes": 30, "walk_minutes": 61}, "walk_minutes"),
    ("pain above 10", {"pain_during": "11"}, {"pain_during": 11}, "pain_during"),
    ("notes too long", {"notes": "x" * 2001}, {"notes": "x" * 2001}, "notes"),
    ("unknown location", {"pain_locations": ["elbow"]}, {"pain_locations": ["elbow"]}, "pain_locations"),
    ("distance without the run", {"did_run": "on", "distance_km": "5"}, {"distance_km": "5"}, None),
    ("retired shoe", {"did_run": "on", "run_minutes": "30", "shoe": _retired},
     {"run_minutes": 30, "shoe": _retired}, "shoe"),
]  # fmt: skip


def _resolve(people, data: dict) -> dict:
    return {key: value(people) if callable(value) else value for key, value in data.items()}


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_the_form_and_the_api_refuse_the_same_log(client, client_for, people, case):
    _, form_data, api_body, field = case
    form_data, api_body = _resolve(people, form_data), _resolve(people, api_body)
    response = client_for("athlete_a").post(reverse("rehab:log_today"), form_data)
    assert response.status_code == 200, "the form was accepted"
    form_errors = response.context["form"].errors
    assert form_errors and (field is None or field in form_errors), form_errors
    client.logout()
    key = api_token_key(people.athlete_a.user)
    response = client.put(
        reverse("dailylog-detail", args=[TODAY().isoformat()]), api_body, content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {key}",
    )  # fmt: skip
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert field is None or any(name.split(".")[0] == field for name in errors), errors
    assert not DailyLog.objects.filter(athlete=people.athlete_a).exists()


def _put(client, people, day, body):
    key = api_token_key(people.athlete_a.user)
    return client.put(
        reverse("dailylog-detail", args=[day.isoformat()]), body, content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {key}",
    )  # fmt: skip


def test_the_next_mornings_pain_waits_for_the_next_morning(client, people):
    """The form does not ask it for today (it is tomorrow's "this morning"); the API refuses it for today and
    takes it for yesterday."""
    response = _put(client, people, TODAY(), {"pain_next_morning": 3})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["pain_next_morning"]
    assert _put(client, people, TODAY() - timedelta(days=1), {"pain_next_morning": 3}).status_code == 200


def test_run_details_need_the_runs_minutes_saved_or_sent(client, people):
    day = TODAY() - timedelta(days=1)
    assert _put(client, people, day, {"run_minutes": 30}).status_code == 200
    # The run is saved: its distance may come on its own.
    response = _put(client, people, day, {"distance_km": "5.2"})
    assert response.status_code == 200 and response.json()["distance_km"] == "5.20"
    # Taking the minutes away while the distance stays is refused: say both.
    response = _put(client, people, day, {"run_minutes": None})
    assert response.status_code == 400 and list(response.json()["errors"]) == ["distance_km"]
    response = _put(client, people, day, {"run_minutes": None, "distance_km": None})
    assert response.status_code == 200 and response.json()["run_minutes"] is None


def test_a_day_saved_with_a_shoe_retired_since_can_still_be_changed(client, people):
    shoe = ShoeFactory(athlete=people.athlete_a, name="Kinvara")
    day = TODAY() - timedelta(days=1)
    assert _put(client, people, day, {"run_minutes": 30, "shoe": shoe.pk}).status_code == 200
    shoe.retired = True
    shoe.save()
    response = _put(client, people, day, {"notes": "Felt fine"})
    assert response.status_code == 200 and response.json()["shoe"] == shoe.pk


def test_the_rules_are_one_function():
    from rehab import log_rules

    problems = log_rules.log_problems(
        {}, {"run_minutes": 0, "pain_next_morning": 2}, day=TODAY(), today=TODAY()
    )
    assert problems == {"run_minutes": log_rules.RUN_MINUTES, "pain_next_morning": log_rules.NEXT_MORNING}
    saved = {"run_minutes": 30, "distance_km": 5}
    assert log_rules.log_problems(saved, {"notes": "ok"}, day=TODAY(), today=TODAY()) == {}
    assert log_rules.log_problems(saved, {"run_minutes": None}, day=TODAY(), today=TODAY()) == {
        "distance_km": log_rules.WITHOUT_RUN
    }
