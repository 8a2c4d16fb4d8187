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
  the previous question again (the engine then shows the sentences after those shown,
  ``asks_more``); a correction, "Không, ý tôi là Chính ủy", is a "Còn X?";
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
from collections.abc import Sequence
from dataclasses import dataclass

from retrieval.question.ellipsis import bare_office, ellipsis, ellipsis_phrase, names_office
from retrieval.question.phrases import (
    WORD,
    asked_of,
    asks,
    asks_which_first,
    counted_noun,
    name_spans,
    of_something,
    subject,
)
from retrieval.question.referents import (
    BARE_HONORIFIC,
    DEMONSTRATIVE,
    THERE,
    THING_NOUNS,
    TIME_NOUNS,
    counted_meant,
    every_named,
    office_holder_meant,
    other_meant,
    people_meant,
    place_meant,
    referent,
    thing_of,
    those_who,
    time_meant,
    which_answered,
)
from retrieval.text.normalize import LOWER_LETTER, clean_unicode, fold_diacritics, has_diacritics, normalize
from retrieval.text.tokenizer import segment

# A fragment that asks for one more thing of the same subject: "Nhiệm kỳ nào?", "Bao nhiêu cặp …?"
_FRAGMENT = re.compile(
    r"^\s*(?:(?:và|va)\s+)?"  # "Và bao nhiêu chương trình hành động?"
    r"(?:(?:của|ở|tại|với|từ|cho|về|trong|theo|cua|voi|tu|ve)\s+\w+(?:\s+\w+){0,3}\s+(?:nào|nao)"  # "Của cơ quan nào?"
    r"|\w+(?:\s+\w+)?\s+(?:nào|nao)|(?:bao nhiêu|bao nhieu|mấy)(?:\s+\w+){1,4})\s*\??\s*$",
    re.IGNORECASE,
)
# "Ai ban hành?", "Ai chủ trì?": who did it, a verb of one to three lowercase syllables without its
# object (not "Ai là …?", which names what it asks)
_WHO_BY_VERB = re.compile(r"^\s*ai\s+(?!là\b|la\b)(?P<did>[^\W\d_]+(?:\s+[^\W\d_]+){0,2})\s*\??\s*$", re.IGNORECASE)
# A question that starts with a tense, aspect or passive marker, "là", an agent's "do"/"bởi" or a
# purpose's "để" has no subject of its own: "Được ban hành năm nào?", "Đã tổ chức ở đâu?", "Do cơ
# quan nào ban hành?", "Để làm gì?" (a Vietnamese subject comes before these words). Without
# accents only "duoc" says so ("da" may be "Đà", "dang" "Đặng").
_NO_SUBJECT = re.compile(r"^(?:được|đã|sẽ|đang|bị|vừa|là|do|bởi|để|duoc)\s+\w", re.IGNORECASE)
# A question of at most this many words may lean on the previous one ("Áp dụng cho giai đoạn
# nào?": six); a longer one has its own subject
_SHORT = 7
# "Kể thêm đi", "Còn gì nữa không?", "Còn ai nữa?", "Chi tiết hơn?", "Cụ thể là gì?": more of the
# same question
_MORE = re.compile(
    r"^(?:(?:hãy |bạn |ban |hay )?(?:kể|nói|cho biết|ke|noi|cho biet) (?:thêm|them)|(?:kể|nói|ke|noi) (?:tiếp|tiep)"
    r"|(?:còn )?(?:gì|ai) nữa|(?:chi tiết|cụ thể|chi tiet|cu the) hơn|thêm nữa|(?:con )?(?:gi|ai) nua|them nua"
    r"|(?:cụ thể|cu the)(?: (?:là|la))? (?:gì|gi|(?:như )?thế nào|(?:nhu )?the nao|ra sao))"
    r"\b[^?]{0,12}\??$",
    re.IGNORECASE,
)
# "Kể tên đi", "Liệt kê ra", "Nêu cụ thể": the names of what the previous question counted
_NAME_THEM = re.compile(
    r"^(?:hãy |bạn |hay |ban )?(?:kể|liệt kê|nêu|ke|liet ke|neu)(?: (?:tên|ra|cụ thể|ten|cu the))?"
    r"(?: (?:đi|giúp|ra|nhé|di|giup|nhe))*\s*[?.!]*$",
    re.IGNORECASE,
)
_PREPOSITION_FIRST = re.compile(
    r"^(?:về|trong|với|đối với|ở|tại|cho|của|ve|voi|doi voi|o|tai|cua)\s+(?=\w)", re.IGNORECASE
)
# A question that opens with a kind of place and no name or demonstrative: the one talked about
_BARE_PLACE = re.compile(
    r"^(?:tỉnh|huyện|xã|thành phố|tinh|huyen|xa|thanh pho)(?=\s+(?!(?:này|đó|ấy|kia|nào|nay|do|ay|nao)\b)"
    rf"{LOWER_LETTER})",
    re.IGNORECASE,
)
# "Thế", "Vậy thì" before a reference: a particle that says "so", nothing to keep
_LEADING_PARTICLE = re.compile(r"\s*(?:thế|vậy|the|vay)(?: (?:thì|thi))?,?\s+", re.IGNORECASE)
# A question that starts with a noun of a thing, no demonstrative or question word after it
_NOUN_FIRST = re.compile(rf"^(?:{THING_NOUNS})\b(?!\s+(?:này|đó|ấy|kia|nào|nay|do|ay|nao)\b)", re.IGNORECASE)
_EVENT_CLASSIFIER = re.compile(r"^(?:buoi|cuoc) ")
# "các huyện đó", "hai huyện này": more than one of the noun
_PLURAL = re.compile(r"\b(?:các|những|hai|ba|cả|cac|nhung)\s+$", re.IGNORECASE)
_COUNTS = {"hai": 2, "ba": 3}  # "hai huyện đó": the answer naming two of them names them
# "Đó là những khâu nào?": "đó" is what the previous question asked about
_THAT_IS = re.compile(r"^(?:đó|đấy|do|day)\s+(?P<be>)(?:là|la)\b", re.IGNORECASE)
# "Không, ý tôi là Chính ủy", "Ý mình là năm 2022", "Không phải, tôi hỏi Quảng Ninh cơ": a
# correction of the last question, X in its place as in "Còn X?" (or a whole question of its own)
_CORRECTION = re.compile(
    r"^(?:(?:không phải|không|chưa|khong phai|khong|chua|ko)\s*[,.!]?\s*)?"
    r"(?:ý (?:tôi|mình|em|anh|tớ) là|(?:tôi|mình|em|anh) (?:muốn |định )?hỏi(?: về)?"
    r"|y (?:toi|minh|em|anh) la|(?:toi|minh|em|anh) (?:muon |dinh )?hoi(?: ve)?)\s+"
    r"(?P<x>.+?)(?:\s+(?:cơ|chứ|cơ mà|co|chu|co ma))?\s*[?.!]*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Turn:
    """One question of a conversation, as the bot understood it, and when it was asked."""

    question: str
    answer: str | None
    at: float
    earlier: str | None = None  # the question of the turn before it, as understood (if recent)
    shown: tuple[str, ...] = ()  # the sentences its reply showed ("Kể thêm đi" shows the next ones)


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
        recent = self.recent(now)
        return recent[-1] if recent and recent[-1] is self.turns[-1] else None

    def add(self, understood: str, shown: Sequence[str] = (), now: float | None = None) -> None:
        """A turn asked as ``understood`` whose reply showed ``shown`` (its answer first)."""
        now = time.time() if now is None else now
        last = self.last(now)
        answer = shown[0] if shown else None
        if last is not None and last.question == understood:  # "Kể thêm đi" again: all shown so far
            shown = [*last.shown, *(s for s in shown if s not in last.shown)]
        self.turns.append(Turn(understood, answer, now, last.question if last else None, tuple(shown)))

    def clear(self) -> None:
        self.turns.clear()


def asks_more(question: str) -> bool:
    """Whether ``question`` asks for more sentences than the last reply showed ("Kể thêm đi",
    "Còn gì nữa không?"); "Còn ai nữa?" asks the question again (news lists everyone who took
    part in one sentence, and that one comes first again)."""
    text = clean_unicode(question).strip()
    return _MORE.match(text) is not None and re.search(r"\bai\b", text, re.IGNORECASE) is None


def focus_of(question: str) -> str | None:
    """What a "Còn X?" follow-up asks about anew, when X is a common noun phrase ("nông thôn mới
    nâng cao", "phó giám đốc"): the sentence that answers it must say X itself, where a name may
    be met by its article. None for any other question."""
    phrase = ellipsis_phrase(clean_unicode(question).strip())
    if phrase is None or phrase != phrase.lower() or not WORD.search(phrase):
        return None
    # "Còn về chiến sĩ mới?": what the sentence must say is the noun, not the preposition ("đối
    # với chiến sĩ mới" says it)
    phrase = _PREPOSITION_FIRST.sub("", phrase)
    return None if asks(phrase) or not phrase else phrase


def _corrected(text: str) -> str:
    """A correction as the follow-up it makes: "Không, ý tôi là Chính ủy" -> "Còn Chính ủy?"; one
    with a question of its own ("Ý tôi là ai ký nghị quyết?") that question; any other text as it is."""
    match = _CORRECTION.match(text)
    if match is None:
        return text
    meant = match.group("x").strip(" ,")
    if asks(meant):
        return f"{meant[0].upper()}{meant[1:]}?"
    return f"{'Còn' if has_diacritics(normalize(text)) else 'Con'} {meant}?"


def _noun_described(previous: str, rest: str) -> str | None:
    """The noun a "… là hai huyện nào?" asks, as ``previous`` described it ("2 huyện đạt chuẩn
    NTM nâng cao đầu tiên cả nước"), or None when ``previous`` does not name it."""
    asked = re.search(r"(\w+)\s+(?:nào|nao)\b", rest, re.IGNORECASE)
    if asked is None:
        return None
    noun = re.escape(asked.group(1))
    said = re.search(rf"(?:\b\d+\s+)?\b{noun}\b[^?]*", previous[1:], re.IGNORECASE)  # not the question's own first word
    return said.group().strip() if said else None


def subjectless_reading(question: str, previous: str) -> str | None:
    """A short question with no name or number of its own ("Ban hành ngày nào?", "Diễn ra ở
    đâu?") may ask about the previous question's subject, or stand alone ("Biên phòng là gì?"):
    the reading that asks it of that subject, for the caller to weigh against the question
    alone by what each finds. None for any other question."""
    text = clean_unicode(question).strip()
    own, words = subject(text), WORD.findall(text)
    named = any(w[0].isdigit() or w.isupper() or (i and w[0].isupper()) for i, w in enumerate(words))
    if not own or len(words) > _SHORT or named:
        return None  # a longer question, or one that names something, has a subject of its own
    about = subject(previous)
    if not about:
        return None
    own_words = WORD.findall(fold_diacritics(normalize(own)).lower())
    about_words = list(WORD.finditer(about))
    if own_words[0] in fold_diacritics(normalize(about)).lower().split():
        # it repeats the previous subject's words: its own subject, unless it repeats the verb the
        # previous one asked of a named thing ("Ban hành ngày nào?" after "Ai ban hành Nghị quyết 33?")
        said = 0
        while said < len(about_words) and fold_diacritics(about_words[said].group()).lower() in own_words:
            said += 1
        thing = about[about_words[said].start() :] if 0 < said < len(about_words) else ""
        if not thing or not any(w[0].isupper() or w[0].isdigit() for w in WORD.findall(thing)):
            return None
        about = thing
    if of_something(text):  # "Nội dung chính của Nghị quyết 23-NQ/TU là gì?"
        rest = text[text.find(own) + len(own) :].strip()
        return f"{own} của {thing_of(about) or about} {rest}"
    return f"{about[0].upper()}{about[1:]} {text[0].lower()}{text[1:]}"


def _without_given(subject_: str, fragment: str) -> str:
    """``subject_`` without the value it gave for what a "X nào?" fragment asks: "Năm nào?" after
    "… năm 2022 bao nhiêu?" asks the year, so "năm 2022" goes ("… vốn FDI năm nào?")."""
    which = re.match(r"(\w+)\s+(?:nào|nao)\s*\??$", fragment, re.IGNORECASE)
    if which is None:
        return subject_
    words = list(WORD.finditer(subject_))
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
    words = list(WORD.finditer(subject_))
    # by pyvi's words: "ban hành" is said again by "… ban hành?", not by the "hành" of "hành động"
    said = {fold_diacritics(w) for w in segment(fragment)}
    ending = [fold_diacritics(w) for w in segment(subject_)]
    dropped = 0
    while len(ending) > 1 and ending[-1] in said:
        dropped += ending.pop().count("_") + 1
    keep = len(words) - dropped
    return subject_[: words[keep - 1].end()] if 0 < keep < len(words) else subject_


def _the_noun_again(text: str, previous: str) -> re.Match[str] | None:
    """The noun a short question starts with, named nothing more, when the previous question
    mentions that noun ("Hội nghị" of "Hội nghị diễn ra vào buổi nào?" after "… dự hội nghị
    với …?"): the same one is meant. None otherwise."""
    noun = _NOUN_FIRST.match(text)
    words = WORD.findall(text[noun.end() :]) if noun else []
    if noun is None or len(words) > _SHORT or any(w[0].isdigit() or w[0].isupper() for w in words):
        return None
    # an event by its verb: "Buổi làm việc …" after "… làm việc với ai?"
    key = _EVENT_CLASSIFIER.sub("", fold_diacritics(normalize(noun.group())).lower())
    return noun if re.search(rf"\b{re.escape(key)}\b", fold_diacritics(normalize(previous)).lower()) else None


def _lacks_subject(text: str) -> bool:
    """Whether ``text`` has no subject of its own: question words only, a fragment ("Nhiệm kỳ
    nào?"), a marker a subject comes before ("Được ban hành …?"), or who did it by a verb alone
    ("Ai ban hành?")."""
    if not subject(text) or _FRAGMENT.match(text) or _NO_SUBJECT.match(text):
        return True
    match = _WHO_BY_VERB.match(text)
    return match is not None and match.group("did") == match.group("did").lower()


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
    if (corrected := _corrected(text)) != text:
        return rewrite(corrected, previous, answer, earlier) or corrected
    if _NAME_THEM.match(text) and (noun := counted_noun(previous)):
        # "Kể tên đi" after "… mấy huyện …?": which ones, as "Đó là những huyện nào?" asks
        which = (
            f"Đó là những {noun} nào?"
            if has_diacritics(normalize(text))
            else f"Do la nhung {fold_diacritics(noun)} nao?"
        )
        return rewrite(which, previous, answer, earlier)
    if _MORE.match(text):
        return previous.strip()  # "Kể thêm đi": the same question again, as it was understood
    rewritten = None
    if (office := bare_office(text)) and names_office(previous) and (asked := ellipsis(previous.strip(), office))[1]:
        rewritten = asked[0]  # "Thế ai là Phó Chính ủy?": the office of the previous question's body
    elif (phrase := ellipsis_phrase(text)) is not None:
        rewritten, fits = ellipsis(previous.strip(), phrase)
        if not fits and earlier and earlier.strip() and phrase[:1].isupper():  # a title or a name
            before, fits = ellipsis(earlier.strip(), phrase)
            if fits:
                previous, rewritten = earlier, before
    else:
        match = office_holder_meant(text) or DEMONSTRATIVE.search(text) or BARE_HONORIFIC.search(text)
        noun = match.groupdict().get("noun") if match else None
        if noun and fold_diacritics(noun).lower() in TIME_NOUNS:
            # "Năm đó …": the year or day the previous turn named; none named, no reference
            when = time_meant(previous, noun, answer)
            rewritten = text[: match.start()] + when + text[match.end() :] if when else None
        elif (plural := _PLURAL.search(text[: match.start()]) if noun else None) and (
            every := every_named(previous, noun, answer, _COUNTS.get(fold_diacritics(plural.group()).strip().lower()))
            or counted_meant(previous, answer)  # "các địa phương đó" after "… bao nhiêu huyện …?"
        ):
            rewritten = text[: plural.start()] + every + text[match.end() :]  # "Các huyện đó …"
        elif match:
            they, other = match.groupdict().get("they"), match.groupdict().get("other")
            it = re.fullmatch(r"(?:nó|no)", match.group(), re.I) is not None
            person = not match.group("noun") and not they and not it
            meant = (
                (they and (people_meant(previous, answer) or those_who(previous)))
                or (other and other_meant(previous, answer))
                or referent(previous, match.group("noun"), answer, person, thing=it)
            )
            # "Thế ông ấy nói gì?": the particle leading to the reference goes with it
            lead = "" if _LEADING_PARTICLE.fullmatch(text[: match.start()]) else text[: match.start()]
            rewritten = lead + meant + text[match.end() :]
        elif (there := THERE.search(text)) and (place := place_meant(previous, answer)):
            rewritten = f"{text[: there.end('at')]} {place}{text[there.end() :]}"
        elif (that := _THAT_IS.match(text)) and subject(previous):
            # "Đó là những khâu nào?" after "… xác định mấy khâu đột phá?": what was asked; after
            # "Tỉnh nào có 2 huyện …?" (a question of which one), the noun asked as it was described
            rest = text[that.end("be") :].strip()
            about = asked_of(previous, text)
            if (len(WORD.findall(about)) < 2 or asks_which_first(previous)) and (
                described := _noun_described(previous, rest)
            ):
                about = described
            rewritten = f"{about} {rest}"
        elif _lacks_subject(text) and subject(previous := which_answered(previous, answer)):
            # question words only, or a fragment: "Khi nào?", "Hôm nào?", "Bao nhiêu cặp cụm dân cư?"
            text = re.sub(r"^(?:và|va)\s+", "", text, flags=re.IGNORECASE)
            of_what = _without_repeated(_without_given(asked_of(previous, text), text), text)
            rewritten = f"{of_what} {text[0].lower()}{text[1:]}"
    if not rewritten and (bare := _BARE_PLACE.match(text)) and name_spans(previous):
        # "Tỉnh đã có những quyết sách nào?" after a question about Quảng Ninh: that province
        return rewrite(f"{text[: bare.end()]} đó{text[bare.end() :]}", previous, answer, earlier)
    if not rewritten and (the := _the_noun_again(text, previous)):
        # "Hội nghị diễn ra vào buổi nào?" after "… dự hội nghị …?": that one, as "Hội nghị đó"
        return rewrite(f"{text[: the.end()]} đó{text[the.end() :]}", previous, answer, earlier)
    if not rewritten:
        return None
    if not (has_diacritics(normalize(text)) and has_diacritics(normalize(previous))):
        # either typed without accents: the whole question without them (a half-accented one
        # would match its plain words only weakly, and would not be given to the model)
        rewritten = fold_diacritics(rewritten)
    return rewritten[0].upper() + rewritten[1:]
