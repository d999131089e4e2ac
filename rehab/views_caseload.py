"""The clinician's caseload: the table with its filters and sorts, its bulk actions, and the next-review date."""

from functools import lru_cache

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from portal import care_messages, services
from portal.capabilities import Cap, capability_required, require
from portal.downloads import download_start
from portal.models import Alert, Athlete, Download, Message
from portal.permissions import clinician_required, get_athlete_for_user
from rehab.caseload import caseload_rows
from rehab.forms_caseload import (
    SORT_CHOICES,
    STATUS_CHOICES,
    CaseloadBulkForm,
    CaseloadFilterForm,
    NextReviewForm,
    filters_query,
)
from rehab.models import Plan
from rehab.selectors_caseload import CASELOAD_FLAGS, CASELOAD_SORTS, CaseloadFilters, caseload_listing

PAGE_SIZE = 50
TICKED = "caseload_ticked"  # session: the rows ticked when a bulk action was refused, to tick them again
KEPT_MESSAGE = "caseload_message"  # session: a bulk message that was not sent, to show it again


@login_required
@clinician_required
def athlete_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    # Only a page number asked (the caseload as it opens, and its pages): the defaults, without the form.
    asked = request.GET.keys() - {"page"}
    filters = CaseloadFilterForm(request.GET).filters() if asked else CaseloadFilters()
    # Reads only: the stored statuses and alerts (the jobs keep them current; see docs/design.md, "Reads never
    # write"). An athlete added today has no status row until their first plan or log, and reads the same.
    listing = caseload_listing(request.user, filters, today)
    counts = listing.counts
    page = Paginator(listing.ids, PAGE_SIZE).get_page(request.GET.get("page"))
    words = _page_words(translation.get_language())
    flags = [
        (name, label, getattr(filters, name), counts["flags"][name]) for name, label in words["flags"].items()
    ]
    sort_choices = [(key, label, key == filters.sort) for key, label in words["sorts"]]
    rows = caseload_rows(listing, list(page.object_list), today=today)
    context = {
        "page": page,
        "rows": rows,
        # The rows' HTML as one piece: each row's is remembered with it (rehab.caseload), and 50 lookups through
        # the template engine cost more than joining them here.
        "rows_html": mark_safe("\n".join(row.html for row in rows)),  # noqa: S308 — each row is escaped
        "filters": filters,
        "query": filters.q,
        "here": filters_query(filters, page=page.number if page.number > 1 else None),
        "flags": flags,
        # The filter bar's lists as HTML: see _options.
        "status_options": _options(
            tuple(
                (key, f"{label} ({counts['statuses'].get(key, 0)})", key == filters.status)
                for key, label in words["statuses"]
            )
        ),
        "phase_options": _options(_phase_choices(counts["phases"], filters.phase)),
        "sort_options": _options(tuple(sort_choices)),
        "sort_label": next((label for _key, label, chosen in sort_choices if chosen), ""),
        "columns": _columns(filters, words["columns"]),
        "total": counts["total"],
        "clear_url": filters_query(CaseloadFilters(former=filters.former, sort=filters.sort)),
        "filtered": filters != CaseloadFilters(former=filters.former, sort=filters.sort),
        "former_url": filters_query(CaseloadFilters(former=not filters.former)),
        "previous_url": filters_query(filters, page=page.previous_page_number())
        if page.has_previous()
        else "",
        "next_url": filters_query(filters, page=page.next_page_number()) if page.has_next() else "",
        "ticked": ",".join(str(pk) for pk in request.session.pop(TICKED, [])),
        "kept_message": request.session.pop(KEPT_MESSAGE, ""),
        "message_max": Message.BODY_MAX,
    }
    return render(request, "portal/athlete_list.html", context)


