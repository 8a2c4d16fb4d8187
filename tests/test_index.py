"""Search over the real corpus, built through the real pipeline (pyvi included)."""

import unicodedata

import pytest

from retrieval.cleaner import parse_text_article
from retrieval.index import CorpusRows, DocInfo, SearchIndex
from retrieval.pipeline import chunk, prepare_article
from tests.conftest import DATA


def build_rows(named_articles):
    """CorpusRows straight from prepared articles (ids are positions)."""
    rows = CorpusRows()
    for name, prepared in named_articles:
        rows.docs.append(DocInfo(name, prepared.title, prepared.date, prepared.url, prepared.title_words))
        for passage in prepared.passages:
            rows.passage_ids.append(len(rows.passage_ids))
            rows.passage_doc.append(len(rows.docs) - 1)
            for sentence in passage:
                rows.sentence_ids.append(len(rows.sentence_ids))
                rows.sentence_text.append(sentence.text)
                rows.sentence_words.append(sentence.words)
                rows.sentence_passage.append(len(rows.passage_ids) - 1)
    return rows


@pytest.fixture(scope="module")
def index():
    articles = [
        (p.name, prepare_article(parse_text_article(p.read_text(encoding="utf-8")))) for p in sorted(DATA.glob("*.txt"))
    ]
    return SearchIndex(build_rows(articles))


def test_answers_with_source(index):
    result = index.search("Tư lệnh Bộ đội Biên phòng là ai?")
    assert 1 <= len(result.answers) <= 3
    top = result.answers[0]
    assert "Lê Đức Thái" in top.sentence and "Tư lệnh" in top.sentence
    assert top.doc.endswith(".txt") and top.title
    assert [a.score for a in result.answers] == sorted((a.score for a in result.answers), reverse=True)


@pytest.mark.parametrize(
    "variant",
    [
        "tu lenh bo doi bien phong la ai",
        "TƯ LỆNH BỘ ĐỘI BIÊN PHÒNG LÀ AI???",
        unicodedata.normalize("NFD", "Tư lệnh Bộ đội Biên phòng là ai?"),
        "  tư   lệnh\u200b bộ đội biên phòng là ai  ",
    ],
)
def test_typing_variants_find_the_same_answer(index, variant):
    assert "Lê Đức Thái" in index.search(variant).answers[0].sentence


def test_number_question(index):
    top = index.search("Quảng Ninh thu hút đầu tư nước ngoài năm 2023 đạt bao nhiêu?").answers[0]
    assert "3,1 tỷ USD" in top.sentence


@pytest.mark.parametrize(
    "question", ["Giá vàng hôm nay bao nhiêu?", "Ai vô địch World Cup 2022?", "", "   ", "?!", "😀"]
)
def test_abstains_when_the_corpus_has_no_answer(index, question):
    result = index.search(question)
    assert result.answers == [] and not result.answered


def test_top_k_and_no_duplicate_sentences(index):
    answers = index.search("Bộ đội Biên phòng", top_k=10).answers
    assert len(answers) == 10
    assert len({a.sentence for a in answers}) == 10


def test_chunk_is_balanced():
    assert [len(c) for c in chunk(list(range(7)), 3)] == [3, 2, 2]
    assert chunk([], 3) == []


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Tư lệnh BĐBP là ai?", "Lê Đức Thái"),  # abbreviation in the question, long form in the text
        ("Hai huyện đầu tiên đạt chuẩn nông thôn mới nâng cao?", "Đầm Hà"),  # long form asked, "NTM" in the text
    ],
)
def test_abbreviations_in_both_directions(index, question, expected):
    assert any(expected in a.sentence for a in index.search(question).answers)
