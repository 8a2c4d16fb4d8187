"""retrieval.question.verdict: what a sentence must hold to state the answer to a question."""

import pytest

from retrieval.question.verdict import constraints

PAIRS = {"BĐBP": "Bộ đội Biên phòng", "UBND": "Ủy ban nhân dân", "HĐND": "Hội đồng nhân dân"}
QN_ARTICLE = "Về phía tỉnh Quảng Ninh có các đồng chí trong Ban Thường vụ Tỉnh ủy."


@pytest.mark.parametrize(
    ("question", "sentence", "context", "met"),
    [
        # the year asked is not the year stated
        (
            "Vốn FDI vào Quảng Ninh năm 2022 là bao nhiêu?",
            "Quảng Ninh thu hút đầu tư năm 2023 đạt 3,1 tỷ USD.",
            "",
            False,
        ),
        ("Quảng Ninh thu hút bao nhiêu vốn năm 2023?", "Quảng Ninh thu hút đầu tư năm 2023 đạt 3,1 tỷ USD.", "", True),
        # the exact office: "Chủ tịch nước" is not "Chủ tịch HĐND tỉnh", "Phó Tư lệnh" not "Tư lệnh"
        ("Chủ tịch nước là ai?", "Ông Nguyễn Xuân Ký, Bí thư Tỉnh ủy, Chủ tịch HĐND tỉnh.", "", False),
        (
            "Chủ tịch HĐND tỉnh Quảng Ninh là ai?",
            "Ông Nguyễn Xuân Ký, Bí thư Tỉnh ủy, Chủ tịch HĐND tỉnh.",
            QN_ARTICLE,
            True,
        ),
        ("Phó Tư lệnh Bộ đội Biên phòng là ai?", "Trung tướng Lê Đức Thái, Tư lệnh Bộ đội Biên phòng.", "", False),
        # ... with what says which one in the sentence itself, not only in its article
        (
            "Ai là Chủ tịch UBND tỉnh hôm đó?",
            "Đó là chỉ đạo của Bí thư Tỉnh ủy, Chủ tịch HĐND tỉnh Phan Việt Cường.",
            "Phó Bí thư Tỉnh ủy, Chủ tịch UBND tỉnh Lê Trí Thanh.",
            False,
        ),
        ("Ai là Chủ tịch UBND tỉnh hôm đó?", "Phó Bí thư Tỉnh ủy, Chủ tịch UBND tỉnh Lê Trí Thanh.", "", True),
        # ... and its level after the body: a district's office is not the province's (bench/dev8)
        (
            "Chủ tịch HĐND huyện Bình Liêu là ai?",
            "Ông Nguyễn Xuân Ký, Bí thư Tỉnh ủy, Chủ tịch HĐND tỉnh; lãnh đạo huyện Bình Liêu.",
            "",
            False,
        ),
        ("Chủ tịch HĐND huyện Bình Liêu là ai?", "Ông Hoàng Văn Nô, Chủ tịch HĐND huyện Bình Liêu.", "", True),
        # offices listed together share the body after the last, its command between (bench/dev16)
        (
            "Ai là Bí thư Đảng ủy BĐBP tỉnh Quảng Ninh?",
            "Đại tá Nguyễn Thanh Hải, Bí thư Đảng ủy, Chính ủy Bộ Chỉ huy BĐBP tỉnh Quảng Ninh trả lời phỏng vấn.",
            "",
            True,
        ),
        # a question states nothing: an interviewer's, in an interview's text
        (
            "Đảng bộ BĐBP tỉnh đề ra những khâu đột phá nào?",
            "Để thực hiện tốt 3 khâu đột phá trên, Đảng bộ BĐBP tỉnh sẽ tập trung vào các giải pháp gì thưa đồng chí?",
            "",
            False,
        ),
        (
            "Đảng bộ BĐBP tỉnh đề ra những khâu đột phá nào?",
            "Đảng bộ cũng xác định rõ 3 khâu đột phá, đó là: Thực hiện quyết liệt Đề án tổ chức lực lượng BĐBP.",
            "",
            True,
        ),
        # "ở đâu": a sentence that says nowhere, though its article names places
        ("Lương Cường làm việc ở đâu?", "Sáng 27-3, Đại tướng Lương Cường chủ trì làm việc.", "Hà Nội", False),
        ("Lương Cường làm việc ở đâu?", "Sáng 27-3, tại Hà Nội, Đại tướng Lương Cường làm việc.", "", True),
        # an abbreviation matches its long form, both ways
        ("Tư lệnh BĐBP là ai?", "Trung tướng Lê Đức Thái, Tư lệnh Bộ đội Biên phòng.", "", True),
        (
            "Chính ủy Bộ đội Biên phòng tỉnh Quảng Ninh là ai?",
            "Đại tá Nguyễn Thanh Hải, Chính ủy BĐBP tỉnh Quảng Ninh.",
            "",
            True,
        ),
        # the province the article is about, not the sentence's: checked in its article
        (
            "Chủ tịch UBND tỉnh Quảng Ninh là ai?",
            "Phó Bí thư Tỉnh ủy, Chủ tịch UBND tỉnh Lê Trí Thanh.",
            "Tỉnh Quảng Nam.",
            False,
        ),
        (
            "Chủ tịch UBND tỉnh Quảng Ninh là ai?",
            "Phó Bí thư Tỉnh ủy, Chủ tịch UBND tỉnh Lê Trí Thanh.",
            QN_ARTICLE,
            True,
        ),
        # what is asked must be in the sentence: a date, a number, a name, a reason
        ("Trung tướng Lê Đức Thái sinh năm nào?", "Dự hội nghị có Trung tướng Lê Đức Thái, Tư lệnh.", "", False),
        ("Lai Châu có bao nhiêu đồn biên phòng?", "Chương trình Con nuôi đồn biên phòng ở Lai Châu.", "", False),
        ("Tại sao Quảng Ninh ban hành nghị quyết?", "Quảng Ninh ban hành nghị quyết chuyên đề.", "", False),
        ("Tại sao Quảng Ninh ban hành nghị quyết?", "Quảng Ninh ban hành nghị quyết vì biên giới dài.", "", True),
        # the circumstances said as the reason: "trong bối cảnh …" (bench/dev18)
        (
            "Vì sao Bí thư Tỉnh ủy Phan Việt Cường lưu ý không được chủ quan?",
            "Bí thư Tỉnh ủy Phan Việt Cường nhấn mạnh, trong bối cảnh tình hình phức tạp, khó lường.",
            "",
            True,
        ),
        # Roman numerals, numbers at the start of a document number
        (
            "Đại hội Đảng bộ BĐBP tỉnh lần thứ 18 có nhiệm kỳ nào?",
            "Đại hội Đảng bộ BĐBP tỉnh lần thứ XVIII, nhiệm kỳ 2020-2025.",
            "",
            True,
        ),
        ("Nghị quyết 33 ban hành ngày nào?", "Nghị quyết 33-NQ/TW, ngày 28/9/2018 của Bộ Chính trị.", "", True),
        # a paraphrase's own words are not constraints
        ("Ai đứng đầu lực lượng Bộ đội Biên phòng?", "Trung tướng Lê Đức Thái, Tư lệnh Bộ đội Biên phòng.", "", True),
        # "who is the X?": the sentence itself names someone as X; its article naming X is not enough
        (
            "Ai là Chính ủy BĐBP tỉnh Lai Châu?",
            "Khắc sâu lời dạy của Bác Hồ, cán bộ luôn gần dân.",
            "Đại tá Nguyễn Văn Hưng, Chính ủy BĐBP tỉnh Lai Châu.",
            False,
        ),
        ("Ai là Chính ủy BĐBP tỉnh Lai Châu?", "Đại tá Nguyễn Văn Hưng, Chính ủy BĐBP tỉnh.", "Tỉnh Lai Châu.", True),
        # "Bộ Tư lệnh" is a command, not its commander; in the question it is no office either
        ("Tư lệnh BĐBP tỉnh Quảng Ninh là ai?", "Đảng ủy, Bộ Tư lệnh BĐBP và Tỉnh ủy Quảng Ninh phối hợp.", "", False),
        (
            "Ai là Bí thư Tỉnh ủy Quảng Ninh dự hội nghị với Bộ Tư lệnh BĐBP?",
            "Đồng chí Nguyễn Xuân Ký, Bí thư Tỉnh ủy Quảng Ninh, phát biểu.",
            "Hội nghị giữa Tỉnh ủy Quảng Ninh và Bộ Tư lệnh BĐBP.",
            True,
        ),
    ],
)
def test_a_sentence_states_the_answer_only_when_it_meets_the_question(question, sentence, context, met):
    assert constraints(question).met(sentence, context, PAIRS) is met


