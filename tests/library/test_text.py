"""Invariants of the search folding and of the tag storage that filters rely on."""

from hypothesis import given
from hypothesis import strategies as st

from library.fields import TagsField
from library.text import fold, search_text_for

codes = st.lists(st.from_regex(r"[a-z][a-z_]{0,15}", fullmatch=True), max_size=6)


@given(st.text())
def test_fold_is_idempotent_and_plain(text):
    folded = fold(text)
    assert fold(folded) == folded
    assert folded == folded.strip() and "  " not in folded
    assert folded == folded.casefold()


@given(st.text(min_size=1), st.lists(st.text()), st.lists(st.text()))
def test_every_word_of_the_name_is_found_in_the_search_text(name, aliases, cues):
    text = search_text_for(name=name, aliases=aliases, cues=cues)
    assert all(word in text for word in fold(name).split())


@given(codes)
def test_tags_round_trip_and_match_whole_codes(values):
    stored = TagsField.encode(values)
    assert TagsField.decode(stored) == list(dict.fromkeys(values))
    for code in values:
        assert TagsField.lookup(code) in stored
    assert TagsField.lookup("zz_not_there") not in stored or "zz_not_there" in values
