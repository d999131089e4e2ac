"""What each kind of alert (Alert.kind) is called, declared by the app whose services raise it, so that the admin's
lists and filters (portal.admin) and the email digest (portal.notifications) name no app above portal.

An app that raises alerts has an `alert_kinds.py` module that calls `register(...)` once per kind; the modules
are found as portal.data_registry finds `personal_data.py`: `autodiscover()`, called from PortalConfig.ready().
"""

from dataclasses import dataclass

from django.utils.module_loading import autodiscover_modules
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_lazy

MODULE_NAME = "alert_kinds"
GENERIC_EMAIL_WORDS = gettext_lazy("an alert to look at")


@dataclass(frozen=True)
class AlertKindWords:
    """One kind of alert: its `code` (Alert.kind), its `label` in lists and filters, and `email_words`, what an
    email may say about it: general words with no pain scores or warning signs ("" for the generic words). Both
    are English messages marked for the catalog where the app declares them; they are said in the active
    language when read (label, labels, email_words)."""

    code: str
    label: str
    email_words: str = ""


_registry: dict[str, AlertKindWords] = {}


def register(*kinds: AlertKindWords) -> None:
    for kind in kinds:
        _registry[str(kind.code)] = kind


def autodiscover() -> None:
    """Import every installed app's `alert_kinds` module, which registers its kinds."""
    autodiscover_modules(MODULE_NAME)


def labels() -> dict[str, str]:
    """Every registered kind → its label, in the order the apps registered them."""
    return {code: gettext(kind.label) for code, kind in _registry.items()}


def label(code: str) -> str:
    """The kind's label; a kind no app declares (an old row) reads as its code in words."""
    kind = _registry.get(code)
    return gettext(kind.label) if kind is not None else capfirst(code.replace("_", " "))


def email_words(code: str) -> str:
    kind = _registry.get(code)
    words = kind.email_words if kind is not None else ""
    return gettext(words) if words else str(GENERIC_EMAIL_WORDS)
