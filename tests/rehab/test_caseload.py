"""The caseload table (issue #24): filters that combine, sorts by each column, counts, bulk actions and the
next-review date, at a constant number of queries."""

from datetime import timedelta

import pytest
from django.core import mail
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from portal import care_messages, notifications
from portal.models import Alert, Download, Message, Notify
from rehab import services
from rehab.caseload import caseload_rows, last_log_words, review_state
from rehab.forms_caseload import CaseloadFilterForm, filters_query
from rehab.models import Plan, RehabStatus
from rehab.selectors_caseload import CASELOAD_SORTS, CaseloadFilters, caseload_listing, caseload_query
from rehab.status import risk_score
from tests.factories import (
    AlertFactory,
    AthleteFactory,
    CareTeamMemberFactory,
    ClinicianFactory,
    PlanTemplateFactory,
)

TODAY = timezone.localdate


def days(n: int):
    return TODAY() + timedelta(days=n)


@pytest.fixture
def caseload(people):
    """Riverside's caseload: Anna and Bruno (the people fixture, Maya's) and five more of a colleague's, each with
    a stored status written here as the nightly refresh would."""
    template = PlanTemplateFactory(phases=3, phases__exercises_per_phase=1)
    colleague = ClinicianFactory(clinic=people.clinic, user__first_name="Jon", user__last_name="Lee")

    def athlete(first, last, *, plan=True, phase=1, review=None, mine=False, **status):
        person = AthleteFactory(clinic=people.clinic, first_name=first, last_name=last, next_review=review)
        CareTeamMemberFactory(
            athlete=person, clinician=people.clinician if mine else colleague, is_primary=True
        )
        if plan:
            assigned = services.plan_assign(
                athlete=person, template=template, by=people.clinician.user, start=days(-30)
            )
            phases = list(assigned.phases.order_by("order"))
            Plan.objects.filter(pk=assigned.pk).update(current_phase=phases[phase - 1])
            silent = (TODAY() - status["last_log_date"]).days
            risk = risk_score(
                action=status["action"], last_pain=status["last_pain"], trend=None,
                compliance=status["compliance_7d"], days_without_log=silent,
            )  # fmt: skip
            RehabStatus.objects.update_or_create(
                athlete=person,
                defaults={
                    "as_of": TODAY(),
                    "plan": assigned,
                    "phase": phases[phase - 1],
                    "risk": risk,
                    **status,
                },
            )
        else:
            RehabStatus.objects.filter(athlete=person).delete()
        return person

    world = {
        "carl": athlete(
            "Carl",
            "Cole",
            phase=1,
            action="hold",
            last_pain=2,
            compliance_7d=90,
            last_log_date=days(0),
            review=days(-2),
        ),
        "dina": athlete(
            "Dina",
            "Dahl",
            phase=2,
            action="advance",
            last_pain=0,
            compliance_7d=100,
            last_log_date=days(-1),
            review=days(5),
        ),
        "erik": athlete(
            "Erik",
            "Eng",
            phase=2,
            action="regress",
            last_pain=5,
            compliance_7d=40,
            last_log_date=days(-4),
            mine=True,
        ),
        "fay": athlete(
            "Fay",
            "Fox",
            phase=3,
            action="stop_and_refer",
            last_pain=7,
            compliance_7d=20,
            last_log_date=days(-3),
            review=days(0),
        ),
        "gus": athlete("Gus", "Gray", plan=False),
    }
    AlertFactory(athlete=world["dina"], kind="ready_to_advance", severity="notice", message="Ready")
    AlertFactory(athlete=world["carl"], kind="no_log", severity="notice", message="Quiet")
    AlertFactory(athlete=world["fay"], kind="pain_spike", severity="urgent", message="Pain 7/10")
    return world


def names(user, **filters) -> list[str]:
    return [
        f"{a.first_name}"
        for a in caseload_query(user, CaseloadFilters(**filters), TODAY()).only("first_name")
    ]


