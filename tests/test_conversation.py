"""Follow-up questions: the rewrite rules, the engine in context, and what must never change."""

from __future__ import annotations

import pytest

from retrieval.engine import QAEngine
from retrieval.question.conversation import Conversation, Turn, focus_of, rewrite, subjectless_reading

ANSWER_OF_TWO = (
    "Dự có các đồng chí: Trung tướng Lê Đức Thái, Tư lệnh Bộ đội Biên phòng; Trung tướng Nguyễn Anh Tuấn, "
    "Bí thư Đảng ủy, Chính ủy Bộ đội Biên phòng."
)


@pytest.mark.parametrize(
    ("question", "previous", "answer", "expected"),
    [
        # ellipsis: the new phrase takes the place of the matching part
        ("Còn phó giám đốc?", "Giám đốc Công an tỉnh Lào Cai là ai?", None, "Phó giám đốc Công an tỉnh Lào Cai là ai?"),
        ("Còn năm 2022?", "Quảng Ninh thu hút đầu tư năm 2023 đạt bao nhiêu?", None,
         "Quảng Ninh thu hút đầu tư năm 2022 đạt bao nhiêu?"),
        ("Còn ở Đà Nẵng thì sao?", "Quảng Ninh thu hút đầu tư năm 2023 đạt bao nhiêu?", None,
         "Đà Nẵng thu hút đầu tư năm 2023 đạt bao nhiêu?"),
        ("Thế còn Chính ủy?", "Tư lệnh Bộ đội Biên phòng là ai?", None, "Chính ủy Bộ đội Biên phòng là ai?"),
        ("Còn Trưởng đoàn Đại biểu Quốc hội tỉnh?", "Chủ tịch UBND tỉnh cùng chủ trì là ai?", None,
         "Trưởng đoàn Đại biểu Quốc hội tỉnh là ai?"),
        ("Còn những huyện nào đạt chuẩn NTM nâng cao?", "Huyện nào về đích nông thôn mới?", None,
         "Những huyện nào đạt chuẩn NTM nâng cao?"),
        ("Còn cụm dân cư thì sao?", "BĐBP tỉnh Lai Châu kết nghĩa bao nhiêu cặp đồn?", None,
         "BĐBP tỉnh Lai Châu kết nghĩa cụm dân cư bao nhiêu?"),
        # pronouns and demonstratives: what the previous question was about
        ("Ông ấy quê ở đâu?", "Tư lệnh BĐBP là ai?", None, "Tư lệnh BĐBP quê ở đâu?"),
        ("Nó có hiệu lực từ khi nào?", "Nghị định 100 quy định mức phạt thế nào?", None,
         "Nghị định 100 có hiệu lực từ khi nào?"),
        ("Tỉnh này có mấy huyện?", "Ai là Chính ủy BĐBP tỉnh Lai Châu?", None, "Tỉnh Lai Châu có mấy huyện?"),
        ("Thành phố này tăng trưởng bao nhiêu?", "Đà Nẵng đón bao nhiêu khách quốc tế năm 2023?", None,
         "Thành phố Đà Nẵng tăng trưởng bao nhiêu?"),
        # "Huyện nào …?" answered: "huyện đó" is the answer's
        ("Huyện đó có bao nhiêu xã?", "Huyện nào về đích nông thôn mới?",
         "Đến nay, huyện Bình Liêu đã về đích nông thôn mới.", "Huyện Bình Liêu có bao nhiêu xã?"),
        # question words only
        ("Khi nào?", "Tỉnh ủy Quảng Ninh gặp mặt Bộ Tư lệnh BĐBP ở đâu?", None,
         "Tỉnh ủy Quảng Ninh gặp mặt Bộ Tư lệnh BĐBP khi nào?"),
        # typed without accents
        ("con pho giam doc thi sao", "Giám đốc Công an tỉnh Lào Cai là ai?", None,
         "Pho giam doc Cong an tinh Lao Cai la ai?"),
        ("ong ay que o dau", "Tư lệnh BĐBP là ai?", None, "Tu lenh BDBP que o dau"),
        # a title for the title, folded whole (not "Tu lenh bo doi bien phong Chinh uy la ai?")
        ("Còn Chính ủy?", "tu lenh bo doi bien phong la ai", None, "Chinh uy bo doi bien phong la ai"),
        ("con tu lenh thi sao", "Chính ủy Bộ đội Biên phòng là ai?", None, "Tu lenh Bo doi Bien phong la ai?"),
        # after "Ai …?", "ông ấy" is the person the answer names (before the office asked about)
        ("Ông ấy mang quân hàm gì?", "Ai là Bí thư Đảng ủy Bộ đội Biên phòng?",
         "Trung tướng Lê Đức Thái, Tư lệnh Bộ đội Biên phòng; Trung tướng Nguyễn Anh Tuấn, Bí thư Đảng ủy.",
         "Bí thư Đảng ủy Bộ đội Biên phòng, Trung tướng Nguyễn Anh Tuấn mang quân hàm gì?"),
        # found by asking the console: "khi nào" alone is asked ("ban hành" keeps its verb), a
        # deputy's whole title goes, the kind of thing asked is named before its abbreviation,
        # a thing is its noun and name, not its verb
        ("Giai đoạn nào?", "Nghị quyết 23 của Tỉnh ủy Quảng Ninh ban hành khi nào?", None,
         "Nghị quyết 23 của Tỉnh ủy Quảng Ninh ban hành giai đoạn nào?"),
        ("Thế còn Tư lệnh?", "Ai là Phó Tư lệnh BĐBP?", None, "Ai là Tư lệnh BĐBP?"),
        ("Đồn đó ở tỉnh nào?", "Đại tá Nguyễn Thanh Hải kiểm tra đồn nào?",
         "Đại tá Nguyễn Thanh Hải, Chính ủy BĐBP tỉnh kiểm tra CB,CS Đồn BP Pò Hèn.", "Đồn Pò Hèn ở tỉnh nào?"),
        ("Nghị quyết đó ban hành khi nào?", "Nghị quyết số 23-NQ/TU nói về gì?", None,
         "Nghị quyết số 23-NQ/TU ban hành khi nào?"),
        # a place for a place, without whoever held the office there; a person's own fact's verb
        # is no part of the person ("… sinh năm nào?" then "Ông ấy …")
        ("Còn Lai Châu?", "Chính ủy BĐBP tỉnh Quảng Ninh, Đại tá Nguyễn Thanh Hải mang quân hàm gì?", None,
         "Chính ủy BĐBP tỉnh Lai Châu mang quân hàm gì?"),
        ("Còn Chính ủy?", "Tư lệnh Bộ đội Biên phòng, Trung tướng Lê Đức Thái chủ trì hội nghị nào?", None,
         "Chính ủy Bộ đội Biên phòng chủ trì hội nghị nào?"),
        ("Ông ấy còn giữ chức gì?", "Người đứng đầu Tỉnh ủy Quảng Ninh sinh năm nào?", None,
         "Người đứng đầu Tỉnh ủy Quảng Ninh còn giữ chức gì?"),
        # a title with its organisation keeps the place asked about, unless it names its own
        ("Còn Chủ tịch UBND?", "Ai là Chủ tịch HĐND tỉnh Quảng Ninh?", None, "Ai là Chủ tịch UBND tỉnh Quảng Ninh?"),
        ("Còn Chủ tịch UBND tỉnh Lai Châu?", "Ai là Chủ tịch HĐND tỉnh Quảng Ninh?", None,
         "Ai là Chủ tịch UBND tỉnh Lai Châu?"),
        # bench/dev6: "Còn <noun> nào?" after "… <noun> nào?" asks the same of another noun; a
        # fragment may start with a preposition
        ("Còn luật nào?", "Đại tướng Lương Cường yêu cầu BĐBP quán triệt nghị quyết nào?", None,
         "Đại tướng Lương Cường yêu cầu BĐBP quán triệt luật nào?"),
        ("Của cơ quan nào?", "Nghị quyết 33-NQ/TW ban hành ngày nào?", None,
         "Nghị quyết 33-NQ/TW ban hành của cơ quan nào?"),
        # bench/dev7: a title with its organisation after a question typed without capitals; "vào"
        # before the asked "ngày nào" goes with it
        ("Còn Tư lệnh BĐBP?", "bi thu tinh uy quang ninh la ai", None, "Tu lenh BDBP la ai"),
        ("Ở đâu?", "Bí thư Tỉnh ủy Phan Việt Cường làm việc với Đảng ủy BĐBP tỉnh vào ngày nào?", None,
         "Bí thư Tỉnh ủy Phan Việt Cường làm việc với Đảng ủy BĐBP tỉnh ở đâu?"),
        # "tỉnh đó" after "… tỉnh nào có X?" whose answer names no province: the one described;
        # the noun of "điều gì" is asked, not the subject's
        ("Chính ủy của tỉnh đó là ai?", "Bộ đội Biên phòng tỉnh nào có Đồn Pò Hèn?",
         "Đại tá Nguyễn Thanh Hải, Chính ủy BĐBP tỉnh (thứ 3 từ phải sang) kiểm tra mô hình.",
         "Chính ủy của tỉnh có Đồn Pò Hèn là ai?"),
        ("Tinh thần nào?", "Đại tướng Lương Cường lưu ý BĐBP điều gì?", None,
         "Đại tướng Lương Cường lưu ý BĐBP tinh thần nào?"),
        # bench/dev8: a rank and a name are a person, not a title with its organisation; "họ"
        # after "Ai …?" are the people its answer names; "số mấy" is asked; a roman numeral is
        # no half of a title
        ("Còn Trung tướng Nguyễn Anh Tuấn?", "Trung tướng Lê Đức Thái giữ chức vụ gì?", None,
         "Trung tướng Nguyễn Anh Tuấn giữ chức vụ gì?"),
        ("Họ giữ chức vụ gì?", "Ai dự chương trình làm việc với Đại tướng Lương Cường?",
         "Dự có các đồng chí: Trung tướng Lê Đức Thái, Tư lệnh; Trung tướng Nguyễn Anh Tuấn, Chính ủy.",
         "Trung tướng Lê Đức Thái và Trung tướng Nguyễn Anh Tuấn giữ chức vụ gì?"),
        ("Khi nào?", "Tỉnh ủy Quảng Ninh ban hành Nghị quyết chuyên đề số mấy?", None,
         "Tỉnh ủy Quảng Ninh ban hành Nghị quyết chuyên đề khi nào?"),
        ("Còn lần thứ XIV?", "Nghị quyết Đại hội lần thứ XVIII cho nhiệm kỳ nào?", None,
         "Nghị quyết Đại hội lần thứ XIV cho nhiệm kỳ nào?"),
        # set apart from the office: "Quảng Ninh Nguyễn Xuân Ký" would read as one name
        ("Ông ấy phát biểu gì tại hội nghị?", "Ai là Bí thư Tỉnh ủy Quảng Ninh?",
         "Về phía tỉnh Quảng Ninh có các đồng chí: Nguyễn Xuân Ký, Ủy viên Trung ương Đảng, Bí thư Tỉnh ủy.",
         "Bí thư Tỉnh ủy Quảng Ninh, Nguyễn Xuân Ký phát biểu gì tại hội nghị?"),
        ("Ông ấy yêu cầu gì?", "Ai chủ trì làm việc sáng 27-3?",
         "Sáng 27-3, Đại tướng Lương Cường, Chủ nhiệm Tổng cục Chính trị Quân đội nhân dân Việt Nam chủ trì.",
         "Đại tướng Lương Cường yêu cầu gì?"),
        # nobody named in the answer: the office asked about, not its province ("Lai Châu" is nobody)
        ("Ông chủ trì hội nghị gì?", "Ai là Chính ủy BĐBP tỉnh Lai Châu?",
         "Khắc sâu lời dạy của Bác Hồ: “Phải luôn giúp đỡ đồng bào”.",
         "Chính ủy BĐBP tỉnh Lai Châu chủ trì hội nghị gì?"),
        # a bare honorific at the start is a reference too; "Ông Nguyễn …" is a name
        ("Ông kiểm tra đồn biên phòng nào?", "Đại tá Nguyễn Thanh Hải giữ chức vụ gì?", None,
         "Đại tá Nguyễn Thanh Hải kiểm tra đồn biên phòng nào?"),
        ("Khi nào ông làm việc với Bộ đội Biên phòng?", "Đại tướng Lương Cường là Chủ nhiệm cơ quan nào?", None,
         "Khi nào Đại tướng Lương Cường làm việc với Bộ đội Biên phòng?"),
        # a fragment asks one more thing of the same subject
        ("Hôm nào?", "Ông Phan Việt Cường làm việc với Đảng ủy BĐBP tỉnh về việc gì?", None,
         "Ông Phan Việt Cường làm việc với Đảng ủy BĐBP tỉnh hôm nào?"),
        ("Ở đâu?", "Đại tướng Lương Cường làm việc với Bộ đội Biên phòng về nội dung gì?", None,
         "Đại tướng Lương Cường làm việc với Bộ đội Biên phòng ở đâu?"),
        ("Bao nhiêu cặp cụm dân cư?", "BĐBP Lai Châu kết nghĩa bao nhiêu cặp đồn - trạm?", None,
         "BĐBP Lai Châu kết nghĩa bao nhiêu cặp cụm dân cư?"),
        ("Nhiệm kỳ nào?", "Đảng bộ BĐBP Quảng Ninh đề ra mấy khâu đột phá?", None,
         "Đảng bộ BĐBP Quảng Ninh đề ra khâu đột phá nhiệm kỳ nào?"),
        ("Hôm nào?", "Lương Cường làm việc với đơn vị nào?", None, "Lương Cường làm việc hôm nào?"),  # no "với"
        # no subject of its own: a tense or passive marker first
        ("Được ban hành năm nào?", "Nghị quyết 33 của Bộ Chính trị về vấn đề gì?", None,
         "Nghị quyết 33 của Bộ Chính trị được ban hành năm nào?"),
        ("Đã tổ chức ở đâu?", "Chương trình giao lưu lần thứ 8 có nội dung gì?", None,
         "Chương trình giao lưu lần thứ 8 đã tổ chức ở đâu?"),
        # "X nào?" asks for the X the previous question gave: that value goes
        ("Năm nào?", "Quảng Ninh thu hút vốn FDI năm 2022 bao nhiêu?", None, "Quảng Ninh thu hút vốn FDI năm nào?"),
        ("Tỉnh nào?", "Chính ủy BĐBP tỉnh Lai Châu là ai?", None, "Chính ủy BĐBP tỉnh nào?"),
        # "Còn X?" keeps the frame, X in the slot it fits: an abbreviation, a province
        ("Còn KVBG?", "NTM là viết tắt của gì?", None, "KVBG là viết tắt của gì?"),
        # an adjunct: the same question of another field, after what was asked (asked in the console)
        ("Còn trong phòng chống tội phạm?", "Bí thư Phan Việt Cường yêu cầu gì về nước bạn Lào?", None,
         "Bí thư Phan Việt Cường yêu cầu gì trong phòng chống tội phạm?"),
        ("Còn Quảng Ninh?", "chinh uy bdbp tinh lai chau la ai", None, "Chinh uy bdbp tinh Quang Ninh la ai"),
        # ... after a question head, which stays: "Ai là …?"
        ("Còn Chính ủy?", "Ai là Tư lệnh Bộ đội Biên phòng?", None, "Ai là Chính ủy Bộ đội Biên phòng?"),
        ("Còn phó giám đốc?", "Ai là giám đốc Công an tỉnh Lào Cai?", None, "Ai là phó giám đốc Công an tỉnh Lào Cai?"),
        # a title of another length; common words are no title ("Đảng bộ" stays)
        ("Còn Chỉ huy trưởng?", "Ai là Chính ủy BĐBP tỉnh Quảng Ninh?", None,
         "Ai là Chỉ huy trưởng BĐBP tỉnh Quảng Ninh?"),
        ("Còn quy chế làm việc?", "Đảng bộ BĐBP tỉnh Quảng Ninh xác định bao nhiêu khâu đột phá?", None,
         "Đảng bộ BĐBP tỉnh Quảng Ninh xác định quy chế làm việc bao nhiêu?"),
        ("con chinh uy", "ai la tu lenh bo doi bien phong", None, "Ai la chinh uy bo doi bien phong"),
        # ... but a lowercase common noun is no title: it is what is asked about
        ("Còn quy chế?", "Đảng ủy BĐBP tỉnh Quảng Ninh ban hành mấy quyết định?", None,
         "Đảng ủy BĐBP tỉnh Quảng Ninh ban hành quy chế mấy?"),
        ("con cum dan cu", "lai chau ket nghia bao nhieu cap don tram", None,
         "Lai chau ket nghia cum dan cu bao nhieu?"),
        # no person named: the holder of the office asked about, with its body and place, not its verb
        ("Người đó tên là gì?", "Tư lệnh BĐBP mang quân hàm gì?", None, "Tư lệnh BĐBP tên là gì?"),
        ("ong ay chu tri gi", "Chinh uy bdbp tinh lai chau la ai", None, "Chinh uy bdbp tinh lai chau chu tri gi"),
        ("Ông ấy quê ở đâu?", "Chủ tịch HĐND tỉnh Quảng Ninh phát biểu ở đâu?", None,
         "Chủ tịch HĐND tỉnh Quảng Ninh quê ở đâu?"),
        # "tỉnh này" after "… tỉnh nào?" whose answer names none: the one the question described
        ("Tỉnh này kết nghĩa mấy cặp cụm dân cư?", "Đại tá Nguyễn Văn Hưng là Chính ủy BĐBP tỉnh nào?",
         "Đại tá Nguyễn Văn Hưng, Chính ủy Bộ đội Biên phòng tỉnh chủ trì hội nghị.",
         "Tỉnh mà Đại tá Nguyễn Văn Hưng là Chính ủy BĐBP kết nghĩa mấy cặp cụm dân cư?"),
        # "người đó", "vị đó": a person, as "ông ấy" is
        ("Vị đó sinh năm nào?", "Ai là Bí thư Tỉnh ủy Quảng Ninh?",
         "Đồng chí Nguyễn Xuân Ký, Bí thư Tỉnh ủy Quảng Ninh.",
         "Bí thư Tỉnh ủy Quảng Ninh, Nguyễn Xuân Ký sinh năm nào?"),
        ("Người đó phát biểu ở đâu?", "Ai chủ trì hội nghị ngày 5/3?", "Trung tướng Lê Đức Thái chủ trì hội nghị.",
         "Trung tướng Lê Đức Thái phát biểu ở đâu?"),
        # a name runs through its lowercase syllables to its next capital, not past punctuation
        ("Luật đó có hiệu lực khi nào?", "Đại tướng Lương Cường yêu cầu quán triệt luật nào?",
         "Quán triệt nghị quyết của Đảng, Luật Biên phòng Việt Nam và các văn bản có liên quan.",
         "Luật Biên phòng Việt Nam có hiệu lực khi nào?"),
        ("Ai tổ chức hội nghị đó?", "Hội nghị Giao lưu hữu nghị biên giới Việt Nam - Lào diễn ra ở đâu?", None,
         "Ai tổ chức Hội nghị Giao lưu hữu nghị biên giới Việt Nam - Lào?"),
        # "Đó là …" / "Là …": what the previous question asked about
        ("Đó là những khâu nào?", "Đảng bộ tỉnh đề ra mấy khâu đột phá?", None,
         "Đảng bộ tỉnh đề ra khâu đột phá là những khâu nào?"),
        ("Là những chương trình nào?", "Đảng ủy xây dựng bao nhiêu chương trình hành động?", None,
         "Đảng ủy xây dựng chương trình hành động là những chương trình nào?"),
        # a fragment after "và", or after a preposition and a longer noun
        ("Và bao nhiêu quyết định?", "Đảng ủy BĐBP tỉnh ban hành bao nhiêu quy chế?", None,
         "Đảng ủy BĐBP tỉnh ban hành bao nhiêu quyết định?"),
        # ... after a question that opened by asking which one: the one its answer names
        ("Theo tiêu chí giai đoạn nào?", "Huyện nào đạt chuẩn NTM nâng cao?",
         "Huyện Tiên Yên đạt chuẩn NTM nâng cao theo tiêu chí quốc gia.",
         "Huyện Tiên Yên đạt chuẩn NTM nâng cao theo tiêu chí giai đoạn nào?"),
        # a kind of place alone, no name or demonstrative: the one talked about (bench/dev19)
        ("Tỉnh đã có những quyết sách nào?", "Giai đoạn 2021-2023 Quảng Ninh phải đối mặt với điều gì?", None,
         "Tỉnh Quảng Ninh đã có những quyết sách nào?"),
        ("Huyện có bao nhiêu hộ nghèo?", "Bình Liêu đã về đích nông thôn mới chưa?", None,
         "Huyện Bình Liêu có bao nhiêu hộ nghèo?"),
        # the province, not its party committee ("Tỉnh ủy"): asked in the console
        ("Tỉnh này có bao nhiêu huyện?", "Ai là Bí thư Tỉnh ủy Quảng Ninh?", None,
         "Tỉnh Quảng Ninh có bao nhiêu huyện?"),
        ("Tỉnh này có bao nhiêu huyện?", "Bí thư tỉnh ủy quảng ninh là ai", None,  # restored, no capitals
         "Tỉnh quảng ninh có bao nhiêu huyện?"),
        ("Tỉnh đã có những quyết sách nào?", "Bí thư Tỉnh ủy Quảng Ninh, Nguyễn Xuân Ký nói gì về giai đoạn 2021-2023?",
         None, "Tỉnh Quảng Ninh đã có những quyết sách nào?"),
        # ... or who did something: the person its answer names (bench/dev18)
        ("Bao giờ?", "Ai chủ trì làm việc với Ban Thường vụ Đảng ủy Bộ đội Biên phòng?",
         "Sáng 27-3, Đại tướng Lương Cường, Chủ nhiệm Tổng cục Chính trị chủ trì làm việc.",
         "Đại tướng Lương Cường chủ trì làm việc với Ban Thường vụ Đảng ủy Bộ đội Biên phòng bao giờ?"),
        # an agent's "do"/"bởi" or a purpose's "để" starts no subject; the verb said again goes
        ("Do cơ quan nào ban hành?", "Nghị quyết 33-NQ/TW ban hành ngày nào?", None,
         "Nghị quyết 33-NQ/TW do cơ quan nào ban hành?"),
        ("Về vấn đề gì?", "Nghị quyết 33-NQ/TW do cơ quan nào ban hành?", None, "Nghị quyết 33-NQ/TW về vấn đề gì?"),
        # ... by pyvi's words: the "hành" of "hành động" says no "ban hành" again (asked in the console)
        ("Và mấy chương trình hành động?", "Biên phòng Quảng Ninh đã ban hành bao nhiêu quy chế?", None,
         "Biên phòng Quảng Ninh đã ban hành mấy chương trình hành động?"),
        ("Để làm gì?", "Đảng ủy BĐBP tỉnh ban hành mấy quyết định?", None,
         "Đảng ủy BĐBP tỉnh ban hành quyết định để làm gì?"),
        ("Và Tiên Yên thì sao?", "Đầm Hà đã đạt được gì?", None, "Tiên Yên đã đạt được gì?"),
        # an unnamed noun is the one the previous question described
        ("Hội nghị đó diễn ra ở đâu?", "Nguyễn Xuân Ký phát biểu tại hội nghị về vấn đề gì?", None,
         "Hội nghị mà Nguyễn Xuân Ký phát biểu diễn ra ở đâu?"),
        # bench/dev12: a noun the previous *answer* gave as the place asked ("tại hội nghị"); "họ"
        # after "Những ai …?" whose answer named no two people: those the question described
        ("Hội nghị đó được tổ chức ở đâu?", "Nguyễn Xuân Ký phát biểu ở đâu?",
         "Đồng chí Nguyễn Xuân Ký, Bí thư Tỉnh ủy phát biểu tại hội nghị.",
         "Hội nghị mà Nguyễn Xuân Ký phát biểu được tổ chức ở đâu?"),
        ("Hai đồng chí đó mang quân hàm gì?", "Những ai dự buổi làm việc với Đại tướng Lương Cường?",
         "Sáng 27-3, Đại tướng Lương Cường chủ trì làm việc.",
         "Những người dự buổi làm việc với Đại tướng Lương Cường mang quân hàm gì?"),
        # a bare "Ông" before a verb starting with an accented letter ("đánh"), and a person the
        # previous question named after an honorific ("Ông Nguyễn Xuân Ký")
        ("Ông đánh giá giai đoạn 2021-2023 thế nào?", "Ông Nguyễn Xuân Ký giữ chức vụ gì?", None,
         "Ông Nguyễn Xuân Ký đánh giá giai đoạn 2021-2023 thế nào?"),
        # an office of two capitals ("Phó Bí thư") is no name: the new office takes its place
        ("Còn Chủ tịch UBND tỉnh?", "Ai là Phó Bí thư Thường trực Tỉnh ủy?", None, "Ai là Chủ tịch UBND tỉnh?"),
        # "Tăng trưởng thì sao?": the message's first capital is no name's
        ("Tăng trưởng thì sao?", "Quảng Ninh thu hút bao nhiêu vốn FDI năm 2023?", None,
         "Quảng Ninh thu hút tăng trưởng bao nhiêu?"),
        # asked as a user: "các huyện đó" are every one the answer named; "X cũng vậy à?" asks the
        # same of X; "Thế còn ở X thì ai?"; "Vị Chính ủy này" is the person holding that office
        ("Các huyện đó đạt chuẩn theo tiêu chí giai đoạn nào?", "Quảng Ninh có những huyện nào đạt chuẩn NTM?",
         "Huyện Đầm Hà và huyện Tiên Yên cũng là 2 địa phương đạt chuẩn NTM nâng cao.",
         "Huyện Đầm Hà và huyện Tiên Yên đạt chuẩn theo tiêu chí giai đoạn nào?"),
        # "X là ai?" of a person X is about X, as the answer writes X (not the first person it names)
        ("Ông ấy giữ chức gì?", "Trung tướng Nguyễn Anh Tuấn là ai?", ANSWER_OF_TWO,
         "Trung tướng Nguyễn Anh Tuấn giữ chức gì?"),
        ("ong ay giu chuc gi", "thieu tuong nguyen anh tuan la ai", ANSWER_OF_TWO,
         "Trung tuong Nguyen Anh Tuan giu chuc gi"),
        # a question of which one first: its noun and what it does; "đồn này" is the post the answer names
        ("Bằng cách nào?", "Lực lượng nào giúp dân xóa đói giảm nghèo?", None,
         "Lực lượng giúp dân xóa đói giảm nghèo bằng cách nào?"),
        ("Ai kiểm tra mô hình của đồn này?", "Đồn biên phòng nào có mô hình mẫu giúp dân phát triển kinh tế?",
         "Đại tá Nguyễn Thanh Hải kiểm tra mô hình mẫu giúp dân phát triển kinh tế của Đồn BP Pò Hèn.",
         "Ai kiểm tra mô hình của đồn Pò Hèn?"),
        # "văn bản đó": the document named before; "việc đó": what was said to be done; "ổng": "ông ấy"
        ("Văn bản đó áp dụng cho giai đoạn nào?", "Quảng Ninh ban hành Nghị quyết số 23-NQ/TU về vấn đề gì?", None,
         "Nghị quyết số 23-NQ/TU áp dụng cho giai đoạn nào?"),
        ("Việc đó giúp gì?", "BĐBP Lai Châu kết nghĩa bao nhiêu cặp đồn trạm?", None,
         "Việc BĐBP Lai Châu kết nghĩa cặp đồn trạm giúp gì?"),
        ("Ổng còn giữ chức gì?", "Ai là Bí thư Tỉnh ủy Quảng Ninh?", "Có đồng chí Nguyễn Xuân Ký, Bí thư Tỉnh ủy.",
         "Bí thư Tỉnh ủy Quảng Ninh, Nguyễn Xuân Ký còn giữ chức gì?"),
        # ... but the "ổng" inside "Tổng" is no one
        ("Tổng cục Chính trị có nhiệm vụ gì?", "Ai là Bí thư Tỉnh ủy Quảng Ninh?", "Có đồng chí Nguyễn Xuân Ký.", None),
        # "Con số đó": the figure asked before ("con" before a lowercase word is no "còn" when typed
        # with accents; "Con Chính ủy?" still is); "ở đó" after "Đồn … nào?" is the post answered
        ("Con số đó có phải kỷ lục không?", "Quảng Ninh thu hút bao nhiêu vốn FDI năm 2023?", None,
         "Quảng Ninh thu hút vốn FDI năm 2023 có phải kỷ lục không?"),
        ("Con Chính ủy?", "Ai là Tư lệnh BĐBP?", None, "Ai là Chính ủy BĐBP?"),
        ("Ai đến động viên cán bộ ở đó?", "Đồn Biên phòng nào làm nhiệm vụ trên chốt kiểm soát?",
         "Đại tá Nguyễn Thanh Hải động viên CB,CS Đồn BP Pò Hèn làm nhiệm vụ trên chốt.",
         "Ai đến động viên cán bộ ở đồn Pò Hèn?"),
        # "còn" with a question of its own, typed without accents: that question
        ("con huyen nao ve dich ntm", "quang ninh co huyen nao dat chuan ntm nang cao", None, "Huyen nao ve dich ntm?"),
        # "Thế" / "Vậy thì" before a reference says "so": it goes with the reference
        ("Vậy thì ông ấy quê ở đâu?", "Ai là Tư lệnh BĐBP?", "Dự có Trung tướng Lê Đức Thái, Tư lệnh BĐBP.",
         "Tư lệnh BĐBP, Trung tướng Lê Đức Thái quê ở đâu?"),
        # the noun the previous question named, again without "đó": that one (bench/dev16)
        ("Nghị quyết có hiệu lực khi nào?", "Tỉnh ủy Quảng Ninh ban hành nghị quyết chuyên đề nào?", None,
         "Nghị quyết mà Tỉnh ủy Quảng Ninh ban hành có hiệu lực khi nào?"),
        # "Kể tên đi" after a count: which ones ("Đó là những huyện nào?")
        ("Kể tên đi", "Quảng Ninh có mấy huyện đạt chuẩn NTM nâng cao?", None,
         "Quảng Ninh có huyện đạt chuẩn NTM nâng cao là những huyện nào?"),
        ("ke ten di", "Quảng Ninh có mấy huyện đạt chuẩn NTM nâng cao?", None,
         "Quang Ninh co huyen dat chuan NTM nang cao la nhung huyen nao?"),
        # a counted kind names no place: "huyen bien gioi" is no district named "bien gioi"
        ("Thế còn Lai Châu?", "quang ninh co bao nhieu huyen bien gioi", None,
         "Quang ninh co bao nhieu huyen bien gioi o Lai Chau?"),
        ("Hai huyện đó thuộc tỉnh nào?", "Đầm Hà có gì nổi bật?",  # two named: those two, whatever was asked
         "Huyện Đầm Hà và huyện Tiên Yên cũng là 2 địa phương đạt chuẩn NTM nâng cao.",
         "Huyện Đầm Hà và huyện Tiên Yên thuộc tỉnh nào?"),
        ("Lãnh đạo các địa phương đó dự hội nghị với ai?",  # the things counted, as many as counted (bench/dev17)
         "Quảng Ninh có bao nhiêu huyện, thị, thành phố biên giới, hải đảo?",
         "Về phía tỉnh Quảng Ninh có lãnh đạo 10 huyện, thị, thành phố biên giới, hải đảo trên địa bàn tỉnh.",
         "Lãnh đạo 10 huyện, thị, thành phố biên giới, hải đảo dự hội nghị với ai?"),
        ("Ông ấy nhấn mạnh điều gì?",  # who did something: the name alone, not "Người phát biểu …, X"
         "Ai là người phát biểu chỉ đạo tại buổi làm việc ngày 13/6?",
         "Bí thư Tỉnh ủy Phan Việt Cường phát biểu chỉ đạo tại buổi làm việc.",
         "Phan Việt Cường nhấn mạnh điều gì?"),
        ("Hội nghị ấy bàn nhiệm vụ năm nào?",  # the conference the answer says he chaired (bench/dev17)
         "Đại tá Nguyễn Văn Hưng giữ chức vụ gì?",
         "Đại tá Nguyễn Văn Hưng - Bí thư Đảng uỷ, Chính uỷ Bộ đội Biên phòng tỉnh chủ trì Hội nghị ra nghị quyết.",
         "Hội nghị mà Đại tá Nguyễn Văn Hưng chủ trì bàn nhiệm vụ năm nào?"),
        ("Hội nghị đó ra nghị quyết cho năm nào?",  # ... or the one who chaired it, after "Ai …?"
         "Chính ủy BĐBP tỉnh Lai Châu là ai?",
         "Đại tá Nguyễn Văn Hưng - Bí thư Đảng uỷ, Chính uỷ Bộ đội Biên phòng tỉnh chủ trì Hội nghị ra nghị quyết.",
         "Hội nghị mà Chính ủy BĐBP tỉnh Lai Châu, Đại tá Nguyễn Văn Hưng chủ trì ra nghị quyết cho năm nào?"),
        ("Hội nghị diễn ra vào buổi nào?",  # the noun phrase with the "tỉnh nào" it asked answered (bench/dev16)
         "Trung tướng Lê Đức Thái dự hội nghị với Tỉnh ủy tỉnh nào?",
         "Trung tướng Lê Đức Thái đánh giá cao sự phối hợp của Tỉnh ủy, UBND tỉnh Quảng Ninh.",
         "Hội nghị với Tỉnh ủy tỉnh Quảng Ninh diễn ra vào buổi nào?"),
        ("Buổi làm việc bàn về những nội dung gì?",  # an event by its verb: the one asked about (bench/dev20)
         "Sáng 27-3 Đại tướng Lương Cường làm việc với ai?", None,
         "Sáng 27-3 Đại tướng Lương Cường làm việc bàn về những nội dung gì?"),
        ("Lai Châu cũng vậy à?", "Bình Liêu đã về đích nông thôn mới chưa?", None,
         "Lai Châu đã về đích nông thôn mới chưa?"),
        ("Thế còn ở Lai Châu thì ai?", "Ai là Chính ủy BĐBP tỉnh Quảng Ninh?", None,
         "Ai là Chính ủy BĐBP tỉnh Lai Châu?"),
        ("Vị Chính ủy này quê ở đâu?", "Ai là Chính ủy BĐBP?",
         "Dự có Trung tướng Lê Đức Thái, Tư lệnh BĐBP; Trung tướng Nguyễn Anh Tuấn, Chính ủy BĐBP.",
         "Chính ủy BĐBP, Trung tướng Nguyễn Anh Tuấn quê ở đâu?"),
        ("Vị trí này ở đâu?", "Ai là Chính ủy BĐBP?", None, None),
        # a named thing of the kind the previous question names takes that one's place, whole
        ("Còn Luật Biên giới quốc gia?", "Luật Biên phòng Việt Nam ban hành năm nào?", None,
         "Luật Biên giới quốc gia ban hành năm nào?"),
        ("Còn Nghị quyết 33?", "Nghị quyết 23-NQ/TU ban hành ngày nào?", None, "Nghị quyết 33 ban hành ngày nào?"),
        # "… tên gì?" asks a person as "Ai …?" does: "ông ấy" is the person its answer names
        ("Ông ấy chủ trì hội nghị nào?", "Chính ủy BĐBP tỉnh Lai Châu tên gì?",
         "Đại tá Nguyễn Văn Hưng - Bí thư Đảng uỷ, Chính uỷ Bộ đội Biên phòng tỉnh chủ trì Hội nghị.",
         "Đại tá Nguyễn Văn Hưng chủ trì hội nghị nào?"),
        # "Còn <a place>?" when the previous question has no place to replace: asked there
        ("Còn Quảng Ninh?", "Đảng ủy BĐBP tỉnh xây dựng bao nhiêu quy chế?", None,
         "Đảng ủy BĐBP tỉnh xây dựng bao nhiêu quy chế ở Quảng Ninh?"),
        ("Còn ở Lai Châu?", "Bộ đội Biên phòng có mấy khâu đột phá?", None,
         "Bộ đội Biên phòng có mấy khâu đột phá ở Lai Châu?"),
        # "Ai ban hành?": who did it, a verb without its object, asks of the previous subject;
        # "Ai là …?" names what it asks
        ("Ai ban hành?", "Nghị quyết 33-NQ/TW về vấn đề gì?", None, "Nghị quyết 33-NQ/TW ai ban hành?"),
        ("ai ban hanh", "nghi quyet 33 ve van de gi", None, "Nghi quyet 33 ai ban hanh"),
        ("Ai là Chính ủy?", "Nghị quyết 33-NQ/TW về vấn đề gì?", None, None),
        # "Còn <a person>?": in the place of the person asked about, rank and all, or of the office
        # asked about; else who that person is
        ("Thế còn ông Phan Việt Cường?", "Đại tướng Lương Cường làm việc với đơn vị nào?", None,
         "Ông Phan Việt Cường làm việc với đơn vị nào?"),
        ("Còn Trung tướng Nguyễn Anh Tuấn?", "Ông Phan Việt Cường yêu cầu gì?", None,
         "Trung tướng Nguyễn Anh Tuấn yêu cầu gì?"),
        ("Còn ông Nguyễn Anh Tuấn?", "Tư lệnh BĐBP sinh năm nào?", None, "Ông Nguyễn Anh Tuấn sinh năm nào?"),
        ("Thế còn ông Phan Việt Cường?", "Ai là Bí thư Tỉnh ủy Quảng Ninh?", None, "Ông Phan Việt Cường là ai?"),
        # "hai người đó", "cả hai": the people the answer named; "ở đó": the place; "năm đó": the time
        ("Hai người đó giữ chức vụ gì?", "Ai cùng chủ trì buổi làm việc?",
         "Cùng chủ trì có Trưởng đoàn Đại biểu Quốc hội tỉnh Lê Văn Dũng và Chủ tịch UBND tỉnh Lê Trí Thanh.",
         "Lê Văn Dũng và Lê Trí Thanh giữ chức vụ gì?"),
        ("Ở đó có bao nhiêu huyện biên giới?", "Chính ủy BĐBP tỉnh Lai Châu là ai?", None,
         "Ở tỉnh Lai Châu có bao nhiêu huyện biên giới?"),
        ("Tại đó ai chủ trì?", "Hội nghị diễn ra ở đâu?", "Chiều 5/3, tại Hà Nội, hai bên gặp mặt.",
         "Tại Hà Nội ai chủ trì?"),
        ("Năm đó Quảng Ninh tăng trưởng thế nào?", "Quảng Ninh thu hút bao nhiêu vốn FDI năm 2023?", None,
         "Năm 2023 Quảng Ninh tăng trưởng thế nào?"),
        ("Ngày đó ai chủ trì?", "Hội nghị diễn ra ngày nào?", "Chiều 5/3, tại Hà Nội, hai bên gặp mặt.",
         "Ngày 5/3 ai chủ trì?"),
        # an office named without its body is the previous question's office's
        ("Thế ai là Phó Chính ủy?", "Ai là Chính ủy BĐBP tỉnh Quảng Ninh?", None,
         "Ai là Phó Chính ủy BĐBP tỉnh Quảng Ninh?"),
        ("Vậy Tư lệnh là ai?", "Chính ủy Bộ đội Biên phòng là ai?", None, "Tư lệnh Bộ đội Biên phòng là ai?"),
        ("Còn ai là Chính ủy?", "Ai là Tư lệnh Bộ đội Biên phòng?", None, "Ai là Chính ủy Bộ đội Biên phòng?"),
        # "Còn ai là …?" naming an office with its body: a question of its own, no "Ai là ai là …"
        ("Còn ai là Chủ nhiệm Tổng cục Chính trị?", "Ai là Tư lệnh Bộ đội Biên phòng?", None, None),
        # "… loại nghị quyết gì?" asks which one too: "Nghị quyết này" is the one its answer names
        ("Nghị quyết này ban hành khi nào?", "Quảng Ninh ban hành loại nghị quyết gì về biên giới?",
         "Quảng Ninh ban hành Nghị quyết chuyên đề (Nghị quyết số 23-NQ/TU ngày 3/3/2024) về biên giới.",
         "Nghị quyết số 23-NQ/TU ban hành khi nào?"),
        # "người còn lại": the other of the people the answer named
        ("Người còn lại giữ chức vụ gì?", "Ai cùng chủ trì buổi làm việc?",
         "Cùng chủ trì có Trưởng đoàn Đại biểu Quốc hội tỉnh Lê Văn Dũng và Chủ tịch UBND tỉnh Lê Trí Thanh.",
         "Lê Trí Thanh giữ chức vụ gì?"),
        # "Đó là hai huyện nào?" after a question that opened by asking which: the noun as described
        ("Đó là hai huyện nào?", "Tỉnh nào có 2 huyện đạt chuẩn NTM nâng cao?", None,
         "2 huyện đạt chuẩn NTM nâng cao là hai huyện nào?"),
        # "Kể thêm đi", "Còn ai nữa?": the same question again
        ("Còn ai nữa?", "Ai dự chương trình làm việc?", None, "Ai dự chương trình làm việc?"),
        ("Kể thêm đi", "BĐBP Lai Châu có những phong trào nào?", None, "BĐBP Lai Châu có những phong trào nào?"),
        ("Cụ thể là gì?", "Quảng Ninh ban hành nghị quyết nào?", None, "Quảng Ninh ban hành nghị quyết nào?"),
        ("ke them di", "BĐBP Lai Châu có những phong trào nào?", None, "BĐBP Lai Châu có những phong trào nào?"),
        # a title for the office a question names after its first word, without that office's holder
        ("Còn Chính ủy thì sao?", "Cấp bậc của Tư lệnh Bộ đội Biên phòng, Trung tướng Lê Đức Thái?", None,
         "Cấp bậc của Chính ủy Bộ đội Biên phòng?"),
        ("Còn Phó Chính ủy?", "Quê của Chính ủy BĐBP tỉnh Quảng Ninh ở đâu?", None,
         "Quê của Phó Chính ủy BĐBP tỉnh Quảng Ninh ở đâu?"),
        # ... and without the person who holds the replaced title (set apart by a comma, with or without accents)
        ("con chinh uy thi sao", "Tu lenh bdbp, Trung tuong Le Duc Thai giu chuc vu gi khac", None,
         "Chinh uy bdbp giu chuc vu gi khac"),
        ("Còn Chính ủy?", "Tư lệnh Bộ đội Biên phòng, Trung tướng Lê Đức Thái chủ trì hội nghị nào?", None,
         "Chính ủy Bộ đội Biên phòng chủ trì hội nghị nào?"),
        ("Còn Chính ủy?", "Tư lệnh Bộ đội Biên phòng Trung tướng Lê Đức Thái chủ trì hội nghị nào?", None,
         "Chính ủy Bộ đội Biên phòng chủ trì hội nghị nào?"),
        # "nó": the thing the previous subject names, without its verb (a name's capital is no verb)
        ("Ai ban hành nó?", "Nghị quyết 33 nói về cái gì vậy?", None, "Ai ban hành Nghị quyết 33?"),
        ("Nó được ban hành ngày nào?", "Nghị quyết 33-NQ/TW của Bộ Chính trị nói về vấn đề gì?", None,
         "Nghị quyết 33-NQ/TW của Bộ Chính trị được ban hành ngày nào?"),
        ("Nó do ai phát động?", "Chương trình Xuân Biên phòng ấm lòng dân bản là gì?", None,
         "Chương trình Xuân Biên phòng ấm lòng dân bản do ai phát động?"),
        # a correction: X in the last question's place, as "Còn X?" puts it, or a question of its own
        ("Không, ý tôi là Chính ủy", "Ai là Tư lệnh BĐBP?", None, "Ai là Chính ủy BĐBP?"),
        ("Không phải, tôi hỏi Phó Tư lệnh cơ", "Ai là Tư lệnh BĐBP?", None, "Ai là Phó Tư lệnh BĐBP?"),
        ("Ý mình là năm 2022", "Quảng Ninh thu hút bao nhiêu vốn FDI năm 2023?", None,
         "Quảng Ninh thu hút bao nhiêu vốn FDI năm 2022?"),
        ("khong, y toi la chinh uy", "Ai là Tư lệnh BĐBP?", None, "Ai la chinh uy BDBP?"),
        ("Ý tôi là ai ký Nghị quyết 33?", "Ai là Tư lệnh BĐBP?", None, "Ai ký Nghị quyết 33?"),
    ],
)  # fmt: skip
def test_follow_ups_are_rewritten_to_stand_alone(question, previous, answer, expected):
    assert rewrite(question, previous, answer) == expected


