"""What a pronoun or a demonstrative of a follow-up refers to: "ông ấy", "người đó" (the person
the previous answer or question names), "họ", "hai người đó" (the people the answer names),
"tỉnh này", "nghị quyết đó" (the noun as the previous question or answer names it), "năm đó" (a
year or a day named), "ở đó" (a place named)."""

from __future__ import annotations

import re

from retrieval.question.offices import OFFICE_HEAD_WORDS, office_named
from retrieval.question.phrases import (
    DANGLING,
    DOCUMENT_KINDS,
    SURNAMES,
    WORD,
    asked_of,
    counted_things,
    local_place,
    name_spans,
    named_noun,
    subject,
    with_rank,
)
from retrieval.text.normalize import LOWER_LETTER, UPPER_LETTER, fold_diacritics, has_diacritics, normalize
from retrieval.text.tokenizer import named_before_verb, starts_with_verb, verb_before

# "người đó", "đồng chí ấy": a person as much as "ông ấy" is
_PERSON = (
    r"(?:ông|bà|anh|chị|cô|chú|bác|người|vị|đồng chí|ong|ba|chi|co|nguoi|dong chi)\s+(?:ấy|ta|này|đó|ay|nay|do)"
    r"|ổng|bả"  # "ông ấy", "bà ấy" as the South says them
)
# "văn bản đó": the document the previous question named; "việc đó": what it said was done
_DOCUMENT_WORDS = frozenset({"van ban", "tai lieu"})
_ACT_WORDS = frozenset({"viec"})
_FIGURE_WORDS = frozenset({"con so", "so lieu"})  # "con số đó": the figure the previous question asked
_NAMED_DOCUMENT = re.compile(rf"\b(?:{DOCUMENT_KINDS})\b", re.IGNORECASE)
THING_NOUNS = (
    "tỉnh|huyện|xã|thành phố|thị xã|phường|quận|nước|quốc gia|địa phương|đơn vị|lực lượng|đồn|"
    "nghị quyết|nghị định|quyết định|chỉ thị|luật|đề án|dự án|chương trình|kế hoạch|phong trào|mô hình|"
    "hội nghị|buổi làm việc|sự kiện|cơ quan|tổ chức|công trình|chính sách|giai đoạn|nhiệm kỳ|năm|ngày|tháng|"
    "văn bản|tài liệu|việc|con số|số liệu|tinh|huyen|xa|thanh pho|don vi|luc luong|don|nghi quyet|nghi dinh|"
    "quyet dinh|luat|de an|du an|chuong trinh|ke hoach|phong trao|mo hinh|hoi nghi|van ban|tai lieu|viec"
)
# "Hai huyện nào …?": a question that opens by asking which thing
_WHICH_FIRST = re.compile(rf"^\s*(?:\w+\s+)?(?P<noun>{THING_NOUNS})\s+(?:nào|nao)\b", re.IGNORECASE)
# "họ", "hai người đó", "cả hai": the people the previous answer named
_THEY = (
    r"họ|ho|cả hai|ca hai"
    r"|(?:hai|ba|những|các|nhung|cac) (?:người|đồng chí|vị|nguoi|dong chi) (?:đó|này|ấy|do|nay|ay)"
)
# "người còn lại", "người kia": the other of the two people the previous answer named
_OTHER = r"(?:người|vị|đồng chí|nguoi|dong chi) (?:còn lại|kia|thứ hai|con lai|thu hai)"
DEMONSTRATIVE = re.compile(
    rf"\b(?P<noun>{THING_NOUNS})\s+(?:này|đó|ấy|kia|trên|nay|do|ay)\b|\b(?P<they>{_THEY})\b|\b(?P<other>{_OTHER})\b"
    rf"|\b(?:{_PERSON})\b|\b(?:nó|no)\b",
    re.IGNORECASE,
)
# "vị Chính ủy này", "ông Tư lệnh ấy": the holder of an office, a person
_OFFICE_PERSON = re.compile(
    r"\b(?P<noun>)(?:vị|ông|đồng chí|vi|ong|dong chi)\s+(?P<office>\w+(?:\s+\w+){0,2}?)\s+(?:này|đó|ấy|nay|do|ay)\b",
    re.IGNORECASE,
)
# "năm đó", "ngày đó": a time the previous turn named
TIME_NOUNS = frozenset({"nam", "ngay", "thang"})
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")
_DATE = re.compile(r"\b\d{1,2}/\d{1,2}(?:/\d{4})?\b")
# "ở đó", "tại đấy": the place the previous turn was about
THERE = re.compile(r"\b(?P<at>ở|tại|o|tai) (?:đó|đấy|do|day)\b", re.IGNORECASE)
# "Ông chủ trì …", "Khi nào bà …": an honorific not followed by a name is a reference too.
BARE_HONORIFIC = re.compile(rf"\b(?P<noun>)(?:[Ôô]ng|[Bb]à)\b(?=\s+{LOWER_LETTER})", re.UNICODE)


