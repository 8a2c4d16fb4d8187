"""Properties of the text layer that must hold for any input, checked with hypothesis on
generated text (Vietnamese letters, combining marks, every kind of space and line break)."""

from __future__ import annotations

import json
import tempfile
import unicodedata
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from retrieval.corpus import decode_text, jsonl_lines
from retrieval.text.normalize import canonical_tones, clean_unicode, fold_diacritics, normalize, printable
from retrieval.text.splitter import split_sentences, strip_list_marker
from retrieval.web.ingest import _edit_jsonl

VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
ODD = "\u0300\u0301\u0303\u0309\u0323\u200b\u200d\u00ad\ufeff\u202e\u2028\u2029\u0085\x00\x1b\t\r\n \u00a0\u3000"
PUNCTUATION = ".,!?…\"'()-0123456789"
text = st.text(alphabet=st.sampled_from(VIETNAMESE + ODD + PUNCTUATION), max_size=200) | st.text(max_size=80)
paragraph = st.text(alphabet=st.sampled_from(VIETNAMESE + " .,!?…\"'()-0123456789ĐTP"), max_size=300)


@given(text)
def test_normalisation_is_idempotent(value):
    for function in (clean_unicode, normalize, fold_diacritics, canonical_tones, printable):
        once = function(value)
        assert function(once) == once, function.__name__


@given(text)
def test_the_matching_key_is_the_same_for_nfc_and_nfd(value):
    assert normalize(unicodedata.normalize("NFD", value)) == normalize(unicodedata.normalize("NFC", value))


@given(text)
def test_printable_text_has_no_control_characters(value):
    """Nothing a terminal acts on: no C0/C1 control (ESC and CSI included), no line break."""
    assert not [ch for ch in printable(value) if unicodedata.category(ch) == "Cc" or ch in "\u2028\u2029"]


@given(paragraph)
def test_splitting_loses_no_character(value):
    """The sentences, joined, are the paragraph (its list marker and spacing aside)."""
    sentences = split_sentences(value)
    assert "".join(sentences).replace(" ", "") == strip_list_marker(value.strip()).replace(" ", "")
    assert all(s and s == s.strip() for s in sentences)


record_text = st.text(min_size=1, max_size=120).filter(lambda t: "\x00" not in t)


@settings(max_examples=60, deadline=None)
@given(st.lists(record_text, min_size=1, max_size=4))
def test_a_jsonl_record_round_trips_whatever_unicode_it_holds(texts):
    """Written by the editing path, read by the reader's line splitting: every record whole."""
    records = [{"url": f"https://x.vn/{n}", "title": t, "text": t} for n, t in enumerate(texts)]
    with tempfile.TemporaryDirectory() as folder:
        _edit_jsonl(Path(folder), "web.jsonl", records, set())
        pieces, _ = decode_text((Path(folder) / "web.jsonl").read_bytes(), "web.jsonl")
        assert [json.loads(line) for line in jsonl_lines(pieces) if line.strip()] == records
