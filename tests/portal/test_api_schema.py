"""The OpenAPI schema: valid without warnings, served with local docs, and honoured by the live API (schemathesis)."""

from datetime import timedelta
from io import StringIO

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from outcomes import services as outcome_services
from portal.care_messages import message_post
from portal.tokens import token_issue
from rehab import services as rehab_services
from tests.factories import AlertFactory, IntakeFactory, PlanTemplateFactory, ShoeFactory, api_token_key


def test_the_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out), stderr=StringIO())
    assert "/api/v1/daily-logs/{date}/" in out.read_text()


def test_schema_and_docs_are_served_without_a_cdn(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200 and schema.json()["info"]["title"] == "Stride Clinic API"
    assert {"tokenAuth", "cookieAuth"} <= set(schema.json()["components"]["securitySchemes"])
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html


# --------------------------------------------------------------------------- schemathesis


class TestWSGIApp(WSGIHandler):
    """The project's WSGI application, for the examples schemathesis sends."""

    __test__ = False


# Bounded: a dozen examples per operation and role, no coverage or stateful phases, no example database.
# Schema-valid requests only: DRF coerces "42" to 42 and ignores a blank filter, which the negative mode would
# report everywhere; invalid payloads have their own tests (400 with field messages).
FUZZ_CONFIG = SchemathesisConfig.from_dict(
    {
        "generation": {"mode": "positive", "max-examples": 12, "database": "none"},
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        # Schema-valid is not always acceptable (a birth date 2,000 years ago, another clinic's id): a 400
        # with field messages is the right answer there, so this one check is off. All the others run.
        "checks": {"positive_data_acceptance": {"enabled": False}},
    }
)
api = schemathesis.openapi.from_wsgi("/api/schema/", TestWSGIApp(), config=FUZZ_CONFIG)


@pytest.fixture
def keep_test_connection():
    """Django's handler closes the database connection after each request; in a test that would end the test's
    transaction. The test client avoids it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_world(people, keep_test_connection):
    """Real objects in every list, so responses are checked against the schema with data in them."""
    today = timezone.localdate()
    template = PlanTemplateFactory(phases=3, phases__exercises_per_phase=2)
    plan = rehab_services.plan_assign(
        athlete=people.athlete_a, template=template, by=people.clinician.user, start=today - timedelta(days=9)
    )
    shoe = ShoeFactory(athlete=people.athlete_a, name="Pegasus 41")
    for days_ago in (3, 1, 0):
        rehab_services.log_save(
            athlete=people.athlete_a,
            day=today - timedelta(days=days_ago),
            data={"pain_during": 2, "run_minutes": 20, "distance_km": 4, "shoe": shoe, "triggers": ["hills"]},
        )
    intake = IntakeFactory(athlete=people.athlete_a)
    alert = AlertFactory(athlete=people.athlete_a, kind="pain_spike")
    message = message_post(athlete=people.athlete_a, author=people.clinician.user, channel="team", body="Hi")
    response = outcome_services.response_save(
        athlete=people.athlete_a, instrument="nprs", answers={"pain": 3}, round="intake", complete=True
    )
    visit = outcome_services.visit_save(athlete=people.athlete_a, clinician=people.clinician, notes="Seen.")
    outcome_services.visit_test_save(visit=visit, test="fadir", side="left", values={"finding": "negative"})
    # Path parameters point at these objects, so operations act on real rows, not only on 404s.
    return {
        "id": {"plans": plan.pk, "intakes": intake.pk, "alerts": alert.pk, "athletes": people.athlete_a.pk,
               "plan-templates": template.pk, "exercises": plan.current_phase.exercises.first().exercise_id,
               "auth": token_issue(user=people.athlete_a.user, name="A running app")[0].pk,
               "messages": message.pk, "questionnaire-responses": response.pk, "visits": visit.pk},
        "code": "stress_fracture",
        "date": today.isoformat(),
    }  # fmt: skip


@pytest.mark.parametrize("persona", ["athlete_a", "clinician"])
@api.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck), print_blob=True)
def test_the_api_keeps_its_schema(case, persona, people, fuzz_world):
    """No 5xx, every status documented, every body in its schema, for an athlete and a clinician."""
    for name in case.path_parameters or {}:
        value = fuzz_world[name]
        case.path_parameters[name] = value[case.path.split("/")[3]] if isinstance(value, dict) else value
    case.call_and_validate(headers={"Authorization": f"Token {api_token_key(people.user(persona))}"})