def _answered_people(previous: str, answer: str) -> list[tuple[int, int]]:
    """After "Ai …?", the people its ``answer`` names (spans of names that start with a family
    name), those the question itself names aside; none after any other question."""
    folded = fold_diacritics(normalize(previous))
    if not re.search(r"\b(?:ai|la ai|nguoi nao|ten gi|ten la gi)\b", folded.replace("đ", "d")):
        return []
    return [
        (a, b)
        for a, b in name_spans(answer)
        if answer[a:b].split()[0] in SURNAMES and fold_diacritics(normalize(answer[a:b])) not in folded
    ]


def _person_asked_about(previous: str, answer: str) -> str | None:
    """The person a "X là ai?" question names as its subject, as ``answer`` names them ("Trung
    tướng Nguyễn Anh Tuấn" for "thieu tuong nguyen anh tuan la ai"); None for any other question."""
    if not re.search(r"\bla ai\b", fold_diacritics(normalize(previous))):
        return None
    about = f" {fold_diacritics(normalize(subject(previous))).lower()} "
    for a, b in name_spans(answer):
        if answer[a:b].split()[0] in SURNAMES and f" {fold_diacritics(normalize(answer[a:b])).lower()} " in about:
            return with_rank(answer, a, b)
    return None


def person_meant(previous: str, answer: str | None) -> str | None:
    """Who "ông ấy" / a bare "Ông …" is: after "Ai …?", the person its answer names (the last name
    before the office the question asked about: "…, Trung tướng Nguyễn Anh Tuấn, Bí thư Đảng ủy"),
    else the first person (a name that starts with a family name) the previous question names,
    else the office with its body the previous question is about ("Tư lệnh BĐBP"); None when
    there is none of these (then the previous question's subject is the referent). "X là ai?" of
    a person X is about X: X is meant, as the answer writes X (rank and accents)."""
    if answer and (asked := _person_asked_about(previous, answer)):
        return asked
    if answer and (people := _answered_people(previous, answer)):
        topic = WORD.findall(fold_diacritics(normalize(subject(previous))))[:2]
        at = fold_diacritics(normalize(answer)).find(" ".join(topic)) if topic else -1
        before = [span for span in people if at >= 0 and span[1] <= at]
        name = with_rank(answer, *(before[-1] if before else people[0]))
        # "Ai là Bí thư Tỉnh ủy Quảng Ninh?": the office goes with the name, set apart as news
        # writes it ("Bí thư Tỉnh ủy Quảng Ninh, Nguyễn Xuân Ký"): run together, the place
        # and the name would read as one name
        copular = re.search(r"\b(?:ai la|la ai)\b", fold_diacritics(normalize(previous)))
        # an office, not what someone did ("Ai là người phát biểu chỉ đạo …?": the name alone)
        deed = re.match(r"(?:người|nguoi)\b", subject(previous), re.IGNORECASE)
        return f"{subject(previous)}, {name}" if copular and subject(previous) and not deed else name
    people = [(a, b) for a, b in name_spans(previous) if _family_name_first(previous[a:b].split())]
    if people:
        return with_rank(previous, *people[0])  # "Lai Châu" is nobody
    # "Người đó tên là gì?" after "Tư lệnh BĐBP mang quân hàm gì?": the office's holder
    office = office_named(previous)
    return office if office and subject(previous).startswith(office) else None


