"""The navigation's unread-message count kept in the cache (portal.care_messages, "Unread counts"): read from the
cache while nothing changed, counted again after every change that can move it."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from portal import care_messages
from portal.models import CareTeamMember
from tests import factories


def post(athlete, author, body="How is the hip today?", channel="team"):
    return care_messages.message_post(athlete=athlete, author=author, channel=channel, body=body)


def fresh(user):
    """The user as the next request loads it (nothing remembered on the object)."""
    return type(user).objects.get(pk=user.pk)


def test_a_count_read_twice_is_counted_once(people, django_assert_num_queries):
    anna = people.athlete_a
    post(anna, people.clinician.user, "Hold at 4 km this week.")
    first, second = fresh(anna.user), fresh(anna.user)
    assert care_messages.unread_total(first) == 1
    with django_assert_num_queries(0):
        assert care_messages.unread_total(second) == 1


def test_the_count_follows_posting_and_reading(people, client_for):
    anna, maya = people.athlete_a, people.clinician.user
    assert care_messages.unread_total(fresh(anna.user)) == 0
    assert care_messages.unread_total(fresh(maya)) == 0  # both counts now cached
    post(anna, maya, "Hold at 4 km this week.")
    assert care_messages.unread_total(fresh(anna.user)) == 1
    post(anna, anna.user, "Will do.")
    assert care_messages.unread_total(fresh(maya)) == 1
    assert care_messages.unread_total(fresh(anna.user)) == 0  # answering read the thread
    client_for("clinician").get(reverse("athlete_messages", args=[anna.pk]))  # reading marks read
    assert care_messages.unread_total(fresh(maya)) == 0


@pytest.mark.parametrize("change", ["leaves the care team", "athlete deleted", "message deleted"])
def test_the_count_follows_changes_to_who_is_counted(people, change):
    anna, maya = people.athlete_a, people.clinician.user
    message = post(anna, anna.user, "My hip aches after 5 km.")
    assert care_messages.unread_total(fresh(maya)) == 1
    if change == "leaves the care team":
        CareTeamMember.objects.filter(athlete=anna, clinician=people.clinician).delete()
    elif change == "athlete deleted":
        anna.delete()
    else:
        message.delete()
    assert care_messages.unread_total(fresh(maya)) == 0


def test_joining_a_care_team_counts_its_thread(people):
    anna = people.athlete_a
    post(anna, anna.user, "My hip aches after 5 km.")
    coach = people.coach.user
    assert care_messages.unread_total(fresh(coach)) == 0
    factories.CareTeamMemberFactory(athlete=anna, clinician=people.coach, is_primary=False)
    assert care_messages.unread_total(fresh(coach)) == 1


def test_a_count_stored_before_a_change_is_not_read_after_it(people):
    """A request that counted before a change committed stores its count under the generation it read; the
    change replaces the generation, so the stale count is never served."""
    anna, maya = people.athlete_a, people.clinician.user
    stale_generation = cache.get(care_messages.UNREAD_GENERATION_KEY)
    post(anna, anna.user, "My hip aches after 5 km.")
    cache.set(care_messages._unread_key(maya), (stale_generation, 0))
    assert care_messages.unread_total(fresh(maya)) == 1


def test_an_emptied_cache_counts_again(people):
    anna, maya = people.athlete_a, people.clinician.user
    post(anna, anna.user, "My hip aches after 5 km.")
    assert care_messages.unread_total(fresh(maya)) == 1
    cache.clear()  # Redis restarted or emptied
    assert care_messages.unread_total(fresh(maya)) == 1
    post(anna, anna.user, "And after 3 km now.")
    assert care_messages.unread_total(fresh(maya)) == 2


def test_without_a_shared_cache_every_count_is_read_from_the_database(
    people, settings, django_assert_num_queries
):
    settings.UNREAD_COUNT_CACHE = False
    anna = people.athlete_a
    post(anna, people.clinician.user, "Hold at 4 km this week.")
    users = [fresh(anna.user) for _ in range(2)]
    care_messages.unread_total(users[0])
    with django_assert_num_queries(1):  # the roles are known on the object now: the count alone
        assert care_messages.unread_total(users[0]) == 1
    assert cache.get(care_messages._unread_key(anna.user)) is None


def test_the_navigation_reads_the_count_from_the_cache(people, client_for):
    anna = people.athlete_a
    post(anna, people.clinician.user, "Hold at 4 km this week.")
    client = client_for("athlete_a")
    client.get(reverse("my_profile"))
    cache_key = care_messages._unread_key(anna.user)
    assert cache.get(cache_key)[1] == 1
    page = client.get(reverse("my_profile"))
    assert 'Messages <span class="badge' in page.content.decode()
