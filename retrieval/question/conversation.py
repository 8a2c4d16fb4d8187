"""Follow-up questions: a question understood in the context of the conversation's last turns.

People ask "Giám đốc Công an tỉnh Lào Cai là ai?" and then "Còn phó giám đốc?", "Ông ấy quê ở
đâu?", "Tỉnh này có bao nhiêu huyện?", "Khi nào?". Conversational search does this by rewriting
the follow-up into a question that stands alone (or by expanding it with the earlier turn's
words, TREC CAsT's historical query expansion). Here the rewrite is explicit, so that the bot
can show how it understood the question ("🔎 Hiểu là: …") and a wrong guess is visible:

- ellipsis, "Còn X?" / "X thì sao?": X takes the place of the matching part of the previous
  question ("phó giám đốc" for "Giám đốc"; "năm 2022" for "năm 2023"; a name for a name; a
  person for the person or the office asked about, or "X là ai?");
- a pronoun or demonstrative ("ông ấy", "người đó", "họ", "hai người đó", "nó", "tỉnh này",
  "nghị quyết đó", "năm đó", "ở đó") is replaced by what the previous question was about (its
  subject, or "tỉnh Lào Cai" for "tỉnh này", "năm 2023" for "năm đó"), or what its answer named
  ("Ai …?", "… nghị quyết nào?", "tại Hà Nội"), or a noun as the previous question described it
  ("hội nghị mà Nguyễn Xuân Ký phát biểu");
- a question of question words only ("Khi nào?", "Ở đâu?"), a fragment ("Năm nào?", "Bao nhiêu
  cặp …?", "Đó là những khâu nào?") or one that opens with a tense or passive marker ("Được ban
  hành năm nào?", "Do cơ quan nào ban hành?") asks it of the previous subject; "Kể thêm đi" asks
  the previous question again;
- a "Còn X?" whose title or name fits no slot of the previous question takes the question
  before it; a short question that names nothing ("Ban hành ngày nào?") is read both ways, and
  the engine keeps the better-supported reading (``subjectless_reading``).

A question without any of these stands on its own and is never changed: context must not bend
it (the whole dev set asked in one conversation scores as each question alone; tested). The
previous turn is the last one the user asked (or the one their Telegram reply points to), as the
bot understood it, so follow-ups of follow-ups chain.
"""

from __future__ import annotations

import re
import time
from collections import deque
from dataclasses import dataclass

from retrieval.question.verdict import OFFICE_HEAD_WORDS
from retrieval.text.normalize import clean_unicode, fold_diacritics, has_diacritics, normalize