def test_the_first_word_of_a_question_is_no_name_and_offices_take_their_body():
    assert constraints("Trung tướng Nguyễn Anh Tuấn quê ở tỉnh nào?").phrases == ("name:Nguyễn Anh Tuấn",)
    assert "whole:chu tich quoc hoi" in constraints("Chủ tịch Quốc hội là ai?").phrases  # named whole
    assert constraints("chu tich nuoc la ai").phrases == ("chu tich",)  # no capitals: the head alone
    # the words before the question word are what is asked of the holder, not which office it is
    said = "Quán triệt chỉ đạo của đồng chí Tổng Bí thư Nguyễn Phú Trọng: Quân đội phải có mặt."
    assert "tong bi thu" in constraints("Tổng Bí thư chỉ đạo gì?").phrases
    assert constraints("Tổng Bí thư chỉ đạo gì?").met(said, "", PAIRS)
    assert "chu tich nuoc" in constraints("Chủ tịch nước là ai?").phrases


CORPUS_WORDS = {"giai", "nhac", "cu", "panthers", "zeira", "galor", "nguyen", "thanh", "hai", "ha", "da", "tung", "doi"}


@pytest.mark.parametrize(
    ("question", "sentence", "met"),
    [
        # a name in Title Case needs its first capital only; a foreign name may be in the plural
        ("Phòng trưng bày Nhạc Cụ đóng cửa năm nào?", "Phòng trưng bày Nhạc cụ đã đóng cửa năm 2010.", True),
        ("Hậu vệ Panther nào phạm lỗi?", "Lỗi của hậu vệ Josh Norman đã giúp Panthers.", True),
        # a name the corpus never spells, one letter off one it does: misspelt
        ("Galor và Zeria chỉ ra điều gì?", "Năm 1993, Galor và Zeira đã chỉ ra rằng bất bình đẳng có hại.", True),
        # a name the corpus does spell is never read as another
        ("Đại tá Nguyễn Thanh Hà là ai?", "Đại tá Nguyễn Thanh Hải đã tới đồn.", False),
        # a time said as a year before present or counted back
        ("Thời kỳ đóng băng cuối kết thúc khi nào?", "Thời kỳ đóng băng kết thúc vào khoảng 11.600 BP.", True),
        ("Châu Âu ấm lên từ khi nào?", "Châu Âu bắt đầu ấm lên từ 22.000 năm trước.", True),
        ("John Sheeshanks tặng bao nhiêu bức tranh?", "Năm 1857, John Sheepshanks tặng 233 bức tranh.", True),
        # an interviewer's question explains nothing
        ("Làm thế nào để nhập ngũ?", "Để nhập ngũ, đồng chí đã làm như thế nào, thưa đồng chí?", False),
    ],
)
def test_names_misspelt_or_in_the_plural_and_times_of_other_shapes(question, sentence, met):
    """Checked to fail without each relaxation (xquad_vi's right answers replied to as such went
    0.918 -> 0.939 with them, no dev set's near miss answered more)."""
    assert constraints(question).met(sentence, "", PAIRS, lambda word: word in CORPUS_WORDS) is met


