"""Long documents (issue 16): parsed in sections, extracted in chapters, offsets document-wide.

The benchmark of memory and time against length is ``bench/long_document.py``, not a test.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kg.config import Config
from kg.extract.chapters import chapters
from kg.nlp import parse, split_sections
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
