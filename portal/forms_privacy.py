"""Confirmation forms for deleting an athlete's personal data (page and admin action)."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


class AnonymiseForm(forms.Form):
    """The clinician types the athlete's full name, so the wrong record is never wiped by a slip."""

    confirm_name = forms.CharField(
        label=_("Type the athlete's full name to confirm"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, athlete, **kwargs):
        super().__init__(*args, **kwargs)
        self.athlete = athlete

    def clean_confirm_name(self):
        typed = self.cleaned_data["confirm_name"]
        if _normal(typed) != _normal(self.athlete.full_name):
            raise forms.ValidationError(
                _("That is not the athlete's name. Type it exactly as shown at the top of this page."),
                code="mismatch",
            )
        return typed


CONFIRM_WORD = "delete"


class AnonymiseSelectedForm(forms.Form):
    """The admin action's confirmation: several athletes at once, so the word "delete" instead of names."""

    confirm = forms.CharField(
        label=format_lazy(_("Type “{word}” to confirm"), word=CONFIRM_WORD), max_length=20
    )

    def clean_confirm(self):
        typed = self.cleaned_data["confirm"]
        if _normal(typed) != CONFIRM_WORD:
            raise forms.ValidationError(
                _("Type the word “%(word)s” to confirm."), code="mismatch", params={"word": CONFIRM_WORD}
            )
        return typed