@pytest.mark.parametrize(
    ("question", "sentence", "met"),
    [
        # a name the asker capitalised, written by the text as a common noun, accents and all
        ("Ai đã hát Quốc Ca ở lễ khai mạc?", "Ca sĩ Mỹ Linh đã hát quốc ca ở lễ khai mạc.", True),
        ("Amazon chiếm bao nhiêu rừng trên Trái đất?", "Amazon chiếm 50% rừng còn lại trên trái đất.", True),
        # ... but not across a comma, not with other accents, not one syllable alone
        ("Ai dự Hội Nghị ở Lai Châu?", "Ông Lê Văn An dự hội, nghị quyết ở Lai Châu được đọc.", False),
        ("Ai dự Hội Nghị ở Lai Châu?", "Ông Lê Văn An hỏi nghĩ gì ở Lai Châu.", False),
        ("Quảng Ninh có bao nhiêu đồn?", "Tỉnh có 20 đồn bảo vệ an ninh.", False),
        # a small number written in words, accents and all; never "năm" (a year) for 5
        ("Giả thuyết nào nói có ít nhất 4 số nguyên tố?", "Giả thuyết Brocard nói có ít nhất bốn số nguyên tố.", True),
        ("Ai là bạn đồng hành của sê-ri thứ 10?", "Sê-ri thứ mười giới thiệu Pearl Mackie, bạn đồng hành mới.", True),
        ("Ai đã bón 4 tấn phân cho ruộng?", "Ông Lê Văn An đã bón phân cho ruộng.", False),
        ("Ai đã tuần tra 5 ngày ở đồn?", "Năm nay Đại úy Lê Văn An đã tuần tra ở đồn.", False),
        # an ordinal is that ordinal, in digits, Roman numerals or words; not the number anywhere
        ("Giao lưu lần thứ 8 tổ chức khi nào?", "Giao lưu lần thứ 7 tổ chức ngày 8/3/2023.", False),
        ("Giao lưu lần thứ 8 tổ chức khi nào?", "Giao lưu lần thứ VIII tổ chức năm 2023.", True),
        ("Giao lưu lần thứ 8 tổ chức khi nào?", "Giao lưu lần thứ tám tổ chức năm 2023.", True),
        # an office ends before a function word: "thủ tướng Anh cũng" is the office "thủ tướng Anh"
        ("Cố vấn nào của thủ tướng Anh cũng là sinh viên?", "Stigler, cố vấn của Thủ tướng Anh Thatcher, là sinh viên.",
         True),
        # a reason: "Do X, Y" at the start of a sentence, not "do" for "by"
        ("Tại sao hóa thạch sứa lược rất hiếm?", "Do cơ thể mềm, hóa thạch sứa lược rất hiếm.", True),
        ("Tại sao mạng Merit được thành lập?", "Mạng Merit do các trường đại học quản lý được thành lập năm 1966.",
         False),
    ],
)  # fmt: skip
def test_what_a_text_writes_otherwise(question, sentence, met):
    """Checked to fail without each rule (xquad_vi's right answers replied to as such went
    0.938 -> 0.955 with them and the times below, no near miss answered more)."""
    assert constraints(question).met(sentence, "", PAIRS) is met


MEETING = "Dự hội nghị có Trung tướng Lê Đức Thái, Tư lệnh Bộ đội Biên phòng, năm 2024."


