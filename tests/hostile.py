"""The bad-input vocabulary of tests/test_hostile_input.py and tests/test_stored_script_escaping.py.

A *probe* is one bad value for one field (or one bad body). Its `must_refuse` says whether the site has to turn
it down (a NUL byte, a wrong type, an impossible date) or may accept it (a script tag is a legal name: it
must then be shown escaped, which the escaping tests check). Every request runs in a savepoint that is rolled
back afterwards, so each probe meets the same data and an accepted probe cannot spoil the next one.
"""

import copy
import json
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.contrib.auth import get_user_model
from django.contrib.messages import constants as message_levels
from django.db import transaction
from django.forms.formsets import ManagementForm
from django.forms.widgets import ChoiceWidget

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
JS_URL = "javascript:alert(1)"
SQL_OR = "' OR 1=1 --"
SQL_DROP = '"; DROP TABLE portal_athlete; --'
HOSTILE_TEXTS = [SCRIPT, IMG, JS_URL, SQL_OR, SQL_DROP]
NUL = "Anna\x00Aalto"
RTL = "\u202eAnna Aalto"
EMOJI = "Anna 🏃‍♀️🔥"
TEN_K = "x" * 10_000
ONE_MB = "x" * 1_000_000
TEN_MB = 10 * 1024 * 1024
HUGE_IDS = [str(2**63), str(10**30)]


class Raw(str):
    """A value sent exactly as written, e.g. invalid UTF-8 percent-escapes or JSON's `NaN`."""


@dataclass(frozen=True)
class Probe:
    label: str
    value: object
    must_refuse: bool


def _p(label, value, must_refuse=True) -> Probe:
    return Probe(label, value, must_refuse)


def text_probes(*, required: bool, max_length: int | None, api: bool = False) -> list[Probe]:
    probes = [
        _p("empty", "", required),
        _p("whitespace", "   \t  ", required),
        _p("10k", TEN_K, bool(max_length and max_length < 10_000)),
        _p("nul", NUL),
        _p("rtl-emoji", RTL + EMOJI, False),
    ]
    if not max_length or max_length >= 10_000 or api:  # past 10,000 characters a 1 MB text proves nothing new
        probes.append(_p("1MB", ONE_MB, bool(max_length)))
    # The pages get one of each kind (their escaping has its own tests); the API gets them all.
    hostile = HOSTILE_TEXTS if api else [SCRIPT, SQL_DROP]
    probes += [_p(f"hostile{HOSTILE_TEXTS.index(text)}", text, False) for text in hostile]
    if api:
        probes += [
            _p("surrogate", Raw('"\\ud800 Anna"')),
            _p("list", ["Anna"]),
            _p("object", {"name": "Anna"}),
            _p("bool", True),
        ]
    else:
        probes += [_p("bad-utf8", Raw("%ED%A0%80%FF"), False), _p("twice", ["Anna", SCRIPT], False)]
    return probes


def int_probes(api: bool = False) -> list[Probe]:
    probes = [
        _p("word", "abc"),
        _p("fraction", "1.5"),
        _p("huge", str(10**30)),
        _p("-huge", str(-(10**30))),
        _p("nan", "NaN"),
        _p("inf", "Infinity"),
        _p("nul", "1\x00"),
    ]
    if api:
        probes = [_p(p.label, p.value) for p in probes if p.label != "nul"] + [
            _p("exponent", "1e3"),
            _p("sql", SQL_OR),
            _p("int-huge", 10**30),
            _p("raw-nan", Raw("NaN")),
            _p("raw-inf", Raw("-Infinity")),
            _p("float", 1.5),
            _p("list", [1]),
            _p("object", {"n": 1}),
            _p("bool", True),
        ]
    return probes


