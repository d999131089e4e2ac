"""A clinic's video link for an exercise (on its own copy of it) is a link on My plan."""

from datetime import date

from django.urls import reverse

from library.models import Exercise
from rehab import services
from tests.factories import PlanTemplateFactory


def test_my_plan_links_the_exercises_video(client_for, people):
    template = PlanTemplateFactory(phases=1, phases__exercises_per_phase=2)
    plan = services.plan_assign(
        athlete=people.athlete_a, template=template, by=people.clinician.user, start=date(2026, 11, 2)
    )
    with_video, without = [row.exercise for row in plan.current_phase.exercises.order_by("order")]
    Exercise.objects.filter(pk=with_video.pk).update(video_url="https://video.example/bridge")
    html = client_for("athlete_a").get(reverse("rehab:my_plan")).content.decode()
    assert html.count('href="https://video.example/bridge" rel="noopener noreferrer"') == 1
    assert html.count("Watch the video") == 1