# What asks, in a question: cut off (with what follows) to find what the question is about.
_ASKING = (
    r"là ai|là gì|là những ai|là những gì|là bao nhiêu|là khi nào|là ở đâu|là như thế nào|bao nhiêu|mấy|"
    r"khi nào|bao giờ|năm nào|ngày nào|ở đâu|tại đâu|như thế nào|thế nào|ra sao|vì sao|tại sao|có phải|"
    r"gì|ai|nào|la ai|la gi|bao nhieu|khi nao|o dau|nhu the nao|the nao|vi sao|tai sao"
)
# "giai đoạn nào", "tỉnh nào": the noun asked about goes with the asking part ("khi nào" is asked
# alone: "ban hành khi nào" keeps its verb).
# "về nội dung gì", "có ý nghĩa gì": what is asked about, with its preposition or "có"; so is
# the noun of "điều gì", "vấn đề gì".
_QUESTION_TAIL = re.compile(
    rf"(?<=[\w”’)\"])\s+(?:(?:(?!thế\b|the\b|khi\b|lúc\b|luc\b)\w+\s+){{1,2}}(?:nào|nao)\b|(?:về|ve|có|co)\s+(?:\w+\s+){{1,2}}(?:gì|gi)\b"
    rf"|(?:điều|việc|vấn đề|nội dung|dieu|viec|van de|noi dung)\s+(?:gì|gi)\b|(?:số|so)\s+(?:mấy|bao nhiêu|bao nhieu)\b"
    rf"|(?:{_ASKING})\b).*$|\s*\?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_DANGLING = re.compile(
    r"(?:^|\s+)(?:với|của|cho|về|ở|tại|từ|trong|bằng|vào|do|bởi|voi|cua|ve|tai|tu|bang|vao|boi)$", re.IGNORECASE
)
_PERSONAL_FACT = re.compile(r"\s+(?:sinh|sinh ra|quê|quê quán|nhập ngũ|tốt nghiệp|que|que quan|nhap ngu)$", re.I)
# One-syllable nouns of "X nào?" (times, places, people): the word before them is no part of it.
_WHICH_NOUNS = frozenset("hôm năm ngày tháng tuần lúc tỉnh huyện xã nước người nơi".split())  # noqa: SIM905
_QUESTION_HEAD = re.compile(rf"^(?:(?:{_ASKING})(?:\s+(?:là|la))?\b\s*)+", re.IGNORECASE)
_ELLIPSIS = [
    re.compile(
        r"^(?:thế |vậy |và |vay |the |va )?(?:còn|con)\s+(?P<x>.+?)(?:\s+(?:thì sao|thi sao|nữa|nua|thì|thi))?\s*\??$",
        re.IGNORECASE,
    ),
    re.compile(r"^(?:và |va )?(?P<x>.+?)\s+(?:thì sao|thi sao)\s*\??$", re.IGNORECASE),
]
# "người đó", "đồng chí ấy": a person as much as "ông ấy" is
_PERSON = r"(?:ông|bà|anh|chị|cô|chú|bác|người|vị|đồng chí|ong|ba|chi|co|nguoi|dong chi)\s+(?:ấy|ta|này|đó|ay|nay|do)"
_THING_NOUNS = (
    "tỉnh|huyện|xã|thành phố|thị xã|phường|quận|nước|quốc gia|địa phương|đơn vị|lực lượng|đồn|"
    "nghị quyết|nghị định|quyết định|chỉ thị|luật|đề án|dự án|chương trình|kế hoạch|phong trào|mô hình|"
    "hội nghị|buổi làm việc|sự kiện|cơ quan|tổ chức|công trình|chính sách|giai đoạn|nhiệm kỳ|năm|ngày|tháng|"
    "tinh|huyen|xa|thanh pho|don vi|luc luong|don|nghi quyet|nghi dinh|quyet dinh|luat|de an|du an|"
    "chuong trinh|ke hoach|phong trao|mo hinh|hoi nghi"
)
# "họ", "hai người đó", "cả hai": the people the previous answer named
_THEY = (
    r"họ|ho|cả hai|ca hai"
    r"|(?:hai|ba|những|các|nhung|cac) (?:người|đồng chí|vị|nguoi|dong chi) (?:đó|này|ấy|do|nay|ay)"
)
_DEMONSTRATIVE = re.compile(
    rf"\b(?P<noun>{_THING_NOUNS})\s+(?:này|đó|ấy|kia|trên|nay|do|ay)\b|\b(?P<they>{_THEY})\b|\b{_PERSON}\b|\b(?:nó|no)\b",
    re.IGNORECASE,
)
# "Thế ai là Phó Chính ủy?", "Vậy Chính ủy là ai?"
_WHO_IS = re.compile(
    r"^(?:(?:thế|vậy|the|vay)\s+)?"
    r"(?:(?:ai|người nào|nguoi nao)\s+(?:là|la)\s+(?P<first>[^?]+?)|(?P<last>[^?]+?)\s+(?:là|la)\s+ai)\s*\??$",
    re.IGNORECASE,
)
# "năm đó", "ngày đó": a time the previous turn named
_TIME_NOUNS = frozenset({"nam", "ngay", "thang"})
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")
_DATE = re.compile(r"\b\d{1,2}/\d{1,2}(?:/\d{4})?\b")
# "ở đó", "tại đấy": the place the previous turn was about
_THERE = re.compile(r"\b(?P<at>ở|tại|o|tai) (?:đó|đấy|do|day)\b", re.IGNORECASE)
# A person's name starts with a family name; the most common ones cover most people named in news.
_SURNAMES = frozenset(
    [
        "Nguyễn",
        "Trần",
        "Lê",
        "Phạm",
        "Hoàng",
        "Huỳnh",
        "Phan",
        "Vũ",
        "Võ",
        "Đặng",
        "Bùi",
        "Đỗ",
        "Hồ",
        "Ngô",
        "Dương",
        "Lý",
        "Lương",
        "Đinh",
        "Trịnh",
        "Đào",
        "Mai",
        "Tô",
        "Hà",
        "Lâm",
        "Cao",
        "Chu",
        "Tạ",
        "Vương",
        "Thái",
        "Quách",
        "Đoàn",
        "Tăng",
        "Triệu",
        "Kiều",
        "Lục",
        "Hứa",
        "Mạc",
        "Văn",
        "Lưu",
        "Giang",
        "Châu",
    ]
)
# A military rank right before a name goes with it: "Trung tướng Lê Đức Thái".
_RANK_WORDS = r"(?:Đại|Trung|Thiếu|Thượng)\s+(?:tướng|tá|úy)\s+"
_RANK = re.compile(_RANK_WORDS + "$")  # ending a text, before the name that follows it
_RANK_AHEAD = re.compile(_RANK_WORDS + r"(?=\w)")  # starting a name
# "Ông chủ trì …", "Khi nào bà …": an honorific not followed by a name is a reference too.
_BARE_HONORIFIC = re.compile(r"\b(?P<noun>)(?:[Ôô]ng|[Bb]à)\b(?=\s+[^\W\d_A-ZÀ-ỸĐ])", re.UNICODE)
# A fragment that asks for one more thing of the same subject: "Nhiệm kỳ nào?", "Bao nhiêu cặp …?"
_FRAGMENT = re.compile(
    r"^\s*(?:(?:và|va)\s+)?"  # "Và bao nhiêu chương trình hành động?"
    r"(?:(?:của|ở|tại|với|từ|cho|về|trong|theo|cua|voi|tu|ve)\s+\w+(?:\s+\w+){0,3}\s+(?:nào|nao)"  # "Của cơ quan nào?"
    r"|\w+(?:\s+\w+)?\s+(?:nào|nao)|(?:bao nhiêu|bao nhieu|mấy)(?:\s+\w+){1,4})\s*\??\s*$",
    re.IGNORECASE,
)
# A question that starts with a tense, aspect or passive marker, "là", an agent's "do"/"bởi" or a
# purpose's "để" has no subject of its own: "Được ban hành năm nào?", "Đã tổ chức ở đâu?", "Do cơ
# quan nào ban hành?", "Để làm gì?" (a Vietnamese subject comes before these words). Without
# accents only "duoc" says so ("da" may be "Đà", "dang" "Đặng").
_NO_SUBJECT = re.compile(r"^(?:được|đã|sẽ|đang|bị|vừa|là|do|bởi|để|duoc)\s+\w", re.IGNORECASE)
# "Kể thêm đi", "Còn gì nữa không?", "Chi tiết hơn?": more of the same question
_MORE = re.compile(
    r"^(?:(?:hãy |bạn |ban |hay )?(?:kể|nói|cho biết|ke|noi|cho biet) (?:thêm|them)|(?:kể|nói|ke|noi) (?:tiếp|tiep)"
    r"|còn gì nữa|(?:chi tiết|cụ thể|chi tiet|cu the) hơn|thêm nữa|con gi nua|them nua)\b[^?]{0,12}\??$",
    re.IGNORECASE,
)
# "Hai huyện nào …?": a question that opens by asking which thing
_WHICH_FIRST = re.compile(rf"^\s*(?:\w+\s+)?(?P<noun>{_THING_NOUNS})\s+(?:nào|nao)\b", re.IGNORECASE)
# "Đó là những khâu nào?": "đó" is what the previous question asked about
_THAT_IS = re.compile(r"^(?:đó|đấy|do|day)\s+(?P<be>)(?:là|la)\b", re.IGNORECASE)
# "mấy khâu đột phá?": what a question counts, after its question word.
_COUNTED = re.compile(r"\b(?:bao nhiêu|bao nhieu|mấy)\s+(?P<thing>[^?]+?)\s*\??\s*$", re.IGNORECASE)
_PLACE_SLOT = re.compile(r"\b(?:tỉnh|huyện|tinh|huyen|thanh pho|thành phố)\s+(?P<place>\w+\s+\w+)", re.IGNORECASE)
_WORD = re.compile(r"\w+")
_PLACE_KINDS = ("tỉnh", "huyện", "xã", "thành phố", "thị xã")  # what a local title is of
_LOCAL_KIND = re.compile(rf"\s(?:{'|'.join(_PLACE_KINDS)})(?=\s)")
_PLACE_KIND_WORDS = frozenset(" ".join(_PLACE_KINDS).split())
# Lowercase syllables inside a name run to its next capital ("Giao lưu hữu nghị … Việt Nam"),
# a few at most and never through these
_NAME_GAP = 7
_NAME_STOPS = frozenset("là có được đã sẽ ở tại vào khi thì và nào gì ai la co duoc o tai vao thi va nao gi".split())  # noqa: SIM905
_TITLE_PREFIXES = frozenset({"phó", "quyền", "nguyên"})  # deputy, acting, former: part of a title


