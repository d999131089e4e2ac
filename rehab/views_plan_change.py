"""What a page says after it asks a plan service for a change: one outcome for every plan page.

    with PlanChangeOutcome(request, form=form) as change:
        services.plan_cancel(plan=plan, by=request.user, reason=..., seen=change.seen())
    if change.refused:
        return redirect(plan)
    if change.done:
        messages.success(request, "...")

Someone else changed the plan since the page was read (services.PlanChanged): nothing was changed, and the
message says who and when. The change was refused (ValidationError, including a page without its plan version):
the reason goes on the form when there is one, else into a message. Anything else propagates.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest
from django.utils.translation import gettext

from rehab.forms import OUT_OF_DATE, PlanVersionForm
from rehab.services import PlanChanged


class PlanChangeOutcome:
    def __init__(self, request: HttpRequest, *, form: Form | None = None):
        self.request, self.form = request, form
        self.refused = False  # the plan changed since the page was read
        self.invalid = False  # the service (or the page's version) refused the change

    @property
    def done(self) -> bool:
        return not (self.refused or self.invalid)

    def seen(self) -> int:
        """The plan version the page was read at; a page without one is out of date (reported as refused)."""
        seen = PlanVersionForm.seen(self.request.POST)
        if seen is None:
            raise ValidationError(OUT_OF_DATE)
        return seen

    def __enter__(self) -> "PlanChangeOutcome":
        return self

    def __exit__(self, kind, error, traceback) -> bool:
        if isinstance(error, PlanChanged):
            self.refused = True
            messages.error(
                self.request,
                gettext(
                    "%(change)s since you opened the page, so nothing was changed. Here is the plan as it is now: "
                    "check it and try again."
                )
                % {"change": error.describe(self.request.user)},
            )
            return True
        if isinstance(error, ValidationError):
            self.invalid = True
            if self.form is not None:
                self.form.add_error(None, error)
            else:
                messages.error(self.request, " ".join(error.messages))
            return True
        return False