@pytest.mark.parametrize(
    "question",
    [
        "Bí thư Tỉnh ủy Quảng Ninh là ai?",
        "Giá vàng hôm nay bao nhiêu?",
        "tu lenh bo doi bien phong la ai",
        "Huyện nào về đích nông thôn mới?",
        "Đồn Biên phòng nào làm nhiệm vụ trên chốt kiểm soát phòng dịch?",
        "Ông Nguyễn Xuân Ký giữ chức vụ gì?",  # "Ông" before a name is no reference
        "Có bao nhiêu huyện biên giới ở Lai Châu kết nghĩa với nước bạn?",  # a whole question, not a fragment
        "da nang co bao nhieu don bien phong",  # "da" is "Đà" here, no marker
        "Nói thêm về huyện Bình Liêu",  # more, of a subject of its own
        "",
    ],
)
def test_questions_that_stand_alone_are_never_rewritten(question):
    assert rewrite(question, "Tư lệnh BĐBP là ai?") is None


def test_an_ellipsis_that_fits_no_slot_takes_the_frame_before():
    """ "Còn Chính ủy?" fits no slot of "Lê Đức Thái chủ trì hội nghị nào?" (it became "Lê Đức
    Thái chủ trì Chính ủy nào?"); the question before it has the title's slot."""
    previous, earlier = "Lê Đức Thái chủ trì hội nghị nào?", "Ai là Tư lệnh Bộ đội Biên phòng?"
    assert rewrite("Còn Chính ủy?", previous, None, earlier) == "Ai là Chính ủy Bộ đội Biên phòng?"
    # "ủy" is shared with "Ủy viên", half a title: no slot there either
    named = "Lê Đức Thái là Ủy viên của cơ quan nào?"
    assert rewrite("Còn Chính ủy?", named, None, earlier) == "Ai là Chính ủy Bộ đội Biên phòng?"
    assert rewrite("Còn năm 2022?", "Quảng Ninh thu hút vốn FDI năm 2023 bao nhiêu?", None, earlier) == (
        "Quảng Ninh thu hút vốn FDI năm 2022 bao nhiêu?"  # it fits the last one: the earlier is not read
    )
    conversation = Conversation(minutes=10)
    conversation.add(earlier, now=0)
    conversation.add(previous, now=60)
    assert conversation.turns[-1].earlier == earlier
    conversation.add("Khi nào?", now=60 + 10 * 60 + 1)  # the one before is too old
    assert conversation.turns[-1].earlier is None