FILTER_CASES = [
    ({}, ["Fay", "Erik", "Dina", "Carl", "Anna", "Bruno", "Gus"]),  # see the fixture: the risk order
    ({"attention": True}, ["Fay", "Erik"]),
    ({"mine": True}, ["Erik", "Anna", "Bruno"]),
    ({"quiet": True}, ["Fay", "Erik"]),  # on a plan, last log 3+ days ago
    ({"review_due": True}, ["Fay", "Carl"]),  # due today, and overdue
    ({"no_plan": True}, ["Anna", "Bruno", "Gus"]),
    ({"phase": 2}, ["Erik", "Dina"]),
    ({"status": "advance"}, ["Dina"]),
    ({"status": "none"}, ["Anna", "Bruno", "Gus"]),
    ({"attention": True, "mine": True}, ["Erik"]),
    ({"quiet": True, "review_due": True}, ["Fay"]),
    ({"phase": 2, "status": "regress", "mine": True}, ["Erik"]),
    ({"q": "fa", "attention": True}, ["Fay"]),
    ({"phase": 3, "status": "advance"}, []),
]


@pytest.mark.parametrize("filters,expected", FILTER_CASES)
def test_filters_combine(people, caseload, filters, expected):
    assert names(people.clinician.user, **filters) == expected


SORT_CASES = [
    ("name", ["Anna", "Bruno", "Carl", "Dina", "Erik", "Fay", "Gus"]),
    ("-name", ["Gus", "Fay", "Erik", "Dina", "Carl", "Bruno", "Anna"]),
    ("phase", ["Carl", "Erik", "Dina", "Fay", "Anna", "Bruno", "Gus"]),  # no phase last, risk order within
    ("-status", ["Fay", "Erik", "Carl", "Dina", "Anna", "Bruno", "Gus"]),
    ("-pain", ["Fay", "Erik", "Carl", "Dina", "Anna", "Bruno", "Gus"]),
    ("pain", ["Dina", "Carl", "Erik", "Fay", "Anna", "Bruno", "Gus"]),
    ("compliance", ["Fay", "Erik", "Carl", "Dina", "Anna", "Bruno", "Gus"]),
    ("last_log", ["Erik", "Fay", "Dina", "Carl", "Anna", "Bruno", "Gus"]),
    ("-alerts", ["Fay", "Dina", "Carl", "Erik", "Anna", "Bruno", "Gus"]),  # equal alerts: the risk order
    ("review", ["Carl", "Fay", "Dina", "Erik", "Anna", "Bruno", "Gus"]),  # no date last, in the risk order
    ("-review", ["Dina", "Fay", "Carl", "Erik", "Anna", "Bruno", "Gus"]),
]


@pytest.mark.parametrize("sort,expected", SORT_CASES)
def test_every_column_sorts_with_empty_values_last(people, caseload, sort, expected):
    assert names(people.clinician.user, sort=sort) == expected


@pytest.mark.parametrize("sort", ["", *(f"{d}{key}" for key in CASELOAD_SORTS for d in ("", "-"))])
@pytest.mark.parametrize("filters", [{}, {"attention": True}, {"phase": 2}, {"q": "a"}])
def test_the_page_lists_in_the_order_of_the_api(people, caseload, sort, filters):
    """caseload_listing orders and filters in Python what caseload_query (the API's) does in SQL."""
    for first, last in (
        ("Anna", "Twin"),
        ("Anna", "Twin"),
        ("Zed", "Aalto"),
    ):  # equal names tie in the risk order
        AthleteFactory(clinic=people.clinic, first_name=first, last_name=last)
    user = people.clinician.user
    chosen = CaseloadFilters(sort=sort, **filters)
    listing = caseload_listing(user, chosen, TODAY())
    ids, counts = listing.ids, listing.counts
    assert ids == list(caseload_query(user, chosen, TODAY()).values_list("pk", flat=True))
    assert counts["total"] == len(ids) > 0


