"""Long documents read chapter by chapter: the rules' cost stays linear in a document's length.

Some of the extractor's steps compare every mention with every other one (salience, repeated
names, overlaps), which is fine over an article but quadratic over a 3 MB report. A document
longer than :data:`CHAPTER_CHARS` is therefore read in chapters of at most about that size; each
is extracted on its own and the results, with offsets moved back to the document's, make one
:class:`~kg.records.Extraction` of the whole document. Coreference does not cross a chapter
boundary (a news article is far shorter than a chapter).

:func:`extract_chapters` reads the chapters :func:`kg.nlp.parse_chapters` parses, dropping each
chapter's Doc once read, so the memory of a long document is that of one chapter and of its
records; :func:`by_chapters` cuts a Doc already parsed whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace

from spacy.tokens import Doc

from ..nlp import CHAPTER_CHARS, Chapter
from ..records import AttributeFact, Document, Evidence, Extraction, Fact, Mention

__all__ = ["CHAPTER_CHARS", "by_chapters", "chapters", "extract_chapters", "shifted"]


def chapters(doc: Doc, size: int = CHAPTER_CHARS) -> list[tuple[int, Doc]]:
    """``doc`` cut at sentence starts into consecutive Docs of about ``size`` characters, each
    with the offset of its first character in ``doc``; their texts make ``doc.text``.

    >>> from spacy.vocab import Vocab
    >>> doc = Doc(Vocab(), words=["Un", ".", "Deux", "."], spaces=[False, True, False, False],
    ...           sent_starts=[True, False, True, False])
    >>> [(offset, part.text) for offset, part in chapters(doc, size=3)]
    [(0, 'Un. '), (4, 'Deux.')]
    """
    cuts = [0]
    for sentence in doc.sents:
        if sentence.start > cuts[-1] and sentence.start_char - doc[cuts[-1]].idx >= size:
            cuts.append(sentence.start)
    cuts.append(len(doc))
    return [(doc[a].idx, doc[a:b].as_doc()) for a, b in zip(cuts, cuts[1:], strict=False) if b > a]


def shifted(extraction: Extraction, offset: int) -> Extraction:
    """The same extraction with every character offset moved by ``offset``."""

    def mention(m: Mention) -> Mention:
        return replace(m, start=m.start + offset, end=m.end + offset)

    def evidence(e: Evidence) -> Evidence:
        return replace(e, start=e.start + offset, end=e.end + offset)

    def fact(f: Fact) -> Fact:
        return replace(
            f, subject=mention(f.subject), object=mention(f.object), evidence=evidence(f.evidence)
        )

    def attribute(a: AttributeFact) -> AttributeFact:
        return replace(a, subject=mention(a.subject), evidence=evidence(a.evidence))

    return Extraction(
        document=extraction.document,
        mentions=[mention(m) for m in extraction.mentions],
        facts=[fact(f) for f in extraction.facts],
        attributes=[attribute(a) for a in extraction.attributes],
        aliases=list(extraction.aliases),
    )


def by_chapters(
    extract: Callable[[Document, Doc], Extraction],
    document: Document,
    doc: Doc,
    size: int = CHAPTER_CHARS,
) -> Extraction:
    """One extraction of ``document`` made of ``extract`` run over each chapter of ``doc``."""
    whole = _Whole(document)
    for offset, chapter in chapters(doc, size):
        whole.add(extract, chapter, offset)
    return whole.extraction


def extract_chapters(
    extract: Callable[[Document, Doc], Extraction], parsed: Iterable[Chapter]
) -> Iterator[Extraction]:
    """One extraction per document of ``parsed`` (:func:`kg.nlp.parse_chapters`): a document
    in one chapter is ``extract`` ed whole, a longer one chapter by chapter, each chapter's Doc
    dropped once read."""
    whole: _Whole | None = None
    for chapter in parsed:
        if whole is None and chapter.last:
            yield extract(chapter.document, chapter.doc)
            continue
        whole = whole or _Whole(chapter.document)
        whole.add(extract, chapter.doc, chapter.start)
        if chapter.last:
            yield whole.extraction
            whole = None


class _Whole:
    """The extraction of a document, made of its chapters' in turn."""

    def __init__(self, document: Document) -> None:
        self.extraction = Extraction(document=document)
        self.aliases: set[tuple[str, str]] = set()

    def add(self, extract: Callable[[Document, Doc], Extraction], doc: Doc, offset: int) -> None:
        """Extract the chapter ``doc``, which starts at ``offset`` in the document."""
        whole = self.extraction
        part = shifted(extract(replace(whole.document, text=doc.text), doc), offset)
        whole.mentions += part.mentions
        whole.facts += part.facts
        whole.attributes += part.attributes
        for pair in part.aliases:
            if pair not in self.aliases:
                self.aliases.add(pair)
                whole.aliases.append(pair)
