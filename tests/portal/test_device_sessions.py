"""Staying signed in on an athlete's own phone, and the list of signed-in devices (portal.devices)."""

import json
import zipfile
from datetime import timedelta
from io import BytesIO

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils import timezone

from portal import devices, services
from portal.devices import describe_user_agent, key_hash
from portal.export import JSON_NAME, export_zip
from portal.models import SignedInDevice
from rehab import pdf
from rehab.reminders import reminder_email
from tests.access import LOGIN, MATRIX_PERSONAS, assert_outcome, matrix_cases
from tests.factories import PASSWORD

LOGIN_URL = "/accounts/login/"
ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)
IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Mobile/15E148 Safari/604.1"
)
WINDOWS_FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
DAY = 24 * 60 * 60


def sign_in(persona_user, *, keep: bool, agent: str = ANDROID_CHROME, next_url: str = "") -> tuple:
    """A new device (its own test client) logging in through the site's form."""
    client = Client(HTTP_USER_AGENT=agent)
    data = {"username": persona_user.email, "password": PASSWORD, "next": next_url}
    if keep:
        data["keep_signed_in"] = "on"
    response = client.post(LOGIN_URL, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return client, response


def device_of(client) -> SignedInDevice:
    return SignedInDevice.objects.get(key_hash=key_hash(client.session.session_key))


def signed_in(client) -> bool:
    return client.get(reverse("my_profile")).status_code == 200


def later(monkeypatch, delta: timedelta):
    """The clock moves on (sessions, devices and recent-auth all read django.utils.timezone.now)."""
    moved = timezone.now() + delta
    monkeypatch.setattr(timezone, "now", lambda: moved)
    return moved


# ------------------------------------------------------------------------------------------ the login


def test_the_login_page_offers_the_box_and_says_how_long_each_session_lasts(client):
    html = client.get(LOGIN_URL).content.decode()
    assert 'name="keep_signed_in"' in html and 'type="checkbox"' in html
    assert "This is my own phone — keep me signed in" in html
    assert f"{settings.DEVICE_SESSION_DAYS} days" in html
    assert f"{settings.SESSION_COOKIE_AGE // 3600} hours" in html


def test_an_athlete_who_ticks_the_box_stays_signed_in_for_the_device_days(people):
    client, response = sign_in(people.athlete_a.user, keep=True)
    days = settings.DEVICE_SESSION_DAYS * DAY
    assert client.session.get_expiry_age() == days
    assert int(response.cookies[settings.SESSION_COOKIE_NAME]["max-age"]) == days
    stored = Session.objects.get(session_key=client.session.session_key)
    assert abs((stored.expire_date - timezone.now()).total_seconds() - days) < 60
    device = device_of(client)
    assert (device.user, device.kept_signed_in, device.device) == (
        people.athlete_a.user,
        True,
        "Chrome on Android",
    )


def test_unticked_an_athlete_gets_the_usual_session(people):
    client, response = sign_in(people.athlete_a.user, keep=False)
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    assert int(response.cookies[settings.SESSION_COOKIE_NAME]["max-age"]) == settings.SESSION_COOKIE_AGE
    assert device_of(client).kept_signed_in is False


@pytest.mark.parametrize("persona", ["clinician", "coach", "other_clinician", "superuser"])
def test_clinic_staff_who_tick_the_box_keep_the_short_session(people, persona):
    client, _ = sign_in(people.user(persona), keep=True)
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    assert device_of(client).kept_signed_in is False


def test_the_length_is_a_setting(people, settings):
    settings.DEVICE_SESSION_DAYS = 30
    client, _ = sign_in(people.athlete_a.user, keep=True)
    assert client.session.get_expiry_age() == 30 * DAY


@pytest.mark.parametrize(
    "agent,words",
    [
        (ANDROID_CHROME, "Chrome on Android"),
        (IPHONE_SAFARI, "Safari on iPhone"),
        (WINDOWS_FIREFOX, "Firefox on Windows"),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
            "Chrome on iPhone",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
            "SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
            "Samsung Internet on Android",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7_1) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/18.1 Safari/605.1.15",
            "Safari on Mac",
        ),
        ("curl/8.5.0", "Unknown browser"),
        ("", "Unknown browser"),
    ],
    ids=["android-chrome", "iphone-safari", "windows-firefox", "iphone-chrome", "edge", "samsung", "mac", "curl",
         "empty"],
)  # fmt: skip
def test_the_user_agent_in_words(agent, words):
    assert describe_user_agent(agent) == words


