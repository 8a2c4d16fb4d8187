"""Turn a raw news page dump into an Article: title, date, and clean paragraphs.

The seed files are copied from news sites and carry page furniture: category labels above the
title, bylines with the date ("Trúc Linh 07/03/2024 - 06:00"), image file names, captions printed
twice, "Ảnh: T.C" credits, lines of lone dots and link blocks ("Tin liên quan", "Các tin khác").
None of that may ever come back as an answer, so it is removed here, once, at index time.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import islice

from retrieval.text.normalize import UPPER_LETTER, clean_unicode, fold_diacritics


@dataclass(frozen=True)
class Article:
    """One article ready for splitting. ``date`` is ISO: "2024-03-27", or "2023-06" when partial."""

    title: str
    paragraphs: list[str]
    date: str | None = None
    url: str | None = None
    # Lines of the raw text that were dropped as noise, for reports and tests.
    dropped: list[str] = field(default_factory=list, compare=False)


_NOT_WORD = re.compile(r"[\W_]+")


def _key(line: str) -> str:
    """Comparison key that ignores case, accents, spacing and punctuation (for duplicates)."""
    return _NOT_WORD.sub("", fold_diacritics(line).lower())


# Lines that are page furniture wherever they appear (compared with _key).
_NOISE_LINES = {
    _key(s)
    for s in (
        "Ý kiến ()",
        "Ý kiến",
        "Phản hồi",
        "Mới nhất",
        "Chia sẻ",
        "In bài",
        "Bình luận",
        "Gửi bình luận",
        "Gửi ý kiến",
        "Bài viết",
        "Tags",
        "Từ khóa",
        "Quay lại",
        "Về đầu trang",
        "Lên đầu trang",
        "Đọc nhiều",
        "Xem nhiều",
        "Tin nổi bật",
        "Tin mới",
        "Bản in",
        "Video",
    )
}
# Lines after which the rest of the page is lists of other articles.
_TAIL_MARKERS = {
    _key(s)
    for s in (
        "Tin liên quan",
        "Các tin khác",
        "Tin khác",
        "Tin cùng chuyên mục",
        "Bài liên quan",
        "Bài viết liên quan",
        "Xem thêm",
        "Đọc thêm",
        "Liên kết website",
        "Tin đã đưa",
    )
}
# Section labels that news sites print above a title.
_CATEGORY_LABELS = {
    _key(s)
    for s in (
        "Đời sống xã hội",
        "Thời sự",
        "Chính trị",
        "Kinh tế",
        "Xã hội",
        "Quốc phòng",
        "An ninh",
        "Pháp luật",
        "Thế giới",
        "Quốc tế",
        "Văn hóa",
        "Thể thao",
        "Giáo dục",
        "Sức khỏe",
        "Biên giới",
        "Biên phòng",
        "Tin tức",
        "Trong nước",
        "Quân sự",
        "Đối ngoại",
        "Du lịch",
        "Khoa học",
        "Công nghệ",
        "Môi trường",
        "Địa phương",
        "Tiêu điểm",
        "Phóng sự",
    )
}

_IMAGE_FILE = re.compile(r"^\S+\.(?:jpe?g|png|gif|webp|bmp)$", re.IGNORECASE)
# "... tại buổi làm việc. Ảnh: T.C", "(Ảnh: Quang Huy)", "Ảnh minh họa": credits, not content.
_PHOTO_CREDIT = re.compile(r"\s*[(\[]?\s*Ảnh\s*(?:minh họa|minh hoạ)?\s*:\s*[^()\[\]]{1,40}?[)\]]?\s*$")
_PHOTO_CREDIT_ONLY = re.compile(
    r"^[(\[]?\s*Ảnh\s*(?:minh họa|minh hoạ)?\s*(?::\s*[^()\[\]]{0,40})?[)\]]?\.?$", re.IGNORECASE
)
_AGENCY_TAG = re.compile(r"^\(\s*[A-ZĐ][A-ZĐa-z.&/ ]{1,15}\)\s*[-–—:]?\s*")
_LEADING_DATE = re.compile(r"^date\s+(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?\s*", re.IGNORECASE)
# "Thứ Năm, 01/10/2020, 08:10 [GMT+7]" or "Trúc Linh 07/03/2024 - 06:00": a dateline or byline.
_DATELINE = re.compile(
    r"^(?P<byline>[^\d.!?]{0,40}?)[,\s]*(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4})"
    r"(?:[,\s-]*\d{1,2}[:h]\d{2}(?::\d{2})?)?\s*(?:\[?\s*(?:GMT|UTC)\s*[+-]\s*\d{1,2}\s*\]?)?\s*$"
)
_LEAD_DAY_MONTH = re.compile(
    r"^(?:(?:Sáng|Trưa|Chiều|Tối|Đêm|Ngày|Hôm nay|Chiều nay|Sáng nay|Tối nay)\s+)?(?:nay\s+)?"
    r"(?:ngày\s+)?(\d{1,2})[-/](\d{1,2})\b(?![-/]\d)",
    re.IGNORECASE,
)
_ANY_DAY_MONTH = re.compile(
    r"\b(?:sáng|trưa|chiều|tối|ngày)(?:\s+nay)?\s+(\d{1,2})[-/](\d{1,2})\b(?![-/]\d)", re.IGNORECASE
)
_YEAR = re.compile(r"(?<!\d)(19[4-9]\d|20\d\d)(?!\d)")
_AUTHOR_NOTE = re.compile(r"^[^.!?]{2,60}\((?:thực hiện|tổng hợp|lược dịch|biên dịch|ghi)\)\.?$", re.IGNORECASE)
_TERMINAL = '.!?…:;"”’)»'


def _is_title_like(line: str) -> bool:
    """A headline: not too long, and not a run of sentences."""
    words = line.split()
    return 1 <= len(words) <= 35 and len(line) <= 250 and not re.search(rf"[.!?]\s+{UPPER_LETTER}", line)


def is_heading(line: str) -> bool:
    """A short subheading inside the body ("Nhiều dấu ấn"): kept out of answers."""
    return len(line.split()) <= 8 and not line.endswith(tuple(_TERMINAL))


def _is_person_name(line: str) -> bool:
    """A signature line such as "Trúc Linh" or "Nguyễn Văn A": 2-5 capitalised words."""
    words = line.rstrip(".").split()
    return 2 <= len(words) <= 5 and all(w[0].isupper() for w in words)


def _iso(year: int, month: int, day: int | None = None) -> str | None:
    if not 1 <= month <= 12 or (day is not None and not 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}" + (f"-{day:02d}" if day else "")


def _guess_year(text: str) -> int | None:
    """The year an undated report belongs to: the most cited year in it, the latest on a tie."""
    counts = Counter(int(y) for y in _YEAR.findall(text))
    if not counts:
        return None
    return max(counts, key=lambda y: (counts[y], y))


def _lead_date(lead: str, body: str, partial: str | None) -> str | None:
    """Date from the lead ("Sáng 27-3, ...", "vào chiều nay 13/6"), year from context."""
    match = _LEAD_DAY_MONTH.match(lead) or _ANY_DAY_MONTH.search(lead[:400])
    if not match:
        return partial
    day, month = int(match.group(1)), int(match.group(2))
    if partial:  # "date 2023-06" plus "chiều nay 13/6": the day refines the month we have.
        year, known_month = (int(x) for x in partial.split("-")[:2])
        return _iso(year, month, day) if known_month == month else partial
    year = _guess_year(body)
    return _iso(year, month, day) if year else None


def clean_lines(lines: list[str]) -> tuple[list[str], list[str]]:
    """Drop page furniture and duplicate captions from ``lines`` (each ``clean_unicode``'s
    already); return (kept lines, dropped lines)."""
    kept: list[str] = []
    dropped: list[str] = []
    seen: set[str] = set()
    for line in lines:
        key = _key(line)
        if not line:
            continue
        if key in _TAIL_MARKERS:
            dropped.append(line)
            break
        if not key or key in _NOISE_LINES or _IMAGE_FILE.match(line) or _PHOTO_CREDIT_ONLY.match(line):
            dropped.append(line)
            continue
        stripped = _PHOTO_CREDIT.sub("", line)
        if stripped != line:
            line = stripped if stripped.endswith(tuple(_TERMINAL)) else stripped + "."
            key = _key(line)
        if key in seen:  # captions printed twice, repeated paragraphs
            dropped.append(line)
            continue
        seen.add(key)
        kept.append(line)
    # Signatures at the very end: "Trúc Linh", "Nguyễn Chiến (thực hiện)".
    while kept and (_AUTHOR_NOTE.match(kept[-1]) or (_is_person_name(kept[-1]) and not kept[-1].endswith("."))):
        dropped.append(kept.pop())
    return kept, dropped


MAX_TITLE = 300  # characters: a title is a line, not an article (a 6,000-character one broke replies)


def cap_title(title: str, limit: int = MAX_TITLE) -> str:
    """``title`` cut at a word to at most ``limit`` characters, "…" marking the cut."""
    if len(title) <= limit:
        return title
    cut = title[: limit - 1]
    cut = cut.rsplit(" ", 1)[0] if " " in cut[limit // 2 :] else cut
    return cut.rstrip(",;:-– ") + "…"


def _derive_title(paragraphs: list[str], limit: int = 90) -> str:
    """A title for an article that has none: the start of its lead, cut at a word."""
    lead = next((p for p in paragraphs if not is_heading(p)), paragraphs[0] if paragraphs else "")
    lead = re.split(r"(?<=[.!?])\s", lead, maxsplit=1)[0].rstrip(".")
    if len(lead) <= limit:
        return lead
    cut = lead[:limit].rsplit(" ", 1)[0].rstrip(",;:-– ")
    return cut + "…"


def parse_text_article(raw: str) -> Article:
    """Parse a ``.txt`` page dump: optional category label, title, dateline, body."""
    lines = [clean_unicode(line) for line in raw.splitlines()]
    lines = [line for line in lines if line]
    title: str | None = None
    date: str | None = None
    dropped: list[str] = []

    # A leading "date 2023-06 (QNO) - ..." means the page lost its title line.
    if lines and (m := _LEADING_DATE.match(lines[0])):
        year, month, day = (int(g) if g else None for g in m.groups())
        date = _iso(year, month, day) if month else str(year)
        lines[0] = lines[0][m.end() :]
    else:
        nonempty = list(islice((line for line in lines if _key(line)), 2))  # the first two are enough
        if len(nonempty) >= 2 and _key(nonempty[0]) in _CATEGORY_LABELS and _is_title_like(nonempty[1]):
            dropped.append(nonempty[0])
            lines.remove(nonempty[0])
        if lines and _is_title_like(lines[0]) and not _DATELINE.match(lines[0]):
            title = lines.pop(0)

    # A dateline or byline right under the title.
    for i, line in enumerate(lines[:3]):
        if m := _DATELINE.match(line):
            date = _iso(int(m["y"]), int(m["m"]), int(m["d"]))
            dropped.append(lines.pop(i))
            break

    if lines:
        lines[0] = _AGENCY_TAG.sub("", lines[0])
    paragraphs, noise = clean_lines(lines)
    dropped.extend(noise)
    if title is None:
        title = _derive_title(paragraphs)
    if paragraphs and (date is None or len(date) < 10):
        date = _lead_date(paragraphs[0], "\n".join(paragraphs), date)
    return Article(title=cap_title(title.strip()), paragraphs=paragraphs, date=date, dropped=dropped)


def parse_record(record: dict[str, object]) -> Article:
    """Build an Article from a JSONL record ``{"title", "text", "date"?, "url"?}``."""
    title = record.get("title")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValueError('missing or empty "text"')
    if title is not None and not isinstance(title, str):
        raise ValueError('"title" must be a string')
    date = record.get("date")
    url = record.get("url")
    paragraphs, dropped = clean_lines([clean_unicode(line) for line in text.splitlines()])
    if not paragraphs:
        raise ValueError("no text left after cleaning")
    clean_title = cap_title(clean_unicode(title)) if title else _derive_title(paragraphs)
    return Article(
        title=clean_title,
        paragraphs=paragraphs,
        date=clean_unicode(date) if isinstance(date, str) and date.strip() else None,
        url=clean_unicode(url) if isinstance(url, str) and url.strip() else None,
        dropped=dropped,
    )