@lru_cache(maxsize=16)
def _page_words(language: str | None) -> dict:
    """The page's fixed words in `language` (the active one when this runs): the sort choices, the statuses' and
    the filters' labels and the columns' headings, worked out once per language and worker. Resolving their lazy
    translations on every page cost about half a millisecond."""
    return {
        "sorts": [(key, str(label)) for key, label in SORT_CHOICES],
        "statuses": [(key, str(label)) for key, label in STATUS_CHOICES if key],
        "flags": {name: str(label) for name, label in CASELOAD_FLAGS.items()},
        "columns": {key: str(heading) for key, (heading, _direction, _words) in CASELOAD_SORTS.items()},
    }


@lru_cache(maxsize=1024)
def _options(choices: tuple[tuple[str, str, bool], ...]) -> SafeString:
    """A select's `<option>`s, escaped, from (value, label, chosen) each. Remembered: the filter bar's lists come
    back alike from page to page, and the template engine took over half a millisecond to write them."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, _SELECTED if chosen else "", label) for value, label, chosen in choices),
    )


_SELECTED = mark_safe(" selected")


def _phase_choices(phases: dict[int, int], chosen: int | None) -> tuple[tuple[str, str, bool], ...]:
    """The phase filter's choices with their counts; the chosen phase even when no athlete is in it now."""
    counted = dict(phases)
    if chosen and chosen not in counted:
        counted[chosen] = 0
    return tuple(
        (
            str(order),
            gettext("Phase %(order)s (%(athletes)s)") % {"order": order, "athletes": count},
            order == chosen,
        )
        for order, count in sorted(counted.items())
    )


def _columns(filters, headings: dict[str, str]) -> list[dict]:
    """The table's headings: label, the link a click follows (its useful direction first, then the other way),
    and aria-sort for the column the list is sorted by."""
    current = filters.sort.lstrip("-")
    descending = filters.sort.startswith("-")
    columns = []
    for key, (_heading, direction, _words) in CASELOAD_SORTS.items():
        label = headings[key]
        first = f"-{key}" if direction == "desc" else key
        if key == current:
            sort = key if descending else f"-{key}"  # a click on the sorted column turns it around
            aria = "descending" if descending else "ascending"
        else:
            sort, aria = first, ""
        columns.append(
            {"key": key, "label": label, "url": filters_query(filters, sort=sort), "aria_sort": aria}
        )
    return columns


@login_required
@clinician_required
@require_POST
def caseload_bulk(request: HttpRequest) -> HttpResponse:
    """The caseload's bulk actions on the ticked rows: resolve their open notices with one note, print their
    programs as one PDF (a download), or send each of them a message. Only athletes the user may see are touched,
    whatever the form sent."""
    form = CaseloadBulkForm(request.POST)
    query = _safe_query(request.POST.get("back", ""))
    back = reverse("athlete_list") + query
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        # The ticks come back with the page (caseload.js ticks them again), and so does a message not sent.
        _keep(request, form.cleaned_data.get("athlete", []), request.POST.get("message", ""))
        return HttpResponseRedirect(back)
    athletes = Athlete.objects.visible_to(request.user).current().filter(pk__in=form.cleaned_data["athlete"])
    action = form.cleaned_data["action"]
    require(
        request.user,
        {
            CaseloadBulkForm.RESOLVE_NOTICES: Cap.RESOLVE_NOTICE,
            CaseloadBulkForm.PRINT: Cap.PRINT_PROGRAM,
            CaseloadBulkForm.MESSAGE: Cap.MESSAGE_TEAM,
        }[action],
    )
    if action == CaseloadBulkForm.MESSAGE:
        return _bulk_message(request, form, list(athletes.order_by("pk")), back)
    if action == CaseloadBulkForm.RESOLVE_NOTICES:
        note = form.cleaned_data["note"]
        notices = list(
            Alert.objects.open()
            .filter(athlete__in=athletes, severity=Alert.Severity.NOTICE)
            .select_related("athlete")
            .order_by("pk")
        )
        with transaction.atomic():
            for alert in notices:
                services.alert_resolve(alert=alert, by=request.user, note=note)
        if notices:
            people = len({alert.athlete_id for alert in notices})
            messages.success(
                request,
                gettext("Resolved %(notices)s for %(athletes)s.")
                % {
                    "notices": ngettext("%(count)d notice", "%(count)d notices", len(notices))
                    % {"count": len(notices)},
                    "athletes": ngettext("%(count)d athlete", "%(count)d athletes", people)
                    % {"count": people},
                },
            )
        else:
            messages.warning(
                request,
                gettext(
                    "The athletes you ticked have no open notices. Urgent alerts are resolved one by one."
                ),
            )
        return HttpResponseRedirect(back)
    plans = list(
        Plan.objects.filter(athlete__in=athletes, status=Plan.Status.ACTIVE)
        .order_by("athlete__last_name", "athlete__first_name", "pk")
        .values_list("pk", flat=True)
    )
    if not plans:
        messages.warning(request, gettext("None of the athletes you ticked has an active plan to print."))
        return HttpResponseRedirect(back)
    download = download_start(
        owner=request.user,
        kind=Download.Kind.BATCH_PRINT,
        params={"plans": plans, "from": "caseload", "back": query},
    )
    return redirect("download_detail", download.pk)


