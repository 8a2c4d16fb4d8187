import pytest

from retrieval.question.answer_type import AnswerCheck, expected_answer


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Quảng Ninh thu hút đầu tư đạt bao nhiêu?", "number"),
        ("quang ninh thu hut dau tu dat bao nhieu", "number"),
        ("Nghị quyết 33 ban hành năm nào?", "time"),
        ("nghi quyet 33 ban hanh khi nao", "time"),
        ("Tư lệnh Bộ đội Biên phòng là ai?", "person"),
        ("tu lenh bo doi bien phong la ai", "person"),
        ("Thủ tướng Chính phủ tên là gì?", "person"),
        ("chinh uy bien phong ten gi", "person"),
        ("Huyện nào về đích nông thôn mới?", "place"),
        # a kind of place with words of its own, asked which (bench/dev3, dev5, dev9, dev2)
        ("Biên phòng phối hợp với nước bạn nào?", "place"),
        ("phoi hop voi nuoc lang gieng nao", "place"),
        ("Huyện biên giới nào về đích nông thôn mới?", "place"),
        ("Đơn vị thực hiện tính năng nào?", None),
        ("don vi thuc hien tinh nang nao", None),  # unaccented "tinh" may be "tính", "tình", "tinh"
        ("Đó là tổ chức xã hội nào?", None),  # "xã hội": society, no commune
        # a named programme: answered by its name, not by a person's (bench/dev, dev2, dev9)
        ("Phong trào nào giúp người nghèo có nhà ở?", "title"),
        ("Mô hình giúp người nghèo có nhà ở nơi biên giới tên là gì?", "title"),
        ("Biên phòng làm nhà cho hộ nghèo qua chương trình nào?", "title"),
        ("Đại tướng nhắc BĐBP phát huy tinh thần nào?", "title"),
        ("Ông ấy mang quân hàm gì?", "rank"),
        ("ong ay mang quan ham gi", "rank"),
        ("Ông ấy còn giữ chức vụ gì?", "office"),
        ("ong ay giu chuc gi", "office"),
        ("Ban Ki-Moon là Tổng thư ký của tổ chức nào?", None),  # a body, not an office
        ("Phương châm 3 bám 4 cùng là gì?", None),
        ("may bay", None),  # unaccented "may" may be "máy"
    ],
)
def test_expected_answer(question, kind):
    """ "X tên là gì?" asks a name as "X là ai?" does (bench/dev6: "Thủ tướng Chính phủ tên là gì?")."""
    assert expected_answer(question) == kind