# ------------------------------------------------------------------------------- sliding, once a day


def test_a_kept_session_slides_once_a_day(people, monkeypatch):
    client, _ = sign_in(people.athlete_a.user, keep=True)
    signed_at = device_of(client).last_seen
    url = reverse("my_profile")
    client.get(url)
    # Same day: the session is not written again (no cookie sent again, no UPDATE).
    response = client.get(url)
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert device_of(client).last_seen == signed_at

    now = later(monkeypatch, timedelta(days=60))
    response = client.get(url)
    assert response.status_code == 200  # still signed in, 60 days on
    assert (
        int(response.cookies[settings.SESSION_COOKIE_NAME]["max-age"]) == settings.DEVICE_SESSION_DAYS * DAY
    )
    stored = Session.objects.get(session_key=client.session.session_key)
    assert stored.expire_date == now + timedelta(days=settings.DEVICE_SESSION_DAYS)
    device = device_of(client)
    assert device.last_seen == now and device.expires == now + timedelta(days=settings.DEVICE_SESSION_DAYS)
    # Later that day: nothing is written.
    response = client.get(url)
    assert settings.SESSION_COOKIE_NAME not in response.cookies


def test_a_kept_session_ends_after_the_device_days_without_use(people, monkeypatch):
    client, _ = sign_in(people.athlete_a.user, keep=True)
    later(monkeypatch, timedelta(days=settings.DEVICE_SESSION_DAYS, minutes=1))
    assert not signed_in(client)


def test_an_unticked_session_ends_after_the_usual_hours(people, monkeypatch):
    client, _ = sign_in(people.athlete_a.user, keep=False)
    later(monkeypatch, timedelta(seconds=settings.SESSION_COOKIE_AGE + 60))
    assert not signed_in(client)


def test_the_daily_refresh_costs_two_writes_once_a_day_and_nothing_else(people, monkeypatch):
    """The day's first request: the device row's UPDATE and the session's (in its savepoint); later ones none."""
    client, _ = sign_in(people.athlete_a.user, keep=True)
    url = reverse("my_profile")
    client.get(url)
    with CaptureQueriesContext(connection) as same_day:
        client.get(url)
    later(monkeypatch, timedelta(days=1))
    with CaptureQueriesContext(connection) as next_day:
        client.get(url)
    writes = [q["sql"] for q in same_day.captured_queries if q["sql"].startswith(("UPDATE", "INSERT"))]
    assert writes == []
    writes = [q["sql"] for q in next_day.captured_queries if q["sql"].startswith(("UPDATE", "INSERT"))]
    assert [sql.split('"')[1] for sql in writes] == ["portal_signedindevice", "django_session"]
    assert len(next_day.captured_queries) - len(same_day.captured_queries) == 4  # + SAVEPOINT and RELEASE


# ------------------------------------------------------------------------------------- the device list


def test_the_profile_lists_the_athletes_devices_and_marks_this_one(people, django_assert_max_num_queries):
    phone, _ = sign_in(people.athlete_a.user, keep=True, agent=ANDROID_CHROME)
    sign_in(people.athlete_a.user, keep=False, agent=WINDOWS_FIREFOX)
    sign_in(people.athlete_b.user, keep=True, agent=IPHONE_SAFARI)  # someone else's
    with django_assert_max_num_queries(12):
        html = phone.get(reverse("my_profile")).content.decode()
    section = html[html.index('id="devices"') :]
    assert "Chrome on Android" in section and "This device" in section and "kept signed in" in section
    assert "Firefox on Windows" in section
    assert "Safari on iPhone" not in section
    assert "Sign out all other devices" in section


