"""Small strict readers for settings that come from the environment.

Each refuses values it does not understand instead of guessing, so a typo in a
deployment fails at start-up with a message that names the variable.
"""

import ipaddress
import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, got {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


_RATE_PERIODS = {"second", "minute", "hour", "day"}


def env_rate(name: str, default: str | None) -> str | None:
    """A throttle rate such as "60/minute" (per second, minute, hour or day); "off" turns the limit off."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value == "off":
        return None
    count, _, period = value.partition("/")
    if not count.isdigit() or period not in _RATE_PERIODS:
        raise ImproperlyConfigured(
            f"{name} must look like 60/minute (per second, minute, hour or day) or be off, got {raw!r}."
        )
    return f"{int(count)}/{period}"


def redis_db_url(url: str, db: int) -> str:
    """`url` (redis://host:port/0) pointing at database number `db` instead: the broker's own database."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{db}"))


def env_networks(name: str) -> list[str]:
    """Comma-separated IP addresses or CIDR ranges ("10.0.0.5, 172.16.0.0/12"), each normalised; none if unset."""
    networks = []
    for item in env_list(name, []):
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} must list IP addresses or CIDR ranges such as 10.0.0.0/8, got {item!r}."
            ) from None
    return networks