def decimal_probes(api: bool = False) -> list[Probe]:
    probes = [
        _p("word", "abc"),
        _p("huge", str(10**30)),
        _p("exp", "1e999999"),
        _p("nan", "NaN"),
        _p("inf", "-Infinity"),
        _p("nul", "1\x00"),
    ]
    if api:
        probes = [_p(p.label, p.value) for p in probes if p.label != "nul"] + [
            _p("raw-nan", Raw("NaN")),
            _p("raw-huge", Raw("1e400")),
            _p("list", [1]),
            _p("object", {"n": 1}),
        ]
    return probes


def date_probes(api: bool = False) -> list[Probe]:
    probes = [
        _p("feb30", "2026-02-30"),
        _p("year99999", "99999-01-01"),
        _p("zero", "0000-00-00"),
        _p("month13", "2026-13-01"),
        _p("word", "tomorrow"),
        _p("nul", "2026-01-01\x00"),
    ]
    if api:
        probes = [_p(p.label, p.value) for p in probes if p.label != "nul"] + [
            _p("number", 20260101),
            _p("list", ["2026-01-01"]),
        ]
    return probes


def id_probes(api: bool = False) -> list[Probe]:
    probes = [
        _p("missing", "987654321"),
        *[_p(f"huge{i}", value) for i, value in enumerate(HUGE_IDS)],
        _p("negative", "-1"),
        _p("word", "abc"),
        _p("nul", "1\x00"),
        _p("sql", "1 OR 1=1"),
    ]
    if api:
        probes = [_p(p.label, p.value) for p in probes if p.label != "nul"] + [
            _p("int-huge", 10**30),
            _p("float", 1.5),
            _p("list", [1]),
            _p("object", {"id": 1}),
        ]
    return probes


def choice_probes(api: bool = False) -> list[Probe]:
    probes = [_p("unknown", "unknown"), _p("script", SCRIPT), _p("nul", "female\x00")]
    if api:
        probes += [_p("list", ["female"]), _p("object", {}), _p("number", 1)]
    return probes


def multi_probes(api: bool = False) -> list[Probe]:
    probes = [_p("unknown", ["unknown"]), _p("script", [SCRIPT]), _p("nul", ["front\x00"])]
    if api:
        probes += [
            _p("string", "front"),
            _p("object", {"front": True}),
            _p("nested", [["front"]]),
            _p("10k-items", ["front"] * 10_000),
            _p("surrogate", Raw('["\\ud800"]')),
        ]
    return probes


def email_probes(*, required: bool, api: bool = False) -> list[Probe]:
    probes = [
        _p("empty", "", required),
        _p("not-email", "not-an-email"),
        _p("script", SCRIPT + "@example.com"),
        _p("nul", "anna\x00@example.com"),
        _p("long", "a" * 300 + "@example.com"),
        _p("sql", "' OR 1=1 --@example.com"),
    ]
    if api:
        probes += [_p("list", ["anna@example.com"]), _p("surrogate", Raw('"\\ud800@example.com"'))]
    return probes


def bool_probes(api: bool = False) -> list[Probe]:
    if api:
        return [_p("word", "maybe"), _p("list", [True]), _p("object", {}), _p("number", 2)]
    return [_p("word", "maybe", False), _p("script", SCRIPT, False)]


def url_probes() -> list[Probe]:
    return [
        _p("js", JS_URL),
        _p("data", "data:text/html,<script>alert(1)</script>"),
        _p("long", "https://example.com/" + "x" * 400),
        _p("nul", "https://example.com/\x00"),
        _p("spaces", "https://exa mple.com/"),
    ]


PROBES_BY_KIND = {
    "int": int_probes,
    "decimal": decimal_probes,
    "date": date_probes,
    "id": id_probes,
    "choice": choice_probes,
    "multi": multi_probes,
    "bool": bool_probes,
}