@pytest.mark.parametrize(
    ("question", "sentence", "met"),
    [
        # a person's own facts must be stated; naming the person at a meeting states none
        ("Trung tướng Lê Đức Thái sinh năm nào?", MEETING, False),
        ("le duc thai sinh nam nao", MEETING, False),
        ("Trung tướng Lê Đức Thái sinh năm nào?", "Trung tướng Lê Đức Thái sinh năm 1967 tại Hà Tĩnh.", True),
        ("Trung tướng Lê Đức Thái quê ở đâu?", MEETING, False),
        ("Trung tướng Lê Đức Thái quê ở đâu?", "Trung tướng Lê Đức Thái quê ở Hà Tĩnh.", True),
        # "quê hương" is a homeland, no one's hometown, asked or stated
        ("Trung tướng Lê Đức Thái quê ở đâu?", "Trung tướng Lê Đức Thái nói biên giới là quê hương ở Hà Tĩnh.", False),
        ("Biên cương như quê hương được diễn đạt ở đâu?", "Câu ấy được Đại tướng nói ở Hà Nội.", True),
        ("Trung tướng Lê Đức Thái bao nhiêu tuổi?", MEETING, False),
        ("Vợ của Trung tướng Lê Đức Thái là ai?", MEETING, False),
        ("Trung tướng Lê Đức Thái giữ chức vụ gì?", MEETING, True),  # an office: no personal fact
        # schooling, promotion and children are personal facts too
        ("Ông Lê Đức Thái học đại học ở trường nào?", MEETING, False),
        ("Ông Lê Đức Thái học đại học ở trường nào?", "Ông Lê Đức Thái học tại Học viện Biên phòng.", True),
        ("Trung tướng Lê Đức Thái được phong quân hàm Trung tướng năm nào?", MEETING + " Năm 2024.", False),
        ("Trung tướng Lê Đức Thái được thăng hàm năm nào?", "Năm 2021, Lê Đức Thái được thăng hàm Trung tướng.", True),
        ("Trung tướng Lê Đức Thái có mấy người con?", MEETING + " Có 2 đồn.", False),
        # taking up an office (bench/dev13: a year of a meeting is not when he took office)
        ("Đại tá Nguyễn Văn Hưng nhậm chức khi nào?", "Đại tá Nguyễn Văn Hưng chủ trì hội nghị năm 2024.", False),
        ("Đại tá Nguyễn Văn Hưng nhậm chức khi nào?", "Năm 2021, Đại tá Nguyễn Văn Hưng nhậm chức.", True),
        ("Tuyên bố nào bãi bỏ Đạo Tin lành?", "Tuyên bố Fontainebleau bãi bỏ Đạo Tin lành.", True),  # "bố": no parent
        # ethnicity; an organisation's founding, when asked when ("thành lập năm 1564" describing
        # a colony asks no founding)
        ("Trung tướng Lê Đức Thái là người dân tộc gì?", MEETING, False),
        ("Quảng Ninh được thành lập năm nào?", "Quảng Ninh đạt 3,1 tỷ USD năm 2023.", False),
        ("Quảng Ninh được thành lập năm nào?", "Tỉnh Quảng Ninh được thành lập năm 1963.", True),
        ("Thuộc địa được thành lập năm 1564 tên là gì?", "Năm 1564, Fort Caroline ra đời.", True),
        # a degree is schooling
        ("Trung tướng Lê Đức Thái có bằng tiến sĩ không?", MEETING, False),
        # a unit asked for must be given: a percentage, not any number
        ("Quảng Ninh tăng trưởng bao nhiêu phần trăm năm 2023?", "Quảng Ninh tăng trưởng 2 con số năm 2023.", False),
        ("Quảng Ninh tăng trưởng bao nhiêu phần trăm năm 2023?", "Quảng Ninh tăng trưởng 10,2% năm 2023.", True),
        ("Đồn tuần tra bao nhiêu km?", "Đồn tuần tra 427 km đường biên giới.", True),
        # a rate asked is a share: a percentage or a ratio, not a sum of money (bench/dev2)
        ("Tỷ lệ hộ nghèo năm 2023 là bao nhiêu?", "Hộ nghèo năm 2023 giảm, thu hút 3,1 tỷ USD.", False),
        ("Tỷ lệ hộ nghèo năm 2023 là bao nhiêu?", "Tỷ lệ hộ nghèo năm 2023 còn 1,2%.", True),
        ("Tỷ lệ người di cư Anh so với Pháp là bao nhiêu?", "Người Anh di cư đông hơn người Pháp, tỷ lệ 20:1.", True),
        ("Khu vực nào nổi tiếng với tỷ lệ tội phạm cao?", "Đến năm 2008 phân khu vẫn nổi tiếng với tội phạm.", True),
        # an organisation's whole name: "Công an nhân dân" is not "Quân đội nhân dân"
        (
            "Chủ nhiệm Tổng cục Chính trị Công an nhân dân là ai?",
            "Đại tướng Lương Cường, Chủ nhiệm Tổng cục Chính trị Quân đội nhân dân Việt Nam, gặp Công an tỉnh.",
            False,
        ),
        (
            "Chủ nhiệm Tổng cục Chính trị Quân đội nhân dân Việt Nam là ai?",
            "Đại tướng Lương Cường, Chủ nhiệm Tổng cục Chính trị Quân đội nhân dân Việt Nam, phát biểu.",
            True,
        ),
    ],
)
def test_personal_facts_and_whole_organisations(question, sentence, met):
    """Checked to fail without each rule (dev3's near misses declined 0.674 -> 0.804 with them;
    bench/dev5's schooling and promotion questions were answered without the second round)."""
    assert constraints(question).met(sentence, "", PAIRS) is met


