import json
import logging

from django.core.management import call_command
from django.urls import reverse

from portal.models import Athlete, CareTeamMember, Clinic, Clinician, Shoe, User
from portal.version import VERSION


def test_healthz_answers_without_the_database(client):
    # No db fixture: pytest-django makes any database access in this test an error.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": VERSION}


def test_readyz_checks_the_database(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "in-process", "cache": "local"}


def test_requests_are_logged_as_structured_json(client, db, caplog):
    with caplog.at_level(logging.INFO, logger="portal.request"):
        client.get("/healthz?secret=name")
    record = next(r for r in caplog.records if r.name == "portal.request")
    assert (record.method, record.path, record.status) == ("GET", "/healthz", 200)
    assert record.duration_ms >= 0
    from portal.logging import JsonFormatter

    line = json.loads(JsonFormatter().format(record))
    assert line["path"] == "/healthz" and line["status"] == 200 and "secret" not in json.dumps(line)


def counts():
    return tuple(m.objects.count() for m in (Clinic, User, Clinician, Athlete, CareTeamMember, Shoe))


def test_load_demo_twice_creates_nothing_twice(db, client, capsys):
    call_command("load_demo")
    first = counts()
    out = capsys.readouterr().out
    assert "physio@demo.example" in out and "stride-demo" in out
    call_command("load_demo")
    assert counts() == first
    assert first[:4] == (1, 8, 2, 5)  # two clinicians, five athletes (Priya discharged) and Luis's club coach
    # the printed logins work
    assert client.login(username="physio@demo.example", password="stride-demo")
    assert client.get(reverse("athlete_list")).status_code == 200
    assert client.login(username="anna@demo.example", password="stride-demo")
    assert client.get(reverse("my_profile")).status_code == 200
    # Luis's own coach from outside the clinic sees Luis, and only him
    assert "cora@harriers.example" in out
    assert client.login(username="cora@harriers.example", password="stride-demo")
    caseload = client.get(reverse("athlete_list")).content.decode()
    assert "Luis Moreno" in caseload and "Anna" not in caseload


def test_demo_clinicians_are_staff_without_superuser_rights(db):
    call_command("load_demo", verbosity=0)
    for clinician in Clinician.objects.select_related("user"):
        assert clinician.user.is_staff and not clinician.user.is_superuser
        assert clinician.user.groups.filter(name="Clinicians").exists()