@dataclass(frozen=True)
class Turn:
    """One question of a conversation, as the bot understood it, and when it was asked."""

    question: str
    answer: str | None
    at: float
    earlier: str | None = None  # the question of the turn before it, as understood (if recent)


class Conversation:
    """The recent turns of one chat (or one user in a group): at most ``size``, none older than
    ``minutes``."""

    def __init__(self, minutes: float = 10.0, size: int = 4) -> None:
        self.minutes = minutes
        self.turns: deque[Turn] = deque(maxlen=size)

    def recent(self, now: float | None = None) -> list[Turn]:
        now = time.time() if now is None else now
        return [t for t in self.turns if now - t.at <= self.minutes * 60]

    def last(self, now: float | None = None) -> Turn | None:
        """The turn a new question follows: the last one, if recent."""
        now = time.time() if now is None else now
        return self.turns[-1] if self.turns and now - self.turns[-1].at <= self.minutes * 60 else None

    def add(self, understood: str, answer: str | None, now: float | None = None) -> None:
        now = time.time() if now is None else now
        last = self.last(now)
        self.turns.append(Turn(understood, answer, now, last.question if last else None))

    def clear(self) -> None:
        self.turns.clear()


def _names(text: str) -> list[tuple[int, int]]:
    """Spans of two or more capitalised syllables in a row: names ("Lào Cai", "Lê Đức Thái")."""
    runs: list[list[tuple[int, int]]] = [[]]
    for m in _WORD.finditer(text):
        gap = text[runs[-1][-1][1] : m.start()] if runs[-1] else " "
        if m.group()[0].isupper() and not m.group().isupper() and gap.strip() == "":
            runs[-1].append(m.span())
        elif runs[-1]:
            runs.append([m.span()] if m.group()[0].isupper() and not m.group().isupper() else [])
    return [(run[0][0], run[-1][1]) for run in runs if len(run) >= 2]


def subject(question: str) -> str:
    """What a question is about: the question without its asking part ("Tư lệnh BĐBP là ai?" ->
    "Tư lệnh BĐBP"; "Ai là Chính ủy BĐBP?" -> "Chính ủy BĐBP"; "Khi nào?" -> "")."""
    text = _QUESTION_HEAD.sub("", clean_unicode(question).strip())
    tail = _QUESTION_TAIL.search(text)
    if tail is None:
        return text.strip(" ,?")
    cut = tail.start()
    words = _WORD.findall(text[cut:])
    # "… Bộ đội Biên phòng hôm nào?": "hôm" alone is what is asked ("giai đoạn nào": both words)
    if len(words) >= 3 and re.fullmatch(r"nào|nao", words[2], re.I) and normalize(words[1]) in _WHICH_NOUNS:
        cut = text.index(words[1], cut + len(words[0]) + 1)
    # "… làm việc với đơn vị nào?": what followed the preposition was asked, the preposition goes;
    # so does the verb of a person's own fact ("… sinh năm nào?": the person is the subject)
    return _PERSONAL_FACT.sub("", _DANGLING.sub("", text[:cut].strip(" ,?"))).strip(" ,?")


def _is_title(words: list[str]) -> bool:
    """ "Tư lệnh", "Chính ủy", "phó giám đốc": a capitalised or lowercase word, then lowercase ones."""
    return bool(words) and not words[0].isupper() and all(w.islower() for w in words[1:])


def _ellipsis(previous: str, phrase: str) -> tuple[str, bool]:
    """``previous`` asked again about ``phrase`` ("Còn X?"), and whether X found a slot of it.
    A question head stays ("Ai là Tư lệnh BĐBP?": "Ai là Chính ủy BĐBP?"); the rest is read
    without it."""
    if (asked := _person_ellipsis(previous, phrase)) is not None:
        return asked, True
    head = _QUESTION_HEAD.match(previous)
    if head and head.end() < len(previous):
        rewritten, fits = _ellipsis_in(previous[head.end() :], phrase)
        return (previous[: head.end()] + rewritten, fits) if fits else (rewritten, fits)
    return _ellipsis_in(previous, phrase)


