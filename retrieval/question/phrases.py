"""The parts of a question a follow-up is read against: what it asks about (its subject), the
names it holds (people, places, organisations, documents) and the titles and ranks around them.
Shared by the rules of ``retrieval.question.referents`` and ``retrieval.question.ellipsis``."""

from __future__ import annotations

import re

from retrieval.text.normalize import clean_unicode, fold_diacritics, normalize

# What asks, in a question: cut off (with what follows) to find what the question is about.
ASKING = (
    r"tên là gì|tên gì|ten la gi|ten gi|là ai|là gì|là những ai|là những gì|là bao nhiêu|là khi nào|là ở đâu|"
    r"là như thế nào|bao nhiêu|mấy|"
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
    rf"|(?:{ASKING})\b).*$|\s*\?\s*$",
    re.IGNORECASE | re.DOTALL,
)
# "mấy khâu đột phá?": what a question counts, after its question word.
_COUNTED = re.compile(r"\b(?:bao nhiêu|bao nhieu|mấy)\s+(?P<thing>[^?]+?)\s*\??\s*$", re.IGNORECASE)
# A question that starts with the noun it asks which of: "Lực lượng nào giúp dân …?"
_WHICH_FIRST = re.compile(r"^(?P<noun>\w+(?:\s+\w+){0,2})\s+(?:nào|nao)\s+(?P<rest>\w.*)$", re.IGNORECASE | re.DOTALL)
DANGLING = re.compile(
    r"(?:^|\s+)(?:với|của|cho|về|ở|tại|từ|trong|bằng|vào|do|bởi|voi|cua|ve|tai|tu|bang|vao|boi)$", re.IGNORECASE
)
_PERSONAL_FACT = re.compile(r"\s+(?:sinh|sinh ra|quê|quê quán|nhập ngũ|tốt nghiệp|que|que quan|nhap ngu)$", re.I)
# One-syllable nouns of "X nào?" (times, places, people): the word before them is no part of it.
_WHICH_NOUNS = frozenset("hôm năm ngày tháng tuần lúc tỉnh huyện xã nước người nơi".split())  # noqa: SIM905
# Kinds of documents, named by a number or a name after them ("Nghị quyết 33-NQ/TW", "Luật Biên
# phòng Việt Nam"): the verdict needs the one asked about, "văn bản đó" refers to it.
DOCUMENT_KINDS = (
    "Luật|Nghị quyết|Nghị định|Quyết định|Chỉ thị|Hiến pháp|Chiến lược|Đề án|Hiệp định|Thông tư|Pháp lệnh|"
    "Chương trình|Kế hoạch"
)
# A question word anywhere; "nao" too, as "nào" is typed without accents
_ASKS = re.compile(rf"\b(?:{ASKING}|nao)\b", re.IGNORECASE)
QUESTION_HEAD = re.compile(rf"^(?:(?:{ASKING})(?:\s+(?:là|la))?\b\s*)+", re.IGNORECASE)
# A person's name starts with a family name; the most common ones cover most people named in news.
SURNAMES = frozenset(
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
SURNAMES |= frozenset(fold_diacritics(name) for name in SURNAMES)  # "Nguyen Van Hung" typed without accents
# A military rank right before a name goes with it: "Trung tướng Lê Đức Thái".
RANK_WORDS = r"(?:Đại|Trung|Thiếu|Thượng|Dai|Thieu|Thuong)\s+(?:tướng|tá|úy|tuong|ta|uy)\s+"  # or without accents
RANK_BEFORE = re.compile(RANK_WORDS + "$")  # ending a text, before the name that follows it
RANK_AHEAD = re.compile(RANK_WORDS + r"(?=\w)")  # starting a name
WORD = re.compile(r"\w+")
PLACE_KINDS = ("tỉnh", "huyện", "xã", "thành phố", "thị xã")  # what a local title is of
_LOCAL_KIND = re.compile(rf"\s(?:{'|'.join(PLACE_KINDS)})(?=\s)")
PLACE_KIND_WORDS = frozenset(" ".join(PLACE_KINDS).split())
# Lowercase syllables inside a name run to its next capital ("Giao lưu hữu nghị … Việt Nam"),
# a few at most and never through these
_NAME_GAP = 7
_NAME_STOPS = frozenset(
    "là có được đã sẽ ở tại vào khi thì và nào gì ai ngày tháng năm "  # noqa: SIM905
    "la co duoc o tai vao thi va nao gi ngay thang nam".split()  # a date ends a name: "… 23-NQ/TU ngày 3/3/2024"
)


def name_spans(text: str) -> list[tuple[int, int]]:
    """Spans of two or more capitalised syllables in a row: names ("Lào Cai", "Lê Đức Thái")."""
    runs: list[list[tuple[int, int]]] = [[]]
    for m in WORD.finditer(text):
        gap = text[runs[-1][-1][1] : m.start()] if runs[-1] else " "
        if m.group()[0].isupper() and not m.group().isupper() and gap.strip() == "":
            runs[-1].append(m.span())
        elif runs[-1]:
            runs.append([m.span()] if m.group()[0].isupper() and not m.group().isupper() else [])
    return [(run[0][0], run[-1][1]) for run in runs if len(run) >= 2]


# Nouns that are of something ("nội dung" of a resolution, "mục tiêu" of a programme): a short
# question that starts with one and names no owner asks it of the previous subject.
_RELATIONAL = frozenset(
    [
        "noi dung",
        "muc tieu",
        "muc dich",
        "y nghia",
        "ket qua",
        "nhiem vu",
        "vai tro",
        "thoi han",
        "hieu luc",
        "nguyen nhan",
        "tac dung",
        "loi ich",
        "pham vi",
        "doi tuong",
    ]
)


def of_something(text: str) -> bool:
    """Whether ``text`` starts with a noun that is of something ("Nội dung chính là gì?")."""
    words = WORD.findall(fold_diacritics(normalize(text)).lower())
    return " ".join(words[:2]) in _RELATIONAL


def asks(text: str) -> bool:
    """Whether ``text`` holds a question word ("huyện nào", "huyen nao", "là ai")."""
    return _ASKS.search(text) is not None


def counted_noun(question: str) -> str | None:
    """The noun a "bao nhiêu / mấy X" question counts, its first word ("huyện" of "… mấy huyện
    đạt chuẩn …"), or None."""
    things = counted_things(question)
    return WORD.findall(things)[0] if things and WORD.search(things) else None


def counted_things(question: str) -> str | None:
    """What a "bao nhiêu / mấy X" question counts, whole ("huyện, thị, thành phố biên giới, hải
    đảo"), or None."""
    counted = _COUNTED.search(question)
    return counted.group("thing") if counted else None


def asked_of(previous: str, fragment: str = "") -> str:
    """What a fragment asks one more thing of: the previous question's subject, and what it
    counted unless the fragment counts too ("Nhiệm kỳ nào?" after "… đề ra mấy khâu đột phá?":
    "… đề ra khâu đột phá"; "Bao nhiêu cặp cụm dân cư?" replaces the counted "cặp đồn")."""
    counted = _COUNTED.search(previous)
    if counted is None or _COUNTED.search(fragment):
        return subject(previous)
    return f"{subject(previous)} {counted.group('thing')}"


def asks_which_first(question: str) -> bool:
    """Whether ``question`` starts with the noun it asks which of ("Tỉnh nào có 2 huyện …?")."""
    return _WHICH_FIRST.match(QUESTION_HEAD.sub("", clean_unicode(question).strip())) is not None


def subject(question: str) -> str:
    """What a question is about: the question without its asking part ("Tư lệnh BĐBP là ai?" ->
    "Tư lệnh BĐBP"; "Ai là Chính ủy BĐBP?" -> "Chính ủy BĐBP"; "Khi nào?" -> "")."""
    text = QUESTION_HEAD.sub("", clean_unicode(question).strip())
    if first := _WHICH_FIRST.match(text):  # "Lực lượng nào giúp dân …?": the noun and what it does
        return subject(f"{first.group('noun')} {first.group('rest')}")
    tail = _QUESTION_TAIL.search(text)
    if tail is None:
        return text.strip(" ,?")
    cut = tail.start()
    words = WORD.findall(text[cut:])
    # "… Bộ đội Biên phòng hôm nào?": "hôm" alone is what is asked ("giai đoạn nào": both words)
    if len(words) >= 3 and re.fullmatch(r"nào|nao", words[2], re.I) and normalize(words[1]) in _WHICH_NOUNS:
        cut = text.index(words[1], cut + len(words[0]) + 1)
    # "… làm việc với đơn vị nào?": what followed the preposition was asked, the preposition goes;
    # so does the verb of a person's own fact ("… sinh năm nào?": the person is the subject)
    return _PERSONAL_FACT.sub("", DANGLING.sub("", text[:cut].strip(" ,?"))).strip(" ,?")


def is_title(words: list[str]) -> bool:
    """ "Tư lệnh", "Chính ủy", "phó giám đốc": a capitalised or lowercase word, then lowercase ones."""
    return bool(words) and not words[0].isupper() and all(w.islower() for w in words[1:])


def local_place(text: str) -> str | None:
    """The place a title is of (" tỉnh Quảng Ninh"): a lowercase kind of place and a name."""
    for kind in _LOCAL_KIND.finditer(text):
        end = kind.end()
        for word in WORD.finditer(text, kind.end()):
            if not word.group()[0].isupper() or text[end : word.start()].strip():
                break
            end = word.end()
        if end > kind.end():
            return text[kind.start() : end]
    return None


def with_rank(text: str, start: int, end: int) -> str:
    """The name at ``start:end`` with the military rank right before it ("Trung tướng …")."""
    rank = RANK_BEFORE.search(text[:start])
    return text[rank.start() if rank else start : end]


def named_noun(text: str, start: int, size: int) -> str | None:
    """The noun of ``size`` words at ``start`` and the name or number that follows it ("Nghị quyết
    số 23-NQ/TU" of "Nghị quyết số 23-NQ/TU nói về gì?", not its verb), or None without one. A
    name goes on through a few lowercase syllables to its next capital or number ("Luật Biên
    phòng Việt Nam", "Giao lưu hữu nghị quốc phòng biên giới Việt Nam - Trung Quốc"), not past
    punctuation, a verb of being, a question word or to an abbreviation."""
    found = list(re.finditer(r"[\w/.-]*\w", text[start:]))
    words, spans = [w.group() for w in found], [w.span() for w in found]
    if len(spans) > size and (quoted := _QUOTED_NAME.match(text, start + spans[size - 1][1])):
        return text[start : quoted.end()]  # "Chương trình “Xuân Biên phòng ấm lòng dân bản”": the whole quote
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


_QUOTED_NAME = re.compile(r"\s*[“\"][^”\"]{1,80}[”\"]")


def _goes_on(word: str) -> bool:
    """Whether ``word`` carries a name on after lowercase syllables: a capital ("Việt Nam") or a
    number ("Trung ương 8"), not an abbreviation ("đạt chuẩn NTM")."""
    return (word[0].isupper() and not word.isupper()) or any(c.isdigit() for c in word)


# "X có phải (là) Y không?", "X có còn Y không?", "X đã Y chưa?" (not "Có X không?", whether there is
# one; nor a "which" in Y, a question of its own; nor "… để chỉ ra số đó có là số nguyên tố hay
# không?", a clause of another question)
_YES_NO = re.compile(
    r"(?<=\S)\s+(?:có phải(?: là)?|(?:có|đã|còn)(?!\s+là\b))\s+(?P<y>(?:(?!\b(?:nào|ai|gì)\b).)+?)"
    r"\s+(?:không|chưa|chăng|hay không)\s*\??\s*$",
    re.IGNORECASE,
)


def yes_no_asked(question: str) -> str | None:
    """The Y a yes-no question asks its subject to be or do, which an answer must say; None for
    any other question."""
    asked = _YES_NO.search(question)
    return asked.group("y") if asked else None


# "… yêu cầu gì về tội phạm?": what about, a common noun phrase the answer must say
_TOPIC = re.compile(r"\b(?:gì|gi)\s+(?:về|ve|đối với|doi voi)\s+(?P<x>[^?]+?)\s*\??$", re.IGNORECASE)


def topic_asked(question: str) -> str | None:
    """The topic of "… gì về X?" when X is a common noun phrase ("tội phạm", "công tác phối hợp"):
    a sentence that never says it says nothing about it. None otherwise, or for a name."""
    asked = _TOPIC.search(clean_unicode(question).strip())
    topic = asked.group("x").strip(" ,") if asked else ""
    return topic if topic and topic == topic.lower() and not asks(topic) else None


def as_common_noun(syllables: list[str], start: int, end: int) -> str | None:
    """The name at ``start:end`` read as a common noun, lowercase: two syllables or more as they
    are ("quốc ca"), one with the lowercase word beside it ("Trái đất": "trái đất"); None when
    one stands alone."""
    if end - start == 1:
        if end < len(syllables) and syllables[end].islower():
            end += 1
        elif start > 0 and syllables[start - 1].islower():
            start -= 1
        else:
            return None
    return normalize(" ".join(syllables[start:end]))
