"""Care-team message pages: the athlete's thread, a clinician's view of an athlete's thread (team and staff
notes), and the clinician's list of threads with unread messages (portal.care_messages)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from portal import audit, care_messages
from portal.capabilities import Cap, require
from portal.forms_messages import MessageForm
from portal.models import Athlete, Message
from portal.permissions import athlete_of, athlete_required, clinician_required, get_athlete_for_user

Channel = Message.Channel


def _post(request: HttpRequest, athlete: Athlete, channel: str, form: MessageForm) -> bool:
    """Post the form's message; False (with the reason on the form) if it was not sent."""
    if not form.is_valid():
        return False
    try:
        care_messages.message_post(
            athlete=athlete, author=request.user, channel=channel, body=form.cleaned_data["body"]
        )
    except ValidationError as error:
        form.add_error("body" if error.code != "rate_limited" else None, error)
        return False
    return True


def _entries(athlete: Athlete, channel: str, user, read_up_to) -> list[dict]:
    """The channel's messages for the template, each with its author's label, whether it is the reader's own
    and whether it is new to them (newer than their read mark before this visit)."""
    return [
        {
            "message": message,
            "author": care_messages.author_label(message, athlete),
            "own": message.author_id == user.pk,
            "new": message.author_id != user.pk and (read_up_to is None or message.created > read_up_to),
        }
        for message in care_messages.thread(athlete, channel)
    ]


@login_required
@athlete_required
@require_http_methods(["GET", "POST"])
def my_messages(request: HttpRequest) -> HttpResponse:
    """The athlete's thread with their care team, the latest at the bottom, and a box to write."""
    athlete = athlete_of(request.user)
    form = MessageForm(request.POST or None)
    if request.method == "POST" and _post(request, athlete, Channel.TEAM, form):
        return redirect(reverse("my_messages") + "#latest")
    read_up_to = care_messages.last_read(request.user, athlete, Channel.TEAM)
    entries = _entries(athlete, Channel.TEAM, request.user, read_up_to)
    care_messages.mark_read(user=request.user, athlete=athlete, channel=Channel.TEAM)
    return render(
        request,
        "portal/messages_mine.html",
        {"athlete": athlete, "entries": entries, "form": form, "may_post": not athlete.is_anonymised},
    )


@login_required
@clinician_required
@require_http_methods(["GET", "POST"])
def athlete_messages(request: HttpRequest, pk: int) -> HttpResponse:
    """An athlete's thread for the care team: the thread with the athlete, and the staff notes beside it
    (?channel=staff). Superusers read both; only clinicians of the clinic write."""
    athlete = get_athlete_for_user(request.user, pk)
    require(request.user, Cap.MESSAGE_TEAM, athlete)
    wanted = request.POST.get("channel") if request.method == "POST" else request.GET.get("channel")
    channel = wanted if wanted in Channel.values else Channel.TEAM
    may_post = care_messages.may_post(request.user, athlete, channel)
    form = MessageForm(request.POST or None)
    if request.method == "POST":
        if not may_post:
            raise PermissionDenied
        if _post(request, athlete, channel, form):
            return redirect(f"{reverse('athlete_messages', args=[athlete.pk])}?channel={channel}#latest")
    audit.record_access(request.user, athlete)
    read_up_to = care_messages.last_read(request.user, athlete, channel)
    entries = _entries(athlete, channel, request.user, read_up_to)
    care_messages.mark_read(user=request.user, athlete=athlete, channel=channel)
    unread = care_messages.unread_by_channel(request.user, athlete)
    return render(
        request,
        "portal/messages_athlete.html",
        {
            "athlete": athlete,
            "channel": channel,
            "entries": entries,
            "form": form,
            "may_post": may_post,
            "unread": unread,
            "tabs": [(value, label, unread[value]) for value, label in Channel.choices],
        },
    )


@login_required
@clinician_required
@require_http_methods(["GET"])
def message_inbox(request: HttpRequest) -> HttpResponse:
    """The threads of the clinician's care-team athletes with messages they have not read, the latest first."""
    return render(
        request, "portal/messages_inbox.html", {"threads": care_messages.unread_threads(request.user)}
    )