def test_an_answer_must_hold_something_new():
    number = AnswerCheck("Năm 2023 Quảng Ninh thu hút bao nhiêu vốn?")
    assert number.holds("Năm 2023 đạt 3,1 tỷ USD.")
    assert not number.holds("Năm 2023 Quảng Ninh thu hút vốn.")
    person = AnswerCheck("Tư lệnh là ai?")
    country = AnswerCheck("Biên phòng phối hợp với nước láng giềng nào?")
    assert person.holds("Dự có Trung tướng Lê Đức Thái.")
    assert not person.holds("tư lệnh đã phát biểu.")
    # a programme's name in quotes, not a saying quoted
    programme = AnswerCheck("Phong trào nào giúp người nghèo có nhà ở?")
    assert programme.holds("Có thể kể đến: “Mái ấm cho người nghèo nơi biên giới”, “Xuân biên phòng”.")
    assert not programme.holds(
        "Khắc sâu lời dạy của Bác Hồ: “Ở những nơi đồng bào thiểu số, phải luôn giúp đỡ giáo dục đồng bào, làm cho "
        "đồng bào tin yêu cán bộ thì đồng bào sẽ luôn luôn giúp đỡ cán bộ”."
    )
    spirit = AnswerCheck("Đại tướng Lương Cường nhắc BĐBP phát huy tinh thần nào?")  # a slogan: commas and all
    assert spirit.holds('Phát huy tinh thần "Đồn là nhà, biên giới là quê hương, đồng bào các dân tộc là anh em".')
    assert not programme.holds("Phong trào giúp người nghèo có nhà ở được nhân rộng.")
    # "bao lâu" asks a length of time, or a span or its end; a point in time is none (bench/dev15, dev18)
    how_long = AnswerCheck("Hội nghị chiều 5/3 tại Hà Nội kéo dài bao lâu?")
    assert not how_long.holds("Chiều 5/3, tại Hà Nội, hai bên đã có buổi gặp mặt, giai đoạn 2021-2023.")
    assert not how_long.holds("Ngày 5 tháng 3 hai bên họp.")
    for lasting in (
        "kéo dài 3 ngày",
        "thường kéo dài ba năm",
        "khoảng 1 tỷ năm trước",
        "từ năm 1870 đến 1939",
        "mãi cho đến thế kỷ mười chín",
        "đến phần tư thứ hai của thế kỷ 19",
        "còn 3:08",
        "vài tháng",
    ):
        assert how_long.holds(f"Hội nghị {lasting}."), lasting
    # a motto is quoted right after its kind; a list of programmes' names is no motto (bench/dev20)
    motto = AnswerCheck("BĐBP Lai Châu giúp dân theo phương châm nào?")
    assert motto.holds("Cán bộ tham gia sinh hoạt tại chi bộ bản với phương châm “3 bám, 4 cùng”.")
    assert not motto.holds("Có thể kể đến: “Mái ấm cho người nghèo nơi biên giới”, “Xuân biên phòng”.")
    assert spirit.holds('Phát huy tinh thần: "Đồn là nhà, biên giới là quê hương".')
    # a kind of place asked which, named after its kind; nothing of it for other questions
    assert country.names_kind("Phối hợp chặt chẽ với nước bạn Lào.")
    assert not country.names_kind("Phối hợp với lực lượng bảo vệ biên giới, cửa khẩu nước láng giềng.")
    assert not country.names_kind("Đồng chí Phan Việt Cường đề nghị Đảng ủy BĐBP bám sát nghị quyết.")
    # a border post or a party committee is written with its kind, maybe abbreviated (bench/dev20)
    committee = AnswerCheck("Bí thư Phan Việt Cường làm việc với đảng ủy nào?")
    assert committee.kind_named and committee.names_kind("Làm việc với Đảng ủy Bộ đội Biên phòng.")
    assert committee.names_kind("Những đề xuất của Đảng ủy BĐBP tỉnh.")
    assert not committee.names_kind("Bí thư Tỉnh ủy Phan Việt Cường phát biểu chỉ đạo tại buổi làm việc.")
    assert AnswerCheck("Chính ủy kiểm tra đồn nào?").names_kind("Kiểm tra CB, CS Đồn BP Pò Hèn.")
    assert not AnswerCheck("don vi nao duy tri ket nghia").kind_named  # "đơn vị", no "đồn"
    # which one by a verb and its preposition: a name right after them fills the slot
    unit = AnswerCheck("Đại tướng Lương Cường làm việc với đơn vị nào?")
    assert unit.slotted and unit.fills("Sáng 27-3, Đại tướng chủ trì làm việc với Ban Thường vụ Đảng ủy.")
    assert not unit.fills("Kết luận tại buổi làm việc với đơn vị mới đây.")
    assert not AnswerCheck("Tư lệnh BĐBP là ai?").slotted
    assert programme.names_kind("Có thể kể đến: “Mái ấm cho người nghèo nơi biên giới”.")
    assert AnswerCheck("Tư lệnh là ai?").names_kind("Trung tướng Lê Đức Thái.") is None
    # a person or a place is named by a capitalised word, never by an abbreviation
    assert not person.holds("Tư lệnh dự hội nghị của BĐBP.")
    assert not country.holds("Biên phòng ngăn chặn ngư dân vi phạm IUU trên biển.")
    assert country.holds("Biên phòng phối hợp chặt chẽ với nước bạn Lào.")
    assert AnswerCheck("Nghị quyết ban hành khi nào?").holds("Nghị quyết ngày 28/9/2018.")
    assert not AnswerCheck("Phương châm là gì?").holds("Có 3 bám, 4 cùng.")  # no kind asked
    # a rank, even one the question names (a follow-up names its person with theirs)
    rank = AnswerCheck("Tư lệnh BĐBP, Trung tướng Lê Đức Thái mang quân hàm gì?")
    assert rank.holds("Dự hội nghị có Trung tướng Lê Đức Thái, Tư lệnh BĐBP.")
    assert not rank.holds("Bộ Tư lệnh BĐBP đã lãnh đạo các cơ quan, đơn vị.")
    # an office besides the one the question names (bench/dev12: a caption naming only that one)
    office = AnswerCheck("Bí thư Tỉnh ủy Phan Việt Cường còn giữ chức vụ gì?")
    assert office.holds("Đó là chỉ đạo của Ủy viên Trung ương Đảng, Bí thư Tỉnh ủy Phan Việt Cường.")
    assert not office.holds("Bí thư Tỉnh ủy Phan Việt Cường phát biểu chỉ đạo tại buổi làm việc.")
    # an ordinal counts nothing ("thứ 3 từ phải sang", a photo's caption) unless one is asked
    assert not AnswerCheck("Đồn có bao nhiêu cán bộ?").holds("Đại tá An (thứ 3 từ phải sang) thăm đồn.")
    assert AnswerCheck("Kenya xếp thứ mấy năm 2012?").holds("Năm 2012, Kenya xếp thứ 3.")
    assert AnswerCheck("kenya xep thu bao nhieu nam 2012").holds("Năm 2012, Kenya xếp thứ 3.")
    # "năm" and "tư" are no numbers ("những năm qua", "đầu tư"); "bao lâu" takes "vài năm"
    assert not AnswerCheck("Lai Châu có bao nhiêu đồn?").holds("Những năm qua, đồn thu hút đầu tư.")
    # a slogan's or title's numbers count nothing (bench/dev8: "“3 bám, 4 cùng”")
    assert not AnswerCheck("Đồn tham gia bao nhiêu ban?").holds("Đồn tham gia ban với phương châm “3 bám, 4 cùng”.")
    # nor does a document's number: "Nghị quyết 16" is a name
    poor = AnswerCheck("Quảng Ninh có bao nhiêu hộ nghèo?")
    assert not poor.holds("Quảng Ninh cụ thể hóa Nghị quyết 16, Nghị quyết số 33-NQ/TW của Bộ Chính trị.")
    assert poor.holds("Quảng Ninh còn 16 hộ nghèo theo Nghị quyết 33.")
    # nor one that ends a name or a document's name (bench/dev12): the law's year, the plenum's number
    articles = AnswerCheck("Luật Biên phòng Việt Nam có bao nhiêu điều?")
    assert not articles.holds("Triển khai Luật Biên giới quốc gia, Luật Biên phòng Việt Nam 2020.")
    assert not articles.holds("Trọng tâm là Nghị quyết Trung ương 8, khóa XIII, Luật Biên phòng Việt Nam.")
    assert articles.holds("Luật Biên phòng Việt Nam 2020 có 6 chương, 36 điều.")
    assert AnswerCheck("Năm 2020 có bao nhiêu luật?").holds("Trong Năm 2020 có 3 luật.")
    assert AnswerCheck("Đồn tham gia bao nhiêu ban?").holds("Đồn tham gia 2 ban với phương châm “3 bám”.")
    assert AnswerCheck("Mất bao lâu để thấy hiệu ứng?").holds("Phải mất vài năm để thấy hiệu ứng.")
    century = AnswerCheck("Trường được thành lập vào thế kỷ nào?")
    assert century.holds("Trường được thành lập vào đầu thế kỷ XIX.")
    assert not century.holds("Trường được thành lập trong thế kỷ này.")
    # "X xảy ra khi nào?" is answered by "X xảy ra khi Y", not by any "khi"
    assert AnswerCheck("Suy giảm miễn dịch xảy ra khi nào?").holds("Suy giảm miễn dịch xảy ra khi cơ thể yếu.")
    assert not AnswerCheck("Suy giảm miễn dịch xảy ra khi nào?").holds("Bệnh nặng hơn khi cơ thể yếu.")