def _person_ellipsis(previous: str, phrase: str) -> str | None:
    """ "Còn ông Phan Việt Cường?": the same question of another person, who takes the place of
    the person the previous question names (with their rank or honorific), or of the office it
    asked about ("Tư lệnh BĐBP sinh năm nào?" -> "Ông … sinh năm nào?"); after "Ai là …?" or any
    other question, "<person> là ai?". None when ``phrase`` is no person ("ông", a rank, then a
    name that starts with a family name)."""
    honorific = _RANK_AHEAD.match(phrase) or re.match(r"(?:ông|bà|đồng chí)\s+", phrase, re.IGNORECASE)
    start = honorific.end() if honorific else 0
    names = _names(phrase)
    if not names or names[0] != (start, len(phrase)) or phrase[start:].split()[0] not in _SURNAMES:
        return None
    people = [
        (a + (len(first) + 1 if first in ("Ông", "Bà") else 0), b)  # "Ông Phan Việt Cường" runs as one name
        for a, b in _names(previous)
        if (first := previous[a:b].split()[0]) in _SURNAMES or (first in ("Ông", "Bà") and b - a > len(first) + 1)
    ]
    if people:
        a, b = people[0]
        before = re.search(r"(?:\b(?:[Ôô]ng|[Bb]à|[Đđ]ồng chí)\s+|" + _RANK_WORDS + r")$", previous[:a])
        return previous[: before.start() if before else a] + phrase + previous[b:]
    topic = subject(previous)
    first = tuple(_WORD.findall(fold_diacritics(normalize(topic)).lower())[:3])
    office = any(first[: len(head)] == head for head in OFFICE_HEAD_WORDS)
    if office and previous.startswith(topic) and not re.match(r"\s*(?:là|la)\s+(?:ai|gì|gi)\b", previous[len(topic) :]):
        return phrase + previous[len(topic) :]
    return f"{phrase} là ai?"


def _ellipsis_in(previous: str, phrase: str) -> tuple[str, bool]:
    """``_ellipsis`` of a question without a head, in the first way that fits:
    - ``phrase`` is a question itself ("Còn những huyện nào đạt chuẩn NTM nâng cao?"): it;
    - a title and its organisation for the previous question's subject ("Tư lệnh Bộ đội Biên
      phòng" for "Bí thư Tỉnh ủy Quảng Ninh");
    - aligned on a word they share ("phó giám đốc" for "Giám đốc", "năm 2022" for "năm 2023"),
      never on half a title;
    - a name for the first name ("ở Đà Nẵng thì sao?" after a question about Quảng Ninh);
    - a title for the title it starts with ("Chính ủy" for the "Tư lệnh" of "Tư lệnh Bộ đội Biên
      phòng là ai?" or of "tu lenh bo doi bien phong la ai");
    - else the previous subject, the phrase, and what was asked ("… cụm dân cư bao nhiêu?"):
      no slot fits."""
    which = re.fullmatch(r"\w+(?:\s+\w+)?\s+(?:nào|nao)", phrase, re.IGNORECASE)
    if which and re.search(r"\b(?:nào|nao)\s*\??\s*$", previous, re.IGNORECASE) and subject(previous):
        return f"{subject(previous)} {phrase}?", True  # "Còn luật nào?" after "… quán triệt nghị quyết nào?"
    if re.search(rf"\b(?:{_ASKING})\b", phrase, re.IGNORECASE):
        return phrase + "?", True
    abbreviation = re.fullmatch(r"[A-ZĐ][A-ZĐ0-9.-]+", phrase)
    asked = re.search(r"\b[A-ZĐ][A-ZĐ0-9.-]+\b", previous)
    if abbreviation and asked:  # "Còn KVBG?" after "NTM là viết tắt của gì?": the same frame
        return previous[: asked.start()] + phrase + previous[asked.end() :], True
    place = _PLACE_SLOT.search(previous)
    if place and _names(phrase) and not _names(previous) and previous == previous.lower():
        # "Còn Quảng Ninh?" after "chinh uy bdbp tinh lai chau la ai": the place after "tỉnh"
        return previous[: place.start("place")] + phrase + previous[place.end("place") :], True
    spans = [(m.start(), m.end()) for m in _WORD.finditer(previous)]
    words = [previous[a:b] for a, b in spans]
    folded = [fold_diacritics(normalize(w)) for w in words]
    new = _WORD.findall(phrase)
    topic = subject(previous)
    names, targets = _names(phrase), _names(previous)
    starts_with_name = bool(targets) and targets[0][0] == 0
    # "Lai Châu": a place, no title; "Trung tướng Nguyễn Anh Tuấn": a person
    ranked = _RANK_AHEAD.match(phrase)
    whole_name = bool(names) and names[0][1] == len(phrase) and names[0][0] in (0, ranked.end() if ranked else 0)
    titled_before = words[0][0].isupper() or previous == previous.lower()  # or typed without capitals
    office = tuple(w.lower() for w in _WORD.findall(fold_diacritics(normalize(phrase)))) in OFFICE_HEAD_WORDS
    if (topic and previous.startswith(topic) and new and new[0][0].isupper() and titled_before and not office
            and not starts_with_name and not whole_name and any(w[0].isupper() for w in new[1:])):  # fmt: skip
        # a title's whole subject ("Tư lệnh Bộ đội Biên phòng"), in the place asked about unless
        # it names its own ("Còn Chủ tịch UBND?" after "… Chủ tịch HĐND tỉnh Quảng Ninh …")
        local = _local_place(topic)
        if local and not _local_place(f" {phrase}") and not re.search(r"\b(?:tỉnh|huyện|xã)\b", phrase):
            return phrase + local + previous[len(topic) :], True
        return phrase + previous[len(topic) :], True
    for k, word in enumerate(fold_diacritics(normalize(w)) for w in new):
        if word in folded:
            # The phrase's words before the shared one are new ("phó" of "phó giám đốc"); from it
            # on they take the place of as many ("năm 2022" for "năm 2023").
            first, last = (j := folded.index(word)), min(j + len(new) - k, len(spans)) - 1
            if k == 0 and first and normalize(words[first - 1]).lower() in _TITLE_PREFIXES:
                first -= 1  # "Còn Tư lệnh?" after "Phó Tư lệnh …": the deputy's whole title goes
            if (
                words[last][0].isupper()
                and not words[last].isupper()
                and last + 1 < len(words)
                and words[last + 1].islower()
            ):
                continue  # never half a title: "Chính ủy" is not aligned on the "Ủy" of "Ủy viên"
            return previous[: spans[first][0]] + phrase + previous[spans[last][1] :], True
    if names and targets:  # a place for a place; whoever held the office there is not asked about
        (a, b), (c, d) = names[0], targets[0]
        return previous[:c] + phrase[a:b] + _without_holder(previous[d:]), True
    if office and _is_title(new) and (inside := _office_inside(words, folded)):
        # "Còn Chính ủy?" after "Cấp bậc của Tư lệnh Bộ đội Biên phòng, Trung tướng Lê Đức Thái?"
        first, last = inside
        return previous[: spans[first][0]] + phrase + _without_holder(previous[spans[last][1] :]), True
    # The organisation after the title starts with a capital ("Tư lệnh | Bộ đội Biên phòng"), so
    # a title typed as one ("Chỉ huy trưởng") replaces the first word and the lowercase ones after
    # it ("Chính ủy"); without capitals on either side there is no such sign: the first n words.
    uncased = not any(w[0].isupper() for w in words)
    n = len(new)
    if not uncased and new[0][0].isupper():
        n = next((k for k in range(1, len(words)) if not words[k].islower()), len(words))
    titled = _is_title(words[:n]) and words[0] not in _SURNAMES  # "Lê Đức Thái" is no title
    if _is_title(new) and n < len(words) and titled and (words[n][0].isupper() or uncased):
        return phrase + _without_holder(previous[spans[n - 1][1] :]), True
    asked = re.search(rf"\b(?:{_ASKING})\b", previous[len(topic) :], re.IGNORECASE) if topic else None
    return f"{topic} {phrase}" + (f" {asked.group()}?" if asked else "?"), False