def test_every_sortable_column_has_a_case():
    assert {sort.lstrip("-") for sort, _ in SORT_CASES} == set(CASELOAD_SORTS)


def test_counts_say_what_each_filter_would_show(people, caseload):
    user = people.clinician.user
    listing = caseload_listing(user, CaseloadFilters(), TODAY())
    ids, counts = listing.ids, listing.counts
    assert ids == list(caseload_query(user, CaseloadFilters(), TODAY()).values_list("pk", flat=True))
    assert counts["total"] == 7
    assert counts["flags"] == {"attention": 2, "mine": 3, "quiet": 2, "review_due": 2, "no_plan": 3}
    assert counts["phases"] == {1: 1, 2: 2, 3: 1}
    assert counts["statuses"] == {"hold": 1, "advance": 1, "regress": 1, "stop_and_refer": 1, "none": 3}
    # With filters on: each count is what the list would show with that filter added (or chosen instead).
    listing = caseload_listing(user, CaseloadFilters(phase=2), TODAY())
    ids, counts = listing.ids, listing.counts
    assert counts["total"] == 2
    assert counts["flags"] == {"attention": 1, "mine": 1, "quiet": 1, "review_due": 0, "no_plan": 0}
    assert counts["phases"] == {1: 1, 2: 2, 3: 1}  # the phase's own options ignore the chosen phase
    assert counts["statuses"] == {"advance": 1, "regress": 1}
    for filters, expected in FILTER_CASES:
        listing = caseload_listing(user, CaseloadFilters(**filters), TODAY())
        ids, counts = listing.ids, listing.counts
        assert counts["total"] == len(ids) == len(expected), filters
        assert ids == list(
            caseload_query(user, CaseloadFilters(**filters), TODAY()).values_list("pk", flat=True)
        )


@pytest.mark.parametrize(
    "query",
    ["", "sort=-pain", "sort=review&attention=1", "phase=2&status=regress", "quiet=1&review_due=1&mine=1&q=e",
     "no_plan=1&sort=-name", "former=1", "page=2"],
)  # fmt: skip
def test_the_page_costs_the_same_queries_whatever_the_sort_or_filter(
    client_for, people, caseload, query, django_assert_max_num_queries
):
    for n in range(60):  # more than a page
        AthleteFactory(clinic=people.clinic, last_name=f"Extra{n:02d}")
    client = client_for("clinician")
    client.get(reverse("athlete_list"))
    # session, user; the listing: the athletes (with their active plan and the user's place on their care
    # team), the open alerts; the page's care teams (the navigation's unread count is in the cache)
    with django_assert_max_num_queries(5):
        response = client.get(f"{reverse('athlete_list')}?{query}")
    assert response.status_code == 200


def test_the_table_has_labelled_sortable_columns_and_keeps_the_filters_in_its_links(
    client_for, people, caseload
):
    html = (
        client_for("clinician").get(reverse("athlete_list"), {"mine": "1", "sort": "-pain"}).content.decode()
    )
    for heading in ("Athlete", "Phase", "Status", "Last pain", "Plan done, 7 days", "Last log", "Open alerts",
                    "Next review", "Care team"):  # fmt: skip
        assert f">{heading}" in html
    assert 'aria-sort="descending"' in html
    assert '<a href="?mine=1&amp;sort=pain">Last pain' in html  # a click turns the sorted column around
    assert '<a href="?mine=1&amp;sort=name">Athlete' in html  # another column, its useful end first
    assert 'href="?mine=1&amp;sort=-alerts"' in html
    assert 'name="mine" value="1" id="flag-mine" checked' in html