@pytest.mark.parametrize(
    ("question", "sentence", "focus", "met"),
    [
        # an office named whole is the nation's: a province's is another office
        ("Tư lệnh BĐBP là ai?", "Đại tá Hoàng Văn Nam, Tư lệnh BĐBP tỉnh, kiểm tra đồn.", None, False),
        ("Tư lệnh Bộ đội Biên phòng là ai?", "Đại tá Hoàng Văn Nam, Tư lệnh BĐBP tỉnh, kiểm tra đồn.", None, False),
        ("Tư lệnh BĐBP là ai?", "Trung tướng Lê Đức Thái, Tư lệnh Bộ đội Biên phòng, dự lễ.", None, True),
        ("Chỉ huy trưởng BĐBP Quảng Ninh là ai?", "Đại tá Trần Văn Ba, Chỉ huy trưởng BĐBP tỉnh Quảng Ninh.", None,
         True),
        # a rank ends a name: "… tỉnh Quảng Ninh Đại tá Nguyễn Thanh Hải" (a follow-up's rewrite)
        ("Chính ủy BĐBP tỉnh Quảng Ninh Đại tá Nguyễn Thanh Hải mang quân hàm gì?",
         "Đại tá Nguyễn Thanh Hải, Chính ủy BĐBP tỉnh Quảng Ninh.", None, True),
        # "who is X?": someone named *as* X, not X named in passing
        ("Bộ trưởng Bộ Quốc phòng là ai?",
         "Đại tướng Lương Cường nhấn mạnh kết luận của đồng chí Bộ trưởng Bộ Quốc phòng tại buổi làm việc.", None,
         False),
        ("Thủ tướng Chính phủ là ai?", "Chỉ thị số 01/CT-TTg của Thủ tướng Chính phủ “Về tổ chức phong trào”.", None,
         False),
        ("Bộ trưởng Bộ Quốc phòng là ai?", "Đại tướng Phan Văn Giang, Bộ trưởng Bộ Quốc phòng, dự lễ.", None, True),
        ("Chính ủy BĐBP là ai?", "Trung tướng Nguyễn Anh Tuấn, Bí thư Đảng ủy, Chính ủy Bộ đội Biên phòng.", None,
         True),
        ("Chủ tịch của IPCC là ai?", "Nhà kinh tế học Hoesung Lee là chủ tịch của IPCC.", None, True),
        # a body's kind starts its name, no person's: "Đồn Biên phòng Pò Hèn" is a border post
        ("Chính ủy Đồn Biên phòng Pò Hèn là ai?",
         "Đại tá Nguyễn Thanh Hải, Chính ủy BĐBP tỉnh, kiểm tra Đồn Biên phòng Pò Hèn.", None, False),
        # offices listed together share the body after the last
        ("Ai là Bí thư Đảng ủy Bộ đội Biên phòng?",
         "Trung tướng Nguyễn Anh Tuấn, Bí thư Đảng ủy, Chính ủy Bộ đội Biên phòng.", None, True),
        ("Ai là Bí thư Đảng ủy Bộ đội Biên phòng?",
         "Đại tá Nguyễn Văn Hưng - Bí thư Đảng uỷ, Chính uỷ Bộ đội Biên phòng tỉnh chủ trì.", None, False),
        ("Chủ tịch UBND tỉnh là ai?", "Dự có Phó Bí thư Tỉnh ủy, Chủ tịch UBND tỉnh Lê Trí Thanh.", None, True),
        # a follow-up's new part ("Còn nông thôn mới nâng cao?") must be said by the sentence itself
        ("Huyện nào đạt chuẩn nông thôn mới nâng cao?", "Huyện Bình Liêu đã về đích nông thôn mới.",
         "nông thôn mới nâng cao", False),
        ("Huyện nào đạt chuẩn nông thôn mới nâng cao?", "Huyện Đầm Hà đạt chuẩn NTM nâng cao.",
         "nông thôn mới nâng cao", True),
    ],
)  # fmt: skip
def test_offices_named_whole_and_a_follow_ups_focus(question, sentence, focus, met):
    """Checked to fail without each rule."""
    pairs = PAIRS | {"NTM": "Nông thôn mới"}
    assert constraints(question, focus).met(sentence, "", pairs) is met


LISTED = "Có thể kể đến: “Mái ấm cho người nghèo”, “Nâng bước em tới trường - Con nuôi đồn biên phòng”."


@pytest.mark.parametrize(
    ("question", "sentence", "met"),
    [
        # how or why a thing is done: a list of names that holds it mentions it, explains nothing
        ("Phong trào Mái ấm cho người nghèo được thực hiện như thế nào?", LISTED, False),
        ("Chương trình Con nuôi đồn biên phòng nhận nuôi các em theo cách nào?", LISTED, False),
        ("Vì sao phong trào Mái ấm cho người nghèo ra đời?", LISTED, False),
        ("Phong trào Mái ấm cho người nghèo có tên gì khác?", LISTED, True),  # no how or why: listed is said
        ("Phong trào Mái ấm cho người nghèo được thực hiện như thế nào?",
         "Phong trào “Mái ấm cho người nghèo” được thực hiện bằng cách góp công xây nhà.", True),
    ],
)  # fmt: skip
def test_a_list_of_names_answers_no_how_or_why(question, sentence, met):
    """Checked to fail without the rule (dev3 declined 41 -> 43 of 46 near misses, dev5 +2)."""
    assert constraints(question).met(sentence, "", PAIRS) is met


def test_a_figure_for_another_year_is_not_the_one_asked():
    """The asked year is elsewhere in the article; the sentence gives its figure for another year
    (bench/dev5, dev7: "… vốn FDI năm 2021/2024?"), unless it only compares with it or the
    question asks a year (checked to fail without the rule, and without each exception)."""
    context = "Năm 2010 và năm 2021 có nhiều thay đổi; năm 2000 cũng vậy."
    fdi = constraints("Quảng Ninh thu hút bao nhiêu vốn FDI năm 2021?")
    assert not fdi.met("Quảng Ninh thu hút vốn FDI năm 2023 đạt 3,1 tỷ USD.", context, PAIRS)
    assert fdi.met("Quảng Ninh thu hút vốn FDI năm 2021 đạt 2,9 tỷ USD.", context, PAIRS)
    drought = constraints("Khu vực bị hạn hán năm 2010 rộng bao nhiêu dặm vuông?")
    compared = "Khu vực bị ảnh hưởng xấp xỉ 1.160.000 dặm vuông, so với 734.000 dặm vuông vào năm 2005."
    assert drought.met(compared, context, PAIRS)
    bound = constraints("Polonia giành chức vô địch vào năm nào trước năm 2000?")
    assert bound.met("Họ giành chức vô địch vào năm 1946.", context, PAIRS)


