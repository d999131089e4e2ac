"""``N_`` marks an English text for translation where it is defined, without translating it there.

The triage engine is pure Python (no Django), so it cannot call gettext: it keeps its clinical wording in English
as the source, wrapped in ``N_(...)`` so that ``manage.py makemessages`` (portal's, which adds the ``N_`` keyword)
puts every sentence in the catalog; ``triage/wording.py`` translates them with gettext when a page, the API or an
export shows them.
"""


def N_(text: str) -> str:  # noqa: N802 - the conventional gettext name for "marked, not translated"
    return text
