"""The athlete's "Import runs from your watch" page (rehab.services.runs does the work)."""

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from portal.permissions import athlete_of, athlete_required
from rehab.forms_runs import ACCEPT, RunImportForm
from rehab.services.runs import IMPORTED, UNCHANGED, RunImport, import_runs


def km_text(km: Decimal | None) -> str:
    """6.24 → "6.2 km", 10.00 → "10 km": a runner's precision."""
    return f"{(km or Decimal(0)).quantize(Decimal('0.1')).normalize():f} km"


def minutes_text(minutes: int | None) -> str:
    return f"{minutes or 0} minute{'' if minutes == 1 else 's'}"


def result_text(result: RunImport) -> str:
    """What became of one file, in a sentence: "Tuesday 1 December: 6.2 km in 40 minutes — added to that day's
    log"."""
    if result.run is None or result.day is None:
        return result.reason
    said = f"{result.day:%A %-d %B}: {km_text(result.run.distance_km)} in {minutes_text(result.run.moving_minutes)}"
    if result.outcome == UNCHANGED:
        return f"{said} — already on that day's log; nothing changed."
    if result.outcome != IMPORTED:
        return f"{said} — not added. {result.reason}"
    if result.added:
        return f"{said} — added to that day's log, after the run already imported that day."
    if result.replaced is not None:
        km, minutes = result.replaced
        typed = f"{km_text(km)} in {minutes_text(minutes)}" if km else minutes_text(minutes)
        return (
            f"{said} — added to that day's log, in place of the run you typed in ({typed}). "
            "Your pain answers and notes are kept."
        )
    return f"{said} — added to that day's log."


@login_required
@athlete_required
def run_import(request: HttpRequest) -> HttpResponse:
    athlete = athlete_of(request.user)
    posted = request.method == "POST"
    form = RunImportForm(request.POST, request.FILES) if posted else RunImportForm()
    results = []
    if posted and form.is_valid():
        files = [(upload.name, upload) for upload in form.cleaned_data["files"]]
        for result in import_runs(athlete=athlete, files=files, now=timezone.now()):
            link = (
                f"{reverse('rehab:log_today')}?date={result.day.isoformat()}"
                if result.ok and result.day is not None
                else ""
            )
            results.append({"result": result, "text": result_text(result), "link": link})
        form = RunImportForm()  # the next upload starts empty
    context = {"athlete": athlete, "form": form, "results": results, "accept": ACCEPT}
    return render(request, "rehab/run_import.html", context)
