"""The API's contract, as fuzzing found it wanting: a query value of the wrong type, a parameter the endpoint does
not know, an ordering it cannot do and a number where text belongs are all 400s with a message on that field,
never silently ignored or turned into something else."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import api_token_key

LIST_URLS = ["alert-list", "intake-list", "plan-list", "dailylog-list", "athlete-list", "exercise-list",
             "plantemplate-list", "condition-list"]  # fmt: skip


def errors_of(response) -> dict:
    assert response.status_code == 400, (response.status_code, response.content[:300])
    body = response.json()
    assert body["code"] == "invalid"
    return body["errors"]


@pytest.mark.parametrize(
    "url_name, query, field",
    [
        ("alert-list", "athlete=abc", "athlete"),
        ("alert-list", "severity=nonsense", "severity"),
        ("alert-list", "open=maybe", "open"),
        ("plan-list", "status=nonsense", "status"),
        ("plan-list", "athlete=1.5", "athlete"),
        ("intake-list", "urgency=nonsense", "urgency"),
        ("intake-list", "needs_review=perhaps", "needs_review"),
        ("dailylog-list", "date_after=notadate", "date"),
        ("dailylog-list", "plan=abc", "plan"),
        ("athlete-list", "show=nonsense", "show"),
        ("exercise-list", "difficulty=hard", "difficulty"),
    ],
)
def test_a_filter_value_of_the_wrong_type_is_a_400_on_that_parameter(
    client_for, people, url_name, query, field
):
    errors = errors_of(client_for("clinician").get(f"{reverse(url_name)}?{query}"))
    assert list(errors) == [field] and errors[field][0]


UNKNOWN = "Unknown parameter. This list takes: "


def _known(client, url_name) -> list[str]:
    """The parameters the list says it takes, when it refuses one it does not know."""
    errors = errors_of(client.get(reverse(url_name), {"from": "notadate"}))
    assert list(errors) == ["from"] and errors["from"][0].startswith(UNKNOWN)
    return errors["from"][0].removeprefix(UNKNOWN).removesuffix(".").split(", ")


@pytest.mark.parametrize("url_name", LIST_URLS)
def test_a_parameter_the_list_does_not_know_is_a_400_naming_it(client_for, people, url_name):
    # ?from= is not how the daily logs are filtered by date (date_after is): ignoring it would answer every log.
    known = _known(client_for("clinician"), url_name)
    assert {"page", "page_size", "ordering"} <= set(known)


@pytest.mark.parametrize("url_name", LIST_URLS)
def test_the_parameters_a_list_takes_are_those_documented(client_for, people, url_name):
    """What the list accepts and what the OpenAPI schema documents are the same (schemathesis sends these)."""
    client = client_for("clinician")
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    documented = {p["name"] for p in schema["paths"][reverse(url_name)]["get"].get("parameters", [])}
    assert documented == set(_known(client, url_name))


@pytest.mark.parametrize(
    "url_name, query",
    [
        ("alert-list", "ordering=nonsense"),
        ("plan-list", "ordering=-created,athlete__email"),
        ("dailylog-list", "ordering=notes"),
    ],
)
def test_an_ordering_the_list_cannot_do_is_a_400(client_for, people, url_name, query):
    errors = errors_of(client_for("clinician").get(f"{reverse(url_name)}?{query}"))
    assert list(errors) == ["ordering"] and "Order by" in errors["ordering"][0]


@pytest.mark.parametrize("value", ["abc", "0", "-3", "1.5"])
def test_a_page_size_that_is_not_a_positive_whole_number_is_a_400(client_for, people, value):
    errors = errors_of(client_for("clinician").get(reverse("alert-list"), {"page_size": value}))
    assert list(errors) == ["page_size"]


def test_the_known_parameters_still_work(client_for, people):
    client = client_for("clinician")
    query = {"ordering": "-updated", "page": 1, "page_size": 5, "open": "true", "format": "json"}
    assert client.get(reverse("alert-list"), query).status_code == 200
    query = {"date_after": "2024-01-01", "date_before": "2024-02-01", "athlete": people.athlete_a.pk}
    assert client.get(reverse("dailylog-list"), query).status_code == 200
    # A page size above the largest is the largest, as documented ("at most 100").
    assert client.get(reverse("alert-list"), {"page_size": 500}).status_code == 200


# --- numbers are not text ------------------------------------------------------------------------------------


def test_a_number_sent_for_a_text_field_is_refused_not_stored_as_text(client, people):
    key = api_token_key(people.athlete_a.user)
    url = reverse("dailylog-detail", args=[timezone.localdate().isoformat()])
    response = client.put(
        url, {"notes": 12345}, content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}"
    )
    assert errors_of(response) == {"notes": ["Not a valid string."]}
    response = client.put(
        url, {"notes": "12345"}, content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}"
    )
    assert response.status_code == 200 and response.json()["notes"] == "12345"


@pytest.mark.parametrize(
    "url_name, args, body, field",
    [
        ("athlete-list", [], {"first_name": 7, "last_name": "Lee", "email": "lee@example.com"}, "first_name"),
        ("athlete-list", [], {"first_name": "Kim", "last_name": "Lee", "email": 1.5}, "email"),
        ("alert-resolve", ["alert"], {"note": 42}, "note"),
        ("api-token", [], {"email": 123, "password": "x"}, "email"),
    ],
)
def test_numbers_are_refused_in_text_fields_across_the_api(client_for, people, url_name, args, body, field):
    from tests.factories import AlertFactory

    if args == ["alert"]:
        args = [AlertFactory(athlete=people.athlete_a).pk]
    client = client_for("anonymous" if url_name == "api-token" else "clinician")
    response = client.post(reverse(url_name, args=args), body, content_type="application/json")
    assert errors_of(response)[field] == ["Not a valid string."]


def test_every_writable_text_field_of_the_api_refuses_numbers():
    """One place decides (portal.api_base): every serializer's writable text fields, declared or mapped from a
    model field, are the strict kind."""
    from rest_framework import serializers

    import library.api  # noqa: F401  (every API module, so that its serializers exist)
    import portal.api_views  # noqa: F401
    import rehab.api  # noqa: F401
    import triage.api  # noqa: F401
    from portal.api_base import StrictText

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = [c for c in subclasses(serializers.Serializer) if c.__module__.split(".")[0] in
            ("portal", "rehab", "triage", "library")]  # fmt: skip
    assert len(ours) > 20
    loose, checked = [], 0
    for cls in ours:
        try:
            fields = cls(context={}).fields
        except Exception:  # needs a request or an athlete in its context: make one without
            fields = cls.__new__(cls).get_fields() if hasattr(cls, "Meta") else cls._declared_fields
        for name, field in fields.items():
            field = getattr(field, "child", field)  # a list of texts
            if isinstance(field, serializers.CharField) and not field.read_only:
                checked += 1
                if not isinstance(field, StrictText):
                    loose.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert checked > 30 and loose == []


# --- GET /daily-logs/<date>/?athlete= ------------------------------------------------------------------------


def test_whose_daily_log_is_documented_as_it_behaves(client_for, people):
    from rehab import services

    day = timezone.localdate()
    for athlete in (people.athlete_a, people.athlete_b):
        services.log_save(athlete=athlete, day=day, data={"pain_during": 1})
    url = reverse("dailylog-detail", args=[day.isoformat()])
    schema = (
        client_for("clinician").get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    )
    (parameter,) = [p for p in schema["paths"]["/api/v1/daily-logs/{date}/"]["get"]["parameters"]
                    if p["name"] == "athlete"]  # fmt: skip
    assert parameter["in"] == "query" and not parameter.get("required", False)
    assert "**Clinicians: required**" in parameter["description"]
    assert "**Athletes: optional**" in parameter["description"]
    assert parameter["schema"]["minimum"] == 1
    # Clinicians: required (400 on the parameter), another clinic's athlete is 404.
    client = client_for("clinician")
    assert errors_of(client.get(url)) == {"athlete": ["Say whose log: ?athlete=<id>."]}
    assert client.get(url, {"athlete": people.athlete_b.pk}).json()["athlete"] == people.athlete_b.pk
    assert client.get(url, {"athlete": people.other_athlete.pk}).status_code == 404
    # Athletes: optional, always their own; naming anyone else finds nothing.
    client = client_for("athlete_a")
    assert client.get(url).json()["athlete"] == people.athlete_a.pk
    assert client.get(url, {"athlete": people.athlete_a.pk}).status_code == 200
    assert client.get(url, {"athlete": people.athlete_b.pk}).status_code == 404
