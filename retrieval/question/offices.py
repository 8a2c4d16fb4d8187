"""Names and offices, read from a text's capitals: runs of capitalised syllables (a person, a
place, an organisation), whether a run is a person's name, and the offices a text names with
what says which one ("Chủ tịch UBND tỉnh", "Tư lệnh Bộ đội Biên phòng") — what the verdict's
constraints and a follow-up's "Còn Chính ủy?" are read by."""

from __future__ import annotations

import re

from retrieval.question.answer_type import OFFICE_HEADS
from retrieval.text.normalize import clean_unicode, fold_diacritics

# Words that make an office local: after "Chính ủy BĐBP" they name a province's, not the nation's.
LOCAL = r"(?:tinh|huyen|xa|thanh pho|thi xa)"  # not "quan": "Quân đội" folds so
_LEVEL = re.compile(rf"{LOCAL}\b")
# Words that end an office's qualifier: the question's own words and function words.
_QUALIFIER_STOP = frozenset(
    "la ai gi nao co cua va o tai hien nay nam bao nhieu khi duoc the nhu da dang se voi cho ve tu den cung".split()  # noqa: SIM905
)
# Question words right after lowercase words: those words are what is asked of the office holder.
_ASKED_WHAT = frozenset({"gi", "nao", "dau", "sao"})
# Public: a follow-up's "Còn Chính ủy?" finds the office it replaces by them (conversation).
OFFICE_HEAD_WORDS = sorted((tuple(h.split()) for h in OFFICE_HEADS.split("|")), key=len, reverse=True)
# The heads by their first word, longest first: a question's syllables are looked up, not scanned.
_OFFICE_HEADS_BY_FIRST: dict[str, list[tuple[str, ...]]] = {}
for _head in OFFICE_HEAD_WORDS:
    _OFFICE_HEADS_BY_FIRST.setdefault(_head[0], []).append(_head)
SYLLABLE = re.compile(r"\d[\w/.,-]*|[^\W_]+", re.UNICODE)
_BODY_KINDS = frozenset("Bộ Đồn Ban Sở Cục Viện Hội Tổng Ủy Phòng Trạm Đảng".split())  # noqa: SIM905


def capital(syllable: str) -> bool:
    return syllable[0].isupper()


def starts_office(word: str) -> bool:
    """Whether an office's head starts with ``word`` (folded): "chinh" of "chinh uy"."""
    return word in _OFFICE_HEADS_BY_FIRST


def name_runs(syllables: list[str], first: bool, start: int = 0) -> list[tuple[int, int]]:
    """Spans of names, places and organisations from ``start``: runs of capitalised syllables
    ("Lê Đức Thái", "Quảng Ninh", "Tesla"), an abbreviation a run of its own ("BĐBP", "UBND").
    The question's first syllable is capitalised by orthography, so it is left out ("Ông Nguyễn
    Thanh Hải …", "Theo Đại tướng …", "Trung tướng …")."""
    spans = []
    i = start + 1 if first and start == 0 and syllables and not syllables[0].isupper() else start
    while i < len(syllables):
        if not capital(syllables[i]) or _rank_at(syllables, i):
            i += 1
            continue
        end = i + 1
        if not syllables[i].isupper():
            while (
                end < len(syllables)
                and capital(syllables[end])
                and not syllables[end].isupper()
                and not _rank_at(syllables, end)
            ):
                end += 1
        spans.append((i, end))
        i = end
    return spans


def _rank_at(syllables: list[str], i: int) -> bool:
    """A military rank starts at ``i`` ("Đại tá", "Trung tướng"): no name, and a name's end
    ("… tỉnh Quảng Ninh Đại tá Nguyễn Thanh Hải" names "Quảng Ninh" and "Nguyễn Thanh Hải")."""
    return (
        syllables[i] in ("Đại", "Trung", "Thiếu", "Thượng")
        and i + 1 < len(syllables)
        and syllables[i + 1] in ("tướng", "tá", "úy", "uý")
    )


def office_spans(syllables: list[str], folded: list[str], cased: bool) -> list[tuple[str, str, bool, int, int]]:
    """Each office the question names, folded, with what says which one: up to two lowercase
    words ("chu tich nuoc") and the organisation right after it ("chu tich quoc hoi", "chu tich
    ubnd tinh", "tu lenh bo doi"), never a person's name. Without capitals, the head alone. With
    each, its head ("chu tich") and whether it is named whole (its organisation, then the question
    goes on: "Chính ủy BĐBP là ai?"), so that a sentence's "Chính ủy BĐBP tỉnh" is another office."""
    out = []
    i = 0
    while i < len(folded):
        heads = _OFFICE_HEADS_BY_FIRST.get(folded[i], ())
        head = next((h for h in heads if tuple(folded[i : i + len(h)]) == h), None)
        if head is None or (i > 0 and folded[i - 1] == "bo"):  # "Bộ Tư lệnh": a command, no office
            i += 1
            continue
        end, whole = i + len(head), False
        if cased:
            while end < min(len(folded), i + len(head) + 2) and not capital(syllables[end]):
                if folded[end] in _QUALIFIER_STOP or syllables[end][0].isdigit():
                    break
                end += 1
            if end < len(folded) and folded[end] in _ASKED_WHAT:
                end = i + len(head)  # "Tổng Bí thư chỉ đạo gì?": the question's verb, no qualifier
            body = end
            end = _organisation_end(syllables, folded, end)
            # the level after an abbreviated body says which one: "Chủ tịch HĐND huyện" is not "… tỉnh"
            if end > body and syllables[end - 1].isupper() and (level := _LEVEL.match(" ".join(folded[end : end + 2]))):
                end += len(level.group().split())
            whole = end > body and (end == len(folded) or folded[end] in _QUALIFIER_STOP)
        out.append((" ".join(folded[i:end]), " ".join(head), whole, i, end))
        i = end
    return out


