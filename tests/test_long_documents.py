"""Long documents (issue 16): parsed in sections, extracted in chapters, offsets document-wide.

The benchmark of memory and time against length is ``bench/long_document.py``, not a test.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kg.config import Config
from kg.extract import Extractor
from kg.extract.chapters import chapters, extract_chapters
from kg.nlp import parse, parse_chapters, split_sections
from kg.pipeline import build
from kg.records import Document

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from long_document import long_article  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def article() -> str:
    return long_article(60_000)


def test_sections_make_the_text_and_end_after_a_paragraph_or_sentence(article: str) -> None:
    sections = split_sections(article, size=5_000)
    assert "".join(sections) == article
    assert len(sections) >= 12
    assert all(len(s) <= 5_000 + 10 for s in sections)
    for section in sections[:-1]:
        assert section[-1].isspace()
        assert section.rstrip()[-1] in '.!?…»"”)' or "\n\n" in section[-3:]


def test_a_hard_cut_when_there_is_no_space() -> None:
    assert split_sections("x" * 25, size=10) == ["x" * 10, "x" * 10, "x" * 5]


def test_sectioned_doc_keeps_document_offsets(nlp, article: str) -> None:
    document = Document(id="long", path="long.txt", title="", text=article)
    [(_, doc)] = list(parse(nlp, [document], section_chars=5_000))
    whole = nlp(article)
    assert doc.text == article
    assert [t.idx for t in doc] == [t.idx for t in whole]
    sections = {s.start_char for s in doc.sents}
    assert sections >= {len("".join(split_sections(article, 5_000)[:i])) for i in range(1, 5)}
    for ent in doc.ents:  # each entity's offsets point at its text in the document
        assert article[ent.start_char : ent.end_char] == ent.text
    assert len(doc.ents) >= 0.95 * len(whole.ents)


def test_chapters_make_the_doc(nlp, article: str) -> None:
    doc = nlp(article)
    parts = chapters(doc, size=10_000)
    assert len(parts) >= 5
    assert "".join(part.text for _, part in parts) == article
    assert all(article[o : o + len(part.text)] == part.text for o, part in parts)


def test_long_document_parsed_in_chapters_of_joined_sections(nlp, article: str) -> None:
    """No Doc of the whole text: chapters of whole sections, at most ``chapter_chars`` long."""
    document = Document(id="long", path="long.txt", title="", text=article)
    parts = list(parse_chapters(nlp, [document], section_chars=5_000, chapter_chars=12_000))
    assert len(parts) >= 5 and [p.last for p in parts] == [False] * (len(parts) - 1) + [True]
    assert "".join(p.doc.text for p in parts) == article
    cuts = {len("".join(split_sections(article, 5_000)[:i])) for i in range(13)}
    for part in parts:
        assert part.document is document and part.start in cuts
        assert article[part.start : part.start + len(part.doc.text)] == part.doc.text
        assert len(part.doc.text) <= 12_000
        for ent in part.doc.ents:
            assert article[part.start + ent.start_char : part.start + ent.end_char] == ent.text


def test_a_short_document_is_one_chapter_its_whole_doc(nlp) -> None:
    text = "Marie Dupont est la directrice générale de Cybercom, basée à Rennes.\n\nElle recrute."
    documents = [Document(id=str(i), path=f"{i}.txt", title="", text=text) for i in range(3)]
    parts = list(parse_chapters(nlp, documents))
    whole = [doc for _, doc in parse(nlp, documents)]
    assert [(p.document, p.start, p.last) for p in parts] == [(d, 0, True) for d in documents]
    for part, doc in zip(parts, whole, strict=True):
        assert part.doc.to_bytes() == doc.to_bytes()


def test_long_document_extracted_by_chapters_at_document_offsets(nlp, article: str) -> None:
    document = Document(id="long", path="long.txt", title="", text=article)
    extractor = Extractor.from_config(Config.default(), nlp)
    parsed = parse_chapters(nlp, [document], section_chars=5_000, chapter_chars=12_000)
    [extraction] = list(extract_chapters(extractor, parsed))
    assert extraction.document is document
    evidence = [f.evidence for f in extraction.facts] + [a.evidence for a in extraction.attributes]
    assert len(extraction.facts) > 20 and max(e.end for e in evidence) > 48_000
    for e in evidence:
        assert article[e.start : e.end] == e.sentence
    for mention in extraction.mentions:
        assert 0 <= mention.start < mention.end <= len(article)
    assert len(set(extraction.aliases)) == len(extraction.aliases)


def test_text_over_nlp_max_length_builds(nlp, tmp_path: Path) -> None:
    """A text over spaCy's ``nlp.max_length`` (E088) builds, with facts at document offsets."""
    text = long_article(nlp.max_length + 50_000)
    source = tmp_path / "rapport.txt"
    source.write_text(text, encoding="utf-8")
    result = build([source], tmp_path / "out", Config(validate=False), log=lambda _: None)
    assert result.skipped == [] and (tmp_path / "out" / "graph.ttl").exists()
    [document] = result.kb.documents
    facts = [e for r in result.kb.relations for e in r.evidence]
    assert len(facts) > 100
    assert max(e.end for e in facts) > nlp.max_length  # facts read past the first million
    for evidence in facts:
        assert document.text[evidence.start : evidence.end] == evidence.sentence