def test_rows_show_next_review_last_log_and_care_team(client_for, people, caseload):
    rows = {r.name: r for r in client_for("clinician").get(reverse("athlete_list")).context["rows"]}
    carl, fay, erik, gus = rows["Carl Cole"], rows["Fay Fox"], rows["Erik Eng"], rows["Gus Gray"]
    assert (carl.review_state, carl.last_log, carl.care_team) == ("overdue", "today", ("J. Lee",))
    assert (fay.review_state, fay.last_log, fay.quiet) == ("due", "3 days ago", True)
    assert (erik.care_team, erik.quiet, erik.next_review) == (("M. Okafor",), True, None)
    assert (gus.phase, gus.quiet) == ("", False)
    html = client_for("clinician").get(reverse("athlete_list")).content.decode()
    assert "overdue</span>" in html and "J. Lee" in html


@pytest.mark.parametrize(
    "delta,words", [(0, "today"), (1, "yesterday"), (2, "2 days ago"), (13, "13 days ago"), (None, "")]
)
def test_last_log_in_words(delta, words):
    today = TODAY()
    assert last_log_words(None if delta is None else today - timedelta(days=delta), today) == words
    far = today - timedelta(days=20)
    assert last_log_words(far, today) == f"{far.day} {far:%b}"


@pytest.mark.parametrize("delta,state", [(-1, "overdue"), (0, "due"), (1, ""), (None, "")])
def test_review_state(delta, state):
    assert review_state(None if delta is None else days(delta), TODAY()) == state


@pytest.mark.parametrize(
    "query,expected",
    [
        ("show=attention", CaseloadFilters(attention=True)),  # links from before the table
        ("show=ready", CaseloadFilters(status="advance")),
        ("show=mine&sort=-pain", CaseloadFilters(mine=True, sort="-pain")),
        ("phase=x&sort=evil&status=nope&attention=1", CaseloadFilters(attention=True)),  # unreadable: dropped
        ("q=" + "a" * 150, CaseloadFilters()),
        ("phase=2&q=%20anna%20", CaseloadFilters(phase=2, q="anna")),
    ],
)
def test_the_query_string_is_read_forgivingly(query, expected):
    assert CaseloadFilterForm(QueryDict(query)).filters() == expected


def test_filters_round_trip_through_the_url():
    filters = CaseloadFilters(q="anna b", attention=True, phase=3, status="hold", sort="-review")
    assert CaseloadFilterForm(QueryDict(filters_query(filters)[1:])).filters() == filters


def test_bad_query_values_never_break_the_page(client_for, people, caseload):
    client = client_for("clinician")
    for query in ("phase=-1", "phase=99999999999", "sort=<b>", "status[]=x", "page=abc", "mine=maybe"):
        assert client.get(f"{reverse('athlete_list')}?{query}").status_code == 200


# --- bulk actions ---------------------------------------------------------------------------------------


def test_bulk_resolve_closes_only_notices_of_visible_athletes_with_the_note(client_for, people, caseload):
    other = AlertFactory(athlete=people.other_athlete, kind="no_log", severity="notice")
    ids = [caseload["carl"].pk, caseload["dina"].pk, caseload["fay"].pk, people.other_athlete.pk]
    response = client_for("clinician").post(
        reverse("caseload_bulk"),
        {"action": "resolve_notices", "athlete": ids, "note": "Called, all fine", "back": "?mine=1&evil=x"},
    )
    assert response.status_code == 302 and response.url == reverse("athlete_list") + "?mine=1"
    resolved = Alert.objects.filter(resolved_at__isnull=False)
    assert sorted(a.message for a in resolved) == ["Quiet", "Ready"]
    assert {a.resolved_note for a in resolved} == {"Called, all fine"}
    assert Alert.objects.get(message="Pain 7/10").is_open  # urgent alerts are resolved one by one
    other.refresh_from_db()
    assert other.is_open