def office_named(text: str) -> str | None:
    """The first office ``text`` names, with what says which one, its body and its place, as
    written: "Tư lệnh BĐBP" of "Tư lệnh BĐBP mang quân hàm gì?", "Chủ tịch HĐND tỉnh Quảng Ninh";
    None when it names none or is typed without capitals."""
    if text[1:] == text[1:].lower():
        return None  # typed without capitals: where the body ends cannot be seen
    found = list(SYLLABLE.finditer(clean_unicode(text)))
    syllables = [m.group() for m in found]
    folded = [fold_diacritics(s).lower() for s in syllables]
    offices = office_spans(syllables, folded, True)
    if not offices:
        return None
    start, end = offices[0][3], offices[0][4]
    if end < len(folded) and re.fullmatch(LOCAL, folded[end]):
        end += 1
    if re.search(rf"\b{LOCAL}$", " ".join(folded[start:end])):  # "… tỉnh Quảng Ninh": its place
        while end < len(syllables) and capital(syllables[end]):
            end += 1
    return clean_unicode(text)[found[start].start() : found[end - 1].end()]


def _organisation_end(syllables: list[str], folded: list[str], start: int) -> int:
    """Where the organisation starting at ``start`` ends (``start``: none there): its capitalised
    parts with their lowercase word each ("Tổng cục Chính trị Công an", "Bộ đội Biên phòng"), an
    abbreviation alone ("UBND"), never a person's name and never a place after a lowercase word."""
    end = start
    while (
        (run := name_runs(syllables, False, start=end)[:1]) and run[0][0] == end and not is_person(syllables, *run[0])
    ):
        end = run[0][1]
        if end - run[0][0] > 1 or syllables[end - 1].isupper():
            break
        if end < len(folded) and syllables[end][0].islower() and folded[end] not in _QUALIFIER_STOP:
            end += 1  # its name's lowercase word: "Quốc hội", "Bộ đội"
        else:
            break
    return end


def is_person(syllables: list[str], start: int, end: int) -> bool:
    """A run of two to four capitalised syllables, none an abbreviation: a person's name
    ("Phan Việt Cường"); an organisation's has lowercase words or an abbreviation in it, and
    starts with the kind of body it is ("Bộ Quốc phòng", "Đồn Biên phòng Pò Hèn", "Ban Chỉ đạo")."""
    run = syllables[start:end]
    return 2 <= len(run) <= 4 and all(capital(s) and not s.isupper() for s in run) and run[0] not in _BODY_KINDS


# "Người đứng đầu Tỉnh ủy …", "Ai đứng đầu BĐBP?": the head of a body, asked without the title
# its head holds; folded, the body's first words then the title. Longest first: "bo tu lenh"
# before "bo".
_HEAD_TITLES = (
    ("tinh uy|huyen uy|thanh uy|dang uy|dang bo|quan uy|chi bo|ban thuong vu", "Bí thư"),
    ("ubnd|hdnd|uy ban nhan dan|hoi dong nhan dan|mttq|mat tran|quoc hoi|nha nuoc|nuoc", "Chủ tịch"),
    ("bo tu lenh|bo doi|bdbp|quan khu|quan doan", "Tư lệnh"),
    ("bo chi huy", "Chỉ huy trưởng"),
    ("don bien phong|don bp|don", "Đồn trưởng"),
    ("cong an|so", "Giám đốc"),
    ("chinh phu", "Thủ tướng"),
    ("bo", "Bộ trưởng"),  # a ministry: "Bộ Quốc phòng"
)
_HEAD_OF = re.compile(
    r"\b(?:(?P<who>ai)\s+|(?:nguoi|vi)\s+)(?:dung dau|lanh dao cao nhat)\s+(?:(?:cua|o|tai)\s+)?"
    rf"(?P<body>{'|'.join(bodies for bodies, _ in _HEAD_TITLES)})\b",
    re.IGNORECASE,
)


def head_named(question: str) -> str:
    """``question`` with "người đứng đầu <body>" as the title the body's head holds: "Ai là người
    đứng đầu Tỉnh ủy Quảng Ninh?" -> "Ai là Bí thư Tỉnh ủy Quảng Ninh?" (news names the office,
    never "the head"); "Ai đứng đầu BĐBP?" -> "Ai là Tư lệnh BĐBP?". Unchanged without one."""
    text = clean_unicode(question)
    folded = fold_diacritics(text)
    match = _HEAD_OF.search(folded) if len(folded) == len(text) else None
    if match is None:
        return question
    body = match.group("body").lower()
    title = next(title for bodies, title in _HEAD_TITLES if body in bodies.split("|"))
    if folded == text:
        title = fold_diacritics(title).lower()  # typed without accents: the whole question so
    said = f"{text[match.start('who') : match.end('who')]} {'là' if folded != text else 'la'} " if match["who"] else ""
    return text[: match.start()] + said + title + " " + text[match.start("body") :]
