import unicodedata

from retrieval.text.normalize import (
    canonical_tones,
    clean_unicode,
    fold_diacritics,
    has_diacritics,
    normalize,
    strip_markup,
)


def test_old_and_new_tone_placement_map_to_one_key():
    assert normalize("Uỷ ban") == normalize("Ủy ban") == "ủy ban"
    assert normalize("hoà bình") == normalize("hòa bình")
    assert normalize("khoẻ") == normalize("khỏe")
    assert normalize("thuỷ") == normalize("thủy")


def test_tone_is_not_moved_where_both_styles_agree():
    # closed syllables and "qu" keep their tone where it is
    assert canonical_tones("hoàng") == "hoàng"
    assert canonical_tones("quý") == "quý"
    assert canonical_tones("khuỳnh") == "khuỳnh"
    assert canonical_tones("HOÀ") == "HÒA"


def test_nfd_input_is_recomposed():
    nfd = unicodedata.normalize("NFD", "Bộ đội Biên phòng")
    assert nfd != "Bộ đội Biên phòng"
    assert normalize(nfd) == "bộ đội biên phòng"


def test_invisible_and_control_characters_are_removed():
    assert clean_unicode("Biên\u200b phòng\u200f\u00a0 \x07 tỉnh") == "Biên phòng tỉnh"
    assert clean_unicode("\ufeff  ") == ""


def test_fold_diacritics_strips_all_marks_and_d_stroke():
    assert fold_diacritics("Đường biên giới Việt Nam") == "Duong bien gioi Viet Nam"
    assert fold_diacritics("dương đường") == "duong duong"
    assert has_diacritics("bộ đội") and not has_diacritics("bo doi")


def test_strip_markup():
    assert strip_markup("<b>Tư lệnh</b> **BĐBP** là _ai_?").split() == ["Tư", "lệnh", "BĐBP", "là", "ai", "?"]
    assert strip_markup("a < b và c > d") == "a < b và c > d"


def _fold_by_table(text: str) -> str:
    """The definition: each character without its combining marks (đ -> d), recomposed."""
    kept = (
        "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        for ch in text.replace("đ", "d").replace("Đ", "D")
    )
    return unicodedata.normalize("NFC", "".join(kept))


def test_fold_diacritics_takes_vietnamese_shortcut_to_the_same_result():
    """Vietnamese text is folded by one ASCII encoding of its decomposed form; anything else
    (Greek, CJK, the grapheme joiner U+034F that is no combining mark, marks on their own) by
    the table. Both give the definition's result, on every line of the shipped articles and on
    random strings mixing Vietnamese with everything else."""
    import random
    from pathlib import Path

    data = Path(__file__).resolve().parents[1] / "data"
    lines = [line for path in sorted(data.glob("*.txt")) for line in path.read_text("utf-8").splitlines()]
    assert len(lines) > 50
    for line in lines:
        assert fold_diacritics(line) == _fold_by_table(line)
        assert fold_diacritics(unicodedata.normalize("NFD", line)) == _fold_by_table(line)
    rng = random.Random(3)
    pool = [chr(c) for c in range(0x20, 0x3000) if not 0xD800 <= c < 0xE000] + list("đĐ\u034f\u0300\u0323ệƯ")
    for _ in range(20_000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(1, 8)))
        assert fold_diacritics(text) == _fold_by_table(text), repr(text)
    assert fold_diacritics("Đường biên giới") == "Duong bien gioi" and fold_diacritics("Ωμέγα") == "Ωμεγα"
    assert fold_diacritics("a\u034fb") == "a\u034fb"  # the joiner stays, as the table keeps it