@pytest.mark.parametrize(
    "data,error",
    [
        ({"action": "resolve_notices", "note": "x"}, "Tick at least one athlete first."),
        ({"action": "resolve_notices", "athlete": ["1"]}, "Add a short note"),
        ({"action": "delete", "athlete": ["1"]}, "Select a valid choice"),
        ({"action": "print", "athlete": ["1; drop"]}, "could not be read"),
    ],
)
def test_bulk_actions_say_what_is_missing(client_for, people, caseload, data, error):
    response = client_for("clinician").post(reverse("caseload_bulk"), data, follow=True)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Alert.objects.filter(resolved_at__isnull=False).exists()


def test_bulk_print_makes_one_download_of_the_visible_active_plans(client_for, people, caseload, jobs):
    ids = [caseload["gus"].pk, caseload["fay"].pk, caseload["carl"].pk, people.other_athlete.pk]
    response = client_for("clinician").post(reverse("caseload_bulk"), {"action": "print", "athlete": ids})
    download = Download.objects.get()
    assert response.url == reverse("download_detail", args=[download.pk])
    plans = Plan.objects.filter(athlete__in=[caseload["carl"], caseload["fay"]], status="active")
    assert sorted(download.params["plans"]) == sorted(plans.values_list("pk", flat=True))
    assert download.owner == people.clinician.user


def test_bulk_print_without_a_plan_says_so(client_for, people, caseload):
    response = client_for("clinician").post(
        reverse("caseload_bulk"), {"action": "print", "athlete": [caseload["gus"].pk]}, follow=True
    )
    assert "has an active plan to print" in response.content.decode()
    assert not Download.objects.exists()


# --- next review ----------------------------------------------------------------------------------------


def test_the_next_review_is_set_and_cleared_on_the_timeline(client_for, people):
    client = client_for("clinician")
    url = reverse("athlete_review", args=[people.athlete_a.pk])
    timeline = reverse("rehab:timeline", args=[people.athlete_a.pk])
    assert f'action="{url}"' in client.get(timeline).content.decode()
    response = client.post(url, {"next_review": days(7).isoformat()}, follow=True)
    people.athlete_a.refresh_from_db()
    assert people.athlete_a.next_review == days(7)
    assert "Next review for Anna Aalto" in response.content.decode()
    client.post(url, {"next_review": ""})
    people.athlete_a.refresh_from_db()
    assert people.athlete_a.next_review is None


@pytest.mark.parametrize(
    "value,error",
    [
        ("yesterday", "Enter the date as a calendar date"),
        ("__past__", "Pick today or a later date"),
        ("__far__", "within the next year"),
    ],
)
def test_a_wrong_review_date_is_refused_with_a_reason(client_for, people, value, error):
    value = {"__past__": days(-1).isoformat(), "__far__": days(400).isoformat()}.get(value, value)
    people.athlete_a.next_review = days(3)
    people.athlete_a.save()
    response = client_for("clinician").post(
        reverse("athlete_review", args=[people.athlete_a.pk]), {"next_review": value}, follow=True
    )
    assert error in response.content.decode()
    people.athlete_a.refresh_from_db()
    assert people.athlete_a.next_review == days(3)  # nothing lost


# --- the digest -----------------------------------------------------------------------------------------


def test_the_digest_lists_reviews_due_and_overdue(people, caseload):
    maya = people.clinician
    people.athlete_a.next_review = days(0)
    people.athlete_a.save()
    people.athlete_b.next_review = days(-3)
    people.athlete_b.save()
    caseload["erik"].next_review = days(2)  # Maya's too, but not due yet
    caseload["erik"].save()
    reviews = notifications.digest_reviews([maya], {maya.pk: TODAY()})
    assert [a.first_name for a in reviews[maya.pk]] == ["Bruno", "Anna"]
    email = notifications.digest_email(maya, TODAY(), [], reviews=reviews[maya.pk])
    assert "2 reviews due" in email.subject
    assert "Anna Aalto, review due today" in email.body
    assert f"Bruno Bianchi, review planned for {days(-3):%-d %b}, overdue" in email.body
    assert "Erik" not in email.body
    assert reverse("rehab:timeline", args=[people.athlete_b.pk]) in email.body


