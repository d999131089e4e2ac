"""No lost updates: every change to a plan names the version it was read at, and a stale one is refused."""

import json
import re
import threading
import time
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.models import Clinician
from rehab import services
from rehab.models import PhaseChange, Plan, PlanPhase
from tests.factories import PlanTemplateFactory
from tests.rehab.test_views import tailor_data as tailor_form

PLANS = "/api/v1/plans/"
NOT_SAVED = (
    "while you were editing. Your changes were not saved. Review the current plan below and save again."
)
NOTHING_CHANGED = "since you opened the page, so nothing was changed."
OUT_OF_DATE = "This page is out of date, so nothing was saved. Reload it and try again."

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs a database with real concurrent connections (PostgreSQL)"
)


@pytest.fixture(autouse=True)
def _coach_edits_as_a_physio(request):
    """Two clinicians edit one plan here: the coach persona works as a physiotherapist in these tests (what a coach
    may do is the matrix's and tests/portal/test_capabilities.py's)."""
    if "people" in request.fixturenames:
        coach = request.getfixturevalue("people").coach
        Clinician.objects.filter(pk=coach.pk).update(profession=Clinician.Profession.PHYSIOTHERAPIST)


@pytest.fixture
def template(people):
    return PlanTemplateFactory(phases=3, phases__exercises_per_phase=2)


@pytest.fixture
def plan(people, template):
    return services.plan_assign(
        athlete=people.athlete_a, template=template, by=people.clinician.user, start=date(2026, 11, 2)
    )


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def version_on(response) -> int:
    """The plan version a page carries in its hidden field (what the browser sends back)."""
    return int(re.search(r'name="version" value="(\d+)"', response.content.decode()).group(1))


def tailor_data(plan, phase, **changes) -> dict:
    """The tailor page's POST as the browser sends it (the empty extra row left blank)."""
    return tailor_form(plan, phase, **{"2-DELETE": "on", **changes})


def fresh(plan) -> Plan:
    return Plan.objects.select_related("changed_by").get(pk=plan.pk)


def at(plan) -> str:
    return f"{timezone.localtime(fresh(plan).updated):%H:%M}"


# --------------------------------------------------------------------------- the tailor page


def test_second_of_two_tailor_saves_is_refused_and_keeps_what_was_typed(people, plan):
    phase = plan.current_phase
    url = reverse("rehab:phase_edit", args=[plan.pk, phase.pk])
    maya, coach = logged_in(people.clinician.user), logged_in(people.coach.user)
    seen = version_on(maya.get(url))
    assert version_on(coach.get(url)) == seen == plan.version

    first = maya.post(url, tailor_data(plan, phase, **{"0-sets": 5}) | {"phase-run_minutes": 24})
    assert first.status_code == 302
    second_data = tailor_data(plan, phase, **{"0-sets": 2}) | {
        "phase-run_minutes": 31, "phase-pain_note": "Coach's note: ease off on hills", "version": seen,
    }  # fmt: skip
    second = coach.post(url, second_data)

    assert second.status_code == 200
    html = second.content.decode()
    assert f"Someone else changed this plan at {at(plan)} (by Maya Okafor) {NOT_SAVED}" in html
    # What the coach typed is still in the form...
    assert 'name="phase-run_minutes" value="31"' in html and "ease off on hills" in html
    assert re.search(r'name="ex-0-sets" value="2"', html)
    # ...next to what is saved now, and the page carries the new version for a deliberate second save.
    assert "Saved now: 24" in html and "as it is saved now" in html
    assert version_on(second) == seen + 1
    # The database holds Maya's change only.
    phase.refresh_from_db()
    assert (phase.run_minutes, phase.pain_note) == (24, "")
    assert phase.exercises.order_by("order").first().sets == 5
    assert fresh(plan).version == seen + 1 and fresh(plan).changed_by == people.clinician.user

    again = coach.post(url, second_data | {"version": version_on(second)})
    assert again.status_code == 302
    phase.refresh_from_db()
    assert phase.run_minutes == 31 and fresh(plan).version == seen + 2


