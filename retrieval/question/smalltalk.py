"""Small talk: lines that talk to the bot instead of asking the corpus something.

A line is small talk when, once its words are folded, *every* word belongs to the vocabulary of
talking to someone — greetings, thanks, goodbyes, acknowledgements and laughter, the second
person ("bạn", "bot") with what one asks a person about themself ("là ai", "tên gì", "làm được
gì", "khỏe không") — and at least one of them says which kind of talk it is; or when it holds no
letter or digit at all (emoji, punctuation). "Bạn là ai?" is small talk; "Bạn có biết Tư lệnh
Bộ đội Biên phòng là ai?" is not: "tư lệnh", "bộ đội", "biên phòng" are words of a question.
Decided by that principle, not by a list of whole lines.
"""

from __future__ import annotations

import re

from retrieval.text.normalize import fold_diacritics, normalize

# Folded words (and two-syllable phrases) that say what kind of small talk a line is.
_KINDS = {
    "greeting": "xin chao, chao, hello, hi, helo, hey, alo, chao buoi sang, chuc ngu ngon, good morning, "
    "good afternoon, good evening, co ai",
    "thanks": "cam on, cam ta, thanks, thank, thank you, thx, tks, cam on nhieu, thanks a lot",
    "goodbye": "tam biet, bye, goodbye, good night, see you, hen gap lai, bai bai, chao tam biet",
    "about": "ban, bot, may, cau, em, robot, help, huong dan, tro giup, giup do, giup toi, giup minh, giup em, "
    "giup voi, cuu, cach dung, su dung, hoi gi, "
    "tra loi toi, hoi them, hoi tiep, cho hoi, cho minh hoi, cho toi hoi, cho em hoi, xin hoi, muon hoi, hoi chut, "
    "hoi xiu",
    "ack": "ok, oke, okay, uh, uhm, um, u, vang, da, duoc roi, haha, hihi, hehe, hay qua, tot qua, tuyet, gioi, "
    "good, great, nice, huu ich, tuyet voi, xin loi, khong sao, sorry, hieu roi, the a, vay a, the ha, vay ha, "
    "vay sao, the sao",
    "feedback": "sai, sai roi, khong dung, chua dung, nham roi, dung roi, chinh xac, wrong",
    "puzzled": "y ban, khong hieu, chua hieu",
}
# Words that carry no question of their own in small talk: particles, what one asks a person
# about themself (or a bot about what it knows and does: "Bạn biết những gì?", "Dữ liệu của bạn
# lấy từ đâu?"), intensifiers. They make a line small talk only beside a word of _KINDS.
_FILLERS = """
oi a a nhe nha nhi ha vay the nhe day ne nao roi qua lam nhieu ca nha moi nguoi
la ai gi ten co khoe khong lam duoc biet tao ra cua the nao sao vui ve rat
huh uh ah oh wow hay tot buoi sang toi ngu ngon chuc
minh can nen the biet nhung tra loi cau hoi giup cho hoat dong thong minh du lieu lay tu dau chuc nang
o bao nhieu tuoi phai nguoi that gap duoc you so much very
anh chi ad admin hieu tieng viet hom nay hoi nham chut lap trinh ngoan dang yeu de thuong mot ngay tot lanh
do day y nhanh cham ghe e di thoi voi
"""

_WORD = re.compile(r"[a-z0-9]+")


def _phrases(text: str) -> set[tuple[str, ...]]:
    return {tuple(p.split()) for p in text.split(",") if p.strip()}


_KIND_PHRASES = {kind: _phrases(words) for kind, words in _KINDS.items()}
_FILLER_WORDS = frozenset(_FILLERS.split())
_LONGEST = max(len(p) for phrases in _KIND_PHRASES.values() for p in phrases)


# A small-talk clause before a question: "Xin chào, Tư lệnh BĐBP là ai?", "Bot ơi! Cho hỏi …".
_LEADING_CLAUSE = re.compile(r"^\s*([^,.!?;:]+)[,.!?;:]+\s*(\S.*)$", re.DOTALL)