def test_a_digest_goes_out_for_reviews_alone(people):
    maya = people.clinician
    assert maya.notify_notice == Notify.DIGEST  # the default: Maya gets a digest, and has no alert in it
    people.athlete_a.next_review = TODAY()
    people.athlete_a.save()
    now = timezone.now()
    sent = notifications.digests_send(items=[(maya.pk, TODAY())], now=now)
    assert sent == 1 and "1 review due" in mail.outbox[0].subject


def test_rows_are_read_for_the_given_ids_in_their_order(people, caseload):
    listing = caseload_listing(people.clinician.user, CaseloadFilters(), TODAY())
    ids = [caseload["gus"].pk, caseload["carl"].pk]
    assert [r.name for r in caseload_rows(listing, ids, today=TODAY())] == ["Gus Gray", "Carl Cole"]


def test_a_plan_started_in_the_last_days_is_not_quiet(client_for, people, caseload):
    """ "No log for 3+ days" counts from the plan's start: a runner given a plan yesterday has not gone quiet."""
    template = PlanTemplateFactory(phases=1)
    fresh = AthleteFactory(clinic=people.clinic, first_name="Hana", last_name="New")
    services.plan_assign(athlete=fresh, template=template, by=people.clinician.user, start=days(-1))
    plan = fresh.plans.get()
    RehabStatus.objects.update_or_create(
        athlete=fresh, defaults={"as_of": TODAY(), "plan": plan, "phase": plan.current_phase}
    )
    assert "Hana" not in names(people.clinician.user, quiet=True)
    rows = {r.name: r for r in client_for("clinician").get(reverse("athlete_list")).context["rows"]}
    assert rows["Hana New"].quiet is False and rows["Fay Fox"].quiet is True
    Plan.objects.filter(pk=plan.pk).update(start_date=days(-3))  # three days on the plan, nothing logged
    assert "Hana" in names(people.clinician.user, quiet=True)


def test_a_refused_bulk_action_keeps_the_page_and_the_ticks(client_for, people, caseload):
    client = client_for("clinician")
    ids = [caseload["carl"].pk, caseload["dina"].pk]
    response = client.post(
        reverse("caseload_bulk"), {"action": "resolve_notices", "athlete": ids, "back": "?sort=name&page=2"}
    )
    assert response.url == reverse("athlete_list") + "?sort=name&page=2"
    page = client.get(reverse("athlete_list"), {"sort": "name"}).content.decode()
    assert f'data-ticked="{ids[0]},{ids[1]}"' in page
    assert "data-ticked" not in client.get(reverse("athlete_list")).content.decode()  # once only


def test_the_bulk_print_download_leads_back_to_the_caseload(client_for, people, caseload, jobs):
    client = client_for("clinician")
    response = client.post(
        reverse("caseload_bulk"), {"action": "print", "athlete": [caseload["carl"].pk], "back": "?mine=1"}
    )
    page = client.get(response.url).content.decode()
    assert f'href="{reverse("athlete_list")}?mine=1"' in page and "Back to the caseload" in page


def test_an_overdue_review_date_can_be_kept_or_cleared(client_for, people):
    people.athlete_a.next_review = days(-4)
    people.athlete_a.save()
    client = client_for("clinician")
    url = reverse("athlete_review", args=[people.athlete_a.pk])
    timeline = client.get(reverse("rehab:timeline", args=[people.athlete_a.pk])).content.decode()
    assert (
        "formnovalidate>Clear (review done)" in timeline
        and ' min="' not in timeline.split("next-review")[1][:600]
    )
    response = client.post(url, {"next_review": days(-4).isoformat()}, follow=True)
    assert "Pick today" not in response.content.decode()
    client.post(url, {"next_review": ""})
    people.athlete_a.refresh_from_db()
    assert people.athlete_a.next_review is None


