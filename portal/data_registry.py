"""Where each app declares the personal data it holds about an athlete, for the data export (portal.export) and
the deletion of personal data (portal.privacy).

An app that stores rows about an athlete has a `personal_data.py` module that calls `register(PersonalData(...))`
once: which of its models hold an athlete's rows and what becomes of each, the parts of the export it
contributes (JSON sections and their CSV tables), the rows the audit scrub must cover, which of their fields
are personal, and how to anonymise them and forget what lies outside the database (caches, prepared files).
Export and deletion walk the registry, so they name no app above portal, and a new table is added in its own
app (a test fails while a model with a key to Athlete is declared by no app).

The modules are found as the admin finds `admin.py`: `autodiscover()` (django.utils.module_loading's
`autodiscover_modules`), called once from PortalConfig.ready(). That keeps one convention (a module of a fixed
name) instead of asking every app for an AppConfig.ready() hook, runs after every model is loaded, and an app
without the module simply declares nothing, which the completeness test then reports.
"""

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

MODULE_NAME = "personal_data"


@dataclass(frozen=True)
class Table:
    """One CSV file of the export, built from the export's JSON values (`rows(data)`)."""

    name: str
    rows: Callable[[dict], list[dict]]
    # The columns of an empty file, so that it still says what it would hold.
    header: list[str]
    # The file's lines in the README's list of files, as they are printed.
    readme: str


@dataclass(frozen=True)
class Section:
    """One top-level key of the export's JSON file, with the CSV tables made from it.

    `collect(athlete)` reads the athlete loaded with every declaration's `prefetch`. `position` fixes where the
    key and its tables sit in the file: the export's layout is a published format, whatever the app order."""

    key: str
    position: int
    collect: Callable[[Any], Any]
    tables: tuple[Table, ...] = ()


def _nothing(*args, **kwargs) -> None:
    return None


@dataclass(frozen=True)
class PersonalData:
    """What one app holds about an athlete and how export and deletion treat it.

    - `models`: model label → what becomes of its rows when the personal data is deleted (every model with a
      key to Athlete is listed by some app);
    - `prefetch()`: lookups for `Athlete.objects.prefetch_related` that the sections read;
    - `sections`: the app's parts of the export;
    - `rows(athlete)`: model → primary keys of the athlete's rows whose audit entries are scrubbed;
    - `personal_fields`: lower-case model label → fields whose values audit entries must not keep;
    - `forget(athlete)`: caches and prepared files that show the athlete, run before the rows change (every run,
      so that an earlier failure to reach the cache does not leave a name behind);
    - `anonymise(athlete, by=, now=)`: blank the free text and close what is open, inside the deletion's
      transaction with the audit trail paused; idempotent.
    """

    app_label: str
    models: dict[str, str]
    prefetch: Callable[[], list] = list
    sections: tuple[Section, ...] = ()
    rows: Callable[[Any], dict[type, list]] = dict
    personal_fields: dict[str, set[str]] = field(default_factory=dict)
    forget: Callable[[Any], None] = _nothing
    anonymise: Callable[..., None] = _nothing


_registry: dict[str, PersonalData] = {}


def register(declaration: PersonalData) -> PersonalData:
    """Add an app's declaration; an app declares once (a second declaration is a mistake, not an update)."""
    if declaration.app_label in _registry:
        raise ImproperlyConfigured(f"The app {declaration.app_label!r} already declared its personal data.")
    _registry[declaration.app_label] = declaration
    return declaration


def autodiscover() -> None:
    """Import every installed app's `personal_data` module, which registers its declaration."""
    autodiscover_modules(MODULE_NAME)


def declarations() -> list[PersonalData]:
    """The declarations in INSTALLED_APPS order (the order deletion runs them in)."""
    order = {config.label: number for number, config in enumerate(apps.get_app_configs())}
    return sorted(_registry.values(), key=lambda declaration: order.get(declaration.app_label, len(order)))


def sections() -> list[Section]:
    return sorted(
        (section for declaration in declarations() for section in declaration.sections),
        key=lambda section: section.position,
    )


def prefetches() -> list:
    return [lookup for declaration in declarations() for lookup in declaration.prefetch()]


def personal_fields() -> dict[str, set[str]]:
    return {
        label: names for declaration in declarations() for label, names in declaration.personal_fields.items()
    }


def declared_models() -> dict[str, str]:
    """Every declared model label (as Django spells it, "rehab.DailyLog") → the declaring app's label."""
    return {label: declaration.app_label for declaration in declarations() for label in declaration.models}


# ---------------------------------------------------------------------------- values, the same for every app


def when(value):
    """Dates and times as ISO 8601 (times in the site's time zone, with the offset)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def num(value):
    return float(value) if isinstance(value, Decimal) else value


def name_of(user) -> str | None:
    """Someone else's name (a clinician's): never their email address."""
    if user is None:
        return None
    return user.get_full_name() or "A member of the clinic"


def values(obj, names: Iterable[str]) -> dict:
    return {name: num(getattr(obj, name)) for name in names}


def flat(value):
    """A JSON value as one CSV cell: lists joined with "; ", objects as JSON."""
    if isinstance(value, list) and all(not isinstance(item, dict | list) for item in value):
        return "; ".join(str(item) for item in value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def pks(queryset) -> list:
    return list(queryset.values_list("pk", flat=True))
