"""Ellipsis, "Còn X?" / "X thì sao?": the previous question asked again with X in the slot X
fits (a title for a title, a name for a name, a year for a year, a person for the person or office
asked about), and an office named without its body ("Thế ai là Phó Chính ủy?")."""

from __future__ import annotations

import re

from retrieval.question.offices import OFFICE_HEAD_WORDS
from retrieval.question.phrases import (
    ASKING,
    PLACE_KIND_WORDS,
    QUESTION_HEAD,
    RANK_AHEAD,
    RANK_WORDS,
    SURNAMES,
    WORD,
    asks,
    is_title,
    local_place,
    name_spans,
    named_noun,
    subject,
)
from retrieval.text.normalize import LOWER_LETTER, fold_diacritics, has_diacritics, normalize

_ELLIPSIS = [
    re.compile(
        r"^(?:thế |vậy |và |vay |the |va )?(?:còn|con)\s+(?P<x>.+?)"
        r"(?:\s+(?:thì sao|thi sao|thì ai|thi ai|nữa|nua|thì|thi))?\s*\??$",
        re.IGNORECASE,
    ),
    re.compile(r"^(?:và |va )?(?P<x>.+?)\s+(?:thì sao|thi sao)\s*\??$", re.IGNORECASE),
    # "Lai Châu cũng vậy à?": the same question of X
    re.compile(
        r"^(?:và |va |thế |the )?(?P<x>.+?)\s+(?:cũng vậy|cũng thế|cung vay|cung the)"
        r"(?:\s+(?:à|a|không|khong|chứ|chu|hả|ha|sao))?\s*\??$",
        re.IGNORECASE,
    ),
]
# "Thế ai là Phó Chính ủy?", "Vậy Chính ủy là ai?"
_WHO_IS = re.compile(
    r"^(?:(?:thế|vậy|còn|the|vay|con)\s+)?"
    r"(?:(?:ai|người nào|nguoi nao)\s+(?:là|la)\s+(?P<first>[^?]+?)|(?P<last>[^?]+?)\s+(?:là|la)\s+ai)\s*\??$",
    re.IGNORECASE,
)
# "tinh lai chau": a place's name after its kind; not a counted kind ("bao nhieu huyen bien gioi")
_PLACE_SLOT = re.compile(
    r"(?<!\bbao nhieu )(?<!\bbao nhiêu )(?<!\bmấy )(?<!\bmay )(?<!\bcác )(?<!\bcac )(?<!\bnhững )(?<!\bnhung )"
    r"\b(?:tỉnh|huyện|tinh|huyen|thanh pho|thành phố)\s+(?P<place>\w+\s+\w+)",
    re.IGNORECASE,
)
# A phrase that opens with a preposition is an adjunct: where or of what the same thing is asked
_ADJUNCT = re.compile(r"(?:về|trong|đối với|ngoài|ve|trong|doi voi|ngoai)\s+\w", re.IGNORECASE)
_TITLE_PREFIXES = frozenset({"phó", "quyền", "nguyên"})  # deputy, acting, former: part of a title


def ellipsis(previous: str, phrase: str) -> tuple[str, bool]:
    """``previous`` asked again about ``phrase`` ("Còn X?"), and whether X found a slot of it.
    A question head stays ("Ai là Tư lệnh BĐBP?": "Ai là Chính ủy BĐBP?"); the rest is read
    without it."""
    if (asked := _person_ellipsis(previous, phrase)) is not None:
        return asked, True
    head = QUESTION_HEAD.match(previous)
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
    honorific = RANK_AHEAD.match(phrase) or re.match(r"(?:ông|bà|đồng chí)\s+", phrase, re.IGNORECASE)
    start = honorific.end() if honorific else 0
    names = name_spans(phrase)
    if not names or names[0] != (start, len(phrase)) or phrase[start:].split()[0] not in SURNAMES:
        return None
    people = [
        (a + (len(first) + 1 if first in ("Ông", "Bà") else 0), b)  # "Ông Phan Việt Cường" runs as one name
        for a, b in name_spans(previous)
        if (first := previous[a:b].split()[0]) in SURNAMES or (first in ("Ông", "Bà") and b - a > len(first) + 1)
    ]
    if people:
        a, b = people[0]
        before = re.search(r"(?:\b(?:[Ôô]ng|[Bb]à|[Đđ]ồng chí)\s+|" + RANK_WORDS + r")$", previous[:a])
        return previous[: before.start() if before else a] + phrase + previous[b:]
    topic = subject(previous)
    office = _office_span(_folded_words(topic))
    if (
        office
        and office[0] == 0
        and previous.startswith(topic)
        and not re.match(r"\s*(?:là|la)\s+(?:ai|gì|gi)\b", previous[len(topic) :])
    ):
        return phrase + previous[len(topic) :]
    return f"{phrase} là ai?"