def test_a_serious_status_marks_its_row_as_urgent_even_without_an_alert(client_for, people, caseload):
    """The row's coloured edge follows the risk order: Erik's step back has no alert, and ranks as urgent."""
    rows = {r.name: r for r in client_for("clinician").get(reverse("athlete_list")).context["rows"]}
    assert (rows["Erik Eng"].alert_severity, rows["Erik Eng"].stripe) == ("", "urgent")
    assert rows["Fay Fox"].stripe == "urgent"  # her own urgent alert
    assert (rows["Dina Dahl"].stripe, rows["Gus Gray"].stripe) == ("notice", "")
    html = client_for("clinician").get(reverse("athlete_list")).content.decode()
    assert html.count("caseload-row athlete-row-urgent") == 2


def test_remembered_rows_show_a_change_at_once(client_for, people, caseload, settings):
    """In production a row is remembered with its HTML (rehab.caseload): what it is drawn from is its key, so a
    resolved alert, a new status, a new care team member or a renamed clinician shows on the next page load."""
    settings.DEBUG = False
    client = client_for("clinician")

    def row(name):
        response = client.get(reverse("athlete_list"))
        [found] = [r for r in response.context["rows"] if r.name == name]
        assert found.html in response.content.decode()
        return found

    dina = caseload["dina"]
    before = row("Dina Dahl")
    assert before.alert_severity == "notice" and before.alert_more == 0
    assert before is row("Dina Dahl")  # remembered: the same row, not worked out again
    AlertFactory(athlete=dina, severity=Alert.Severity.URGENT, code="", message="Swollen hip after the run.")
    after = row("Dina Dahl")
    assert (after.alert_severity, after.alert_message, after.alert_more) == (
        "urgent", "Swollen hip after the run.", 1,
    )  # fmt: skip
    assert "Swollen hip after the run." in after.html
    RehabStatus.objects.filter(athlete=dina).update(last_pain=6, action="regress")
    assert (row("Dina Dahl").last_pain, row("Dina Dahl").action) == ("6/10", "regress")
    CareTeamMemberFactory(athlete=dina, clinician=people.clinician, is_primary=False)
    assert row("Dina Dahl").care_team == ("J. Lee", "M. Okafor")
    people.clinician.user.last_name = "Okafor-Reid"
    people.clinician.user.save()
    assert "M. Okafor-Reid" in row("Dina Dahl").html


def test_bulk_message_reaches_each_ticked_athlete_in_their_own_thread(client_for, people, caseload, jobs):
    ids = [caseload["carl"].pk, caseload["dina"].pk, people.other_athlete.pk]
    client = client_for("clinician")
    response = client.post(
        reverse("caseload_bulk"),
        {
            "action": "message",
            "athlete": ids,
            "message": "  Clinic closed on Friday: log as usual.  ",
            "back": "",
        },
    )
    assert response.status_code == 302 and response.url == reverse("athlete_list")
    sent = Message.objects.order_by("athlete__first_name")
    assert [(m.athlete.first_name, m.channel, m.body) for m in sent] == [
        ("Carl", "team", "Clinic closed on Friday: log as usual."),
        ("Dina", "team", "Clinic closed on Friday: log as usual."),
    ]  # not the other clinic's athlete, whatever the form sent
    assert {m.author for m in sent} == {people.clinician.user}
    assert len({m.created for m in sent}) == 1  # one post
    assert sorted(args[0] for name, args, _ in jobs.sent if name == care_messages.NOTIFY_TASK) == sorted(
        ids[:2]
    )
    page = client.get(response.url).content.decode()
    assert "Message sent to 2 athletes, each in their own thread with the care team." in page
    assert (
        "Clinic closed on Friday"
        in client_for("clinician")
        .get(reverse("athlete_messages", args=[caseload["carl"].pk]))
        .content.decode()
    )


