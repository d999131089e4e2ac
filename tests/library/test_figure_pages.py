"""The drawn exercise figures on the pages: served as cached SVG, shown in the library, replaced by a clinic's picture."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from library.models import Exercise
from rehab import services
from tests.factories import PlanTemplateFactory
from tests.library.test_upload import add, picture


def test_figure_is_served_as_svg_with_an_etag(client_for):
    client = client_for("athlete_a")
    url = reverse("library:exercise_figure", args=["glute-bridge"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<title>Glute bridge: start and end positions</title>" in response.content
    assert b"<script" not in response.content
    again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert "private" in response["Cache-Control"]
    end = client.get(url, {"frame": "end"})
    assert b"<title>Glute bridge</title>" in end.content and end["ETag"] != response["ETag"]
    assert client.get(url, {"frame": "middle"}).status_code == 404


def test_figure_needs_a_login_and_a_drawn_exercise(client_for):
    url = reverse("library:exercise_figure", args=["glute-bridge"])
    assert client_for("anonymous").get(url).status_code == 302
    missing = reverse("library:exercise_figure", args=["no-such-exercise"])
    assert client_for("clinician").get(missing).status_code == 404


def test_library_list_and_page_show_the_drawing(client_for, catalog):
    client = client_for("clinician")
    bridge = Exercise.objects.get(clinic=None, slug="glute-bridge")
    figure = reverse("library:exercise_figure", args=["glute-bridge"])
    listing = client.get(reverse("library:exercise_list"), {"q": "glute bridge"}).content.decode()
    assert f'src="{figure}" alt="Glute bridge: start and end positions"' in listing
    page = client.get(bridge.get_absolute_url()).content.decode()
    assert f'src="{figure}" alt="Glute bridge: start and end positions"' in page


def test_a_clinic_picture_replaces_the_drawing(client_for, catalog):
    client = client_for("clinician")
    assert add(client, name="Glute bridge", image=picture()).status_code == 302
    own = Exercise.objects.get(clinic__isnull=False, slug="glute-bridge")
    page = client.get(own.get_absolute_url()).content.decode()
    assert own.image.url in page
    assert reverse("library:exercise_figure", args=["glute-bridge"]) not in page


def test_my_plan_and_log_today_show_a_thumbnail_beside_each_drawn_exercise(client_for, people):
    template = PlanTemplateFactory(phases=2, phases__exercises_per_phase=2)
    plan = services.plan_assign(
        athlete=people.athlete_a,
        template=template,
        by=people.clinician.user,
        start=timezone.localdate() - timedelta(days=3),
    )
    drawn, plain = [row.exercise for row in plan.current_phase.exercises.order_by("order")]
    Exercise.objects.filter(pk=drawn.pk).update(slug="glute-bridge")
    figure = reverse("library:exercise_figure", args=["glute-bridge"])
    client = client_for("athlete_a")
    for page in ("rehab:my_plan", "rehab:log_today"):
        html = client.get(reverse(page)).content.decode()
        assert f'src="{figure}?frame=end" alt="{drawn.name}: end position"' in html, page
        assert html.count("exercise-figure") == 1, page  # the undrawn exercise has no empty picture
