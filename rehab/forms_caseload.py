"""The caseload page's filter bar: its query string read into CaseloadFilters, and written back into links.

Everything is in the URL (a shareable view; the back button works). A value the form cannot read is dropped
(the page shows the list without that filter) rather than refused: these are links, not data being saved.
"""

from datetime import timedelta
from urllib.parse import urlencode

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from portal.models import Message
from rehab.caseload import ACTION_LABELS
from rehab.selectors_caseload import (
    CASELOAD_FILTERS,
    CASELOAD_FLAGS,
    CASELOAD_SORTS,
    STATUS_ORDER,
    CaseloadFilters,
)

SORT_CHOICES = [("", _("Needs attention first"))] + [
    (f"{'-' if direction == 'desc' else ''}{key}", format_lazy("{}: {}", heading, words))
    for key, (heading, direction, words) in CASELOAD_SORTS.items()
]
ALL_SORTS = {""} | {key for key in CASELOAD_SORTS} | {f"-{key}" for key in CASELOAD_SORTS}
STATUS_CHOICES = (
    [("", _("Any status"))]
    + [(key, ACTION_LABELS[key]) for key in STATUS_ORDER]
    + [("none", _("No status yet"))]
)


class CaseloadFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, strip=True)
    attention = forms.BooleanField(required=False, label=CASELOAD_FLAGS["attention"])
    mine = forms.BooleanField(required=False, label=CASELOAD_FLAGS["mine"])
    quiet = forms.BooleanField(required=False, label=CASELOAD_FLAGS["quiet"])
    review_due = forms.BooleanField(required=False, label=CASELOAD_FLAGS["review_due"])
    no_plan = forms.BooleanField(required=False, label=CASELOAD_FLAGS["no_plan"])
    former = forms.BooleanField(required=False, label=CASELOAD_FILTERS["former"])
    phase = forms.IntegerField(required=False, min_value=1, max_value=99)
    status = forms.ChoiceField(required=False, choices=STATUS_CHOICES)
    sort = forms.ChoiceField(required=False, choices=[(key, key) for key in sorted(ALL_SORTS)])
    show = forms.ChoiceField(required=False, choices=[(key, key) for key in CASELOAD_FILTERS])  # older links

    def filters(self) -> CaseloadFilters:
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if value not in (None, "", False)}
        show = data.pop("show", "")
        legacy = CaseloadFilters.from_show(show=show)
        values = {
            name: data.get(name, getattr(legacy, name))
            for name in ("attention", "mine", "quiet", "review_due", "no_plan", "former", "status")
        }
        return CaseloadFilters(
            q=data.get("q", "")[:100], phase=data.get("phase"), sort=data.get("sort", ""), **values
        )


def filters_query(filters: CaseloadFilters, **changes) -> str:
    """The query string (with "?") for `filters` with `changes` applied: only what differs from the defaults."""
    values = {
        "q": filters.q,
        **{name: "1" if getattr(filters, name) else "" for name in (*CASELOAD_FLAGS, "former")},
        "phase": "" if filters.phase is None else str(filters.phase),
        "status": filters.status,
        "sort": filters.sort,
    }
    for name, value in changes.items():
        values[name] = "1" if value is True else "" if value in (False, None) else str(value)
    pairs = [(name, value) for name, value in values.items() if value]
    return "?" + urlencode(pairs) if pairs else "?"


class IdsField(forms.Field):
    """Ticked rows' ids. Any whole numbers pass: the view keeps only the athletes the user may see."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        values = value if isinstance(value, (list, tuple)) else [value] if value else []
        if not all(str(item).isdigit() and len(str(item)) < 12 for item in values) or len(values) > 500:
            raise forms.ValidationError(
                _("The ticked rows could not be read: reload the caseload and try again.")
            )
        return [int(item) for item in values]


class CaseloadBulkForm(forms.Form):
    """The caseload's bulk actions on the ticked rows."""

    RESOLVE_NOTICES = "resolve_notices"
    PRINT = "print"
    MESSAGE = "message"

    action = forms.ChoiceField(
        choices=[
            (RESOLVE_NOTICES, _("Resolve their notices")),
            (PRINT, _("Print their programs")),
            (MESSAGE, _("Send them a message")),
        ],
        error_messages={"required": _("Choose what to do with the ticked athletes.")},
    )
    athlete = IdsField(error_messages={"required": _("Tick at least one athlete first.")})
    note = forms.CharField(
        required=False,
        max_length=300,
        error_messages={
            "max_length": _("Keep the note to %(limit_value)d characters (it has %(show_value)d).")
        },
    )

    message = forms.CharField(
        required=False,
        max_length=Message.BODY_MAX,
        error_messages={
            "max_length": _("Keep the message to %(limit_value)d characters (it has %(show_value)d).")
        },
    )

    def clean(self):
        data = super().clean()
        if data.get("action") == self.RESOLVE_NOTICES and not data.get("note"):
            self.add_error("note", _("Add a short note saying what you did about these notices."))
        if data.get("action") == self.MESSAGE and not data.get("message"):
            self.add_error("message", _("Write the message to send to the ticked athletes."))
        return data


class NextReviewForm(forms.Form):
    next_review = forms.DateField(
        required=False,
        label=_("Next review"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter the date as a calendar date, for example 2027-01-15.")},
    )

    def __init__(self, *args, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.current = current  # the date saved now: kept as it is even when it has passed

    def clean_next_review(self):
        day = self.cleaned_data["next_review"]
        if day and day == self.current:
            return day
        if day and day < timezone.localdate():
            raise forms.ValidationError(_("Pick today or a later date for the next review."))
        if day and day > timezone.localdate() + timedelta(days=366):
            raise forms.ValidationError(_("Pick a date within the next year."))
        return day