@pytest.mark.parametrize(
    ("message", "error"),
    [("   ", "Write the message to send to the ticked athletes."),
     ("x" * (Message.BODY_MAX + 1), f"Keep the message to {Message.BODY_MAX} characters")],
    ids=["empty", "too long"],
)  # fmt: skip
def test_a_refused_bulk_message_sends_nothing_and_keeps_the_text_and_ticks(
    client_for, people, caseload, message, error
):
    client = client_for("clinician")
    ids = [caseload["carl"].pk, caseload["dina"].pk]
    response = client.post(
        reverse("caseload_bulk"), {"action": "message", "athlete": ids, "message": message}, follow=True
    )
    html = response.content.decode()
    assert error in html and not Message.objects.exists()
    assert f'data-ticked="{ids[0]},{ids[1]}"' in html
    if message.strip():
        assert f">{message}</textarea>" in html and '<details class="caseload-bulk-message" open>' in html
    assert "</textarea>" in client.get(reverse("athlete_list")).content.decode()  # shown back once only
    assert f">{message}</textarea>" not in client.get(reverse("athlete_list")).content.decode()


def test_a_bulk_message_counts_once_against_the_rate_and_is_refused_whole_past_it(
    client_for, people, caseload
):
    author = people.clinician.user
    athletes = [caseload["carl"], caseload["dina"], caseload["erik"]]
    start = timezone.now() - timedelta(minutes=1)
    sent, skipped = care_messages.message_post_many(athletes=athletes, author=author, body="One", now=start)
    assert (len(sent), skipped) == (3, [])
    for n in range(care_messages.RATE - 1):  # 29 more posts: 30 in all, with the bulk one
        care_messages.message_post(
            athlete=people.athlete_a, author=author, channel="team", body=f"m{n}",
            now=start + timedelta(milliseconds=n + 1),
        )  # fmt: skip
    response = client_for("clinician").post(
        reverse("caseload_bulk"),
        {"action": "message", "athlete": [a.pk for a in athletes], "message": "Two"},
        follow=True,
    )
    assert "Please wait" in response.content.decode()
    assert not Message.objects.filter(body="Two").exists()
    assert ">Two</textarea>" in response.content.decode()


def test_only_the_care_team_sends_bulk_messages(client_for, people, caseload):
    data = {"action": "message", "athlete": [caseload["carl"].pk], "message": "Hello"}
    assert client_for("athlete_a").post(reverse("caseload_bulk"), data).status_code == 403
    assert client_for("superuser").post(reverse("caseload_bulk"), data).status_code == 302
    assert not Message.objects.exists()  # a superuser reads threads but never writes in them
    assert "Send a message" not in client_for("superuser").get(reverse("athlete_list")).content.decode()
    assert "Send a message" in client_for("clinician").get(reverse("athlete_list")).content.decode()
    assert client_for("coach").post(reverse("caseload_bulk"), data).status_code == 302  # the clinic's coach
    assert [(m.athlete, m.author) for m in Message.objects.all()] == [(caseload["carl"], people.coach.user)]


def test_the_filter_bar_lists_say_their_counts_and_keep_the_choice(client_for, people, caseload):
    client = client_for("clinician")
    html = client.get(reverse("athlete_list"), {"phase": "9"}).content.decode()
    assert '<option value="9" selected>Phase 9 (0)</option>' in html  # chosen, though nobody is in it
    assert '<option value="regress">Step back (0)</option>' in html  # counted within the phase chosen
    html = client.get(reverse("athlete_list"), {"status": "regress", "sort": "-pain"}).content.decode()
    assert '<option value="regress" selected>Step back (1)</option>' in html
    assert '<option value="advance">Ready to advance (1)</option>' in html
    assert '<option value="-pain" selected>Last pain: highest first</option>' in html
    assert "Athletes, sorted by last pain: highest first" in html
    html = client_for("clinician").get(reverse("athlete_list")).content.decode()
    assert (
        '<option value="2">Phase 2 (2)</option>' in html
        and " selected>" not in html.split("caseload-sort")[0]
    )