def test_the_same_clinician_in_two_tabs_is_told_it_was_them(people, plan):
    phase = plan.current_phase
    url = reverse("rehab:phase_edit", args=[plan.pk, phase.pk])
    client = logged_in(people.clinician.user)
    data = tailor_data(plan, phase)
    assert client.post(url, data).status_code == 302
    response = client.post(url, data | {"phase-run_minutes": 40})
    assert (
        f"You changed this plan at {at(plan)} in another tab or window {NOT_SAVED}"
        in response.content.decode()
    )


def test_saved_now_hints_escape_what_the_other_clinician_typed(people, plan):
    phase = plan.current_phase
    url = reverse("rehab:phase_edit", args=[plan.pk, phase.pk])
    seen = plan.version
    hostile = "<script>alert('x')</script>"
    saved = logged_in(people.clinician.user).post(url, tailor_data(plan, phase) | {"phase-name": hostile})
    assert saved.status_code == 302
    refused = logged_in(people.coach.user).post(url, tailor_data(plan, phase) | {"version": seen})
    html = refused.content.decode()
    assert hostile not in html
    assert "Saved now: &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


@pytest.mark.parametrize("version", [None, "", "abc", "0", "-3", str(2**40)], ids=repr)
def test_a_tailor_save_without_a_usable_version_saves_nothing(client_for, people, plan, version):
    phase = plan.current_phase
    data = tailor_data(plan, phase) | {"phase-run_minutes": 55}
    if version is None:
        del data["version"]
    else:
        data["version"] = version
    response = client_for("clinician").post(reverse("rehab:phase_edit", args=[plan.pk, phase.pk]), data)
    assert response.status_code == 200 and OUT_OF_DATE in response.content.decode()
    phase.refresh_from_db()
    assert phase.run_minutes != 55 and fresh(plan).version == 1


def test_an_automatic_change_is_described_without_a_name(people, plan):
    services.plan_advance(plan=plan, by=None, reason="Automatic")
    with pytest.raises(services.PlanChanged) as stale:
        services.plan_set_status(plan=plan, status="paused", by=people.coach.user, seen=1)
    assert stale.value.describe(people.coach.user) == f"This plan was changed at {at(plan)}"
    assert stale.value.seen == 1 and stale.value.plan.version == 2


# --------------------------------------------------------------------------- buttons: move, status, apply


def moves(plan):
    last = plan.phases.order_by("order").last()
    return {
        "advance": (reverse("rehab:plan_move", args=[plan.pk]), {"action": "advance"}),
        "regress": (reverse("rehab:plan_move", args=[plan.pk]), {"action": "regress"}),
        "jump": (reverse("rehab:plan_move", args=[plan.pk]), {"action": "jump", "to_phase": last.pk}),
        "pause": (reverse("rehab:plan_status", args=[plan.pk]), {"status": "paused"}),
    }


@pytest.mark.parametrize("button", ["advance", "regress", "jump", "pause"])
def test_a_button_on_a_stale_page_changes_nothing(people, plan, button):
    seen = version_on(logged_in(people.coach.user).get(plan.get_absolute_url()))
    services.plan_advance(plan=plan, by=people.clinician.user, reason="Pain-free week")
    before = fresh(plan)
    url, data = moves(plan)[button]
    response = logged_in(people.coach.user).post(url, data | {"version": seen}, follow=True)
    assert response.redirect_chain[-1][0] == plan.get_absolute_url()
    html = response.content.decode()
    assert f"Someone else changed this plan at {at(plan)} (by Maya Okafor) {NOTHING_CHANGED}" in html
    after = fresh(plan)
    assert (after.version, after.current_phase_id, after.status) == (
        before.version, before.current_phase_id, before.status,
    )  # fmt: skip
    assert PhaseChange.objects.filter(plan=plan).count() == 2  # start and Maya's advance


@pytest.mark.parametrize("button", ["advance", "jump", "pause"])
def test_a_button_on_a_current_page_works_and_bumps_the_version_once(people, plan, button):
    client = logged_in(people.clinician.user)
    seen = version_on(client.get(plan.get_absolute_url()))
    url, data = moves(plan)[button]
    response = client.post(url, data | {"version": seen}, follow=True)
    assert "nothing was changed" not in response.content.decode()
    after = fresh(plan)
    assert after.version == seen + 1 and after.changed_by == people.clinician.user
    assert (after.status == "paused") if button == "pause" else (after.current_phase.order > 1)