def _office_inside(words: list[str], folded: list[str]) -> tuple[int, int] | None:
    """The first and last word of the capitalised office a question names after its first word
    ("Tư lệnh" of "Cấp bậc của Tư lệnh Bộ đội Biên phòng?"), or None."""
    lowered = [w.lower() for w in folded]
    for k in range(1, len(words)):
        if words[k][0].isupper():
            for head in OFFICE_HEAD_WORDS:  # longest first: "Phó Tư lệnh" before "Tư lệnh"
                if tuple(lowered[k : k + len(head)]) == head:
                    return k, k + len(head) - 1
    return None


def _local_place(text: str) -> str | None:
    """The place a title is of (" tỉnh Quảng Ninh"): a lowercase kind of place and a name."""
    for kind in _LOCAL_KIND.finditer(text):
        end = kind.end()
        for word in _WORD.finditer(text, kind.end()):
            if not word.group()[0].isupper() or text[end : word.start()].strip():
                break
            end = word.end()
        if end > kind.end():
            return text[kind.start() : end]
    return None


def _without_holder(rest: str) -> str:
    """What follows a title that "Còn X?" replaced, without the person who holds that title: in
    " Bộ đội Biên phòng Trung tướng Lê Đức Thái chủ trì …?" the general is the commander, not
    the commissar asked about now. The organisation's words (capitalised, each with at most one
    lowercase word after it, and "tỉnh", "huyện" …) are skipped up to a rank or a name; anything
    else ends the search."""
    words = list(_WORD.finditer(rest))
    i = 0
    while i < len(words):
        word = words[i].group()
        rank = _RANK_AHEAD.match(rest, words[i].start())
        start = words[i + 2].start() if rank else words[i].start()
        person = next(((a, b) for a, b in _names(rest[start:]) if a == 0), None)
        if person and rest[start:][person[0] : person[1]].split()[0] in _SURNAMES:
            return rest[: words[i].start()].rstrip(" ,") + rest[start + person[1] :]
        local = word in _PLACE_KIND_WORDS  # "Công an tỉnh Lào Cai"
        if not word[0].isupper() and not local and (i == 0 or not words[i - 1].group()[0].isupper()):
            return rest  # a verb: the title's holder is not named here
        i += 1
    return rest


def _answered_people(previous: str, answer: str) -> list[tuple[int, int]]:
    """After "Ai …?", the people its ``answer`` names (spans of names that start with a family
    name), those the question itself names aside; none after any other question."""
    folded = fold_diacritics(normalize(previous))
    if not re.search(r"\b(?:ai|la ai|nguoi nao)\b", folded.replace("đ", "d")):
        return []
    return [
        (a, b)
        for a, b in _names(answer)
        if answer[a:b].split()[0] in _SURNAMES and fold_diacritics(normalize(answer[a:b])) not in folded
    ]


def _with_rank(text: str, start: int, end: int) -> str:
    """The name at ``start:end`` with the military rank right before it ("Trung tướng …")."""
    rank = _RANK.search(text[:start])
    return text[rank.start() if rank else start : end]


