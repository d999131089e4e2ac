"""The admin speaks the product's words about protocols, and cannot cancel a plan around the portal's rule (a
reason, who and when, kept in the plan's history)."""

import html as html_
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from rehab import services
from rehab.models import PhaseChange, Plan
from tests.factories import PlanTemplateFactory


@pytest.fixture
def template(people):
    return PlanTemplateFactory(clinic=people.clinic, phases=2, phases__exercises_per_phase=1)


@pytest.fixture
def plan(people, template):
    return services.plan_assign(
        athlete=people.athlete_a, template=template, by=people.clinician.user,
        start=timezone.localdate() - timedelta(days=3),
    )  # fmt: skip


def page(client, url) -> str:
    return html_.unescape(client.get(url).content.decode())


def admin_form_data(client, url) -> dict:
    response = client.get(url)
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is not None and value is not False:
                data[form.add_prefix(name)] = "on" if value is True else str(value)
    return data


def test_the_plan_admin_cannot_cancel_without_the_reason(client_for, people, plan):
    client = client_for("clinician")
    url = reverse("admin:rehab_plan_change", args=[plan.pk])
    text = page(client, url)
    cancel = reverse("rehab:plan_cancel", args=[plan.pk])
    assert f'<a href="{cancel}">Cancel this plan…</a>' in text
    assert 'name="status"' not in text
    response = client.post(url, admin_form_data(client, url) | {"status": "cancelled", "goal": "New goal"})
    assert response.status_code == 302
    saved = Plan.objects.get(pk=plan.pk)
    assert saved.status == "active" and saved.goal == "New goal" and saved.cancelled_at is None
    assert not PhaseChange.objects.filter(plan=plan, kind="cancel").exists()


def test_a_cancelled_plan_in_the_admin_shows_its_reason(client_for, people, plan):
    services.plan_cancel(plan=plan, by=people.clinician.user, reason="Surgery booked: referred on.")
    text = page(client_for("clinician"), reverse("admin:rehab_plan_change", args=[plan.pk]))
    assert "Cancelled: Surgery booked: referred on." in text and "Cancel this plan" not in text


def test_the_plan_admin_shows_no_version_number(client_for, plan):
    text = page(client_for("clinician"), reverse("admin:rehab_plan_change", args=[plan.pk]))
    assert "Version:" not in text and ">Version<" not in text and 'name="version"' not in text
    assert "<label>Protocol:</label>" in text and "<label>Template:</label>" not in text


def test_protocols_are_named_in_words_in_the_admin(client_for, people, template):
    client = client_for("clinician")
    index = page(client, reverse("admin:index"))
    assert ">Protocols<" in index and "Plan templates" not in index
    text = page(client, reverse("admin:rehab_plantemplate_change", args=[template.pk]))
    for words in ("Change protocol", "Short name for links", "Shortest length (weeks)", "Longest length (weeks)",
                  '"addText": "Add another phase"'):  # fmt: skip
        assert words in text, words
    for old in ("Slug", "Duration weeks", "Phase template", "phase template", "Plan template"):
        assert old not in text, old
    phase = template.phases.first()
    text = page(client, reverse("admin:rehab_phasetemplate_change", args=[phase.pk]))
    assert '"addText": "Add another exercise"' in text and "exercise template" not in text.lower()


def test_the_plan_admin_adds_phases_and_exercises_in_words(client_for, plan):
    client = client_for("clinician")
    text = page(client, reverse("admin:rehab_plan_change", args=[plan.pk]))
    assert '"addText": "Add another phase"' in text and "Plan phase" not in text
    text = page(client, reverse("admin:rehab_planphase_change", args=[plan.phases.first().pk]))
    assert '"addText": "Add another exercise"' in text and "Plan exercise" not in text


def test_duplicating_protocols_says_protocols(client_for, people, template):
    client = client_for("clinician")
    response = client.post(
        reverse("admin:rehab_plantemplate_changelist"),
        {"action": "duplicate", "_selected_action": [template.pk]},
        follow=True,
    )
    assert f"1 protocol duplicated into {people.clinic}." in html_.unescape(response.content.decode())