# A polite way into a question, folded: "Cho mình hỏi …", "Bạn có biết …", "Xin hỏi là …"
_ASKING_LEAD = re.compile(
    r"^\s*(?:(?:cho|xin) (?:(?:minh|toi|em|anh|chi|to|chau) )?hoi(?: chut| xiu| mot chut)?"
    r"|(?:minh|toi|em|to) (?:muon|can|xin) hoi|(?:ban (?:co )?|co )biet|(?:ban )?cho (?:minh|toi|em) biet)"
    r"(?: la)?\s*[,:]?\s+(?=\S)"
)
# "Bạn biết gì về X?", "Kể cho mình nghe về X", "Cho tôi biết về X": asks about X, folded
_ABOUT_LEAD = re.compile(
    r"^\s*(?:(?:ban|bot) (?:co )?biet (?:nhung )?gi|(?:hay )?(?:ke|noi)(?: cho (?:minh|toi|em))?(?: nghe)?"
    r"|(?:hay )?cho (?:minh|toi|em) biet(?: them)?) ve\s+(?=\S)"
)
# What a question asks by (folded): a polite lead is cut only before a real question.
_ASKING_WORDS = r"ai|gi|nao|dau|bao nhieu|may|khi nao|bao gio"  # a question's own words, folded
_QUESTION_WORDS = re.compile(rf"\b(?:{_ASKING_WORDS}|sao|the nao|phai khong|khong)\b")
# ... and by a word of its own, not a yes/no frame ("có phải … không")
_ASKED_WITHIN = re.compile(rf"\b(?:{_ASKING_WORDS})\b")


def without_small_talk(line: str) -> str:
    """``line`` without the small talk its question starts with ("Xin chào, Tư lệnh BĐBP là
    ai?" asks "Tư lệnh BĐBP là ai?"; "Cho mình hỏi Chính ủy … tên gì?" asks "Chính ủy … tên
    gì?"; "Bạn biết gì về biên phòng?" asks of "biên phòng"); a line of small talk only, or with
    none, as it is."""
    for _ in range(3):  # "Chào bạn! Cảm ơn nhé. Cho hỏi, …": a few clauses at most
        lead = _LEADING_CLAUSE.match(line)
        talk = lead is not None and any(c.isalnum() for c in lead.group(1)) and small_talk(lead.group(1))
        if not talk or small_talk(lead.group(2)):  # words of talk, not just a quote or a dash
            break
        line = lead.group(2)
    folded = fold_diacritics(line).lower()  # the same length: a cut there is a cut of the line
    if (about := _ABOUT_LEAD.match(folded)) and len(folded) == len(line):
        return line[about.end() :].rstrip(" ?")  # "Bạn biết gì về biên phòng?": the corpus on it
    ask = _ASKING_LEAD.match(folded)
    asks = ask and len(folded) == len(line) and _QUESTION_WORDS.search(folded, ask.end())
    asks = asks and not folded.startswith("gi ", ask.end())  # "Bạn biết gì?": what "biết" asks, talk
    if asks and not small_talk(line):  # "Bạn có biết tôi là ai không?" is talk, whole
        rest = line[ask.end() :]
        # "Bạn có biết … là ai không?": the frame goes whole ("… có phải … không?" keeps its own)
        if re.search(r"\bco biet\b", ask.group()) and _ASKED_WITHIN.search(fold_diacritics(rest).lower()):
            rest = re.sub(r"\s+(?:không|khong)(\s*\?*)\s*$", r"\1", rest)
        return rest[0].upper() + rest[1:] if line.lstrip()[:1].isupper() else rest
    return line


def small_talk(line: str) -> str | None:
    """The kind of small talk ``line`` is ("greeting", "thanks", "goodbye", "about", "ack",
    "feedback", "puzzled"), or None when it is a question for the corpus."""
    text = normalize(line)
    if not any(c.isalnum() for c in text):
        return "ack" if text.strip() else None  # emoji and punctuation only
    words = _WORD.findall(fold_diacritics(text).lower().replace("đ", "d"))
    kinds: list[str] = []
    i = 0
    while i < len(words):
        for n in range(min(_LONGEST, len(words) - i), 0, -1):
            found = next((k for k, phrases in _KIND_PHRASES.items() if tuple(words[i : i + n]) in phrases), None)
            if found is not None:
                kinds.append(found)
                i += n
                break
        else:
            if words[i] not in _FILLER_WORDS:
                return None  # a word of a question
            i += 1
    # The first signal decides: "Xin chào bạn" greets, "Bạn là ai?" asks about the bot.
    return kinds[0] if kinds else None