def office_holder_meant(text: str) -> re.Match[str] | None:
    """ "Vị Chính ủy này …": where ``text`` refers to a person by the office they hold (not "vị
    trí này", a position), or None."""
    for match in _OFFICE_PERSON.finditer(text):
        if tuple(fold_diacritics(normalize(match.group("office"))).lower().split()) in OFFICE_HEAD_WORDS:
            return match
    return None


def _family_name_first(words: list[str]) -> bool:
    """Whether a name starts with a family name, after an honorific maybe ("Ông Nguyễn Xuân Ký")."""
    return words[0] in SURNAMES or (len(words) > 2 and words[0] in ("Ông", "Bà") and words[1] in SURNAMES)


def people_meant(previous: str, answer: str | None) -> str | None:
    """Who "họ" is after "Ai …?": the people its answer names ("Trung tướng Lê Đức Thái và Trung
    tướng Nguyễn Anh Tuấn"), None when it names fewer than two."""
    if not answer:
        return None
    people = _answered_people(previous, answer)
    return " và ".join(with_rank(answer, a, b) for a, b in people) if len(people) > 1 else None


# "Những ai dự …?": who is asked, then what they did
_WHO_DID = re.compile(r"^\s*(?:(?:những|các|nhung|cac)\s+)?(?:ai|người nào|nguoi nao)\s+(?P<did>.+?)[\s?]*$", re.I)


def those_who(previous: str) -> str | None:
    """Who "họ" is after "Những ai dự …?" whose answer named no two people: "những người dự …"
    (the question's own description of them); None after any other question."""
    match = _WHO_DID.match(previous)
    if match is None:
        return None
    people = "những người" if has_diacritics(previous) else "nhung nguoi"
    return f"{people} {match.group('did')}"


def other_meant(previous: str, answer: str | None) -> str | None:
    """Who "người còn lại" is after "Ai …?" answered with two people or more: the last named."""
    people = _answered_people(previous, answer) if answer else []
    return with_rank(answer, *people[-1]) if answer and len(people) > 1 else None


def every_named(previous: str, noun: str, answer: str | None, count: int | None = None) -> str | None:
    """What "các huyện đó" / "hai huyện này" are after "… những huyện nào …?": all the ``noun``s
    the answer names ("huyện Đầm Hà và huyện Tiên Yên"); None unless it names two or more. With
    a ``count`` ("hai huyện đó"), the answer naming that many is enough, whatever was asked."""
    key = fold_diacritics(normalize(noun)).lower()
    asked = re.search(rf"\b{re.escape(key)}\s+(?:nao|gi)\b", fold_diacritics(normalize(previous)).lower())
    named = answer_names(noun, answer) if answer else []
    if count is not None and len(named) == count:
        return " và ".join(named)
    return " và ".join(named) if asked and len(named) > 1 else None


def counted_meant(previous: str, answer: str | None) -> str | None:
    """What "các địa phương đó" are after "Quảng Ninh có bao nhiêu huyện, thị, thành phố biên giới,
    hải đảo?" answered "… lãnh đạo 10 huyện, thị, …": the things counted, as many as the answer
    counts ("10 huyện, thị, thành phố biên giới, hải đảo"); None when it puts no number before them."""
    things = counted_things(previous)
    if not things or not answer or not WORD.search(things):
        return None
    number = re.search(rf"(\d[\d.,]*)\s+{re.escape(WORD.findall(things)[0])}\b", answer, re.IGNORECASE)
    return f"{number.group(1)} {things}" if number else None


