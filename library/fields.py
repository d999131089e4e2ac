from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

SEPARATOR = "|"


class TagsField(models.CharField):
    """A short list of codes stored as "|hip_side|glutes|".

    Filtering with `field__contains="|hip_side|"` then works the same on SQLite and PostgreSQL, needs no
    join and keeps list pages at a fixed number of queries. In Python the value is a list of codes.
    """

    def __init__(self, *args, tag_choices=(), **kwargs):
        self.tag_choices = list(tag_choices)
        kwargs.setdefault("max_length", 250)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["tag_choices"] = self.tag_choices
        return name, path, args, kwargs

    @staticmethod
    def encode(codes) -> str:
        codes = [code for code in dict.fromkeys(codes) if code]
        return f"{SEPARATOR}{SEPARATOR.join(codes)}{SEPARATOR}" if codes else ""

    @staticmethod
    def decode(value: str) -> list[str]:
        return [code for code in value.split(SEPARATOR) if code]

    @staticmethod
    def lookup(code: str) -> str:
        """The `__contains` argument that matches rows having `code`."""
        return f"{SEPARATOR}{code}{SEPARATOR}"

    def from_db_value(self, value, expression, connection):
        return self.decode(value) if value is not None else []

    def to_python(self, value):
        if isinstance(value, str):
            return self.decode(value)
        return list(value or [])

    def get_prep_value(self, value):
        if value is None or isinstance(value, list | tuple):
            return self.encode(value or [])
        return super().get_prep_value(value)  # a lookup argument such as "|hip_side|"

    def value_to_string(self, obj):
        return self.encode(self.value_from_object(obj))

    def validate(self, value, model_instance):
        if not self.blank and not value:
            raise ValidationError(self.error_messages["blank"], code="blank")
        known = {code for code, _ in self.tag_choices}
        unknown = [code for code in value if code not in known]
        if unknown:
            raise ValidationError(
                _("Unknown value: %(codes)s."), code="invalid_choice", params={"codes": ", ".join(unknown)}
            )

    def run_validators(self, value):
        # The length limit applies to the stored string, not to the list.
        super().run_validators(self.encode(value))

    def formfield(self, **kwargs):
        # Any widget passed in (the admin offers a text input for CharFields) does not fit a list.
        return forms.MultipleChoiceField(
            choices=self.tag_choices,
            widget=forms.CheckboxSelectMultiple,
            required=not self.blank,
            label=kwargs.get("label", capfirst(self.verbose_name)),
            help_text=kwargs.get("help_text", self.help_text),
        )
