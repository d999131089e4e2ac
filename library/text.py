"""Text folding for search: the stored search text and the typed query are normalised the same way."""

import re
import unicodedata

_NOT_WORD = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Lower-case, accents stripped, punctuation turned into single spaces: "Fléxor  Step-up" → "flexor step up"."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    # Compatibility forms can decompose to capitals (ᴬ → A), so fold case on both sides of NFKD.
    return _NOT_WORD.sub(" ", plain.casefold()).strip()


def search_text_for(*, name: str, aliases: list[str], cues: list[str]) -> str:
    """What a library search looks in: the name, the aliases and the cues."""
    return " | ".join(fold(part) for part in [name, *aliases, *cues] if part and fold(part))