@pytest.mark.parametrize("button", ["advance", "pause"])
def test_a_button_without_a_version_changes_nothing(client_for, people, plan, button):
    url, data = moves(plan)[button]
    response = client_for("clinician").post(url, data, follow=True)
    assert OUT_OF_DATE in response.content.decode()
    assert fresh(plan).version == 1 and fresh(plan).status == "active"


@pytest.mark.parametrize("name", ["plan_cancel", "coach_advance"])
def test_a_form_on_a_stale_page_changes_nothing_and_says_who_changed_the_plan(people, plan, name):
    seen = version_on(logged_in(people.coach.user).get(plan.get_absolute_url()))
    services.plan_advance(plan=plan, by=people.clinician.user, reason="Pain-free week")
    before = fresh(plan)
    url = reverse(f"rehab:{name}", args=[plan.pk])
    response = logged_in(people.coach.user).post(
        url, {"reason": "Surgery booked", "version": seen}, follow=True
    )
    assert response.redirect_chain[-1][0] == plan.get_absolute_url()
    assert f"Someone else changed this plan at {at(plan)} (by Maya Okafor) {NOTHING_CHANGED}" in (
        response.content.decode()
    )
    after = fresh(plan)
    assert (after.version, after.current_phase_id, after.status) == (
        before.version, before.current_phase_id, before.status,
    )  # fmt: skip


def test_the_cancel_form_without_a_version_says_the_page_is_out_of_date_on_the_form(client_for, plan):
    url = reverse("rehab:plan_cancel", args=[plan.pk])
    response = client_for("clinician").post(url, {"reason": "Surgery booked"})
    assert response.status_code == 200 and OUT_OF_DATE in response.content.decode()
    assert response.context["form"].non_field_errors() == [OUT_OF_DATE]
    assert fresh(plan).status == "active" and fresh(plan).version == 1


def test_the_plan_page_and_the_timeline_name_the_engines_advice_in_words(people, plan):
    services.log_save(athlete=people.athlete_a, day=timezone.localdate(), data={"night_pain": True})
    client = logged_in(people.clinician.user)
    for url in (plan.get_absolute_url(), reverse("rehab:timeline", args=[people.athlete_a.pk])):
        html = client.get(url).content.decode()
        assert '<span class="badge action-stop_and_refer">Stop and refer</span>' in html


def test_applying_a_recommendation_from_a_stale_timeline_changes_nothing(people, plan):
    services.log_save(athlete=people.athlete_a, day=timezone.localdate(), data={"night_pain": True})
    coach = logged_in(people.coach.user)
    timeline = coach.get(reverse("rehab:timeline", args=[people.athlete_a.pk]))
    seen = version_on(timeline)
    services.plan_update(plan=plan, by=people.clinician.user, seen=seen, goal="Back to 10 km")
    url = reverse("rehab:recommendation_apply", args=[plan.pk])
    response = coach.post(url, {"action": "stop_and_refer", "version": seen}, follow=True)
    assert NOTHING_CHANGED in response.content.decode()
    assert fresh(plan).status == "active"
    response = coach.post(url, {"action": "stop_and_refer", "version": seen + 1}, follow=True)
    assert "Plan paused." in response.content.decode()
    assert (fresh(plan).status, fresh(plan).version) == ("paused", seen + 2)


# --------------------------------------------------------------------------- the admin


def admin_post_data(response) -> dict:
    """What the browser would send back from an admin change page, untouched."""
    forms = [response.context["adminform"].form]
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        forms += [formset.management_form, *formset.forms]
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else str(value)
    return data