def test_a_short_question_without_a_name_may_also_ask_of_the_previous_subject():
    previous = "Nghị quyết 33-NQ/TW của Bộ Chính trị về vấn đề gì?"
    reading = subjectless_reading("Ban hành ngày nào?", previous)
    assert reading == "Nghị quyết 33-NQ/TW của Bộ Chính trị ban hành ngày nào?"
    assert subjectless_reading("Biên phòng là gì?", "Tư lệnh BĐBP là ai?") == "Tư lệnh BĐBP biên phòng là gì?"
    assert subjectless_reading("Áp dụng cho giai đoạn nào?", "Nghị quyết số 23-NQ/TU do ai ban hành?") == (
        "Nghị quyết số 23-NQ/TU áp dụng cho giai đoạn nào?"
    )
    # a noun that is of something, its owner left out: of the previous subject's named thing
    assert subjectless_reading("Nội dung chính là gì?", "Nghị quyết 23-NQ/TU ban hành ngày nào?") == (
        "Nội dung chính của Nghị quyết 23-NQ/TU là gì?"
    )
    # the verb asked of a named thing, asked again: of that thing (not "Ban hành Nghị quyết 33 …")
    assert subjectless_reading("Ban hành ngày nào?", "Ai ban hành Nghị quyết 33?") == "Nghị quyết 33 ban hành ngày nào?"
    assert subjectless_reading("Ban hành ngày nào?", "Ai ban hành nghị quyết này?") is None  # nothing named
    # a name, an abbreviation, a number or a longer question has a subject of its own
    assert subjectless_reading("BĐBP là gì?", previous) is None
    assert subjectless_reading("Quảng Ninh ở đâu?", previous) is None
    assert subjectless_reading("Đồn Biên phòng nào làm nhiệm vụ trên chốt kiểm soát?", previous) is None
    assert subjectless_reading("Có 3 bám là gì?", previous) is None