def referent(previous: str, noun: str | None, answer: str | None, person: bool = False, thing: bool = False) -> str:
    """What "tỉnh này" / "nghị quyết đó" / "ông ấy" / "nó" refers to, given the previous question
    (and its answer, for "Huyện nào …?" followed by "Huyện đó …?", and "Ai …?" followed by "Ông
    ấy …?"). ``thing``: "nó", the thing the previous subject names, without its verb."""
    if person and (who := person_meant(previous, answer)):
        return who
    kind = fold_diacritics(normalize(noun)).lower() if noun else ""
    if kind in _DOCUMENT_WORDS and (document := _document_named(previous)):
        return document
    if kind in _FIGURE_WORDS and (figure := asked_of(previous)):
        return figure  # "Quảng Ninh thu hút vốn FDI năm 2023 có phải kỷ lục …?"
    if kind in _ACT_WORDS and (about := asked_of(previous)):
        return f"{noun.lower()} {about}"  # "Việc BĐBP Lai Châu kết nghĩa cặp đồn trạm …"
    if noun:
        key = fold_diacritics(normalize(noun)).lower()  # "Đồn đó …" starts a question
        folded = fold_diacritics(normalize(previous)).lower()
        # "tỉnh" is no "Tỉnh ủy" (the province's party committee, not the province)
        at = re.search(rf"\b{re.escape(key)}\b(?! uy\b)", folded)
        # "… loại nghị quyết gì?" asks which too; so does "Đồn biên phòng nào …?"
        which = at and re.match(r"(?:\s+\w+){0,2}?\s+(?:nao|gi)\b", folded[at.end() :])
        if which and answer and (named := answer_named(noun, answer)):  # it asked which one
            return named
        if which:  # the answer names none: the one the question described ("tỉnh có Đồn Pò Hèn")
            rest = previous[at.end() + which.end() :].strip(" ?")
            if rest:
                return f"{noun.lower()} {rest}"
            # "… là Chính ủy BĐBP tỉnh nào?": "tỉnh mà … là Chính ủy BĐBP"
            if described := _that_which(noun.lower(), previous[: at.start()]):
                return described
        elif at:  # the noun phrase of the previous question: "tỉnh Lai Châu", "nghị quyết số 23-NQ/TU"
            if answer and (filled := _which_filled(previous, at.end(), answer)) != previous:
                previous = filled  # "hội nghị với Tỉnh ủy tỉnh nào?" answered: "… Tỉnh ủy tỉnh Quảng Ninh"
            named = named_noun(previous, at.start(), len(key.split()))
            return named or _described(previous, at.start()) or subject(previous[at.start() :])
        if at is None and answer and (placed := _placed_at(previous, noun, answer) or _done_by(previous, noun, answer)):
            return placed
        names = [(a, b) for a, b in name_spans(previous) if previous[a:b].split()[0] not in SURNAMES]
        if names:  # "tỉnh này" after "… ở Lai Châu?"; a person ("Lương Cường") is no place or law
            start, end = names[0]
            return f"{noun.lower()} {previous[start:end]}"
        if committee := re.search(rf"\b{re.escape(key)} uy (\w+ \w+)", folded):
            # typed without capitals, "tỉnh ủy quảng ninh": the province its two words name
            return f"{noun.lower()} {previous[committee.start(1) : committee.end(1)]}"
    about = subject(previous)
    if thing and about and (named := thing_of(about)):
        return named
    return about or previous.strip(" ?")


def _document_named(previous: str) -> str | None:
    """The first document the previous question names by its kind and name or number ("Nghị quyết
    số 23-NQ/TU"), or None."""
    for kind in _NAMED_DOCUMENT.finditer(previous):
        if named := named_noun(previous, kind.start(), len(kind.group().split())):
            return named
    return None