def test_a_sentence_that_numbers_another_document_gives_that_ones_facts():
    """The asked document is elsewhere in the article (bench/dev6: "… 06-NQ/TU … ngày nào?";
    checked to fail without the rule)."""
    context = "Trọng tâm là Nghị quyết số 06-NQ/TU về phát triển bền vững."
    sentence = "Quảng Ninh ban hành Nghị quyết số 23-NQ/TU ngày 3/3/2024 về biên giới."
    assert not constraints("Nghị quyết 06-NQ/TU ban hành ngày nào?").met(sentence, context, PAIRS)
    assert not constraints("nghi quyet 06-NQ/TU ban hanh ngay nao").met(sentence, context, PAIRS)
    assert constraints("Nghị quyết 23-NQ/TU ban hành ngày nào?").met(sentence, context, PAIRS)


def test_a_speech_goes_on_after_its_speaker_is_named_and_asks_of_no_place():
    """bench/dev13: "Trung tướng Lê Đức Thái mong muốn điều gì?" is answered by "Đồng chí bày tỏ,
    … mong muốn …" two sentences after he is named; that sentence names "tỉnh Quảng Ninh", no
    other place than one the question asked (it asked of none)."""
    asked = constraints("Trung tướng Lê Đức Thái mong muốn điều gì?")
    said = "Đồng chí bày tỏ, Đảng ủy mong muốn tiếp tục đón nhận sự quan tâm của tỉnh Quảng Ninh."
    before = "Tại hội nghị, Trung tướng Lê Đức Thái đánh giá cao sự phối hợp. Từ đó, góp phần bảo vệ biên giới."
    assert asked.act == "mong muốn" and asked.continues_speech(said, before)
    assert asked.met(said, before, PAIRS)
    assert not asked.continues_speech("Đồng chí Nguyễn Xuân Ký bày tỏ mong muốn.", before)  # named: someone else
    assert not asked.continues_speech(said, "Tại hội nghị, đồng chí Bí thư Tỉnh ủy phát biểu.")  # not his
    # a caption says the act and nothing more: no speech (bench/dev5)
    spoke = constraints("Bí thư Tỉnh ủy Quảng Ninh, Nguyễn Xuân Ký phát biểu gì tại hội nghị?")
    assert not spoke.says_act(
        "Đồng chí Nguyễn Xuân Ký, Ủy viên Trung ương Đảng, Bí thư Tỉnh ủy phát biểu tại hội nghị."
    )
    assert spoke.says_act("Phát biểu tại hội nghị, đồng chí Nguyễn Xuân Ký thống nhất cao với báo cáo.")


def test_a_yes_no_question_is_answered_by_a_sentence_that_says_what_is_asked():
    """ "X có phải Y không?" needs Y said (bench/dev15: "… có phải kỷ lục của cả nước không?" had
    been answered by the figure's sentence, which says "đột phá")."""
    record = constraints("Quảng Ninh thu hút vốn FDI năm 2023 có phải kỷ lục của cả nước không?")
    figure = "Quảng Ninh tạo đột phá trong thu hút đầu tư trực tiếp nước ngoài năm 2023 đạt 3,1 tỷ USD."
    assert not record.met(figure, "", PAIRS)
    hills = constraints("Huyện Bình Liêu có phải huyện miền núi không?")
    assert hills.met("Đến nay, huyện Bình Liêu là huyện miền núi, biên giới khó khăn nhất.", "", PAIRS)
    # any yes-no question: "Đầm Hà có còn hộ nghèo không?" is not answered by Đầm Hà's other news
    poor = "Đến nay, huyện Đầm Hà đã về đích nông thôn mới, toàn huyện không còn hộ nghèo."
    for asked in ("Huyện Đầm Hà có còn hộ nghèo không?", "Huyện Đầm Hà còn hộ nghèo không?"):
        assert constraints(asked).met(poor, "", PAIRS), asked
        assert not constraints(asked).met("Huyện Đầm Hà đạt chuẩn NTM nâng cao.", "", PAIRS), asked
    both = "Huyện Đầm Hà và huyện Tiên Yên là 2 địa phương đầu tiên của cả nước đạt chuẩn NTM nâng cao."
    assert constraints("Huyện Đầm Hà đã đạt chuẩn NTM nâng cao chưa?").met(both, "", PAIRS)
    assert not constraints("Huyện Đầm Hà đã có hộ nghèo chưa?").met(both, "", PAIRS)
    # whether there is one, or a clause of another question, asks nothing a sentence must say
    other = "Quảng Ninh ban hành Nghị quyết số 23-NQ/TU về biên giới."
    assert constraints("Có tỉnh nào khác ban hành nghị quyết như vậy không?").met(other, "", PAIRS)


def test_an_abbreviation_may_sit_inside_a_name():
    """ "Đồn Pò Hèn" is written "Đồn BP Pò Hèn" in the article (console: "Ai kiểm tra đồn này?" after
    "Đồn Pò Hèn thuộc tỉnh nào?" had been answered as related only)."""
    post = constraints("Ai kiểm tra Đồn Pò Hèn?")
    assert post.met("Đại tá Nguyễn Thanh Hải kiểm tra, động viên CB,CS Đồn BP Pò Hèn làm nhiệm vụ.", "", PAIRS)
    assert not post.met("Đại tá Nguyễn Thanh Hải kiểm tra, động viên CB,CS Đồn BP Hoành Mô.", "", PAIRS)