def test_the_better_supported_reading_wins_by_verdict_then_by_clear_evidence():
    from retrieval.engine import _better_supported
    from retrieval.index.search import SearchResult
    from retrieval.question.query import analyze_question

    def result(verdict: str, evidence: float) -> SearchResult:
        return SearchResult(analyze_question("x"), [], evidence, verdict=verdict)

    assert _better_supported(result("answer", 0.6), result("related", 1.2))
    assert not _better_supported(result("related", 1.2), result("answer", 0.6))
    assert _better_supported(result("answer", 1.37), result("answer", 0.82))  # "Ban hành ngày nào?"
    assert not _better_supported(result("answer", 1.22), result("answer", 1.13))  # "Biên phòng là gì?"


def test_the_focus_of_a_follow_up_is_its_new_common_words():
    assert focus_of("Còn nông thôn mới nâng cao?") == "nông thôn mới nâng cao"
    assert focus_of("con pho giam doc thi sao") == "pho giam doc"
    assert focus_of("Còn Quảng Ninh?") is None  # a name: its article may name it
    assert focus_of("Còn những huyện nào đạt chuẩn?") is None  # a question of its own
    assert focus_of("Ông ấy quê ở đâu?") is None
    # its preposition is no word the sentence must say: "đối với chiến sĩ mới" says "về chiến sĩ mới"
    assert focus_of("Còn về chiến sĩ mới?") == "chiến sĩ mới"
    assert focus_of("Còn với ngư dân thì sao?") == "ngư dân"


