"""What kind of answer a question asks for, and whether a sentence holds one.

Question words are dropped from the BM25 query (they say nothing about *where* the answer is), but
they do say *what* it looks like: "bao nhiêu" wants a number, "khi nào"/"năm nào" a time, "ai" a
name, "ở đâu" a place. A candidate sentence that holds such a thing, not already in the question,
gets a bonus in ranking (what it buys: the ablation in bench/README.md).
A "bao nhiêu X" question says more: a number right before X is its answer (``AnswerCheck.counts``).
"""

from __future__ import annotations

import re

from retrieval.text.normalize import UPPER_LETTER, clean_unicode, fold_diacritics, has_diacritics, normalize

# Offices by their head word, folded: what "giữ chức vụ gì?" is answered with; the verdict reads
# a question's office by them, with the lowercase words after ("chủ tịch ubnd tỉnh").
OFFICE_HEADS = (
    "tong bi thu|bi thu|pho bi thu|chu tich|pho chu tich|tu lenh|pho tu lenh|chinh uy|pho chinh uy|"
    "chi huy truong|pho chi huy truong|chu nhiem|pho chu nhiem|truong doan|pho truong doan|bo truong|"
    "thu truong|thu tuong|pho thu tuong|giam doc|pho giam doc|truong ban|pho truong ban|tong cuc truong|"
    "don truong|pho don truong|hieu truong|truong phong|cuc truong|tham muu truong"
)
# "Nước bạn nào", "huyện biên giới nào": a kind of place with up to two words of its own, asked which.
# "xã hội": society; "đơn vị", without accents "don vi": a unit, no border post
_PLACE_KINDS = ("nước", "quốc gia", "thành phố", "huyện", "tỉnh", "xã(?! hội)", "đồn(?! vị)", "đảng ủy")
_WHICH_PLACE = "|".join(rf"\b{kind}(?: [^\W\d_]+){{0,2}} nào" for kind in _PLACE_KINDS)
# "Phong trào nào …?", "Mô hình … tên là gì?": a named programme, answered by its name in quotes
# or its slogan ("Đồn là nhà, biên giới là quê hương, …"): twenty words at most, where a saying
# quoted or a document's subject is longer.
_TITLE_WORDS = 20
_NAMED_KINDS = (
    "phong trào", "mô hình", "chương trình", "cuộc vận động", "dự án", "đề án", "khẩu hiệu", "cuộc thi", "tinh thần",
    "phương châm",
)  # fmt: skip
# A motto is quoted right after its kind ("với phương châm “3 bám, 4 cùng”"), where the names of
# programmes often stand alone in a list ("Có thể kể đến: “…”, “…”"), folded.
_MOTTO_KINDS = ("khau hieu", "tinh than", "phuong cham")
_WHICH_NAMED = "|".join(rf"\b{kind}(?: [^\W\d_]+){{0,3}} nào|\b{kind}\b.* tên (?:là )?gì" for kind in _NAMED_KINDS)
# Checked in this order: "năm nào" is a time question before "nào" makes it anything else.
_QUESTION_PATTERNS = {
    "time": r"khi nào|năm nào|bao giờ|ngày nào|hôm nào|tháng nào|lúc nào|buổi nào|thời gian nào|thời điểm nào"
    r"|thế kỷ nào|năm bao nhiêu",
    "number": r"bao nhiêu|mấy|số lượng|tỷ lệ|bao xa|bao lâu",
    "title": _WHICH_NAMED,  # before "person": "Mô hình … tên là gì?" asks no one's name
    "person": r"\bai\b|người nào|nhân vật nào|những ai|tên là gì|tên gì",
    "place": r"ở đâu|\bđâu\b|nơi nào|địa điểm nào|tỉnh nào|xã nào|" + _WHICH_PLACE,  # the first: folded too
    "rank": r"quân hàm (?:gì|nào)|cấp bậc (?:gì|nào)|hàm (?:gì|nào)",
    "office": r"(?<!tổ )\bchức (?:vụ |danh )?(?:gì|nào)|cương vị (?:gì|nào)",  # "tổ chức nào": a body
}
_RANK = re.compile(r"\b(?:Đại|Trung|Thiếu|Thượng) (?:tướng|tá|úy|uý)\b", re.IGNORECASE)
# An office a sentence names ("Ủy viên Trung ương Đảng", "Chủ tịch HĐND tỉnh"), folded.
_OFFICE = re.compile(rf"\b(?:{OFFICE_HEADS}|uy vien)\b")
# The kind of place a "which" question asks, folded: "nuoc" of "nước bạn nào".
_KIND_ASKED = re.compile(rf"\b({'|'.join(fold_diacritics(k) for k in _PLACE_KINDS)})(?: [a-z]+){{0,2}} nao\b")
# "Where": asked of a place that is not a named kind ("tỉnh nào" wants a name); "Đâu là …" asks what.
_WHERE = re.compile(r"\b(?:o|tai|tu|den) dau\b|\bnoi nao\b|\bdia diem nao\b")
_LOCATIVE = re.compile(
    r"\b(?:ở|tại|trong|trên|ngoài|giữa|gần|qua|vào|từ|đến|tới|khắp|quanh|dọc|bên|phía|nơi|khu|sang)\b"
    r"(?P<what>(?:\s+[^\s,.;:]+){0,4})"
)
# "… tổ chức ở đâu?" asks where an event is held: at a place, never at another event ("tại buổi
# làm việc" is when something else was said), folded.
_HELD = re.compile(r"\b(?:to chuc|dien ra|khai mac|hop) (?:o|tai) dau\b")
_EVENTS = frozenset({"buoi", "hoi nghi", "chuong trinh", "le", "dai hoi", "cuoc hop", "phien", "hoi thao", "ky hop"})
_CLASSIFIERS = frozenset("buoi cuoc cac nhung mot phien".split())  # noqa: SIM905
_FOLDED_WORD = re.compile(r"[a-z0-9]+")
_WHEN_WORDS = frozenset("sang chieu toi dem ngay thang nam tuan luc hom dip thoi gio quy nhiem".split())  # noqa: SIM905
# Without accents "mấy" would be "may" (also "máy", a machine), "tỉnh …" "tinh" ("tinh thần nào"),
# "xã …" "xa" ("cách xa"): left out there.
_AMBIGUOUS_FOLDED = {"may", *(fold_diacritics(w) for w in _WHICH_PLACE.split("|") if "tỉnh" in w or "xã" in w)}


