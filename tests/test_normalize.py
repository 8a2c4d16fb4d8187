import unicodedata

from retrieval.normalize import (
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
