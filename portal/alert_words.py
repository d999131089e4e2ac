"""Alerts in words: the apps that raise alerts with a code say them, portal shows them.

An alert (portal.models.Alert) stores what raised it as a code and its parameters; the app that owns the code
renders it in the active language at display time (rehab registers its codes from RehabConfig.ready with
rehab.wording.reason_text). Portal names no app above it: it asks this registry. An alert without a code (rows
from before codes, raisers that still pass a sentence) reads as its stored message.
"""

from collections.abc import Callable, Iterable

Sayer = Callable[[str, dict], str]

_SAYERS: dict[str, Sayer] = {}


def register(codes: Iterable[str], sayer: Sayer) -> None:
    """`sayer(code, params)` says each of `codes` (called once per app, from its AppConfig.ready)."""
    for code in codes:
        _SAYERS[code] = sayer


def known(code: str) -> bool:
    return code in _SAYERS


def say(code: str, params: dict | None, fallback: str = "") -> str:
    """The alert's code in words, or `fallback` (the stored message) without a code or a sayer for it."""
    sayer = _SAYERS.get(code) if code else None
    if sayer is None:
        return fallback or code or ""
    return sayer(code, params or {})