def test_a_time_or_an_office_never_named_is_no_reference():
    assert rewrite("Năm đó có gì nổi bật?", "Quảng Ninh tăng trưởng thế nào?") is None
    assert rewrite("Ai là Chính ủy?", "Quảng Ninh thu hút bao nhiêu vốn?") is None  # nor an office never named
    # nor a place, a person typed without accents: "ở đó" is not "ở Nguyen Van Hung"
    assert rewrite("o do co bao nhieu huyen", "Chinh uy tinh lai chau, Dai ta Nguyen Van Hung chu tri gi") is None


def test_conversation_keeps_recent_turns_only():
    conversation = Conversation(minutes=10, size=2)
    conversation.add("a?", now=0)
    conversation.add("b?", ["B."], now=100)
    conversation.add("c?", now=200)
    assert [t.question for t in conversation.recent(now=300)] == ["b?", "c?"]
    assert [t.question for t in conversation.recent(now=200 + 10 * 60 + 1)] == []
    conversation.clear()
    assert conversation.recent(now=200) == []


async def test_engine_answers_a_follow_up_in_context_and_logs_how(data_dir, db_path):
    import sqlite3

    engine, _ = await QAEngine.open(data_dir, db_path)
    try:
        first = (await engine.ask("Tư lệnh Bộ đội Biên phòng là ai?")).result
        previous = Turn("Tư lệnh Bộ đội Biên phòng là ai?", first.answers[0].sentence, 0.0)
        alone = (await engine.ask("Còn Chính ủy?")).result
        asked = await engine.ask("Còn Chính ủy?", previous=previous)
        follow_up, query_id = asked.result, asked.query_id
        assert alone.understood_as is None
        assert follow_up.understood_as == "Chính ủy Bộ đội Biên phòng là ai?"
        assert "Nguyễn Anh Tuấn" in follow_up.answers[0].sentence
        assert await engine.question(query_id) == follow_up.understood_as  # "more results" re-asks it
        agreed = engine.search_in_context("Đúng rồi, còn Chính ủy?", previous)  # small talk first
        assert agreed.understood_as == "Chính ủy Bộ đội Biên phòng là ai?"
        greeted = engine.search_in_context("Xin chào, Chính ủy BĐBP tỉnh Quảng Ninh là ai?", None)
        assert greeted.understood_as == "Chính ủy BĐBP tỉnh Quảng Ninh là ai?"  # remembered without it
        assert "Nguyễn Thanh Hải" in greeted.answers[0].sentence
        head = engine.search_in_context("Ai là người đứng đầu Tỉnh ủy Quảng Ninh?", None)  # the head by title
        assert head.understood_as == "Ai là Bí thư Tỉnh ủy Quảng Ninh?" and head.verdict == "answer"
        assert "Nguyễn Xuân Ký" in head.answers[0].sentence
        standalone = engine.search_in_context("Bí thư Tỉnh ủy Quảng Ninh là ai?", previous)
        assert standalone.understood_as is None and "Nguyễn Xuân Ký" in standalone.answers[0].sentence
        # a short question the corpus knows nothing of is not answered with the previous subject's
        # sentence: the reading "… giá vàng hôm nay bao nhiêu?" finds nothing of gold
        figure = Turn("Năm 2023 Quảng Ninh tăng trưởng mấy năm liên tiếp?", None, 0.0)
        gold = engine.search_in_context("Giá vàng hôm nay bao nhiêu?", figure)
        assert gold.understood_as is None and gold.verdict != "answer"
        # nor by a sentence whose "quốc gia" would say "giá" with the accents folded away
        districts = Turn("Huyện Đầm Hà và huyện Tiên Yên đạt chuẩn theo tiêu chí giai đoạn nào?", None, 0.0)
        gold = engine.search_in_context("Giá vàng hôm nay bao nhiêu?", districts)
        assert gold.understood_as is None and gold.verdict != "answer"
        # one that starts with its verb has no subject of its own: the better-supported reading
        # wins though its sentence says "giai đoạn", not "áp dụng"
        law = Turn("Nghị quyết 23-NQ/TU ban hành ngày nào?", None, 0.0)
        applied = engine.search_in_context("Áp dụng đến năm nào?", law)
        assert applied.understood_as and applied.understood_as.startswith("Nghị quyết 23-NQ/TU")
        assert "2024-2030" in applied.answers[0].sentence
        # "Kể thêm đi": the sentences after those shown, however often asked; "Còn ai nữa?" asks again
        conversation = Conversation()
        for turn in range(3):
            shown = conversation.last(now=0.0).shown if turn else ()
            more = engine.search_in_context("Kể thêm đi" if turn else "Ông Lương Cường yêu cầu gì?",
                                            conversation.last(now=0.0))  # fmt: skip
            sentences = [a.sentence for a in more.answers]
            assert len(sentences) == 3 and not set(sentences) & set(shown)
            conversation.add(more.understood_as or "Ông Lương Cường yêu cầu gì?", sentences, 0.0)
        assert len(conversation.last(now=0.0).shown) == 9
        who = Turn("Ai cùng chủ trì buổi làm việc ngày 13/6?", None, 0.0, shown=("Cùng chủ trì có Lê Văn Dũng.",))
        assert engine.search_in_context("Còn ai nữa?", who).understood_as == who.question
        # "Nội dung chính là gì?" stands alone well enough (a sentence says "nội dung"), but it is
        # of something: of the resolution asked about, as long as that reading finds as much
        resolution = Turn("Nghị quyết 23-NQ/TU ban hành ngày nào?", None, 0.0)
        content = engine.search_in_context("Nội dung chính là gì?", resolution)
        assert content.understood_as == "Nội dung chính của Nghị quyết 23-NQ/TU là gì?"
        assert "23-NQ/TU" in content.answers[0].sentence
        # typed with accents after a turn typed without: the rewrite is accented whole
        plain = Turn("Bi thu Tinh uy Quang Ninh, Nguyen Xuan Ky phat bieu tai dau", None, 0.0)
        accented = engine.search_in_context("Ông ấy đánh giá công tác phối hợp giai đoạn nào?", plain)
        assert accented.understood_as == "Nguyễn Xuân Ký đánh giá công tác phối hợp giai đoạn nào?"
        assert "2021-2023" in accented.answers[0].sentence
    finally:
        await engine.close()
    with sqlite3.connect(db_path) as db:
        rows = db.execute("SELECT question, understood FROM queries ORDER BY id").fetchall()
    assert rows[-1] == ("Còn Chính ủy?", "Chính ủy Bộ đội Biên phòng là ai?") and rows[0][1] is None


def test_a_two_word_name_is_never_half_replaced():
    """ "Chính ủy thì sao?" after a question about Quảng Ninh: no "Chính ủy Ninh …"."""
    for phrase in ("Chính ủy thì sao?", "Còn Tư lệnh?"):
        rewritten = rewrite(phrase, "Quảng Ninh thu hút bao nhiêu vốn FDI năm 2023?")
        assert rewritten and "Ninh" not in rewritten.replace("Quảng Ninh", ""), rewritten