def test_a_day_asked_and_a_year_that_ends_another_name():
    day = AnswerCheck("Đại hội lần thứ XVIII diễn ra ngày nào?")
    assert not day.holds("Nghị quyết Đại hội lần thứ XVIII, nhiệm kỳ 2020-2025, đi vào cuộc sống.")
    assert day.holds("Sáng 27-3, Đại hội lần thứ XVIII khai mạc.")
    assert day.holds("Đại hội khai mạc ngày 5 tại Hà Nội.")
    assert AnswerCheck("Hôm nào?").kind == "time"
    part = AnswerCheck("Hội nghị diễn ra vào buổi nào?")  # a part of a day, which a year does not say
    assert part.kind == "time" and part.holds("Chiều 5/3, tại Hà Nội, hội nghị diễn ra.")
    assert not part.holds("Hội nghị đánh giá giai đoạn 2021-2023.")
    assert AnswerCheck("Đại hội diễn ra năm nào?").holds("Đại hội diễn ra năm 2020.")
    # a day written with a hyphen is a time for any "when", not only for "ngày nào" (bench/dev18)
    when = AnswerCheck("Đại tướng Lương Cường làm việc về nhiệm vụ năm 2024 bao giờ?")
    assert when.holds("Sáng 27-3, Đại tướng Lương Cường làm việc về nhiệm vụ năm 2024.")
    assert not when.holds("Đại tướng Lương Cường làm việc về nhiệm vụ năm 2024 theo Nghị quyết 33-NQ/TW.")
    # "Luật Biên phòng Việt Nam 2020" dates that law, not the directive asked about beside it
    directive = AnswerCheck("Chỉ thị số 01/CT-TTg được ban hành năm nào?")
    listed = "Triển khai Luật Biên phòng Việt Nam 2020; Chỉ thị số 01/CT-TTg của Thủ tướng."
    assert not directive.holds(listed)
    assert AnswerCheck("Luật Biên phòng Việt Nam được ban hành năm nào?").holds(listed)
    assert directive.holds("Năm 2020 Thủ tướng ban hành Chỉ thị số 01/CT-TTg.")  # "Năm 2020" is a time


