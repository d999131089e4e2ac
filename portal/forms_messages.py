"""The box under a thread where the athlete or a clinician writes a message (portal.views_messages)."""

from django import forms

from portal.models import Message


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Message",
        max_length=Message.BODY_MAX,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": Message.BODY_MAX}),
        error_messages={
            "required": "Write a message first.",
            "max_length": f"Keep a message to {Message.BODY_MAX} characters, or send it in two.",
        },
    )

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        if "\x00" in body:
            raise forms.ValidationError("The message holds a character that cannot be saved.")
        return body