def _ellipsis_in(previous: str, phrase: str) -> tuple[str, bool]:
    """``ellipsis`` of a question without a head, in the first way that fits:
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
    if asks(phrase):
        return phrase + "?", True
    abbreviation = re.fullmatch(r"[A-ZĐ][A-ZĐ0-9.-]+", phrase)
    asked = re.search(r"\b[A-ZĐ][A-ZĐ0-9.-]+\b", previous)
    if abbreviation and asked:  # "Còn KVBG?" after "NTM là viết tắt của gì?": the same frame
        return previous[: asked.start()] + phrase + previous[asked.end() :], True
    place = _PLACE_SLOT.search(previous)
    if place and name_spans(phrase) and not name_spans(previous) and previous == previous.lower():
        # "Còn Quảng Ninh?" after "chinh uy bdbp tinh lai chau la ai": the place after "tỉnh"
        return previous[: place.start("place")] + phrase + previous[place.end("place") :], True
    spans = [(m.start(), m.end()) for m in WORD.finditer(previous)]
    words = [previous[a:b] for a, b in spans]
    folded = [fold_diacritics(normalize(w)) for w in words]
    new = WORD.findall(phrase)
    topic = subject(previous)
    names, targets = name_spans(phrase), name_spans(previous)
    leading_office = (found := _office_span(tuple(folded))) is not None and found[0] == 0
    starts_with_name = bool(targets) and targets[0][0] == 0 and not leading_office  # "Phó Bí thư": an office
    # "Lai Châu": a place, no title; "Trung tướng Nguyễn Anh Tuấn": a person
    ranked = RANK_AHEAD.match(phrase)
    whole_name = bool(names) and names[0][1] == len(phrase) and names[0][0] in (0, ranked.end() if ranked else 0)
    titled_before = words[0][0].isupper() or previous == previous.lower()  # or typed without capitals
    office = _folded_words(phrase) in OFFICE_HEAD_WORDS
    if (topic and previous.startswith(topic) and new and new[0][0].isupper() and titled_before and not office
            and not starts_with_name and not whole_name and any(w[0].isupper() for w in new[1:])):  # fmt: skip
        # a title's whole subject ("Tư lệnh Bộ đội Biên phòng"), in the place asked about unless
        # it names its own ("Còn Chủ tịch UBND?" after "… Chủ tịch HĐND tỉnh Quảng Ninh …")
        local = local_place(topic)
        if local and not local_place(f" {phrase}") and not re.search(r"\b(?:tỉnh|huyện|xã)\b", phrase):
            return phrase + local + previous[len(topic) :], True
        return phrase + previous[len(topic) :], True
    if (named := _same_kind_named(previous, phrase, words, spans)) is not None:
        return named, True
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
    if office and is_title(new) and (inside := _office_span(tuple(folded), words)):
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
    titled = is_title(words[:n]) and words[0] not in SURNAMES and not starts_with_name  # "Lê Đức Thái", "Quảng Ninh"
    # a lowercase phrase is a title only as an office ("phó giám đốc"), not "quy chế"
    title = is_title(new) and (new[0][0].isupper() or office)
    if title and n < len(words) and titled and (words[n][0].isupper() or uncased):
        return phrase + _without_holder(previous[spans[n - 1][1] :]), True
    if at_place := _place_phrase(phrase):  # "Còn Quảng Ninh?": the same question, asked there
        return f"{previous.strip().rstrip(' ?')} {at_place}?", True
    if _ADJUNCT.match(phrase):
        # "Còn trong phòng, chống tội phạm?" after "… yêu cầu gì về nước bạn Lào?": the same
        # question of another field, in place of the one after what was asked
        asked = list(re.finditer(rf"\b(?:{ASKING})\b", previous, re.IGNORECASE))
        if asked and asked[-1].start() > 0:
            return f"{previous[: asked[-1].end()]} {phrase}?", True
        return f"{previous.strip().rstrip(' ?')} {phrase}?", True
    asked = re.search(rf"\b(?:{ASKING})\b", previous[len(topic) :], re.IGNORECASE) if topic else None
    return f"{topic} {phrase}" + (f" {asked.group()}?" if asked else "?"), False


def _same_kind_named(previous: str, phrase: str, words: list[str], spans: list[tuple[int, int]]) -> str | None:
    """ "Còn Luật Biên giới quốc gia?" after "Luật Biên phòng Việt Nam ban hành năm nào?": a named
    thing of the kind the previous question names (its first word: "Luật", "Nghị quyết", "Đồn")
    takes the place of that one, its whole name, never half of it; None when the phrase names
    no such thing (a capital or a number after its first word)."""
    new = WORD.findall(phrase)
    if len(new) < 2 or not new[0][0].isupper() or not any(w[0].isupper() or w[0].isdigit() for w in new[1:]):
        return None
    keys = [fold_diacritics(normalize(w)).lower() for w in new]
    said = [fold_diacritics(normalize(w)).lower() for w in words]
    for j in range(len(words)):
        shared = 0  # the kind may be of two words ("Nghị quyết") and its name may start alike
        while shared < len(keys) - 1 and j + shared < len(said) and said[j + shared] == keys[shared]:
            shared += 1
        for size in range(shared, 0, -1):
            if named := named_noun(previous, spans[j][0], size):
                return previous[: spans[j][0]] + phrase + previous[spans[j][0] + len(named) :]
    return None


def _place_phrase(phrase: str) -> str | None:
    """ "ở Lai Châu" for "Quảng Ninh"-like phrases: a name of capitalised words (no person, no
    office), maybe after "ở"/"tại"; None for any other phrase."""
    at = re.match(r"(?:ở|tại|o|tai)\s+", phrase, re.IGNORECASE)
    name = phrase[at.end() :] if at else phrase
    words = WORD.findall(name)
    if not words or name_spans(name) != [(0, len(name))] or words[0] in SURNAMES:
        return None
    if _office_span(_folded_words(name)) is not None:
        return None
    return phrase if at else f"ở {phrase}"


def _folded_words(text: str) -> tuple[str, ...]:
    return tuple(WORD.findall(fold_diacritics(normalize(text)).lower()))


def _office_span(folded: tuple[str, ...], written: list[str] | None = None) -> tuple[int, int] | None:
    """The first and last word of the first office among ``folded`` words ("Tư lệnh" of "Cấp bậc
    của Tư lệnh Bộ đội Biên phòng?", or of "Tu lenh bdbp, …" as a rewrite starts it); with the
    ``written`` words, only an office written with a capital. None when there is none."""
    for k in range(len(folded)):
        if written is None or written[k][0].isupper():
            for head in OFFICE_HEAD_WORDS:  # longest first: "Phó Tư lệnh" before "Tư lệnh"
                if folded[k : k + len(head)] == head:
                    return k, k + len(head) - 1
    return None


def _without_holder(rest: str) -> str:
    """What follows a title that "Còn X?" replaced, without the person who holds that title: in
    " Bộ đội Biên phòng Trung tướng Lê Đức Thái chủ trì …?" the general is the commander, not
    the commissar asked about now. The organisation's words (capitalised, each with at most one
    lowercase word after it, and "tỉnh", "huyện" …) are skipped up to a rank or a name; anything
    else ends the search; a holder set apart by a comma ("…, Trung tuong Le Duc Thai giu …") goes
    whatever the organisation looks like."""
    apart = re.match(r"(?P<body>[^,?]*),\s+(?P<who>.*)$", rest, re.DOTALL)
    if apart:
        who = apart.group("who")
        rank = RANK_AHEAD.match(who)
        person = next(((a, b) for a, b in name_spans(who[rank.end() if rank else 0 :]) if a == 0), None)
        if person and who[rank.end() if rank else 0 :].split()[0] in SURNAMES:
            return apart.group("body") + who[(rank.end() if rank else 0) + person[1] :]
    words = list(WORD.finditer(rest))
    i = 0
    while i < len(words):
        word = words[i].group()
        rank = RANK_AHEAD.match(rest, words[i].start())
        start = words[i + 2].start() if rank else words[i].start()
        person = next(((a, b) for a, b in name_spans(rest[start:]) if a == 0), None)
        if person and rest[start:][person[0] : person[1]].split()[0] in SURNAMES:
            return rest[: words[i].start()].rstrip(" ,") + rest[start + person[1] :]
        local = word in PLACE_KIND_WORDS  # "Công an tỉnh Lào Cai"
        if not word[0].isupper() and not local and (i == 0 or not words[i - 1].group()[0].isupper()):
            return rest  # a verb: the title's holder is not named here
        i += 1
    return rest


def bare_office(text: str) -> str | None:
    """The office of "Ai là Phó Chính ủy?" / "Thế Phó Chính ủy là ai?" when it is named without
    its body (so the previous question's body is meant), else None."""
    asked = _WHO_IS.match(text)
    office = asked and (asked.group("first") or asked.group("last")).strip()
    if not office or _folded_words(office) not in OFFICE_HEAD_WORDS:
        return None
    return office


def names_office(question: str) -> bool:
    """Whether ``question`` names an office ("… Chính ủy BĐBP tỉnh Quảng Ninh …")."""
    return _office_span(_folded_words(question)) is not None


def ellipsis_phrase(text: str) -> str | None:
    """The X of "Còn X?" / "X thì sao?", or None when ``text`` is no such follow-up. Typed with
    accents, "Con" is no "Còn" ("Con số đó …" is "that figure")."""
    match = next((m for pattern in _ELLIPSIS if (m := pattern.match(text))), None)
    # "Con số đó": typed with accents, "con" before a lowercase word is a noun's, no "còn"
    if match is None or (
        re.match(rf"^(?:[Tt]hế |[Vv]ậy |[Vv]à )?[Cc]on {LOWER_LETTER}", text) and has_diacritics(text)
    ):
        return None
    phrase = match.group("x").strip(" ,")
    if _WHO_IS.match(phrase):
        return None  # "Còn ai là Chủ nhiệm Tổng cục Chính trị?": a question of its own
    words = phrase.split()
    # "Tăng trưởng thì sao?": a capital the message's start gives is no name's, unless the words
    # after it have theirs too ("Lai Châu") or it is an office ("Chính ủy"); one word cannot say
    sentence_case = match.start("x") == 0 and len(words) > 1 and phrase[1:] == phrase[1:].lower()
    if sentence_case and _folded_words(phrase) not in OFFICE_HEAD_WORDS:
        return phrase[0].lower() + phrase[1:]
    return phrase