def test_second_of_two_admin_plan_saves_is_refused(people, plan):
    url = reverse("admin:rehab_plan_change", args=[plan.pk])
    maya, coach = logged_in(people.clinician.user), logged_in(people.coach.user)
    maya_data, coach_data = admin_post_data(maya.get(url)), admin_post_data(coach.get(url))
    assert maya.post(url, maya_data | {"goal": "Spring half marathon"}).status_code == 302
    response = coach.post(url, coach_data | {"goal": "Parkrun in May", "phases-0-name": "Coach's phase"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Someone else changed this plan at {at(plan)} (by Maya Okafor) while you were editing." in html
    assert "Your changes were not saved." in html
    assert 'value="Parkrun in May"' in html and "Coach&#x27;s phase" in html
    saved = fresh(plan)
    assert (saved.goal, saved.version) == ("Spring half marathon", 2)
    assert plan.phases.order_by("order").first().name != "Coach's phase"

    # The re-shown page carries the new version: saving it again is a deliberate overwrite.
    again = coach.post(url, admin_post_data(response))
    assert again.status_code == 302
    assert (fresh(plan).goal, fresh(plan).version) == ("Parkrun in May", 3)


def test_admin_phase_page_checks_the_plan_version(people, plan):
    phase = plan.current_phase
    url = reverse("admin:rehab_planphase_change", args=[phase.pk])
    coach = logged_in(people.coach.user)
    stale = admin_post_data(coach.get(url))
    services.plan_advance(plan=plan, by=people.clinician.user)
    response = coach.post(url, stale | {"run_note": "Flat routes only"})
    assert (
        response.status_code == 200 and "(by Maya Okafor) while you were editing" in response.content.decode()
    )
    phase.refresh_from_db()
    assert phase.run_note == "" and fresh(plan).version == 2
    fresh_data = admin_post_data(coach.get(url))
    assert coach.post(url, fresh_data | {"run_note": "Flat routes only"}).status_code == 302
    assert fresh(plan).version == 3 and fresh(plan).changed_by == people.coach.user


def test_an_admin_save_without_changes_keeps_the_version(people, plan):
    url = reverse("admin:rehab_plan_change", args=[plan.pk])
    client = logged_in(people.clinician.user)
    assert client.post(url, admin_post_data(client.get(url))).status_code == 302
    assert fresh(plan).version == 1


# --------------------------------------------------------------------------- the API


def api(client, method, url, body=None):
    return getattr(client, method)(url, body or {}, content_type="application/json")


def test_api_exposes_the_version_and_refuses_a_stale_patch_with_409(people, plan):
    maya, coach = logged_in(people.clinician.user), logged_in(people.coach.user)
    seen = coach.get(f"{PLANS}{plan.pk}/").json()["version"]
    saved = api(maya, "patch", f"{PLANS}{plan.pk}/", {"goal": "Spring half", "version": seen})
    assert saved.status_code == 200 and saved.json()["version"] == seen + 1

    stale = api(
        coach, "patch", f"{PLANS}{plan.pk}/", {"goal": "Parkrun", "status": "paused", "version": seen}
    )
    assert stale.status_code == 409
    body = stale.json()
    assert body["code"] == "plan_changed" and body["errors"] == {}
    assert body["detail"].startswith(
        f"This plan was changed at {at(plan)} by Maya Okafor: it is now version 2"
    )
    assert (fresh(plan).goal, fresh(plan).status, fresh(plan).version) == ("Spring half", "active", 2)


def test_api_patch_and_put_bump_the_version_exactly_once(people, plan):
    client = logged_in(people.clinician.user)
    patched = api(
        client, "patch", f"{PLANS}{plan.pk}/", {"name": "Tailored", "status": "paused", "version": 1}
    )
    assert patched.status_code == 200 and patched.json()["version"] == 2
    put = api(
        client, "put", f"{PLANS}{plan.pk}/", {"name": "Again", "goal": "", "status": "paused", "version": 2}
    )
    assert put.status_code == 200 and put.json()["version"] == 3
    assert (fresh(plan).name, fresh(plan).status, fresh(plan).changed_by) == (
        "Again",
        "paused",
        people.clinician.user,
    )


def test_api_changes_without_a_version_still_apply_last_write_wins(people, plan):
    client = logged_in(people.clinician.user)
    api(client, "patch", f"{PLANS}{plan.pk}/", {"goal": "First"})
    response = api(client, "patch", f"{PLANS}{plan.pk}/", {"goal": "Second"})
    assert response.status_code == 200 and response.json()["version"] == 3 and fresh(plan).goal == "Second"
    assert api(client, "post", f"{PLANS}{plan.pk}/advance/").json()["version"] == 4


@pytest.mark.parametrize("action", ["advance", "regress", "move", "apply-recommendation"])
def test_api_plan_actions_with_a_stale_version_are_409(people, plan, action):
    services.log_save(athlete=people.athlete_a, day=timezone.localdate(), data={"night_pain": True})
    services.plan_advance(plan=plan, by=people.clinician.user)  # now version 2, in phase 2
    body = {"version": 1}
    if action == "move":
        body["phase"] = plan.phases.order_by("order").last().pk
    elif action == "apply-recommendation":
        body["action"] = "stop_and_refer"
    response = api(logged_in(people.coach.user), "post", f"{PLANS}{plan.pk}/{action}/", body)
    assert response.status_code == 409 and response.json()["code"] == "plan_changed"
    after = fresh(plan)
    assert (after.version, after.current_phase.order, after.status) == (2, 2, "active")


@pytest.mark.parametrize("version", [0, -1, "two", 2**31, None])
def test_api_an_impossible_version_is_a_400(people, plan, version):
    response = api(
        logged_in(people.clinician.user), "patch", f"{PLANS}{plan.pk}/", {"goal": "x", "version": version}
    )
    assert response.status_code == 400 and "version" in response.json()["errors"]
    assert fresh(plan).version == 1


def test_the_schema_documents_the_409(db):
    out = StringIO()
    call_command("spectacular", "--format", "openapi-json", stdout=out)
    paths = json.loads(out.getvalue())["paths"]
    assert "409" in paths["/api/v1/plans/{id}/"]["patch"]["responses"]
    assert "409" in paths["/api/v1/plans/{id}/advance/"]["post"]["responses"]


# --------------------------------------------------------------------------- at the same time (PostgreSQL)


def run_together(*jobs):
    """Run each job in its own thread and database connection, released together; their results in order."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait(timeout=5)
            results[index] = job()
        except Exception as error:  # noqa: BLE001 - the caller asserts on it
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_simultaneous_tailor_saves_one_wins(people):
    template = PlanTemplateFactory(phases=2, phases__exercises_per_phase=2)
    plan = services.plan_assign(athlete=people.athlete_a, template=template, by=people.clinician.user,
                                start=date(2026, 11, 2))  # fmt: skip
    phase = plan.current_phase
    url = reverse("rehab:phase_edit", args=[plan.pk, phase.pk])
    clients = {30: logged_in(people.clinician.user), 45: logged_in(people.coach.user)}

    def save(minutes):
        return lambda: clients[minutes].post(url, tailor_data(plan, phase) | {"phase-run_minutes": minutes})

    responses = run_together(save(30), save(45))
    assert sorted(r.status_code for r in responses) == [200, 302], responses
    winner = 30 if responses[0].status_code == 302 else 45
    loser = responses[1] if winner == 30 else responses[0]
    assert NOT_SAVED in loser.content.decode()
    phase.refresh_from_db()
    assert phase.run_minutes == winner and fresh(plan).version == 2


@postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_save_waiting_for_the_lock_is_refused_when_the_first_commits(people):
    """The second save's check waits for the first transaction and then sees its new version."""
    template = PlanTemplateFactory(phases=3, phases__exercises_per_phase=1)
    plan = services.plan_assign(athlete=people.athlete_a, template=template, by=people.clinician.user,
                                start=date(2026, 11, 2))  # fmt: skip

    def slow_edit():
        mine = Plan.objects.get(pk=plan.pk)
        with services.plan_editing(plan=mine, by=people.clinician.user, seen=1):
            PlanPhase.objects.filter(plan=mine, order=1).update(run_note="First")
            time.sleep(0.5)  # the other save reaches its check meanwhile and waits on the row lock
        return "saved"

    def quick_advance():
        time.sleep(0.1)
        return services.plan_advance(plan=Plan.objects.get(pk=plan.pk), by=people.coach.user, seen=1)

    first, second = run_together(slow_edit, quick_advance)
    assert first == "saved"
    assert isinstance(second, services.PlanChanged) and second.plan.version == 2
    after = fresh(plan)
    assert (after.version, after.current_phase.order, after.changed_by) == (2, 1, people.clinician.user)
    assert PlanPhase.objects.get(plan=plan, order=1).run_note == "First"