def test_where_needs_a_preposition_of_place():
    where = AnswerCheck("Buổi làm việc ngày 27-3 diễn ra ở đâu?")
    assert not where.locates("Sáng 27-3, Đại tướng Lương Cường chủ trì làm việc với Ban Thường vụ Đảng ủy.")
    assert where.locates("Chiều 5/3, tại Hà Nội, hai bên đã có buổi gặp mặt.")
    assert AnswerCheck("Hầu hết trẻ em làm việc ở đâu?").locates("Hầu hết trẻ em lao động trong nông nghiệp.")
    assert AnswerCheck("buoi lam viec dien ra o dau").locates("Buổi làm việc diễn ra tại Hà Nội.")
    assert not AnswerCheck("buoi lam viec dien ra o dau").locates("Đại tướng chủ trì buổi làm việc.")
    # the asked event named again, or a time after the preposition, is no place
    works = AnswerCheck("Lương Cường làm việc ở đâu?")
    assert not works.locates("Đại tướng nêu kết luận tại buổi làm việc với đơn vị mới đây.")
    assert not works.locates("Đại tướng Lương Cường làm việc vào chiều nay.")
    assert AnswerCheck("Ông Ký phát biểu ở đâu?").locates("Ông Ký phát biểu tại hội nghị.")
    # an event is held at a place, not at another event (bench/dev12); a speech may be at one
    held = AnswerCheck("Chương trình giao lưu tổ chức ở đâu?")
    assert not held.locates("Triển khai kết luận tại buổi làm việc, chuẩn bị tổ chức chương trình giao lưu.")
    assert not held.locates("Chương trình giao lưu được tổ chức trong hội nghị thường niên.")
    assert held.locates("Chương trình giao lưu được tổ chức tại tỉnh Lào Cai.")
    # "tỉnh nào" wants a name, checked as a constraint; "Đâu là …" asks what; unaccented text says nothing
    assert AnswerCheck("Đồn Pò Hèn thuộc tỉnh nào?").locates("Đồn Pò Hèn là đơn vị vững mạnh.")
    assert AnswerCheck("Đâu là nguồn nhiệt chính?").locates("Nhiệt lấy chủ yếu là than đá.")
    assert where.locates("Dai tuong chu tri lam viec voi Ban Thuong vu.")