def test_what_is_asked_about_a_topic_says_a_word_of_it():
    """ "… yêu cầu gì về tội phạm?" is not answered by the request about new soldiers (console);
    a word of the topic is enough ("việc giúp đỡ đồng bào thiểu số" is said as "giúp đỡ … đồng
    bào"), and a name is no topic."""
    crime = constraints("Phan Việt Cường yêu cầu gì về tội phạm?")
    assert not crime.met("Đồng chí Phan Việt Cường yêu cầu làm tốt tư tưởng đối với chiến sĩ mới.", "", PAIRS)
    assert crime.met("Đồng chí Phan Việt Cường yêu cầu phối hợp đấu tranh phòng chống tội phạm.", "", PAIRS)
    taught = constraints("Bác Hồ dạy gì về việc giúp đỡ đồng bào thiểu số?")
    assert taught.met("Lời dạy của Bác Hồ: “phải luôn giúp đỡ giáo dục đồng bào”.", "", PAIRS)
    assert not constraints("Ông ấy nói gì về Lào?").topic


def test_a_figure_or_a_date_of_a_named_document_is_said_with_its_name():
    """The law is named only elsewhere in the article (bench/dev14: "Luật Biên phòng Việt Nam có
    bao nhiêu chương?" answered by a sentence with a programme's "lần thứ 8"; checked to fail
    without the rule)."""
    context = "Tiếp tục triển khai Luật Biên phòng Việt Nam và các văn bản hướng dẫn."
    law = constraints("Luật Biên phòng Việt Nam có bao nhiêu chương?")
    assert not law.met("Chuẩn bị chương trình giao lưu hữu nghị lần thứ 8 năm 2024.", context, PAIRS)
    assert law.met("Luật Biên phòng Việt Nam gồm 7 chương, 36 điều.", context, PAIRS)
    issued = constraints("Nghị quyết 33-NQ/TW ban hành năm nào?")
    assert issued.met("Nghị quyết số 33-NQ/TW ngày 28/9/2018 của Bộ Chính trị.", "", PAIRS)  # "số" or not


def test_who_holds_an_office_is_not_who_did_something_to_its_holder():
    for asked in ("Ai là Chính ủy BĐBP?", "Chính ủy BĐBP là ai?", "Ai giữ cương vị Chủ nhiệm Tổng cục Chính trị?",
                  "Ai dự hội nghị với tư cách Tư lệnh Bộ đội Biên phòng?", "tu lenh bdbp la ai"):  # fmt: skip
        assert constraints(asked).holder_asked, asked
    assert constraints("Người giữ chức Chính ủy BĐBP là ai?").holder_asked
    for asked in ("Ai phỏng vấn Chính ủy BĐBP tỉnh Quảng Ninh?", "Ai cùng chủ trì với Bí thư Tỉnh ủy?",
                  "Chính ủy BĐBP Quảng Ninh, Đại tá Nguyễn Thanh Hải trả lời phỏng vấn ai?"):  # fmt: skip
        assert not constraints(asked).holder_asked, asked
    # so those who chaired beside the Bí thư answer, though none of them is named as the Bí thư
    beside = "Cùng chủ trì có Phó Bí thư Thường trực Tỉnh ủy Lê Văn Dũng và Phó Bí thư Tỉnh ủy Lê Trí Thanh."
    assert constraints("Những ai cùng chủ trì buổi làm việc cùng Bí thư Tỉnh ủy?").met(beside, "", PAIRS)


def test_who_else_is_not_answered_by_a_sentence_naming_only_the_asked():
    asked = constraints("Ai cùng chủ trì buổi làm việc với Bí thư Tỉnh ủy Phan Việt Cường?")
    assert not asked.met("Bí thư Tỉnh ủy Phan Việt Cường phát biểu chỉ đạo tại buổi làm việc.", "", PAIRS)
    article = "Bí thư Tỉnh ủy Phan Việt Cường phát biểu chỉ đạo."  # the question's names, in its article
    assert asked.met("Cùng chủ trì có Trưởng đoàn Đại biểu Quốc hội tỉnh Lê Văn Dũng.", article, PAIRS)
    # a place is nobody; a sentence naming no one may answer with a common noun
    assert not asked.names_only_the_asked("Quảng Ninh đã cùng chủ trì buổi làm việc.")
    assert asked.met("Các đại biểu cùng chủ trì buổi làm việc.", article, PAIRS)
    # a name ends at a comma: "Lương Cường, Ủy viên Bộ Chính trị" names Lương Cường alone
    lead = "Sáng 27-3, Đại tướng Lương Cường, Ủy viên Bộ Chính trị, chủ trì làm việc với Ban Thường vụ."
    assert constraints("Những ai dự buổi làm việc với Đại tướng Lương Cường?").names_only_the_asked(lead)
    # the person asked about is no companion here: who did it to them, or whom they met, may be
    # an organisation or a common noun
    assert not constraints("Đại tướng Lương Cường làm việc với ai?").names_only_the_asked(lead)
    interviewed = "Đại tá Nguyễn Thanh Hải trả lời phỏng vấn phóng viên Trung tâm Truyền thông."
    assert constraints("Ai phỏng vấn Đại tá Nguyễn Thanh Hải?").met(interviewed, "", PAIRS)