def test_signing_out_another_device_ends_its_session(people):
    phone, _ = sign_in(people.athlete_a.user, keep=True)
    laptop, _ = sign_in(people.athlete_a.user, keep=False, agent=WINDOWS_FIREFOX)
    target = device_of(laptop)
    response = phone.post(reverse("device_sign_out", args=[target.pk]))
    assert response.status_code == 302 and response.url == reverse("my_profile") + "#devices"
    assert not SignedInDevice.objects.filter(pk=target.pk).exists()
    assert "Firefox on Windows is signed out." in phone.get(response.url).content.decode()
    assert not signed_in(laptop)


def test_signing_out_this_device_logs_out(people):
    phone, _ = sign_in(people.athlete_a.user, keep=True)
    device = device_of(phone)
    response = phone.post(reverse("device_sign_out", args=[device.pk]))
    assert response.status_code == 302 and response.url == reverse("login")
    assert not SignedInDevice.objects.filter(pk=device.pk).exists()
    assert not signed_in(phone)


def test_signing_out_all_other_devices_keeps_this_one(people):
    phone, _ = sign_in(people.athlete_a.user, keep=True)
    others = [sign_in(people.athlete_a.user, keep=keep, agent=WINDOWS_FIREFOX)[0] for keep in (True, False)]
    bruno, _ = sign_in(people.athlete_b.user, keep=True)
    response = phone.post(reverse("devices_sign_out_others"))
    assert response.status_code == 302
    assert "Signed out on every other device (2 sign-ins)." in phone.get(response.url).content.decode()
    assert [signed_in(c) for c in others] == [False, False]
    assert signed_in(bruno)
    assert list(SignedInDevice.objects.filter(user=people.athlete_a.user)) == [device_of(phone)]


def test_a_device_signed_out_while_its_session_could_not_be_found_ends_at_its_next_daily_refresh(
    people, monkeypatch
):
    """With a session engine that cannot be searched only the row goes; the phone's session ends with it."""
    phone, _ = sign_in(people.athlete_a.user, keep=True)
    SignedInDevice.objects.filter(pk=device_of(phone).pk).delete()
    later(monkeypatch, timedelta(days=1))
    assert not signed_in(phone)


def test_logging_out_removes_the_device(people):
    phone, _ = sign_in(people.athlete_a.user, keep=True)
    device = device_of(phone)
    phone.post(reverse("logout"))
    assert not SignedInDevice.objects.filter(pk=device.pk).exists()


def test_a_password_change_signs_out_every_other_device_and_keeps_this_one(people):
    phone, _ = sign_in(people.athlete_a.user, keep=True)
    laptop, _ = sign_in(people.athlete_a.user, keep=False, agent=WINDOWS_FIREFOX)
    new = "kestrel-river-2291"
    response = phone.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not signed_in(laptop)
    assert signed_in(phone)
    # The session's key changed with the password; its device row followed it.
    [row] = SignedInDevice.objects.filter(user=people.athlete_a.user)
    assert row.key_hash == key_hash(phone.session.session_key) and row.kept_signed_in
    assert "This device" in phone.get(reverse("my_profile")).content.decode()
    assert phone.session.get_expiry_age() == settings.DEVICE_SESSION_DAYS * DAY


DEVICE_PAGES = {
    # athlete_a signs out their own device; anyone else's is not found, clinicians have no such page.
    "device_sign_out": [LOGIN, 302, 404, 403, 403, 403, 403],
    "devices_sign_out_others": [LOGIN, 302, 302, 403, 403, 403, 403],
}