def test_what_a_how_many_question_counts():
    from retrieval.question.answer_type import counted_thing

    assert counted_thing("Đồn Biên phòng Hoành Mô có bao nhiêu cán bộ, chiến sĩ?") == "can bo"
    assert counted_thing("quang ninh co bao nhieu huyen") == "huyen"
    assert counted_thing("Có mấy km đường biên giới?") == "km duong"
    assert counted_thing("Vốn FDI năm 2023 là bao nhiêu?") is None


def test_a_number_right_before_what_is_counted_answers_a_how_many_question():
    check = AnswerCheck("Đồn Biên phòng Hoành Mô có bao nhiêu cán bộ, chiến sĩ?")
    assert check.counts("Hiện nay, Đồn Biên phòng Hoành Mô có 20 cán bộ, chiến sĩ.")
    assert check.counts("Đơn vị có hơn 1.200 cán bộ, chiến sĩ.")  # one word between at most
    assert check.counts("don co 20 can bo, chien si")  # typed without accents
    assert not check.counts("Cán bộ, chiến sĩ của đồn tuần tra 427 km.")  # a number, of something else
    assert not check.counts("Năm qua, cán bộ, chiến sĩ của đồn giúp dân.")  # "năm" is a year here, not five
    assert not AnswerCheck("Ai là đồn trưởng?").counts("Đồn có 20 cán bộ.")  # not a how-many question


def test_digits_looked_at_first_give_the_full_scans_verdict():
    """A number question's check looks at the sentence's digits first: the verdict is still
    "holds a number (digit or number word) the question lacks", on every shipped line and with
    questions that hold digits themselves (ordinals, quoted names, documents' numbers and numbers
    ending a name aside: none is asked)."""
    from pathlib import Path

    from retrieval.question.answer_type import (
        _DOCUMENT_NUMBER,
        _NUMBER,
        _NUMBER_IN_TEXT,
        _ORDINAL,
        QUOTED,
        _unless_a_name_ends,
    )
    from retrieval.text.normalize import fold_diacritics

    data = Path(__file__).resolve().parents[1] / "data"
    lines = [line for path in sorted(data.glob("*.txt")) for line in path.read_text("utf-8").splitlines()]
    lines += ["Có 2 đồn và 2 trạm.", "Hai mươi cán bộ.", "Năm 2023 có 2023 hộ."]
    verdicts = set()
    for question in ("Có bao nhiêu cán bộ?", "Năm 2023 có bao nhiêu hộ?", "bao nhieu ho dan nam 2 0 1 9"):
        check = AnswerCheck(question)
        assert check.kind == "number"
        for line in lines:
            kept = _DOCUMENT_NUMBER.sub(" ", QUOTED.sub(" ", _ORDINAL.sub(" ", line)))
            numbers = _NUMBER.finditer(_NUMBER_IN_TEXT.sub(_unless_a_name_ends, kept))
            full = any(fold_diacritics(m.group().lower()) not in check.asked for m in numbers)
            assert check.holds(line) == full, (question, line)
            verdicts.add(full)
    assert verdicts == {True, False}
