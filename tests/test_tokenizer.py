import subprocess
import sys

from retrieval.text.tokenizer import (
    FOLDED,
    asked_act,
    index_terms,
    named_before_verb,
    segment,
    starts_with_verb,
    syllables,
    verb_before,
)


def test_segment_uses_pyvi_words_and_normalises():
    words = segment("Tư lệnh Bộ đội Biên phòng là ai?")
    assert words == ["tư_lệnh", "bộ_đội", "biên_phòng", "là", "ai"]


def test_segment_folds_tone_placement_before_pyvi():
    assert segment("Uỷ viên") == segment("Ủy viên")


def test_index_terms_hold_syllables_words_and_folded_forms():
    terms = index_terms(["tư_lệnh", "là"])
    assert terms == ["tư", "lệnh", f"{FOLDED}tu", f"{FOLDED}lenh", "tư_lệnh", f"{FOLDED}tu_lenh", "là", f"{FOLDED}la"]


def test_syllables_split_codes():
    assert syllables("33-nq/tw") == ("33", "nq", "tw")


def test_shouted_text_is_segmented_like_normal_text():
    assert segment("TƯ LỆNH BỘ ĐỘI BIÊN PHÒNG") == segment("Tư lệnh Bộ đội Biên phòng")


def test_pyvi_loads_when_text_is_first_segmented_not_at_import():
    """Commands that never segment (``feeds list``, ``backup``) do not pay for pyvi's model;
    checked to fail with pyvi imported at the segmenter's top."""
    program = (
        "import sys, bot.__main__, bot.corpus_cli, bot.backup_cli, bot.telegram_bot\n"
        "print('pyvi.ViTokenizer' in sys.modules)\n"
        "from retrieval.text.tokenizer import segment\n"
        "print(segment('Tư lệnh'), 'pyvi.ViTokenizer' in sys.modules)\n"
    )
    ran = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120, check=True)
    assert ran.stdout.splitlines() == ["False", "['tư_lệnh'] True"]


def test_a_question_that_starts_with_its_verb_has_no_subject():
    """pyvi's tagger: "Áp dụng …" is a verb, "Giá vàng …" a noun; unaccented text is not read."""
    assert starts_with_verb("Áp dụng đến năm nào?") and starts_with_verb("Ban hành ngày nào?")
    assert not starts_with_verb("Giá vàng hôm nay bao nhiêu?") and not starts_with_verb("Nhiệm kỳ nào?")
    assert not starts_with_verb("ap dung den nam nao") and not starts_with_verb("")


def test_the_act_asked_of_someone_named():
    """ "X khẳng định gì?" asks what X affirmed: a compound verb before "(điều) gì", after a proper noun."""
    assert asked_act("Bí thư Tỉnh ủy Quảng Ninh, Nguyễn Xuân Ký khẳng định gì về công tác phối hợp?") == "khẳng định"
    assert asked_act("Trung tướng Lê Đức Thái mong muốn điều gì?") == "mong muốn"
    # a name opening the question, which pyvi tags as a common noun there (console)
    assert asked_act("Nguyễn Xuân Ký khẳng định gì về công tác phối hợp?") == "khẳng định"
    assert asked_act("Mỗi nhãn gói bao gồm cái gì") is None  # nobody named
    # the verb after the one named, its object a noun asked which of (bench/dev16)
    assert asked_act("Đại tướng Lương Cường lưu ý BĐBP làm tốt công tác gì?") == "lưu ý"
    assert asked_act("Nghị quyết 33 về vấn đề gì?") is None and asked_act("Lê Đức Thái giữ chức vụ gì?") is None
    assert asked_act("nguyen xuan ky khang dinh gi") is None and asked_act("Lê Đức Thái là ai?") is None
    # "… với ai?": whom the named one did it with ("BĐBP Lai Châu kết nghĩa với ai?" had been answered
    # by a sentence on Lai Châu that says no "kết nghĩa")
    assert asked_act("BĐBP Lai Châu kết nghĩa với ai?") == "kết nghĩa"
    assert asked_act("Ai chủ trì hội nghị?") is None  # an active "who": often said otherwise (xquad_vi)
    # who had it done: the answer says it ("… trả lời phỏng vấn …", bench/dev20)
    assert asked_act("Ai được phỏng vấn về Nghị quyết Đại hội lần thứ XVIII?") == "phỏng vấn"


def test_a_named_subject_up_to_its_first_verb():
    assert named_before_verb("Nghị quyết 33-NQ/TW của Bộ Chính trị nói") == "Nghị quyết 33-NQ/TW của Bộ Chính trị"
    assert named_before_verb("Quảng Ninh thu hút vốn FDI năm 2023") == "Quảng Ninh"
    assert named_before_verb("Chương trình Xuân Biên phòng ấm lòng dân bản") is None  # "Biên phòng": a name here
    assert named_before_verb("Nghị định 100 quy định mức phạt") is None  # "mức" ends no name
    assert named_before_verb("Ban hành ngày nào") is None and named_before_verb("nghi quyet 33 noi") is None


def test_the_verb_right_before_a_noun():
    """What someone did to the conference an answer names: "Hội nghị đó" is the one he chaired."""
    answer = "Đại tá Nguyễn Văn Hưng - Bí thư Đảng uỷ, Chính uỷ Bộ đội Biên phòng tỉnh chủ trì Hội nghị ra nghị quyết."
    assert verb_before(answer, "hội nghị") == "chủ trì"
    assert verb_before("Hội nghị diễn ra chiều 5/3.", "hội nghị") is None  # nothing before it
    assert verb_before("dai ta chu tri hoi nghi", "hoi nghi") is None  # without accents: no tagging