@pytest.mark.parametrize(
    "page,persona,expected",
    matrix_cases(
        DEVICE_PAGES,
        personas=MATRIX_PERSONAS,
    ),
)
def test_device_pages_are_scoped(client, people, page, persona, expected):
    phone, _ = sign_in(people.athlete_a.user, keep=False, agent=WINDOWS_FIREFOX)
    target = device_of(phone)
    user = people.user(persona)
    if user is not None:
        client.force_login(user)
    args = [target.pk] if page == "device_sign_out" else []
    assert client.get(reverse(page, args=args)).status_code in (302, 403, 405)  # POST only
    assert SignedInDevice.objects.filter(pk=target.pk).exists()
    response = client.post(reverse(page, args=args))
    assert_outcome(response, expected)
    still_there = SignedInDevice.objects.filter(pk=target.pk).exists()
    assert still_there == (persona != "athlete_a"), persona


# ------------------------------------------------------------------------- privacy: export, deletion


def test_the_athletes_export_lists_their_devices(people):
    sign_in(people.athlete_a.user, keep=True)
    sign_in(people.athlete_b.user, keep=True, agent=IPHONE_SAFARI)
    with zipfile.ZipFile(BytesIO(export_zip(people.athlete_a))) as archive:
        data = json.loads(archive.read(JSON_NAME))
        table = archive.read("signed_in_devices.csv").decode("utf-8-sig")
        readme = archive.read("README.txt").decode()
    assert [(d["device"], d["kept_signed_in"]) for d in data["signed_in_devices"]] == [
        ("Chrome on Android", True)
    ]
    assert "Chrome on Android" in table and "Safari on iPhone" not in table
    assert "signed_in_devices.csv" in readme


def test_deleting_the_athletes_personal_data_deletes_their_devices_and_ends_their_sessions(people):
    phone, _ = sign_in(people.athlete_a.user, keep=True)
    bruno, _ = sign_in(people.athlete_b.user, keep=True)
    services.anonymise_athlete(people.athlete_a, by=people.clinician.user)
    assert not SignedInDevice.objects.filter(user=people.athlete_a.user).exists()
    assert not signed_in(phone)
    assert SignedInDevice.objects.filter(user=people.athlete_b.user).count() == 1


def test_a_login_prunes_the_users_expired_device_rows(people):
    old = SignedInDevice.objects.create(
        user=people.athlete_a.user,
        key_hash=key_hash("gone"),
        device="Chrome on Android",
        created=timezone.now() - timedelta(days=100),
        last_seen=timezone.now() - timedelta(days=95),
        expires=timezone.now() - timedelta(days=5),
    )
    sign_in(people.athlete_a.user, keep=False)
    assert not SignedInDevice.objects.filter(pk=old.pk).exists()
    assert devices.devices_of(people.athlete_a.user)[0].device == "Chrome on Android"


# ----------------------------------------------------- the printed program's QR code and reminder links


def test_the_qr_code_and_the_reminder_link_open_the_log_page(people, settings):
    settings.SITE_URL = "https://clinic.example"
    qr_target = pdf.log_url()
    assert qr_target == "https://clinic.example" + reverse("rehab:log_today")
    email = reminder_email(people.athlete_a, "log_today")
    assert qr_target in email.body
    assert resolve(reverse("rehab:log_today")).url_name == "log_today"
    assert not mail.outbox  # building the email sends nothing


def test_a_signed_out_phone_logs_in_and_lands_on_the_log_and_a_kept_one_opens_it_directly(
    people, monkeypatch
):
    log_path = reverse("rehab:log_today")
    phone = Client(HTTP_USER_AGENT=ANDROID_CHROME)
    first = phone.get(log_path)
    assert first.status_code == 302 and first.url == f"{reverse('login')}?next={log_path}"
    login_page = phone.get(first.url).content.decode()
    assert f'name="next" value="{log_path}"' in login_page
    phone, response = sign_in(people.athlete_a.user, keep=True, next_url=log_path)
    assert response.url == log_path
    later(monkeypatch, timedelta(days=30))
    assert phone.get(log_path).status_code == 200