def _person(previous: str, answer: str | None) -> str | None:
    """Who "ông ấy" / a bare "Ông …" is: after "Ai …?", the person its answer names (the last name
    before the office the question asked about: "…, Trung tướng Nguyễn Anh Tuấn, Bí thư Đảng ủy"),
    else the first person (a name that starts with a family name) the previous question names;
    None when there is neither (then the previous question's subject is the referent)."""
    if answer and (people := _answered_people(previous, answer)):
        topic = _WORD.findall(fold_diacritics(normalize(subject(previous))))[:2]
        at = fold_diacritics(normalize(answer)).find(" ".join(topic)) if topic else -1
        before = [span for span in people if at >= 0 and span[1] <= at]
        name = _with_rank(answer, *(before[-1] if before else people[0]))
        # "Ai là Bí thư Tỉnh ủy Quảng Ninh?": the office goes with the name, set apart as news
        # writes it ("Bí thư Tỉnh ủy Quảng Ninh, Nguyễn Xuân Ký"): run together, the place
        # and the name would read as one name
        copular = re.search(r"\b(?:ai la|la ai)\b", fold_diacritics(normalize(previous)))
        return f"{subject(previous)}, {name}" if copular and subject(previous) else name
    people = [(a, b) for a, b in _names(previous) if previous[a:b].split()[0] in _SURNAMES]
    return _with_rank(previous, *people[0]) if people else None  # "Lai Châu" is nobody


def _people(previous: str, answer: str | None) -> str | None:
    """Who "họ" is after "Ai …?": the people its answer names ("Trung tướng Lê Đức Thái và Trung
    tướng Nguyễn Anh Tuấn"), None when it names fewer than two."""
    if not answer:
        return None
    people = _answered_people(previous, answer)
    return " và ".join(_with_rank(answer, a, b) for a, b in people) if len(people) > 1 else None


def _referent(previous: str, noun: str | None, answer: str | None, person: bool = False) -> str:
    """What "tỉnh này" / "nghị quyết đó" / "ông ấy" / "nó" refers to, given the previous question
    (and its answer, for "Huyện nào …?" followed by "Huyện đó …?", and "Ai …?" followed by "Ông
    ấy …?")."""
    if person and (who := _person(previous, answer)):
        return who
    if noun:
        key = fold_diacritics(normalize(noun)).lower()  # "Đồn đó …" starts a question
        folded = fold_diacritics(normalize(previous)).lower()
        at = re.search(rf"\b{re.escape(key)}\b", folded)
        which = at and re.match(r"\s+nao\b", folded[at.end() :])
        if which and answer and (named := _answer_named(noun, answer)):  # it asked which one
            return named
        if which:  # the answer names none: the one the question described ("tỉnh có Đồn Pò Hèn")
            rest = previous[at.end() + which.end() :].strip(" ?")
            if rest:
                return f"{noun.lower()} {rest}"
        elif at:  # the noun phrase of the previous question: "tỉnh Lai Châu", "nghị quyết số 23-NQ/TU"
            named = _named_noun(previous, at.start(), len(key.split()))
            return named or _described(previous, at.start()) or subject(previous[at.start() :])
        names = [(a, b) for a, b in _names(previous) if previous[a:b].split()[0] not in _SURNAMES]
        if names:  # "tỉnh này" after "… ở Lai Châu?"; a person ("Lương Cường") is no place or law
            start, end = names[0]
            return f"{noun.lower()} {previous[start:end]}"
    return subject(previous) or previous.strip(" ?")


def _described(previous: str, start: int) -> str | None:
    """The unnamed noun at ``start`` of ``previous`` described by what the previous question said
    of it: "hội nghị" of "Nguyễn Xuân Ký phát biểu gì tại hội nghị?" is "hội nghị mà Nguyễn Xuân
    Ký phát biểu"; None when the noun starts the question's subject (it is the subject then)."""
    about = subject(previous)
    noun = subject(previous[start:]) or previous[start:].strip(" ?")
    cut = about.find(previous[start : start + len(noun)])
    before = _DANGLING.sub("", (about[:cut] if cut >= 0 else about).strip(" ,")).strip(" ,")
    if not before or cut == 0 or previous.strip().startswith(noun):
        return None
    return f"{noun} mà {before}"


def _time_of(previous: str, noun: str, answer: str | None) -> str | None:
    """The time "năm đó" / "ngày đó" is: the previous question's ("năm 2023"), else the one its
    answer gives ("Chiều 5/3" -> "ngày 5/3"); None when neither gives one."""
    key = fold_diacritics(noun).lower()
    for word in _WORD.finditer(previous):
        if fold_diacritics(word.group()).lower() == key and (named := _named_noun(previous, word.start(), 1)):
            return named[0].lower() + named[1:]
    pattern = _YEAR if key == "nam" else _DATE if key == "ngay" else None
    found = pattern.search(answer) if pattern and answer else None
    return f"{noun.lower()} {found.group()}" if found else None


def _place_of(previous: str, answer: str | None) -> str | None:
    """Where "ở đó" is: the place the answer gives ("tại Hà Nội"), else the one the previous
    question names ("tỉnh Lai Châu", "Quảng Ninh"), never a person; None without one."""
    if answer and (given := re.search(r"\b(?:tại|ở) (?P<place>(?:[A-ZÀ-ỸĐ]\w*)(?: [A-ZÀ-ỸĐ]\w*)*)", answer)):
        return given.group("place")
    local = _local_place(f" {previous}")
    if local:
        return local.strip()
    places = [previous[a:b] for a, b in _names(previous) if previous[a:b].split()[0] not in _SURNAMES]
    return places[-1] if places else None