def test_a_sentence_of_the_questions_own_words_answers_nothing():
    """A photo's caption naming only the person asked about says nothing asked of them."""
    asked = constraints("Chính ủy BĐBP tỉnh Quảng Ninh, Đại tá Nguyễn Thanh Hải nói gì về Nghị quyết?")
    assert not asked.met("Đại tá Nguyễn Thanh Hải, Chính ủy BĐBP tỉnh Quảng Ninh.", "", PAIRS)
    said = "Chính ủy BĐBP tỉnh Quảng Ninh, Đại tá Nguyễn Thanh Hải cho biết Nghị quyết đã đi vào cuộc sống."
    assert asked.met(said, "", PAIRS)
    # "tỉnh" says nothing new either, with or without accents; read with its accents a name is
    # no function word ("Hà Tĩnh" is not "hả tỉnh")
    caption = "Đại tá Nguyễn Thanh Hải, Chính ủy BĐBP tỉnh Quảng Ninh."
    for question in ("Chính ủy BĐBP Quảng Ninh, Đại tá Nguyễn Thanh Hải trả lời phỏng vấn ai?",
                     "Chinh uy bdbp quang ninh, Dai ta Nguyen Thanh Hai tra loi phong van ai"):  # fmt: skip
        assert not constraints(question).met(caption, "", PAIRS), question
    assert constraints("Trung tướng Lê Đức Thái quê ở đâu?").met("Trung tướng Lê Đức Thái quê ở Hà Tĩnh.", "", PAIRS)


def test_a_fact_of_another_place_of_its_kind_answers_nothing():
    """ "Đầm Hà có còn hộ nghèo không?" is not answered by "huyện Bình Liêu … không còn hộ nghèo",
    though its article names Đầm Hà; "Huyện nào …?" asks for the place the sentence names."""
    said = "Đến nay, huyện Bình Liêu đã về đích nông thôn mới, toàn huyện không còn hộ nghèo."
    article = "Huyện Đầm Hà và huyện Tiên Yên đạt chuẩn nông thôn mới nâng cao."
    assert not constraints("Đầm Hà có còn hộ nghèo không?").met(said, article, PAIRS)
    assert constraints("Bình Liêu có còn hộ nghèo không?").met(said, article, PAIRS)
    assert constraints("Huyện nào của Quảng Ninh không còn hộ nghèo?").met(said, "Quảng Ninh", PAIRS)
    # "mấy huyện …?" asks of districts too: the districts named are its answer (asked in the console)
    both = "Huyện Đầm Hà và huyện Tiên Yên là 2 địa phương đầu tiên đạt chuẩn NTM nâng cao."
    assert constraints("Quảng Ninh có mấy huyện đạt chuẩn nông thôn mới nâng cao?").met(both, "Quảng Ninh", PAIRS)
    assert not constraints("Huyện Bình Liêu đạt chuẩn nông thôn mới nâng cao chưa?").met(both, "Quảng Ninh", PAIRS)
    # a district or a commune is named with its kind: "huyện nào" is not answered by the post's name
    district = constraints("Đồn Biên phòng Pò Hèn thuộc huyện nào?")  # bench/dev18
    assert not district.met("Chính ủy BĐBP tỉnh kiểm tra mô hình của Đồn Biên phòng Pò Hèn.", "Quảng Ninh", PAIRS)
    assert district.met("Đồn Biên phòng Pò Hèn đóng trên địa bàn huyện Hải Hà.", "", PAIRS)
    # ... where a province or a country goes without it
    assert constraints("Bác Hồ dạy gì, được BĐBP tỉnh nào khắc sâu?").met(
        "BĐBP Lai Châu khắc sâu lời dạy của Bác Hồ.", "", PAIRS
    )


def test_a_rank_or_an_office_asked_must_be_stated():
    """ "quân hàm gì" needs a rank, "còn giữ chức vụ gì" an office besides the one named (bench/dev4:
    "Còn Tư lệnh?" after a rank question was answered by a sentence about the command)."""
    rank = constraints("Tư lệnh Bộ đội Biên phòng mang quân hàm gì?")
    assert not rank.met("Đảng ủy, Bộ tư lệnh Bộ đội Biên phòng đã lãnh đạo các cơ quan.", "", PAIRS)
    assert rank.met("Dự có Trung tướng Lê Đức Thái, Tư lệnh Bộ đội Biên phòng.", "", PAIRS)
    office = constraints("Bí thư Tỉnh ủy Phan Việt Cường còn giữ chức vụ gì?")
    assert not office.met("Bí thư Tỉnh ủy Phan Việt Cường phát biểu chỉ đạo tại buổi làm việc.", "", PAIRS)
    assert office.met("Đó là chỉ đạo của Bí thư Tỉnh ủy, Chủ tịch HĐND tỉnh Phan Việt Cường.", "", PAIRS)


def test_an_office_may_share_its_body_with_the_next_title():
    """ "Bí thư Đảng uỷ, Chính uỷ Bộ đội Biên phòng tỉnh": the Bí thư of the BĐBP's Đảng ủy."""
    said = "Đại tá Nguyễn Văn Hưng - Bí thư Đảng uỷ, Chính uỷ Bộ đội Biên phòng tỉnh chủ trì Hội nghị."
    assert constraints("Ai là Bí thư Đảng ủy BĐBP tỉnh Lai Châu?").met(said, "tỉnh Lai Châu", PAIRS)
    assert not constraints("Ai là Bí thư Tỉnh ủy Lai Châu?").met(said, "tỉnh Lai Châu", PAIRS)