def thing_of(about: str) -> str | None:
    """The named thing a subject starts with, before its verb: "Nghị quyết 33-NQ/TW của Bộ Chính
    trị" of "… Bộ Chính trị nói" (what "nó" is), "Quảng Ninh" of "Quảng Ninh thu hút vốn FDI",
    "Nghị định 100" of "Nghị định 100 quy định mức phạt"; None when no name or number ends it."""
    if named := named_before_verb(about):
        return named.rstrip(" ,")
    for size in (2, 1):  # the tagger read a verb as a noun ("quy định"): the name, if a verb follows it
        named = named_noun(about, 0, size)
        rest = about[len(named) :].strip() if named else ""
        if rest and starts_with_verb(rest):
            return named
    return None


def _placed_at(previous: str, noun: str, answer: str) -> str | None:
    """ "Hội nghị đó" after "Ông X phát biểu ở đâu?" answered "… phát biểu tại hội nghị": the
    place the answer gave, described by the question ("hội nghị mà ông X phát biểu"); None when
    the previous question asked no "where" or its answer names the noun otherwise."""
    if not re.search(r"\b(?:ở|tại|o|tai) (?:đâu|dau)\b", previous, re.IGNORECASE):
        return None
    at = re.search(rf"\b(?:tại|ở|trong) (?:các |những )?{re.escape(noun.lower())}\b(?!\s+{UPPER_LETTER})", answer)
    return _that_which(noun.lower(), subject(previous)) if at else None


def _described(previous: str, start: int) -> str | None:
    """The unnamed noun at ``start`` of ``previous`` described by what the previous question said
    of it: "hội nghị" of "Nguyễn Xuân Ký phát biểu gì tại hội nghị?" is "hội nghị mà Nguyễn Xuân
    Ký phát biểu"; None when the noun starts the question's subject (it is the subject then) or
    has a name."""
    about = subject(previous)
    noun = subject(previous[start:]) or previous[start:].strip(" ?")
    cut = about.find(previous[start : start + len(noun)])
    if cut == 0 or previous.strip().startswith(noun) or any(w[0].isupper() for w in WORD.findall(noun)[1:]):
        return None  # the subject itself, or a name ("Tỉnh ủy Quảng Ninh")
    return _that_which(noun, about[:cut] if cut >= 0 else about)


def _done_by(previous: str, noun: str, answer: str) -> str | None:
    """ "Hội nghị đó" after "Đại tá Nguyễn Văn Hưng giữ chức vụ gì?" answered "Đại tá Nguyễn Văn
    Hưng - …, Chính uỷ … chủ trì Hội nghị ra nghị quyết …": the noun by what the one the previous
    question named (or its answer, after "Ai …?") did to it in the answer ("hội nghị mà Đại tá
    Nguyễn Văn Hưng chủ trì"); None when there is no one, or no verb right before the noun."""
    who = named_before_verb(subject(previous)) or person_meant(previous, answer)  # or "Ai …?" answered
    verb = verb_before(answer, noun) if who else None
    return _that_which(noun.lower(), f"{who} {verb}") if verb else None


def _that_which(noun: str, said: str) -> str | None:
    """``noun`` described by what a question ``said`` of it ("hội nghị mà Nguyễn Xuân Ký phát
    biểu"), its dangling preposition dropped; None when it said nothing."""
    said = DANGLING.sub("", said.strip(" ,")).strip(" ,")
    return f"{noun} mà {said}" if said else None


def time_meant(previous: str, noun: str, answer: str | None) -> str | None:
    """The time "năm đó" / "ngày đó" is: the previous question's ("năm 2023"), else the one its
    answer gives ("Chiều 5/3" -> "ngày 5/3"); None when neither gives one."""
    key = fold_diacritics(noun).lower()
    for word in WORD.finditer(previous):
        if fold_diacritics(word.group()).lower() == key and (named := named_noun(previous, word.start(), 1)):
            return named[0].lower() + named[1:]
    pattern = _YEAR if key == "nam" else _DATE if key == "ngay" else None
    found = pattern.search(answer) if pattern and answer else None
    return f"{noun.lower()} {found.group()}" if found else None