def _answer_named(noun: str, answer: str) -> str | None:
    """The first ``noun`` that ``answer`` names: the noun before a name ("huyện Tiên Yên", "Đồn BP
    Pò Hèn" -> "đồn Pò Hèn") or with its own name or number ("Huyện Đầm Hà", "Nghị quyết Trung
    ương 8"); None when it names none."""
    key = fold_diacritics(normalize(noun)).lower()
    found: list[tuple[int, str]] = []
    for start, end in _names(answer):
        # "Đồn BP Pò Hèn": the noun, maybe its abbreviated kind, then the name
        before = re.sub(r"(?:\s+[A-ZĐ]{2,})+\s*$", "", answer[:start])
        if fold_diacritics(normalize(before)).rstrip().lower().endswith(key):
            found.append((len(before.rstrip()) - len(noun), f"{noun.lower()} {answer[start:end]}"))
            break
    words = list(_WORD.finditer(answer))
    size = len(key.split())
    for i in range(len(words) - size + 1):
        said = " ".join(w.group() for w in words[i : i + size])
        if fold_diacritics(said).lower() == key and (named := _named_noun(answer, words[i].start(), size)):
            found.append((words[i].start(), named))
            break
    return min(found, key=lambda item: item[0])[1] if found else None  # the first; a tie to the first way


def _which_answered(previous: str, answer: str | None) -> str:
    """``previous`` with the thing it opened by asking for named as its answer names it: "Hai
    huyện nào … đạt chuẩn NTM nâng cao?" -> "huyện Đầm Hà … đạt chuẩn NTM nâng cao?", so that a
    fragment after it ("Theo tiêu chí giai đoạn nào?") has a subject; else ``previous``."""
    which = _WHICH_FIRST.match(previous)
    if which is None or not answer:
        return previous
    named = _answer_named(which.group("noun"), answer)
    return named + previous[which.end() :] if named else previous


def _named_noun(text: str, start: int, size: int) -> str | None:
    """The noun of ``size`` words at ``start`` and the name or number that follows it ("Nghị quyết
    số 23-NQ/TU" of "Nghị quyết số 23-NQ/TU nói về gì?", not its verb), or None without one. A
    name goes on through a few lowercase syllables to its next capital or number ("Luật Biên
    phòng Việt Nam", "Giao lưu hữu nghị quốc phòng biên giới Việt Nam - Trung Quốc"), not past
    punctuation, a verb of being, a question word or to an abbreviation."""
    found = list(re.finditer(r"[\w/.-]*\w", text[start:]))
    words, spans = [w.group() for w in found], [w.span() for w in found]
    end = size
    while end < len(words):
        word = words[end]
        if word[0].isupper() or any(c.isdigit() for c in word) or (word in ("số", "so") and end == size):
            end += 1
            continue
        ahead = end  # lowercase syllables inside a name, up to its next capital or number
        while ahead < min(len(words), end + _NAME_GAP) and words[ahead].islower() and words[ahead] not in _NAME_STOPS:
            ahead += 1
        if end == size or ahead == len(words) or not _goes_on(words[ahead]):
            break
        if re.search(r"[^\w\s-]", text[start + spans[end - 1][1] : start + spans[ahead][0]]):
            break  # punctuation ends a name; a dash joins two ("Việt Nam - Trung Quốc")
        end = ahead
    return text[start : start + spans[end - 1][1]] if end > size else None


def _goes_on(word: str) -> bool:
    """Whether ``word`` carries a name on after lowercase syllables: a capital ("Việt Nam") or a
    number ("Trung ương 8"), not an abbreviation ("đạt chuẩn NTM")."""
    return (word[0].isupper() and not word.isupper()) or any(c.isdigit() for c in word)


def focus_of(question: str) -> str | None:
    """What a "Còn X?" follow-up asks about anew, when X is a common noun phrase ("nông thôn mới
    nâng cao", "phó giám đốc"): the sentence that answers it must say X itself, where a name may
    be met by its article. None for any other question."""
    phrase = _ellipsis_phrase(clean_unicode(question).strip())
    if phrase is None or phrase != phrase.lower() or not _WORD.search(phrase):
        return None
    return None if re.search(rf"\b(?:{_ASKING})\b", phrase, re.IGNORECASE) else phrase


def _bare_office(text: str) -> str | None:
    """The office of "Ai là Phó Chính ủy?" / "Thế Phó Chính ủy là ai?" when it is named without
    its body (so the previous question's body is meant), else None."""
    asked = _WHO_IS.match(text)
    office = asked and (asked.group("first") or asked.group("last")).strip()
    if not office or tuple(fold_diacritics(normalize(office)).lower().split()) not in OFFICE_HEAD_WORDS:
        return None
    return office


def _names_office(question: str) -> bool:
    """Whether ``question`` names an office ("… Chính ủy BĐBP tỉnh Quảng Ninh …")."""
    folded = tuple(_WORD.findall(fold_diacritics(normalize(question)).lower()))
    return any(folded[k : k + len(head)] == head for k in range(len(folded)) for head in OFFICE_HEAD_WORDS)


def _ellipsis_phrase(text: str) -> str | None:
    """The X of "Còn X?" / "X thì sao?", or None when ``text`` is no such follow-up."""
    match = next((m for pattern in _ELLIPSIS if (m := pattern.match(text))), None)
    return match.group("x").strip(" ,") if match else None


def _asked_of(previous: str, fragment: str) -> str:
    """What a fragment asks one more thing of: the previous question's subject, and what it
    counted unless the fragment counts too ("Nhiệm kỳ nào?" after "… đề ra mấy khâu đột phá?":
    "… đề ra khâu đột phá"; "Bao nhiêu cặp cụm dân cư?" replaces the counted "cặp đồn")."""
    counted = _COUNTED.search(previous)
    if counted is None or _COUNTED.search(fragment):
        return subject(previous)
    return f"{subject(previous)} {counted.group('thing')}"


