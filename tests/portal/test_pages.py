from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from portal.models import Shoe
from tests.factories import AthleteFactory


def profile_data(athlete, **extra):
    shoes = list(athlete.shoes.all())
    data = {
        "date_of_birth": "1990-05-01",
        "sex": "female",
        "weekly_km": "42.5",
        "years_running": "6",
        "goal_event": "Valencia Marathon",
        "goal_date": "2027-12-05",
        "shoes-TOTAL_FORMS": str(len(shoes) + 1),
        "shoes-INITIAL_FORMS": str(len(shoes)),
        "shoes-MIN_NUM_FORMS": "0",
        "shoes-MAX_NUM_FORMS": "20",
    }
    for i, shoe in enumerate(shoes):
        data |= {f"shoes-{i}-id": shoe.pk, f"shoes-{i}-name": shoe.name, f"shoes-{i}-km": str(shoe.km)}
    data |= {f"shoes-{len(shoes)}-name": "Clifton 9", f"shoes-{len(shoes)}-km": "12"}
    data.update(extra)
    return data


def test_athlete_edits_running_profile_and_adds_shoe(client_for, people):
    athlete = people.athlete_a
    response = client_for("athlete_a").post(reverse("my_profile"), profile_data(athlete))
    assert response.status_code == 302
    athlete.refresh_from_db()
    assert str(athlete.weekly_km) == "42.5"
    assert athlete.goal_event == "Valencia Marathon"
    assert set(athlete.shoes.values_list("name", flat=True)) == {"Ghost 16", "Clifton 9"}


def test_profile_bad_input_keeps_everything_and_shows_errors(client_for, people):
    athlete = people.athlete_a
    data = profile_data(athlete, weekly_km="-5", **{"shoes-1-km": "nine"})
    response = client_for("athlete_a").post(reverse("my_profile"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Weekly distance can&#x27;t be negative." in html
    assert "Enter a number." in html  # the shoe's km (the shoe formset keeps Django's words)
    assert 'value="Valencia Marathon"' in html  # what was typed is not lost
    athlete.refresh_from_db()
    assert athlete.weekly_km == 40
    assert athlete.shoes.count() == 1


def test_athlete_cannot_edit_someone_elses_shoe(client_for, people):
    foreign = Shoe.objects.create(athlete=people.athlete_b, name="Secret", km=5)
    data = profile_data(people.athlete_a)
    data |= {"shoes-0-id": foreign.pk}
    client_for("athlete_a").post(reverse("my_profile"), data)
    foreign.refresh_from_db()
    assert foreign.athlete == people.athlete_b and foreign.name == "Secret"


def test_home_sends_each_role_to_its_start_page(client_for, people):
    assert client_for("clinician").get(reverse("home")).url == reverse("athlete_list")
    assert client_for("athlete_a").get(reverse("home")).url == reverse("rehab:athlete_today")


def test_athlete_list_search(client_for, people):
    html = client_for("clinician").get(reverse("athlete_list"), {"q": "bian"}).content.decode()
    assert "Bruno Bianchi" in html and "Anna Aalto" not in html


def test_athlete_list_query_count_is_constant(client_for, people, django_assert_max_num_queries):
    for _ in range(30):
        AthleteFactory(clinic=people.clinic)
    client = client_for("clinician")
    with django_assert_max_num_queries(14):  # the day's first visit refreshes every status in one go
        client.get(reverse("athlete_list"))
    with django_assert_max_num_queries(5):  # as tests/portal/test_caseload.py counts them
        response = client.get(reverse("athlete_list"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 32


def test_athlete_detail_shows_profile_and_worn_shoe(client_for, people):
    html = client_for("clinician").get(people.athlete_a.get_absolute_url()).content.decode()
    assert "Anna Aalto" in html and "Ghost 16" in html and "replace soon" in html


def test_login_page_and_bad_password(client, people):
    assert client.get(reverse("login")).status_code == 200
    response = client.post(reverse("login"), {"username": people.athlete_a.user.email, "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct email address and password" in response.content.decode()


def test_password_reset_pages_render(client, people):
    assert client.get(reverse("password_reset")).status_code == 200
    response = client.post(reverse("password_reset"), {"email": people.athlete_a.user.email})
    assert response.status_code == 302


def test_date_fields_show_the_saved_date(client_for, people):
    athlete = people.athlete_a
    athlete.date_of_birth = "1990-05-01"
    athlete.save()
    html = client_for("athlete_a").get(reverse("my_profile")).content.decode()
    assert 'type="date" name="date_of_birth" value="1990-05-01"' in html


def test_the_caseload_reads_stored_statuses_on_every_visit_the_days_first_included(
    client_for, people, django_assert_max_num_queries
):
    from rehab.models import RehabStatus
    from rehab.services import status_refresh

    status_refresh([people.athlete_a, people.athlete_b])
    RehabStatus.objects.update(as_of=timezone.localdate() - timedelta(days=1))  # the nightly job has not run
    client = client_for("clinician")
    for _ in range(2):
        # session, user, the listing's four, rows, alerts, care teams, unread messages: no status check, no refresh
        with django_assert_max_num_queries(10):
            assert client.get(reverse("athlete_list")).status_code == 200
    assert set(RehabStatus.objects.values_list("as_of", flat=True)) == {
        timezone.localdate() - timedelta(days=1)
    }
