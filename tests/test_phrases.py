"""retrieval.question.phrases: what a question is about and the names it holds."""

from retrieval.question.phrases import asks, named_noun, subject


def test_subject_drops_the_asking_part():
    assert subject("Tư lệnh BĐBP là ai?") == "Tư lệnh BĐBP"
    assert subject("Ai là Chính ủy BĐBP tỉnh Lai Châu?") == "Chính ủy BĐBP tỉnh Lai Châu"
    assert subject("Khi nào?") == ""
    assert (
        subject("Phong trào “Xuân Biên phòng ấm lòng dân bản” là gì?") == "Phong trào “Xuân Biên phòng ấm lòng dân bản”"
    )
    assert subject("Về vấn đề gì?") == ""  # a preposition alone is no subject
    assert subject("Tư lệnh BĐBP tên gì") == "Tư lệnh BĐBP"  # "tên gì" is asked whole (was "… tên")
    # a question that starts with the noun it asks which of: the noun and what it does (was "Lực")
    assert subject("Lực lượng nào giúp dân xóa đói giảm nghèo?") == "Lực lượng giúp dân xóa đói giảm nghèo"
    assert subject("Đồn Biên phòng nào có mô hình mẫu?") == "Đồn Biên phòng có mô hình mẫu"


def test_a_named_noun_runs_through_lowercase_syllables_to_its_next_capital():
    assert named_noun("Nghị quyết số 23-NQ/TU nói về gì?", 0, 2) == "Nghị quyết số 23-NQ/TU"
    assert named_noun("Luật Biên phòng Việt Nam có hiệu lực khi nào?", 0, 1) == "Luật Biên phòng Việt Nam"
    assert named_noun("Nghị quyết Trung ương 8, khóa XIII về Chiến lược", 0, 2) == "Nghị quyết Trung ương 8"
    assert named_noun("Huyện Tiên Yên đạt chuẩn NTM nâng cao", 0, 1) == "Huyện Tiên Yên"  # not to an abbreviation
    assert named_noun("nghị quyết của Đảng", 0, 2) is None  # no name of its own
    assert named_noun("Nghị quyết số 23-NQ/TU ngày 3/3/2024 về biên giới", 0, 2) == "Nghị quyết số 23-NQ/TU"  # a date


def test_a_noun_before_a_quoted_name_takes_the_whole_quote():
    """Not "Chương trình “Xuân Biên" (a quote mark is punctuation the capitals ran over)."""
    said = "tiêu biểu như: Chương trình “Xuân Biên phòng ấm lòng dân bản”; “Biên cương”"
    at = said.index("Chương")
    assert named_noun(said, at, 2) == "Chương trình “Xuân Biên phòng ấm lòng dân bản”"


def test_a_question_word_with_accents_or_without():
    assert asks("Còn huyện nào về đích?") and asks("con huyen nao ve dich") and asks("là ai")
    assert not asks("Còn Chính ủy?") and not asks("con chinh uy")


def test_what_a_yes_no_question_asks_its_subject():
    from retrieval.question.phrases import yes_no_asked

    assert yes_no_asked("Huyện Đầm Hà có còn hộ nghèo không?") == "còn hộ nghèo"
    assert yes_no_asked("Con số đó có phải là kỷ lục không?") == "kỷ lục"
    assert yes_no_asked("Bình Liêu đã về đích nông thôn mới chưa?") == "về đích nông thôn mới"
    assert yes_no_asked("Có tỉnh nào khác ban hành nghị quyết như vậy không?") is None
    assert yes_no_asked("Ông ấy có nói gì về Lào không?") is None
    assert yes_no_asked("Tên của thuộc tính để chỉ ra số đó có là số nguyên tố hay không?") is None
    assert yes_no_asked("Quảng Ninh có bao nhiêu huyện?") is None


def test_the_topic_asked_about():
    from retrieval.question.phrases import topic_asked

    assert topic_asked("Phan Việt Cường yêu cầu gì về tội phạm?") == "tội phạm"
    assert topic_asked("Ông ấy nói gì đối với công tác phối hợp?") == "công tác phối hợp"
    assert topic_asked("Ông ấy nói gì về Lào?") is None  # a name: met by the article as names are
    assert topic_asked("Nghị quyết 33 về vấn đề gì?") is None
