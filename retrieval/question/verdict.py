"""Whether the best sentence *states* what was asked, or only talks about the same things.

A reply's verdict is ``answer`` (a sentence states the asked fact), ``related`` (the corpus talks
about it, no sentence states the fact), ``none`` (nothing relevant: abstention) or ``chat``
(small talk, ``retrieval.question.smalltalk``). Between ``answer`` and ``related`` two principles
decide, checked on the best sentence with its context (its passage and its article's title and
date), never on a list of questions:

- **What is asked must be there**: a "bao nhiêu" question needs a number the question does not
  already hold, "khi nào"/"năm nào" a date, "quân hàm gì" a rank, "giữ chức vụ gì" an office
  besides the one it names, "tại sao" a reason (``AnswerCheck``, and ``_REASON`` here); a person
  or a place may be a common noun ("các sinh viên", "ở các cửa khẩu"), so those
  are not required. "Trung tướng Lê Đức Thái sinh năm nào?" against a sentence that names him
  but holds no date is ``related``.
- **The question's constraints must be met**: its numbers and years ("năm 2022" is not 2023), its
  names, places and organisations (capitalised words, matched with their capitals: "Quảng Ninh"
  must be in the sentence or its article, "Công an" is not "công tác"; a name the asker
  capitalised may be the text's common noun, "Quốc Ca" for "quốc ca", and a small number may
  be written in words, "4" for "bốn", both read with their accents), and the exact office it
  names ("Chủ tịch nước" is not "Chủ tịch HĐND tỉnh", "Phó Tư lệnh" not "Tư lệnh"). "Who is the X?"
  is answered by a sentence that names the office X itself (its article naming X is not enough),
  and "Bộ Tư lệnh" (a command) is no office, in the question or in the sentence; so is a figure
  or a date of a document the question names ("Luật Biên phòng … có bao nhiêu chương?").

The words a paraphrase changes ("đứng đầu" for "Tư lệnh") are not constraints: the ranking and the
abstention's evidence already weigh them, with the model's similarity.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache

from retrieval.question.answer_type import QUOTED, AnswerCheck
from retrieval.question.offices import (
    LOCAL,
    OFFICE_HEAD_WORDS,
    SYLLABLE,
    capital,
    is_person,
    name_runs,
    office_spans,
    starts_office,
)
from retrieval.question.phrases import (
    DOCUMENT_KINDS,
    PLACE_KIND_WORDS,
    PLACE_KINDS,
    SURNAMES,
    as_common_noun,
    topic_asked,
    yes_no_asked,
)
from retrieval.question.query import STOP_ACCENTED
from retrieval.text.normalize import UPPER_LETTER, clean_unicode, fold_diacritics, normalize
from retrieval.text.tokenizer import asked_act

_NAME = "name:"  # marks a phrase matched with its capitals
# A document by its kind and name: "Luật Biên phòng Việt Nam", "Nghị quyết 33-NQ/TW".
_DOCUMENT_NAMED = re.compile(
    rf"\b(?P<kind>{DOCUMENT_KINDS})(?: số)? "
    rf"(?P<first>{UPPER_LETTER}[^\W_]*|\d[\w/.-]*)"
)
# A sentence that goes on about someone named before: "Đồng chí bày tỏ …", not "Đồng chí Lê Đức Thái …"
_ANAPHOR_OPENING = re.compile(rf"^(?:Đồng chí|Ông|Bà)(?: (?:ấy|này))?\b(?! {UPPER_LETTER})")
_WHOLE = "whole:"  # marks an office named whole: "Tư lệnh BĐBP" is not "Tư lệnh BĐBP tỉnh"
# "… với tư cách Tư lệnh …", "… làm Chủ tịch …": the office right after says whose part is asked
_AS_HOLDER = re.compile(r"\b(?:voi tu cach|tu cach|la|lam|chuc|chuc vu|cuong vi)\s+$")
# "Ai <these> <office>?" asks who holds the office ("Ai hiện giữ chức Chủ tịch …?"), folded
_HOLDING = frozenset("la nguoi giu chuc vu cuong vi dam nhiem nhan lam hien dang duoc bo nhiem dung dau".split())  # noqa: SIM905
# "tại sao" wants a reason: a sentence that gives one says "vì", "bởi", "nhờ", "nhằm" …
_REASON_ASKED = re.compile(r"\b(?:tai sao|vi sao|ly do|nguyen nhan|vi dau)\b")
# "như thế nào" wants a way or a process: nothing to look for, but it must be about the thing asked.
_MANNER_ASKED = re.compile(r"\b(?:the nao|ra sao|lam sao|(?:bang|theo) cach nao)\b")
# A person's own facts (birth, hometown, age, schooling, enlistment, ethnicity, promotion, taking
# up an office, family; an organisation's founding): asked about, they must be stated; an article
# that names someone at a meeting states none of them. Each fact: how a question asks it (accented; folded where the
# folded words say only that), how a sentence says it.
_PERSONAL_FACTS = (
    (
        r"\bsinh (?:năm|ngày|tháng|ra|tại|ở|vào)\b|\b(?:năm|ngày|nơi) sinh\b",
        r"\bsinh (?:nam|ngay|thang|ra|tai|o|vao)\b|\b(?:nam|ngay|noi) sinh\b",
        r"\bsinh (?:năm|ngày|tháng|ra|tại|ở|vào|\d)|\b(?:năm|ngày|nơi) sinh\b",
    ),
    (r"\bquê\b(?! hương)", r"\bque (?:o|quan|nha)\b", r"\bquê\b(?! hương)"),  # "quê hương": a homeland
    (r"\btuổi\b", r"\b(?:bao nhieu|may) tuoi\b", r"\btuổi\b"),
    (
        r"\btốt nghiệp\b|\bhọc (?:đại học|cao đẳng|trường|ở trường|tại trường)\b|\bhọc (?:vấn|vị|hàm)\b"
        r"|\bbằng (?:tiến sĩ|thạc sĩ|cử nhân|đại học)\b",
        r"\btot nghiep\b|\bhoc (?:dai hoc|cao dang)\b|\bhoc (?:van|vi|ham)\b|\bbang (?:tien si|thac si|cu nhan)\b",
        r"\btốt nghiệp\b|\bhọc\b|\b(?:tiến|thạc) sĩ\b|\bcử nhân\b",
    ),
    (r"\bnhập ngũ\b", r"\bnhap ngu\b", r"\bnhập ngũ\b"),
    (  # a person's ethnicity, not which ethnic community ("cộng đồng dân tộc nào")
        r"\bngười dân tộc\b|\b(?:là|thuộc) dân tộc (?:gì|nào)\b|\bdân tộc gì\b",
        r"\bnguoi dan toc\b|\b(?:la|thuoc) dan toc (?:gi|nao)\b|\bdan toc gi\b",
        r"\bdân tộc\b",
    ),
    # an organisation's own: when it was founded
    (
        r"\bthành lập (?:vào )?(?:năm|ngày|khi|lúc|thời gian) (?:nào|bao nhiêu)\b|\bthành lập (?:vào )?bao giờ\b",
        r"\bthanh lap (?:vao )?(?:nam|ngay|khi|luc|thoi gian) (?:nao|bao nhieu)\b|\bthanh lap (?:vao )?bao gio\b",
        r"\b(?:thành lập|ra đời|sáng lập|thiết lập|lập ra|khai sinh|thành hình)\b",
    ),
    (r"\b(?:phong|thăng) (?:quân hàm|hàm|cấp bậc)\b", r"\b(?:phong|thang) (?:quan ham|ham)\b", r"\b(?:phong|thăng)\b"),
    # taking up an office: "nhậm chức", "được bổ nhiệm"
    (r"\bnhậm chức\b|\bbổ nhiệm\b", r"\bnham chuc\b|\bbo nhiem\b", r"\b(?:nhậm chức|bổ nhiệm)\b"),
    (
        r"\b(?:vợ|chồng)\b|\b(?:người|đứa) con\b|\bcon (?:trai|gái)\b",
        None,
        r"\b(?:vợ|chồng|bố|mẹ|cha|con)\b",
    ),
)
# Small numbers as words. Not 1 ("một" is also "a") nor 5 ("năm" is also a year).
_NUMBER_WORDS = {
    "2": ("hai",), "3": ("ba",), "4": ("bốn", "tư"), "6": ("sáu",), "7": ("bảy", "bẩy"), "8": ("tám",),
    "9": ("chín",), "10": ("mười",), "100": ("một trăm",), "1000": ("một nghìn", "một ngàn"),
}  # fmt: skip
_YEAR = re.compile(r"1\d{3}|20\d{2}")
_YEAR_SAID = re.compile(r"\bnăm (?:1\d{3}|20\d{2})\b", re.IGNORECASE)  # a year said as one
_COMPARED = re.compile(r"\bso với\b(?:[^,;.]|[.,](?=\d))*", re.IGNORECASE)  # "734.000" goes on
_DOCUMENT_NUMBER = re.compile(r"\b\d+(?:-[A-Za-zĐđ]+/[A-Za-zĐđ-]+|/[A-Za-zĐđ]+-[A-Za-zĐđ]+)")  # 23-NQ/TU, 01/CT-TTg
# "cùng X", "với X" (not "với ai"): X is a companion of the one asked, so someone else is asked.
_COMPANION = re.compile(r"\b(?:cung|voi) (?!ai\b)")
_RANK_ASKED = re.compile(r"\b(?:quan ham|cap bac)\b")
# A place named with its kind: "huyện Bình Liêu", "tỉnh Lai Châu" (a name's words capitalised)
_PLACE_NAMED = re.compile(
    rf"\b(?P<kind>[Hh]uyện|[Tt]ỉnh|[Xx]ã|[Tt]hành phố|[Tt]hị xã) (?P<name>{UPPER_LETTER}\w*(?: {UPPER_LETTER}\w*)*)"
)
# Words that say nothing by themselves ("của", "là", "tại"), folded.
_FUNCTION_WORDS = frozenset(p[0] for p in STOP_ACCENTED if len(p) == 1)
_FOLDED_FUNCTION_WORDS = frozenset(fold_diacritics(w) for w in _FUNCTION_WORDS)
_PLACE_KINDS = frozenset(fold_diacritics(w) for w in PLACE_KIND_WORDS)
_PLACE_KIND = re.compile(rf"\b(?:{'|'.join(fold_diacritics(k) for k in PLACE_KINDS)})\b")  # folded
_CLAUSE = re.compile(r"[,;:?!()\"“”]|\s[-–]\s|\.(?:\s|$)")
_REASON = re.compile(
    r"\b(?:vì|bởi|nhờ|nhằm|lý do|nguyên nhân|mục đích|kết quả của|trong bối cảnh)\b|^do\b"
)  # read accented: "để" says too little, and so does "do" but at the start ("Do X, Y")


def _folded(text: str, keep_case: bool = False) -> str:
    """Syllables without marks, joined by single spaces; lowercase unless ``keep_case``."""
    return _form(text, "cased" if keep_case else "folded")


def _lowered(text: str) -> str:
    """Syllables in lowercase with their accents, clauses apart (" | "): where a name the asker
    capitalised may stand as a common noun."""
    return _form(text, "lowered")


def _form(text: str, form: str) -> str:
    """``text`` in one of the forms the checks read. Short texts from a cache: the abbreviation
    pairs and the best sentences are read again for every candidate checked; an article (the
    context) is read once and not kept."""
    return _form_short(text, form) if len(text) <= 500 else _form_of(text, form)


@lru_cache(maxsize=1 << 14)
def _form_short(text: str, form: str) -> str:
    return _form_of(text, form)


def _form_of(text: str, form: str) -> str:
    if form == "lowered":
        return " | ".join(" ".join(SYLLABLE.findall(clause)) for clause in _CLAUSE.split(normalize(text)))
    if form == "cased":
        return " ".join(SYLLABLE.findall(fold_diacritics(clean_unicode(text))))
    return " ".join(SYLLABLE.findall(fold_diacritics(normalize(text)).lower()))


@dataclass(frozen=True)
class Constraints:
    """What a sentence with its context must hold to state the answer to one question."""

    phrases: tuple[str, ...]  # folded names, places, organisations, offices and numbers
    check: AnswerCheck
    reason: bool  # a "tại sao" question
    text: str = ""  # the question, folded: which abbreviations matter
    offices: tuple[str, ...] = ()  # the offices' head words ("chinh uy"), folded
    manner: bool = False  # a "như thế nào" question
    facts: tuple[str, ...] = ()  # how a sentence states the personal facts asked (patterns)
    focus: str = ""  # folded words the sentence itself must say (a follow-up's new part)
    # A phrase, and other ways a text may write it (accented, lowercase): a name as a common noun
    # ("Quốc Ca": "quốc ca"), a small number in words ("4": "bốn").
    spelt: tuple[tuple[str, tuple[str, ...]], ...] = ()
    typed: frozenset[str] = frozenset()  # the question's syllables with their accents, lowercase (if typed so)
    act: str = ""  # the verb whose object is asked ("khẳng định" of "… khẳng định gì?"), accented
    documents: tuple[str, ...] = ()  # documents the question names, folded: "luat bien" of "Luật Biên phòng"
    # what "X có phải (là) Y không?" asks X to be: Y's syllables, accented (if typed so)
    predicate: frozenset[str] = frozenset()
    topic: frozenset[str] = frozenset()  # of "… gì về X?": X's syllables, one of which a sentence says

    def met(
        self,
        sentence: str,
        context: str,
        pairs: dict[str, str] | None = None,
        known: Callable[[str], bool] | None = None,
    ) -> bool:
        """Whether ``sentence`` (with ``context``: its article's text, title and date) states the
        answer: the asked kind in the sentence itself, every constraint in either, an
        abbreviation of ``pairs`` (short -> long form) matching its long form and back.
        ``known``: whether the corpus has a word (folded, lowercase); a name with a word it lacks
        is taken as misspelt (see ``_near``)."""
        if sentence.rstrip(' "”’)').endswith("?"):
            return False  # a question (an interviewer's "… giải pháp gì thưa đồng chí?") states nothing
        if (self.reason or self.manner) and self._listed(sentence):
            return False  # a list of names explains nothing
        if self._says_nothing_new(sentence):
            return False  # "Đại tá Nguyễn Thanh Hải, Chính ủy BĐBP tỉnh." for "Ông ấy nói gì?"
        # A place or a person may be a common noun ("ở các cửa khẩu", "các sinh viên"): only
        # numbers and dates are checked.
        if self.check.kind in ("number", "time", "rank", "office") and not self.check.holds(sentence):
            return False
        if self.check.kind_named and not self.check.names_kind(sentence):
            return False  # "Đồn Pò Hèn thuộc huyện nào?": no "huyện X", no district named
        if not self.check.measures(sentence):  # "bao nhiêu phần trăm": a percentage, not any number
            return False
        if not self.check.locates(sentence):  # "ở đâu": somewhere, after a preposition of place
            return False
        if self.reason and not _REASON.search(normalize(sentence)):
            return False
        if self.focus and not self._says_focus(sentence, pairs or {}):
            return False
        if self.facts and not all(re.search(fact, normalize(sentence)) for fact in self.facts):
            return False
        # "Who is the X?": the sentence that answers names someone *as* X; an article about X's
        # office whose best sentence names no X only talks about it.
        if self.holder_asked:
            folded = f" {_folded(sentence)} "
            if not all(_office_found(office, folded) for office in self.offices):
                return False
            if not _named_as(sentence, self.offices):
                return False
            said = "|".join(_spelt_both_ways(folded, pairs or {}))  # and named whole, not a province's
            if not all(_met(p, said, "") for p in self.phrases if p.startswith(_WHOLE)):
                return False
            # with what says which one ("Chủ tịch UBND", not the sentence's "Chủ tịch HĐND")
            if not all(_met(p, said, "") for p in self._office_phrases):
                return False
        if self._other_document(sentence) or self._other_year(sentence) or self._other_place(sentence):
            return False
        said = set(SYLLABLE.findall(normalize(sentence).lower())) if self.predicate or self.topic else set()
        if self.predicate and not self.predicate <= said:
            return False  # "… có phải kỷ lục không?": a sentence that never says "kỷ lục" says neither
        if self.topic and not self.topic & said:
            return False  # "… yêu cầu gì về tội phạm?": one that says no word of it says nothing of it
        if self.check.kind in ("number", "time") and not all(_names_document(d, sentence) for d in self.documents):
            return False  # "Luật … có bao nhiêu chương?": a figure of a sentence not about that law
        if self.check.kind == "person" and self.names_only_the_asked(sentence):
            return False
        if not self.phrases:
            return True
        asked = f" {self.text} "
        held = {  # only the abbreviations the question holds
            short: long
            for short, long in (pairs or {}).items()
            if f" {_folded(short)} " in asked or f" {_folded(long)} " in asked
        }
        where = "|".join(_spelt_both_ways(f" {_folded(sentence)} {_folded(context)} ", held))
        cased_text = f" {_folded(sentence, keep_case=True)} {_folded(context, keep_case=True)} "
        cased = "|".join(_spelt_both_ways(cased_text, held, keep_case=True))
        missing = [p for p in self.phrases if not _met(p, where, cased)]
        if not missing:
            return True
        # Another spelling of a phrase, with the same accents and within one clause: a translated
        # question capitalises "Quốc Ca" for the article's "quốc ca", writes "4" for its "bốn";
        # folded, or across a comma, the words would be anything ("Bộ Công": "đồng bộ, công tác";
        # "bon" is also "bón"). The text is lowered once, only when a missing phrase has one.
        spelt = dict(self.spelt)
        lowered = f" {_lowered(sentence)} | {_lowered(context)} " if any(p in spelt for p in missing) else ""
        return all(any(f" {form} " in lowered for form in spelt.get(p, ())) or _near(p, cased, known) for p in missing)

    def says_act(self, sentence: str) -> bool:
        """Whether ``sentence`` says the act whose object is asked, and something after it the
        question does not say ("khẳng định: Nội dung …" for "… khẳng định gì?"; a caption's
        "… phát biểu tại hội nghị." says the act of "… phát biểu gì tại hội nghị?" and no more).
        True when no act is asked."""
        if not self.act:
            return True
        text = normalize(sentence).lower()
        said = re.search(rf"\b{self.act}\b", text)
        if said is None:
            return False
        after = set(SYLLABLE.findall(text[said.end() :])) - _FUNCTION_WORDS - self.typed
        return bool(after)

    def continues_speech(self, sentence: str, before: str) -> bool:
        """Whether ``sentence`` goes on with what the person the question names said: it opens
        with "Đồng chí" / "Ông" / "Bà" and no name, and ``before`` (the sentences before it)
        names every person the question names."""
        if not self._people or not _ANAPHOR_OPENING.match(sentence):
            return False
        return all(person in before for person in self._people)

    def _says_nothing_new(self, sentence: str) -> bool:
        """Whether every word of the sentence, function words aside, is one of the question's: a
        photo's caption naming the person asked about answers nothing asked of them."""
        if _RANK_ASKED.search(self.text):
            return False  # a follow-up names its person with their rank, the very thing asked
        # read with the accents when the question has them: folded, "Hà Tĩnh" would be "hả tỉnh"
        if self.typed:
            said = set(SYLLABLE.findall(normalize(sentence).lower())) - _FUNCTION_WORDS - PLACE_KIND_WORDS
            return bool(said) and said <= self.typed
        said = set(_folded(sentence).split()) - _FOLDED_FUNCTION_WORDS - _PLACE_KINDS  # "tỉnh Quảng Ninh"
        return bool(said) and said <= set(self.text.split())

    def names_only_the_asked(self, sentence: str) -> bool:
        """Whether the question asks who did something *with* people it names ("Ai cùng chủ trì
        với Bí thư Phan Việt Cường?") and the sentence names people, every one of them named by
        the question: "Bí thư Tỉnh ủy Phan Việt Cường phát biểu …" answers nothing then (a
        sentence naming nobody may still answer with a common noun; "Ai phỏng vấn ông X?" may be
        answered by "X trả lời phỏng vấn phóng viên …")."""
        if _COMPANION.search(self.text) is None:
            return False
        people = [  # clause by clause: "Lương Cường, Ủy viên …" is no "Lương Cường Ủy"
            " ".join(syllables[a:b])
            for clause in _CLAUSE.split(clean_unicode(sentence))
            for syllables in [SYLLABLE.findall(clause)]
            for a, b in name_runs(syllables, False)
            if is_person(syllables, a, b) and syllables[a] in SURNAMES  # "Quảng Ninh" is nobody
        ]
        return bool(people) and all(f" {_folded(p)} " in f" {self.text} " for p in people)

    @cached_property
    def holder_asked(self) -> bool:
        """Whether the question asks who holds an office it names ("Ai là Chính ủy …?", "Ai giữ
        chức Chính ủy …?", "Chính ủy … là ai?"), not who did something to its holder ("Ai phỏng
        vấn Chính ủy …?", "Ai cùng chủ trì với Bí thư Tỉnh ủy?", "Chính ủy …, Đại tá X trả lời
        phỏng vấn ai?")."""
        if self.check.kind != "person" or not self.offices:
            return False
        text = self.text.lower()
        at = min((m.start() for h in self.offices if (m := re.search(rf"\b{h}\b", text))), default=-1)
        before = re.match(r"\s*(?:[\w/.-]+\s+)*?ai\s+((?:\w+\s+)*?)$", text[:at]) if at > 0 else None
        # "Ai phỏng vấn Chính ủy …?" asks who did something to the holder, not who holds it
        if before is None:  # "Chính ủy … là ai?", not "Chính ủy …, Đại tá X trả lời phỏng vấn ai?"
            return re.search(r"\b(?:la (?:ai|nguoi nao|nhung ai)|ten (?:la )?gi)\b", text) is not None
        between = before.group(1)
        return all(w in _HOLDING for w in between.split()) or _AS_HOLDER.search(between) is not None

    @cached_property
    def _office_phrases(self) -> tuple[str, ...]:
        """The offices asked with their qualifier ("chu tich ubnd"), not named whole."""
        return tuple(p for p in self.phrases if any(p.startswith(h + " ") for h in self.offices))

    def _other_year(self, sentence: str) -> bool:
        """Whether a "bao nhiêu" question's year is missing from the sentence and the sentence
        gives its figure for another ("… năm 2023 đạt 3,1 tỷ USD" for "… năm 2021?"): the
        article's date or its other sentences do not stand in for it then. A year compared
        with ("so với … năm 2005") gives no figure of its own."""
        years = self.asked_years
        if not years or any(year in sentence for year in years):
            return False
        return _YEAR_SAID.search(_COMPARED.sub(" ", normalize(sentence))) is not None

    def _other_place(self, sentence: str) -> bool:
        """Whether the sentence gives its facts of another place of a kind ("huyện Bình Liêu …"
        for "Đầm Hà có còn hộ nghèo không?"): none of the question's names is in it, and the place
        it names is none of them, nor of a kind the question asks about with no name ("Quảng
        Ninh có mấy huyện …?"); the article naming the asked place does not stand in then. A
        question that names people only asks of no place ("Trung tướng Lê Đức Thái mong muốn gì?")."""
        names = [_folded(p[len(_NAME) :]) for p in self.phrases if p.startswith(_NAME)]
        if len(self._people) == len(names) or re.search(r"\bnao\b", self.text):
            return False  # "Huyện nào …?": the place the sentence names is what is asked
        folded, asked = f" {_folded(sentence)} ", f" {self.text} "
        if any(f" {name} " in folded for name in names):
            return False
        unnamed = {  # "mấy huyện": a kind asked about, no name after it
            kind.group() for kind in _PLACE_KIND.finditer(self.text)
            if not any(self.text[kind.end() :].startswith(f" {name}") for name in names)
        }  # fmt: skip
        return any(
            f" {_folded(place['name'])} " not in asked and _folded(place["kind"]) not in unnamed
            for place in _PLACE_NAMED.finditer(sentence)
        )

    def _other_document(self, sentence: str) -> bool:
        """Whether the sentence gives its facts of another document than the one asked about: it
        numbers one ("Nghị quyết số 23-NQ/TU ngày 3/3/2024") and not the asked "06-NQ/TU"."""
        asked = self._asked_documents
        if not asked:
            return False
        said = {n.lower() for n in _DOCUMENT_NUMBER.findall(sentence)}
        return bool(said) and not said & asked

    @cached_property
    def _people(self) -> list[str]:
        """The people the question names: two words or more, a family name first ("Hà" alone
        may be a place)."""
        names = (p[len(_NAME) :] for p in self.phrases if p.startswith(_NAME))
        return [n for n in names if len(n.split()) > 1 and n.split()[0] in SURNAMES]

    @cached_property
    def asked_years(self) -> tuple[str, ...]:
        """The years a "bao nhiêu" question asks about (read once, not per sentence checked)."""
        return tuple(p for p in self.phrases if _YEAR.fullmatch(p)) if self.check.kind == "number" else ()

    @cached_property
    def _asked_documents(self) -> frozenset[str]:
        """The document numbers the question names, lowercase."""
        return frozenset(n.lower() for n in _DOCUMENT_NUMBER.findall(self.text))

    def _listed(self, sentence: str) -> bool:
        """Whether the sentence names what is asked only as one of a list of quoted names
        ("Có thể kể đến: “Mái ấm …”, “…”"): a mention, no way or reason."""
        quoted = QUOTED.findall(sentence)
        if len(quoted) < 2:
            return False
        asked = f" {self.text.lower()} "
        names = (_folded(part) for q in quoted for part in re.split(r"\s[-–]\s", q))  # "A - B": two names
        return any(name and f" {name} " in asked for name in names)

    def _says_focus(self, sentence: str, pairs: dict[str, str]) -> bool:
        """Whether the sentence itself says ``focus`` (lowercase words), its abbreviations read
        as their long forms ("NTM nâng cao" says "nông thôn mới nâng cao")."""
        said = f" {_folded(sentence)} "
        return any(f" {self.focus} " in form for form in _spelt_both_ways(said, pairs))


def _spelt_both_ways(said: str, pairs: dict[str, str], keep_case: bool = False) -> list[str]:
    """A folded text (" tu lenh bdbp "), and the same with each abbreviation of ``pairs`` it holds
    in its other form (" tu lenh bo doi bien phong "), folded alike (``keep_case``)."""
    forms = [said]
    for short, long in pairs.items():
        short_f, long_f = f" {_folded(short, keep_case)} ", f" {_folded(long, keep_case)} "
        if short_f in said:
            forms.append(said.replace(short_f, long_f))
        if long_f in said:
            forms.append(said.replace(long_f, short_f))
    return forms


def _named_as(sentence: str, heads: tuple[str, ...]) -> bool:
    """Whether the sentence names someone *as* one of the offices ``heads``: a capitalised word
    right after the office and its body ("Chủ tịch UBND tỉnh Lê Trí Thanh"), a name later in its
    clause, a name right before it or before "là" ("Hoesung Lee là chủ tịch"), or in the clause
    next to it, past other titles ("Trung tướng Nguyễn Anh Tuấn, Bí thư Đảng ủy, Chính ủy …",
    "Tư lệnh BĐBP, Trung tướng …"). "… kết luận của đồng chí Bộ trưởng Bộ Quốc phòng tại buổi làm
    việc" names the office, nobody as it."""
    clauses: list[list[str]] = []
    apposed: list[bool] = []  # whether clause k and the next are set side by side: ",", " - "
    for k, part in enumerate(re.split(f"({_CLAUSE.pattern})", clean_unicode(sentence))):
        if k % 2:
            if apposed:
                apposed[-1] = apposed[-1] and part.strip() in ",-–"
        elif syllables := SYLLABLE.findall(part):
            clauses.append(syllables)
            apposed.append(True)
    folded_clauses = [[fold_diacritics(s).lower() for s in c] for c in clauses]
    for k, (syllables, folded) in enumerate(zip(clauses, folded_clauses, strict=True)):
        for _, head, _, start, end in office_spans(syllables, folded, True):
            if head not in heads:
                continue
            while end < len(folded) and re.fullmatch(LOCAL, folded[end]):
                end += 1
            after = syllables[end:]
            if (after and capital(after[0])) or any(is_person(after, i, i + 2) for i in range(len(after) - 1)):
                return True
            before = start - 1 if start > 0 and folded[start - 1] != "la" else start - 2
            if before >= 0 and capital(syllables[before]) and folded[before] != "bo":
                return True
            if end == len(syllables) and k + 1 < len(clauses) and apposed[k] and capital(clauses[k + 1][0]):
                return True
            if start == 0:
                j = k - 1
                while j >= 0 and apposed[j] and starts_office(folded_clauses[j][0]):
                    if capital(clauses[j][-1]):
                        break
                    j -= 1  # another title of the same person: "Bí thư Đảng ủy, Chính ủy …"
                if j >= 0 and apposed[j] and capital(clauses[j][-1]):
                    return True
    return False


def _office_found(office: str, where: str) -> bool:
    """An office (folded) as whole words of ``where``, not as the name of a command: "Bộ Tư lệnh
    BĐBP" is the Border Guard's headquarters, not its commander."""
    return re.search(rf"(?<! bo) {re.escape(office)} ", where) is not None


@lru_cache(maxsize=4096)
def _whole_office(office: str, whole: bool = True) -> re.Pattern[str]:
    """An office (folded), named whole: not a province's (``whole``); offices listed together
    share the body after the last: "Bí thư Đảng ủy, Chính ủy Bộ đội Biên phòng" names the Bí thư
    Đảng ủy Bộ đội Biên phòng (another office's head between its words), as "Bí thư Đảng ủy, Chính
    ủy Bộ Chỉ huy BĐBP tỉnh" names the Bí thư Đảng ủy BĐBP tỉnh (its command between)."""
    words = [re.escape(w) for w in office.split()]
    heads = "|".join(" ".join(h) for h in OFFICE_HEAD_WORDS)
    # and the command of the body may stand between ("Chính ủy Bộ Chỉ huy BĐBP tỉnh": its Chính ủy)
    between = f" (?:(?:{heads}) )?(?:bo chi huy )?"
    shared = [" ".join(words[:k]) + between + " ".join(words[k:]) for k in range(1, len(words))]
    return re.compile(rf" (?:{'|'.join([' '.join(words), *shared])}) " + (f"(?!{LOCAL} )" if whole else ""))


def _content(phrase: str | None) -> frozenset[str]:
    """The syllables of ``phrase``, lowercase, function words aside; none for None."""
    return frozenset(SYLLABLE.findall(phrase.lower())) - _FUNCTION_WORDS if phrase else frozenset()


def _names_document(document: str, sentence: str) -> bool:
    """Whether ``sentence`` names the document (folded kind and first word: "luat bien",
    "nghi quyet 33"), with or without "số"."""
    kind, _, first = document.rpartition(" ")
    return re.search(rf"\b{re.escape(kind)} (?:so )?{re.escape(first)}\b", _folded(sentence)) is not None


def _met(phrase: str, where: str, cased: str) -> bool:
    """A name with its capitals (an abbreviation in either form), anything else folded. A name
    written in Title Case ("Nhạc Cụ") needs only its first capital ("Nhạc cụ"); a foreign name
    may be in the plural ("Panther": "Panthers")."""
    if phrase.startswith(_WHOLE):
        return _whole_office(phrase.removeprefix(_WHOLE)).search(where) is not None
    if not phrase.startswith(_NAME):  # an office may share its body with the next ("Bí thư Đảng ủy, Chính ủy …")
        return _found(phrase, where) or (
            starts_office(phrase.split()[0]) and _whole_office(phrase, whole=False).search(where) is not None
        )
    name = _folded(phrase.removeprefix(_NAME), keep_case=True)
    if name.isupper():
        return _found(name.lower(), where)
    first, _, rest = name.partition(" ")
    if rest and all(capital(r) for r in rest.split(" ")):  # an abbreviation may sit inside: "Đồn BP Pò Hèn"
        return re.search(rf" {re.escape(first)} (?:[A-Z]{{2,5}} )?(?i:{re.escape(rest)})s? ", cased) is not None
    return re.search(rf" {re.escape(name)}s? ", cased) is not None


def _near(phrase: str, cased: str, known: Callable[[str], bool] | None) -> bool:
    """A name with a word the corpus never has, one letter off a word the text has (added,
    dropped, changed or two swapped: "Zeria" for "Zeira", "Bedigo" for "Bendigo"): a misspelt
    name, as typed or as translated. Names the corpus does spell are never read as another."""
    if known is None or not phrase.startswith(_NAME):
        return False
    words = _folded(phrase.removeprefix(_NAME), keep_case=True).split(" ")
    unknown = [not known(w.lower()) for w in words]
    if not any(u and len(w) >= 3 for u, w in zip(unknown, words, strict=True)):
        return False
    text = cased.split()
    for start in range(len(text) - len(words) + 1):
        pairs = zip(words, text[start : start + len(words)], unknown, strict=True)
        if all(w == t or (u and len(w) >= 3 and _near_word(w, t)) for w, t, u in pairs):
            return True
    return False


def _near_word(word: str, text_word: str) -> bool:
    """One letter off a word of the text, or off its singular ("Panther": "Panthers")."""
    return _one_letter_off(word, text_word) or _one_letter_off(word, text_word.removesuffix("s"))


def _one_letter_off(a: str, b: str) -> bool:
    """Damerau-Levenshtein distance of at most one (case-insensitive)."""
    a, b = a.lower(), b.lower()
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        swapped = len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
        return len(diff) == 1 or swapped
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = next((k for k in range(len(short)) if short[k] != long[k]), len(short))
    return short[i:] == long[i + 1 :]


def _found(phrase: str, where: str) -> bool:
    """``phrase`` as whole words of ``where``; a number also at the start of a longer one
    ("33" in "33-nq/tw", "2020" in "2020-10-01") or in Roman numerals ("18": "xviii")."""
    if phrase[0].isdigit():
        if phrase.isdigit() and 0 < int(phrase) < 40 and f" {_roman(int(phrase))} " in where:
            return True
        return re.search(rf"(?<![\w/.,-]){re.escape(phrase)}(?!\d)", where) is not None
    head, _, number = phrase.rpartition(" ")
    if head == "thu" and number.isdigit() and 0 < int(number) < 40:  # an ordinal: "thứ XIV" too
        return f" {phrase} " in where or f" thu {_roman(int(number))} " in where
    return f" {phrase} " in where


def _roman(number: int) -> str:
    """Lowercase Roman numerals below 40: congresses and terms are numbered so ("khóa XIII")."""
    tens, units = divmod(number, 10)
    return "x" * tens + ["", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix"][units]


def constraints(question: str, focus: str | None = None) -> Constraints:
    """The constraints of ``question`` (see the module's docstring). Case matters (a capital
    marks a name or an organisation), so the text is cleaned, not normalised; each clause is read
    on its own. A question typed all in lowercase has only its numbers and offices. ``focus``:
    words the sentence itself must say ("Còn nông thôn mới nâng cao?")."""
    text = clean_unicode(question)
    cased = text != text.lower()
    phrases: list[str] = []
    spelt: dict[str, tuple[str, ...]] = {}
    heads: list[str] = []
    for index, clause in enumerate(_CLAUSE.split(text)):
        syllables = SYLLABLE.findall(clause)
        folded = [fold_diacritics(s).lower() for s in syllables]
        for i in (i for i, s in enumerate(syllables) if s[0].isdigit()):
            number = folded[i]
            ordinal = i > 0 and folded[i - 1] == "thu"  # "lần thứ 8" is not any 8
            phrases.append(f"thu {number}" if ordinal else number)
            if number in _NUMBER_WORDS:
                spelt[phrases[-1]] = tuple(f"thứ {w}" if ordinal else w for w in _NUMBER_WORDS[number])
        if cased:  # names keep their capitals: "Công an" is not "công tác"
            for a, b in name_runs(syllables, index == 0):
                phrases.append(_NAME + " ".join(syllables[a:b]))
                if words := as_common_noun(syllables, a, b):
                    spelt[phrases[-1]] = (words,)
        found = office_spans(syllables, folded, cased)
        phrases += [_WHOLE + office if whole else office for office, _, whole, _, _ in found]
        heads += [head for _, head, _, _, _ in found]
    asked = " ".join(SYLLABLE.findall(fold_diacritics(normalize(question))))
    reason = bool(_REASON_ASKED.search(asked.lower()))
    manner = bool(_MANNER_ASKED.search(asked.lower()))
    accented = normalize(question)
    typed = accented if fold_diacritics(accented) != accented else None  # None: typed without accents
    facts = tuple(
        said
        for accented_asked, folded_asked, said in _PERSONAL_FACTS
        if (re.search(accented_asked, typed) if typed is not None else folded_asked and re.search(folded_asked, asked))
    )
    return Constraints(
        tuple(dict.fromkeys(phrases)),
        AnswerCheck(question),
        reason,
        asked,
        tuple(dict.fromkeys(heads)),
        manner,
        facts,
        _folded(focus) if focus else "",
        tuple(spelt.items()),
        frozenset(SYLLABLE.findall(typed.lower())) if typed is not None else frozenset(),
        asked_act(question) or "",
        tuple(
            dict.fromkeys(
                f"{_folded(m.group('kind'))} {_folded(m.group('first'))}" for m in _DOCUMENT_NAMED.finditer(text)
            )
        ),
        _content(yes_no_asked(typed) if typed else None),  # typed with accents only
        _content(topic_asked(text) if typed else None),
    )