def _compile(folded: bool) -> dict[str, re.Pattern[str]]:
    out = {}
    for kind, pattern in _QUESTION_PATTERNS.items():
        alternatives = [fold_diacritics(a) if folded else a for a in pattern.split("|")]
        alternatives = [a for a in alternatives if not (folded and a in _AMBIGUOUS_FOLDED)]
        out[kind] = re.compile("|".join(alternatives))
    return out


_ACCENTED = _compile(folded=False)
_FOLDED = _compile(folded=True)

# "năm" and "tư" are no number words here: "những năm qua" is a time, "đầu tư" an investment.
_NUMBER = re.compile(
    r"\d|\b(?:một|hai|ba|bốn|sáu|bảy|tám|chín|mười|mươi|trăm|nghìn|ngàn|triệu|tỷ|nửa|chục)\b",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")
_NUMBER_IN_TEXT = re.compile(r"(?<![\w.,/-])\d[\d.,]*")
# "bao lâu" asks a length of time: a number of units ("3 năm", "mười năm", "1 tỷ năm", "vài tháng";
# "5 tháng 3" is a date), a span or its end ("từ năm 1870 đến 1939", "cho đến thế kỷ 19"), a clock's
# ("còn 3:08"); never a point in time alone ("chiều 5/3").
_DURATION = re.compile(
    r"(?:\d[\d.,]*|\b(?:một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười|mươi|trăm|nghìn|vài|nhiều|mấy|hàng))"
    r"\s+(?:(?:trăm|nghìn|ngàn|triệu|tỷ)\s+)?(?:năm|tháng|tuần|ngày|giờ|tiếng|phút|giây|thế kỷ|thập kỷ)\b(?!\s*\d)"
    r"|\b(?:đến|tới)(?:\s+[^\s\d]+){0,6}?\s+(?:(?:năm|thế kỷ|tháng|ngày|thập niên)\b|\d)|\b\d{1,2}:\d\d\b",
    re.IGNORECASE,
)
# A year, a day ("5/3", "27-3"), a month, a century, a decade; any year said as one ("năm 935"), counted back
# ("22.000 năm trước") or before present or the common era ("11.600 BP", "200 TCN").
_TIME = re.compile(
    r"\b(?:1[0-9]{3}|20[0-9]{2})\b|\d{1,2}/\d{1,2}|(?<![\d-])\d{1,2}-\d{1,2}(?![\d-])"
    r"|\bthế kỷ(?: (?:[IVXL]+\b|\d+))?|\btháng\b|\bthập niên\b|\bnăm \d{2,}"
    r"|\d[\d.,]*\s*(?:BP|TCN|SCN|năm trước)\b",
    re.IGNORECASE,
)
_PART_OF_DAY = re.compile(r"\b(?:sáng|trưa|chiều|tối|đêm)\b", re.IGNORECASE)
# "Ngày nào?" asks for a day: a year alone ("nhiệm kỳ 2020-2025") does not say which.
_DAY_ASKED = re.compile(r"\b(?:ngay|hom) (?:nao|bao nhieu)\b|\bngay thang nao\b")
_DAY = re.compile(
    r"\b\d{1,2}\s*[/-]\s*\d{1,2}\b|\b(?:ngày|mùng|tháng) \d{1,2}\b|\bthứ (?:hai|ba|tư|năm|sáu|bảy)\b|\bchủ nhật\b",
    re.IGNORECASE,
)
# Words before a year that make it a time ("Năm 2020"), not the end of a name ("Luật … Việt Nam 2020").
_TIME_WORDS = frozenset({"năm", "tháng", "ngày", "từ", "đến", "sau", "trước", "cuối", "đầu", "giữa", "mùa", "vào"})
# A quoted name or slogan, its words in the group (retrieval.question.verdict reads them too).
QUOTED = re.compile(r"[“\"]([^”\"]+)[”\"]")
# An ordinal ("thứ 3 từ phải sang") counts nothing, unless an ordinal is what is asked ("thứ mấy").
_ORDINAL = re.compile(r"\b(?:thứ|hạng) \d+")
# A document's number names it: "Nghị quyết 16", "Chỉ thị số 01/CT-TTg", "Nghị quyết Trung ương 8".
_DOCUMENT_NUMBER = re.compile(
    r"\b(?:[Nn]ghị quyết|[Nn]ghị định|[Cc]hỉ thị|[Qq]uyết định|[Tt]hông tư|[Cc]ông văn|[Kk]ết luận)"
    rf"(?: số| {UPPER_LETTER}[^\W\d_]*(?: [^\W\d_]+)?)? \d[\w/.-]*"
)
# A word that does not start the sentence; kept when capitalised (a name, a place, an organisation).
_INNER_WORD = re.compile(r"(?<=[\s(“\"'])[^\W\d_]+")


def expected_answer(question: str) -> str | None:
    """ "time", "number", "title", "person", "place", "rank", "office", or None when the question
    does not say."""
    return _kind_asked(normalize(question))


def _kind_asked(text: str) -> str | None:
    """``expected_answer`` of a question already normalised."""
    patterns = _ACCENTED if fold_diacritics(text) != text else _FOLDED
    for kind, pattern in patterns.items():
        if pattern.search(text):
            return kind
    return None


# "bao nhiêu cán bộ", "mấy km": the question word, then what is counted (up to two syllables).
_COUNTED = re.compile(r"\b(?:bao nhieu|may|so luong)\s+([^\W\d_]+(?:\s+[^\W\d_]+)?)")
# Number words that stay numbers without accents ("năm" would be a year, "sáu" after, "bảy" to fly).
_COUNT_WORDS = r"hai|muoi|tram|nghin|ngan|trieu|ty|chuc"


# Units of measure (folded) and how a sentence writes a number of them: "bao nhiêu phần trăm" is
# answered by "18%", not by any number; a count of things may be paraphrased, a unit is not.
_UNITS = {
    "phan tram": r"%|phan tram",
    "km": r"km|ki lo met|kilomet",
    "dam": r"dam",
    "tan": r"tan",
    "ha": r"ha|hec ta|hecta",
    "met": r"m|met",
    "giay": r"giay",
    "phut": r"phut",
    "pound": r"pound|pao",
    "usd": r"usd|do la",
}


# A rate asked ("tỷ lệ … là bao nhiêu", folded), and how a sentence gives one: a percentage, a
# ratio ("20:1", "1/3", "1 trên 5"), a fraction in words ("một nửa", "hai phần ba")
_RATE = re.compile(r"\bty le\b.*\b(?:bao nhieu|may)\b")
_SHARE = re.compile(
    r"\d[\d.,]*\s*(?:%|phan tram)|\d+\s*[:/]\s*\d+|\d+ (?:tren|trong) \d+|\bphan (?:tu|ba|nam|muoi)\b|\bnua\b"
)


def counted_thing(question: str) -> str | None:
    """What a "bao nhiêu …" question counts, folded: "bao nhiêu cán bộ, chiến sĩ" -> "can bo"."""
    return _counted_in(fold_diacritics(normalize(question)))


def _counted_in(folded: str) -> str | None:
    """``counted_thing`` of a question already normalised and folded."""
    match = _COUNTED.search(folded.lower())
    return match.group(1) if match else None


class AnswerCheck:
    """The expected answer of one question, ready to test many sentences against it."""

    def __init__(self, question: str) -> None:
        text = normalize(question)  # once: normalising was most of the time of making a check
        self.kind = _kind_asked(text)
        self.asked = fold_diacritics(text)
        counted = self._counted = _counted_in(self.asked) if self.kind == "number" else None
        # A number right before what is counted ("có 20 cán bộ", "3,1 tỷ USD"), one word between at most.
        self._count = (
            re.compile(rf"(?:\d[\d.,]*|\b(?:{_COUNT_WORDS}))\s+(?:[^\W_]+\s+)?{re.escape(counted)}\b")
            if counted
            else None
        )

        motto = next((k for k in _MOTTO_KINDS if k in self.asked.lower()), None) if self.kind == "title" else None
        self._motto = re.compile(rf"\b{motto}\s*:?\s*([“\"][^”\"]+[”\"])") if motto else None
        self._how_long = "bao lau" in self.asked.lower()
        self._part_of_day = "buoi nao" in self.asked.lower()
        self._where = _WHERE.search(self.asked.lower()) is not None
        # "nước bạn nào": the kind of place asked which, folded, to find it named ("nước bạn Lào")
        kind = _KIND_ASKED.search(self.asked.lower()) if self.kind == "place" else None
        named = r"(?:[A-Z][a-z]|[A-Z]{2,})"  # a name, or an abbreviation ("Đồn BP Pò Hèn")
        self._place_kind = re.compile(rf"\b(?i:{kind.group(1)})(?: [a-z]+){{0,2}} {named}") if kind else None
        # "huyện / xã / đồn / đảng ủy nào": a district, a commune, a border post or a party committee
        # is written with its kind ("huyện Bình Liêu", "Đảng ủy BĐBP"), so a sentence that names none
        # names no answer; a province or a country often goes without ("Lào")
        self.kind_named = kind is not None and kind.group(1) in ("huyen", "xa", "don", "dang uy")
        self._held = _HELD.search(self.asked.lower()) is not None
        self._day = self.kind == "time" and _DAY_ASKED.search(self.asked.lower()) is not None
        # An ordinal asked ("thứ mấy", "xếp hạng") keeps the sentence's ordinals as answers.
        accented = self.asked != text
        self._ordinal = re.search(r"\b(?:thứ|hạng)\b" if accented else r"\b(?:thu|hang)\b", text) is not None
        # "X xảy ra khi nào?" is answered by "X xảy ra khi Y": the sentence fills the slot.
        when = re.search(r"([^\W\d_]+) khi nào", text) if self.kind == "time" else None
        self._when = re.compile(rf"\b{re.escape(when.group(1))} khi\b") if when else None
        # "… làm việc với đơn vị nào?": the slot after the verb and its preposition, filled by a name
        slot = re.search(r"([^\W\d_]+ (?:với|cho|của|tại|ở|từ|đến|về)) (?:[^\W\d_]+ ){1,2}nào\b", text)
        self._slot = re.compile(rf"\b{re.escape(slot.group(1))} (?:[^\W\d_]+ ){{0,3}}?{UPPER_LETTER}") if slot else None

        unit = next((u for u in _UNITS if counted and (counted == u or counted.startswith(u + " "))), None)
        # A number, maybe a scale word ("3,1 tỷ"), then the unit: "18%", "22.392 km", "2 tấn"; a
        # rate asked ("Tỷ lệ hộ nghèo là bao nhiêu?") is a percentage or a ratio ("20:1")
        self._unit: re.Pattern[str] | None = None
        if unit:
            self._unit = re.compile(rf"\d[\d.,]*\s*(?:(?:nghin|ngan|trieu|ty)\s+)?(?:{_UNITS[unit]})(?![^\W_])")
        elif self.kind == "number" and counted is None and _RATE.search(self.asked.lower()):
            self._unit = _SHARE

    def locates(self, sentence: str) -> bool:
        """Whether ``sentence`` says where, when the question asks "ở đâu" / "nơi nào": a place
        comes after a preposition of place ("tại Hà Nội", "trong nông nghiệp", "từ học phí"), so
        a sentence without any, or whose only one names the asked event again ("tại buổi làm
        việc" for "… làm việc ở đâu?"), names none (True when the question asks no "where", or
        the sentence is written without accents)."""
        if not self._where or not has_diacritics(sentence):
            return True
        asked = set(_FOLDED_WORD.findall(self.asked.lower()))
        for place in _LOCATIVE.finditer(normalize(sentence).lower()):
            words = _FOLDED_WORD.findall(fold_diacritics(place.group("what")))
            if self._held and words and (words[0] in _EVENTS or " ".join(words[:2]) in _EVENTS):
                continue  # an event is held somewhere, not at another event
            said = [w for w in words if w not in _CLASSIFIERS]
            if said and said[0] in _WHEN_WORDS:
                continue  # "vào chiều nay", "trong năm 2023": a time
            if not said or not all(w in asked for w in said[:2]):
                return True  # "tại buổi làm việc" places no "làm việc … ở đâu?": it repeats it
        return False

    def measures(self, sentence: str) -> bool:
        """Whether ``sentence`` gives a number of the unit a "bao nhiêu phần trăm / km / tấn …"
        question asks for (True when it asks for none)."""
        return self._unit is None or self._unit.search(fold_diacritics(sentence).lower()) is not None

    @property
    def counting(self) -> bool:
        """Whether the question says what it counts ("bao nhiêu cán bộ"), so ``counts`` can hold."""
        return self._count is not None

    def names_kind(self, sentence: str) -> bool | None:
        """Whether ``sentence`` names what a "which one" question asks by its kind: a programme's
        name in quotes, a kind of place followed by a name ("nước bạn Lào" for "nước bạn nào");
        None when the question asks no such thing."""
        if self.kind == "title":
            return self.holds(sentence)
        if self._place_kind is None:
            return None
        return self._place_kind.search(fold_diacritics(sentence)) is not None

    @property
    def measuring(self) -> bool:
        """Whether what is counted is a unit ("bao nhiêu phần trăm"), not things."""
        return self._unit is not None

    def counts(self, sentence: str) -> bool:
        """Whether ``sentence`` puts a number right before what a "bao nhiêu X" question counts:
        the answer to *this* question, not just any number (a border post's 427 km of patrols is
        not its number of soldiers)."""
        if self._count is None:
            return False
        folded = fold_diacritics(sentence).lower()
        return self._counted in folded and self._count.search(folded) is not None  # a plain find first: fast

    def _names_other(self, sentence: str, start: int) -> bool:
        """Whether the time at ``start`` ends a name the question does not say: "Luật Biên phòng
        Việt Nam 2020" dates that law, not the directive asked about beside it."""
        before = _name_before(sentence, start)
        return before is not None and before not in self.asked.lower()

    @property
    def slotted(self) -> bool:
        """Whether the question asks which one by a verb and its preposition ("… làm việc với đơn vị
        nào?", "… phối hợp chặt chẽ với nước nào?")."""
        return self._slot is not None

    def fills(self, sentence: str) -> bool:
        """Whether ``sentence`` names something (a capital) right after that verb and preposition:
        "… làm việc với Ban Thường vụ …" fills the slot, "… buổi làm việc với đơn vị mới đây"
        only says it again."""
        return self._slot is not None and self._slot.search(clean_unicode(sentence)) is not None

    def holds(self, sentence: str) -> bool:
        """Whether ``sentence`` contains something of the expected kind that the question does not."""
        if self.kind == "time":
            if self._when is not None and self._when.search(normalize(sentence)):
                return True
            if self._part_of_day:  # "Vào buổi nào?": "Chiều 5/3", "sáng nay"; a year says no part of a day
                return _PART_OF_DAY.search(sentence) is not None
            pattern = _DAY if self._day else _TIME
            found = (m.group() for m in pattern.finditer(sentence) if not self._names_other(sentence, m.start()))
        elif self.kind == "number":
            if self._how_long:
                return _DURATION.search(sentence) is not None
            if not self._ordinal:
                sentence = _ORDINAL.sub(" ", sentence)
            sentence = QUOTED.sub(" ", sentence)  # a slogan's or title's numbers ("3 bám, 4 cùng") count nothing
            sentence = _DOCUMENT_NUMBER.sub(" ", sentence)  # nor does a document's ("Nghị quyết 16")
            # nor one that ends a name ("Luật Biên phòng Việt Nam 2020" is no count of its articles)
            sentence = _NUMBER_IN_TEXT.sub(_unless_a_name_ends, sentence)
            # A digit the question lacks answers at once ("có 38 cán bộ"): 2 us, where looking for
            # number words too takes 8 us a sentence. The digits are _NUMBER's matches as well.
            if any(fold_diacritics(d.lower()) not in self.asked for d in _DIGIT.findall(sentence)):
                return True
            found = (m.group() for m in _NUMBER.finditer(sentence))
        elif self.kind == "rank":  # a follow-up names its person with their rank: any rank answers
            return _RANK.search(sentence) is not None
        elif self.kind == "office":  # "Ông ấy còn giữ chức gì?": an office besides the one named
            found = (m.group() for m in _OFFICE.finditer(fold_diacritics(sentence).lower()))
        elif self.kind == "title":  # a name in quotes, not a saying quoted ("Bác Hồ dạy: “…, …”")
            if self._motto is not None:
                sentence = " ".join(m.group(1) for m in self._motto.finditer(fold_diacritics(sentence).lower()))
            found = (q for q in QUOTED.findall(sentence) if len(q.split()) <= _TITLE_WORDS)
        elif self.kind is not None:
            # a person or a place is named by a capitalised word, not by an abbreviation ("IUU", "BĐBP")
            found = (m.group() for m in _INNER_WORD.finditer(sentence) if _names(m.group()))
        else:
            return False
        return any(fold_diacritics(f.lower()) not in self.asked for f in found)


def _names(word: str) -> bool:
    """Whether ``word`` may be part of a name: capitalised, and no abbreviation."""
    return word[0].isupper() and not (len(word) > 1 and word.isupper())


def _unless_a_name_ends(number: re.Match[str]) -> str:
    """The number matched, or a space when it ends a name."""
    return number.group() if _name_before(number.string, number.start()) is None else " "


def _name_before(sentence: str, start: int) -> str | None:
    """The name (folded) that the number or time at ``start`` ends: two capitalised words right
    before it, the last no time word ("Việt Nam 2020", not "Năm 2020"); None when there is none."""
    before = sentence[:start].split()[-2:]
    if len(before) < 2 or not all(w[0].isupper() and w[-1].isalpha() for w in before):
        return None
    if normalize(before[-1]).lower() in _TIME_WORDS:
        return None
    return fold_diacritics(normalize(" ".join(before))).lower()
