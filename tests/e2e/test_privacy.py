"""Another runner typing Anna's addresses into the browser gets an error page, never her records."""

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from rehab import services as rehab_services
from tests.factories import PlanTemplateFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_athlete_typing_another_athletes_plan_address_sees_an_error_page(page, log_in, browser_log, people):
    template = PlanTemplateFactory(name="Anna's private outer-hip plan", phases=1)
    plan = rehab_services.plan_assign(
        athlete=people.athlete_a, template=template, by=people.clinician.user, start=timezone.localdate(),
        goal="Anna's secret goal race",
    )  # fmt: skip
    log_in(people.athlete_b.user)

    for name, status, heading in (
        ("rehab:plan_detail", 403, "This page is not for your account"),  # a clinician's page
        ("rehab:plan_print", 404, "Page not found"),  # the printed program: not Bruno's plan
    ):
        path = reverse(name, args=[plan.pk])
        browser_log.expect_error_page(path)
        response = page.goto(path)
        assert response.status == status, name
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        for secret in ("Anna", "Aalto", "private outer-hip plan", "secret goal race"):
            expect(page.locator("body")).not_to_contain_text(secret)

    # Bruno's own plan page still works, and says he has none.
    page.get_by_role("link", name="My plan").click()
    expect(page.get_by_role("heading", name="No plan yet")).to_be_visible()