def probes_for_form_field(form_field: forms.Field) -> list[Probe]:
    """Bad values for one field of a Django form, chosen by its type."""
    if isinstance(form_field, forms.ModelMultipleChoiceField | forms.MultipleChoiceField):
        return multi_probes()
    if isinstance(form_field, forms.ModelChoiceField):
        return id_probes()
    if isinstance(form_field, forms.ChoiceField):
        return choice_probes()
    if isinstance(form_field, forms.BooleanField | forms.NullBooleanField):
        return bool_probes()
    if isinstance(form_field, forms.EmailField):
        return email_probes(required=form_field.required)
    if isinstance(form_field, forms.URLField):
        return url_probes()
    if isinstance(form_field, forms.DateField | forms.DateTimeField | forms.SplitDateTimeField):
        return date_probes()
    if isinstance(form_field, forms.DecimalField | forms.FloatField):  # both are IntegerFields too
        return decimal_probes()
    if isinstance(form_field, forms.IntegerField):
        return int_probes()
    if isinstance(form_field, forms.FileField):
        return []  # uploads have their own table
    if isinstance(form_field, forms.CharField):
        return text_probes(required=form_field.required, max_length=form_field.max_length)
    return []


# --------------------------------------------------------------------------------------------- sending


@dataclass
class Sent:
    status: int
    response: object = None
    error: str = ""
    changed: list[str] = field(default_factory=list)


def _models():
    from library.models import Exercise
    from portal.models import Alert, Athlete, CareTeamMember, Clinic, Clinician, Invite, Shoe
    from rehab.models import DailyLog, ExerciseLog, PhaseChange, Plan, PlanExercise, PlanPhase, PlanTemplate
    from triage.models import Intake

    return [get_user_model(), Clinic, Clinician, Athlete, Shoe, CareTeamMember, Invite, Alert, Intake,
            PlanTemplate, Plan, PlanPhase, PlanExercise, PhaseChange, DailyLog, ExerciseLog, Exercise]  # fmt: skip


VOLATILE = {"last_login"}


def snapshot() -> dict[str, list]:
    """Every row of the records a form or endpoint could write (small test data: cheap enough)."""
    state = {}
    for model in _models():
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in VOLATILE]
        state[model._meta.label] = sorted(model.objects.values_list(*names), key=repr)
    return state


def changed_tables(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after[label]]


def send(
    client, method: str, url: str, *, body=b"", content_type=None, before=None, track=True, **extra
) -> Sent:
    """One request inside a savepoint that is rolled back; an exception escaping the view counts as a 500.

    `before`: the snapshot() taken before, when the caller has it (every probe starts from the same state);
    `track=False` skips comparing the data (reads).
    """
    if track and before is None:
        before = snapshot()
    cookies = copy.deepcopy(client.cookies)  # a login or a new session must not outlive the rollback
    sent = Sent(status=0)
    try:
        with transaction.atomic():
            kwargs = {"content_type": content_type} if content_type else {}
            response = client.generic(method, url, body, **kwargs, **extra)
            sent.status, sent.response = response.status_code, response
            sent.changed = changed_tables(before, snapshot()) if track else []
            transaction.set_rollback(True)
    except Exception as error:  # noqa: BLE001 - the view crashed: that is what the sweep looks for
        sent.status, sent.error = 500, f"{type(error).__name__}: {str(error)[:200]}"
    client.cookies = cookies
    return sent


def form_body(data: dict) -> tuple[bytes, str]:
    """application/x-www-form-urlencoded, with Raw values sent exactly as written."""
    parts = []
    for name, value in data.items():
        values = value if isinstance(value, list | tuple) else [value]
        for item in values:
            if isinstance(item, Raw):
                parts.append(f"{urlencode({name: ''})}{item}")
            else:
                parts.append(urlencode({name: "" if item is None else str(item)}))
    return "&".join(parts).encode(), "application/x-www-form-urlencoded"


def json_body(data) -> tuple[bytes, str]:
    """JSON with Raw values spliced in as written (NaN, "\\ud800", 1e400)."""
    raws: dict[str, str] = {}

    def mark(value):
        if isinstance(value, Raw):
            key = f"@@raw{len(raws)}@@"
            raws[key] = str(value)
            return key
        if isinstance(value, dict):
            return {k: mark(v) for k, v in value.items()}
        if isinstance(value, list):
            return [mark(v) for v in value]
        return value

    text = json.dumps(mark(data))
    for key, raw in raws.items():
        text = text.replace(json.dumps(key), raw)
    return text.encode(), "application/json"


