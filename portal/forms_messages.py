"""The box under a thread where the athlete or a clinician writes a message (portal.views_messages)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.models import Message


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        max_length=Message.BODY_MAX,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": Message.BODY_MAX}),
        error_messages={
            "required": _("Write a message first."),
            "max_length": _("Keep a message to %(limit_value)d characters, or send it in two."),
        },
    )

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        if "\x00" in body:
            raise forms.ValidationError(_("The message holds a character that cannot be saved."))
        return body