def place_meant(previous: str, answer: str | None) -> str | None:
    """Where "ở đó" is: the place the answer gives ("tại Hà Nội"), else the one the previous
    question names ("tỉnh Lai Châu", "Quảng Ninh"), never a person; None without one."""
    if answer and (given := re.search(rf"\b(?:tại|ở) (?P<place>{UPPER_LETTER}\w*(?: {UPPER_LETTER}\w*)*)", answer)):
        return given.group("place")
    # "Đồn Biên phòng nào …?": the one the answer names ("đồn Pò Hèn")
    which = re.search(r"\b(\w+)(?:\s+\w+){0,2}?\s+(?:nào|nao)\b", previous)
    if answer and which and (named := answer_named(which.group(1), answer)):
        return named
    local = local_place(f" {previous}")
    if local:
        return local.strip()
    places = [previous[a:b] for a, b in name_spans(previous) if previous[a:b].split()[0] not in SURNAMES]
    return places[-1] if places else None


def answer_named(noun: str, answer: str) -> str | None:
    """The first ``noun`` that ``answer`` names (``answer_names``); None when it names none."""
    named = answer_names(noun, answer)
    return named[0] if named else None


def answer_names(noun: str, answer: str) -> list[str]:
    """Every ``noun`` that ``answer`` names, in order: the noun before a name ("huyện Tiên Yên",
    "Đồn BP Pò Hèn" -> "đồn Pò Hèn") or with its own name or number ("Huyện Đầm Hà", "Nghị quyết
    Trung ương 8"); "các huyện đó" are all of them."""
    key = fold_diacritics(normalize(noun)).lower()
    found: dict[int, str] = {}
    for start, end in name_spans(answer):
        # "Đồn BP Pò Hèn": the noun, maybe its abbreviated kind, then the name
        before = re.sub(r"(?:\s+[A-ZĐ]{2,})+\s*$", "", answer[:start])
        if fold_diacritics(normalize(before)).rstrip().lower().endswith(key):
            found.setdefault(len(before.rstrip()) - len(noun), f"{noun.lower()} {answer[start:end]}")
    words = list(WORD.finditer(answer))
    size = len(key.split())
    for i in range(len(words) - size + 1):
        said = " ".join(w.group() for w in words[i : i + size])
        if fold_diacritics(said).lower() == key and (named := named_noun(answer, words[i].start(), size)):
            found.setdefault(words[i].start(), named)  # a tie to the first way
    return [found[at] for at in sorted(found)]


_WHICH = re.compile(r"\b(\w+)\s+(?:nào|nao)\b", re.IGNORECASE)  # "tỉnh nào", typed either way


def _which_filled(previous: str, start: int, answer: str) -> str:
    """``previous`` with the "X nào" it asks after ``start`` named as ``answer`` names it ("… với
    Tỉnh ủy tỉnh nào?" -> "… với Tỉnh ủy tỉnh Quảng Ninh?"); else ``previous``."""
    which = _WHICH.search(previous, start)
    named = answer_named(which.group(1), answer) if which else None
    return previous[: which.start()] + named + previous[which.end() :] if named else previous


def which_answered(previous: str, answer: str | None) -> str:
    """``previous`` with the thing it opened by asking for named as its answer names it: "Hai
    huyện nào … đạt chuẩn NTM nâng cao?" -> "huyện Đầm Hà … đạt chuẩn NTM nâng cao?", "Ai chủ trì
    …?" -> "Đại tướng Lương Cường chủ trì …?", so that a fragment after it ("Theo tiêu chí giai
    đoạn nào?", "Bao giờ?") has a subject; else ``previous``."""
    if not answer:
        return previous
    who = _WHO_DID.match(previous)  # who did something, not "Ai là …?" (who holds an office)
    if who and not re.match(r"(?:là|la)\b", who["did"], re.IGNORECASE) and (name := person_meant(previous, answer)):
        return f"{name} {who['did']}?"
    which = _WHICH_FIRST.match(previous)
    if which is None:
        return previous
    named = answer_named(which.group("noun"), answer)
    return named + previous[which.end() :] if named else previous