# --------------------------------------------------------------------------------------------- reading


def page_forms(response) -> list:
    """The forms and formsets a page rendered (its context), admin forms included."""
    found = []
    context = getattr(response, "context", None)
    if context is None:
        return found
    for name in ("form", "formset", "shoes", "adminform", "inline_admin_formsets", "move_form", "version"):
        try:
            value = context[name]
        except KeyError:
            continue
        if name == "adminform":
            value = value.form
        if name == "inline_admin_formsets":
            found += [inline.formset for inline in value]
            continue
        if isinstance(value, ManagementForm):  # a formset's own, rendered through a template of its own
            continue
        found.append(value)
    return found


def form_errors(response) -> dict[str, list[str]]:
    """Field name (as posted) → messages, from every form on the page; "__all__" for the rest."""
    errors: dict[str, list[str]] = {}
    for form in page_forms(response):
        if isinstance(form, forms.BaseFormSet):
            if not form.is_bound:
                continue
            for message in form.non_form_errors():
                errors.setdefault("__all__", []).append(message)
            for sub in form.forms:
                for name, messages in sub.errors.items():
                    key = sub.add_prefix(name) if name != "__all__" else "__all__"
                    errors.setdefault(key, []).extend(messages)
        elif form.is_bound:
            for name, messages in form.errors.items():
                key = form.add_prefix(name) if name != "__all__" else "__all__"
                errors.setdefault(key, []).extend(messages)
    return errors


def error_messages(response) -> list[str]:
    """Flash messages of warning or error level that the request queued (redirecting views report so)."""
    storage = getattr(getattr(response, "wsgi_request", None), "_messages", None)
    if storage is None:
        return []
    queued = list(getattr(storage, "_queued_messages", []))
    return [str(m) for m in queued if m.level >= message_levels.WARNING]


def initial_post_data(response) -> dict:
    """What the browser would post back for the forms on a GET page, left as they are (admin pages too)."""
    data: dict = {}
    for form in page_forms(response):
        if isinstance(form, forms.BaseFormSet):
            management = form.management_form
            for bf in management:
                data[bf.html_name] = bf.value()
            for sub in form.forms:
                data |= _form_data(sub)
        else:
            data |= _form_data(form)
    return data


def _form_data(form) -> dict:
    data = {}
    for bf in form:
        if bf.field.disabled:
            continue
        widget = bf.field.widget
        if isinstance(widget, RelatedFieldWidgetWrapper):  # the admin's "+" and pencil links around a select
            widget = widget.widget
        value = bf.value()
        if isinstance(widget, forms.CheckboxInput):
            if widget.check_test(value):
                data[bf.html_name] = "on"
            continue
        if isinstance(widget, forms.MultiWidget):
            parts = widget.decompress(value) if not isinstance(value, list) else value
            for index, part in enumerate(parts):
                data[f"{bf.html_name}_{index}"] = "" if part is None else _plain(widget.widgets[index], part)
            continue
        if isinstance(widget, forms.FileInput):
            continue
        if isinstance(widget, ChoiceWidget):
            chosen = [item for item in widget.format_value(value) if item != ""]
            if widget.allow_multiple_selected:
                if chosen:
                    data[bf.html_name] = chosen
            else:
                data[bf.html_name] = chosen[0] if chosen else ""
        elif isinstance(value, list | tuple):
            data[bf.html_name] = [str(item) for item in value]
        else:
            data[bf.html_name] = "" if value is None else _plain(widget, value)
    return data


def _plain(widget, value) -> str:
    formatted = widget.format_value(value) if hasattr(widget, "format_value") else value
    return "" if formatted is None else str(formatted)