def _keep(request: HttpRequest, ticked: list[int], message: str) -> None:
    """What a refused bulk action had: the ticks and the message come back with the caseload."""
    if ticked:
        request.session[TICKED] = ticked[:PAGE_SIZE]
    if message.strip():
        request.session[KEPT_MESSAGE] = message[: Message.BODY_MAX * 2]


def _bulk_message(request: HttpRequest, form: CaseloadBulkForm, athletes: list[Athlete], back: str):
    body = form.cleaned_data["message"]
    try:
        sent, skipped = care_messages.message_post_many(athletes=athletes, author=request.user, body=body)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        _keep(request, form.cleaned_data["athlete"], body)
        return HttpResponseRedirect(back)
    if sent:
        messages.success(
            request,
            ngettext(
                "Message sent to %(count)d athlete, in their thread with the care team.",
                "Message sent to %(count)d athletes, each in their own thread with the care team.",
                len(sent),
            )
            % {"count": len(sent)},
        )
    if skipped or not sent:
        names = ", ".join(athlete.full_name for athlete in skipped)
        messages.warning(
            request,
            gettext("Not sent to %(names)s: you cannot write in their thread.") % {"names": names}
            if names
            else gettext("None of the athletes you ticked can be sent a message here."),
        )
    return HttpResponseRedirect(back)


def _safe_query(query: str) -> str:
    """The caseload's own query string (filters and page), read again through its form: nothing else survives
    the round trip."""
    if not query.startswith("?"):
        return ""
    data = QueryDict(query[1:])
    page = data.get("page", "")
    built = filters_query(
        CaseloadFilterForm(data).filters(), page=page if page.isdigit() and len(page) < 6 else None
    )
    return "" if built == "?" else built


@login_required
@capability_required(Cap.EDIT_ATHLETE)
@require_POST
def athlete_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Set or clear the athlete's next review date (from the timeline)."""
    athlete = get_athlete_for_user(request.user, pk)
    form = NextReviewForm(request.POST, current=athlete.next_review)
    if athlete.is_anonymised:
        messages.error(request, services.ANONYMISED_MESSAGE)
    elif not form.is_valid():
        for message in form.errors.get("next_review", []):
            messages.error(request, message)
    else:
        athlete.next_review = form.cleaned_data["next_review"]
        athlete.save(update_fields=["next_review", "updated"])
        if athlete.next_review:
            messages.success(
                request,
                gettext("Next review for %(name)s: %(day)s.")
                % {"name": athlete.full_name, "day": date_format(athlete.next_review, gettext("j M Y"))},
            )
        else:
            messages.success(
                request, gettext("No review date planned for %(name)s.") % {"name": athlete.full_name}
            )
    return redirect("rehab:timeline", athlete.pk)