def subjectless_reading(question: str, previous: str) -> str | None:
    """A short question with no name or number of its own ("Ban hành ngày nào?", "Diễn ra ở
    đâu?") may ask about the previous question's subject, or stand alone ("Biên phòng là gì?"):
    the reading that asks it of that subject, for the caller to weigh against the question
    alone by what each finds. None for any other question."""
    text = clean_unicode(question).strip()
    own, words = subject(text), _WORD.findall(text)
    named = any(w[0].isdigit() or w.isupper() or (i and w[0].isupper()) for i, w in enumerate(words))
    if not own or len(words) > 5 or named:
        return None  # a longer question, or one that names something, has a subject of its own
    about = subject(previous)
    if not about or _WORD.findall(fold_diacritics(normalize(own)))[0] in fold_diacritics(normalize(about)).split():
        return None  # it repeats the previous subject's words: it has its own subject
    return f"{about} {text[0].lower()}{text[1:]}"


def _without_given(subject_: str, fragment: str) -> str:
    """``subject_`` without the value it gave for what a "X nào?" fragment asks: "Năm nào?" after
    "… năm 2022 bao nhiêu?" asks the year, so "năm 2022" goes ("… vốn FDI năm nào?")."""
    which = re.match(r"(\w+)\s+(?:nào|nao)\s*\??$", fragment, re.IGNORECASE)
    if which is None:
        return subject_
    words = list(_WORD.finditer(subject_))
    noun = fold_diacritics(normalize(which.group(1)))
    for i, word in enumerate(words[:-1]):
        value = words[i + 1].group()
        if fold_diacritics(normalize(word.group())) == noun and (value[0].isdigit() or value[0].isupper()):
            end = i + 2
            while value[0].isupper() and end < len(words) and words[end].group()[0].isupper():
                end += 1  # a name of several words: "tỉnh Lai Châu"
            cut_end = words[end].start() if end < len(words) else len(subject_)
            return (subject_[: word.start()] + subject_[cut_end:]).strip()
    return subject_


def _without_repeated(subject_: str, fragment: str) -> str:
    """``subject_`` without the verb it ends with when the fragment says it again: "Do cơ quan nào
    ban hành?" after "Nghị quyết 33 ban hành ngày nào?" asks of "Nghị quyết 33"."""
    words = list(_WORD.finditer(subject_))
    said = set(_WORD.findall(fold_diacritics(normalize(fragment)).lower()))
    keep = len(words)
    while keep > 1 and fold_diacritics(normalize(words[keep - 1].group())).lower() in said:
        keep -= 1
    return subject_[: words[keep - 1].end()] if keep < len(words) and words else subject_


def rewrite(question: str, previous: str, answer: str | None = None, earlier: str | None = None) -> str | None:
    """``question`` as a question that stands alone, given the ``previous`` one (and the sentence
    that answered it), or None when it is not a follow-up (it then stands as it is). A "Còn X?"
    whose X, a title or a name, fits no slot of ``previous`` takes the frame of the question
    before it, ``earlier``, when X fits there ("Còn Chính ủy?" after "Ai là Tư lệnh BĐBP?" and "Lê
    Đức Thái chủ trì hội nghị nào?"); common words join the last question ("Còn quy chế làm
    việc?")."""
    text = clean_unicode(question).strip()
    if not text or not previous.strip():
        return None
    if _MORE.match(text):
        return previous.strip()  # "Kể thêm đi": the same question again, as it was understood
    rewritten = None
    if (office := _bare_office(text)) and _names_office(previous) and (asked := _ellipsis(previous.strip(), office))[1]:
        rewritten = asked[0]  # "Thế ai là Phó Chính ủy?": the office of the previous question's body
    elif (phrase := _ellipsis_phrase(text)) is not None:
        rewritten, fits = _ellipsis(previous.strip(), phrase)
        if not fits and earlier and earlier.strip() and phrase[:1].isupper():  # a title or a name
            before, fits = _ellipsis(earlier.strip(), phrase)
            if fits:
                previous, rewritten = earlier, before
    else:
        match = _DEMONSTRATIVE.search(text) or _BARE_HONORIFIC.search(text)
        noun = match.groupdict().get("noun") if match else None
        if noun and fold_diacritics(noun).lower() in _TIME_NOUNS:
            # "Năm đó …": the year or day the previous turn named; none named, no reference
            when = _time_of(previous, noun, answer)
            rewritten = text[: match.start()] + when + text[match.end() :] if when else None
        elif match:
            they = match.groupdict().get("they")
            person = not match.group("noun") and not they and not re.fullmatch(r"(?:nó|no)", match.group(), re.I)
            referent = (they and _people(previous, answer)) or _referent(previous, match.group("noun"), answer, person)
            rewritten = text[: match.start()] + referent + text[match.end() :]
        elif (there := _THERE.search(text)) and (place := _place_of(previous, answer)):
            rewritten = f"{text[: there.end('at')]} {place}{text[there.end() :]}"
        elif (that := _THAT_IS.match(text)) and subject(previous):
            # "Đó là những khâu nào?" after "… xác định mấy khâu đột phá?": what was asked
            rewritten = f"{_asked_of(previous, text)} {text[that.end('be') :].strip()}"
        elif (not subject(text) or _FRAGMENT.match(text) or _NO_SUBJECT.match(text)) and subject(
            previous := _which_answered(previous, answer)
        ):
            # question words only, or a fragment: "Khi nào?", "Hôm nào?", "Bao nhiêu cặp cụm dân cư?"
            text = re.sub(r"^(?:và|va)\s+", "", text, flags=re.IGNORECASE)
            asked_of = _without_repeated(_without_given(_asked_of(previous, text), text), text)
            rewritten = f"{asked_of} {text[0].lower()}{text[1:]}"
    if not rewritten:
        return None
    if not (has_diacritics(normalize(text)) and has_diacritics(normalize(previous))):
        # either typed without accents: the whole question without them (a half-accented one
        # would match its plain words only weakly, and would not be given to the model)
        rewritten = fold_diacritics(rewritten)
    return rewritten[0].upper() + rewritten[1:]
