"""Long documents read chapter by chapter: the rules' cost stays linear in a document's length.

Some of the extractor's steps compare every mention with every other one (salience, repeated
names, overlaps), which is fine over an article but quadratic over a 3 MB report. A document
longer than :data:`CHAPTER_CHARS` is therefore cut at sentence starts into chapters of about that
size; each is extracted on its own and the results, with offsets moved back to the document's,
make one :class:`~kg.records.Extraction` of the whole document. Coreference does not cross a
chapter boundary (a news article is far shorter than a chapter).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from spacy.tokens import Doc

from ..records import AttributeFact, Document, Evidence, Extraction, Fact, Mention

CHAPTER_CHARS = 50_000

__all__ = ["CHAPTER_CHARS", "by_chapters", "chapters", "shifted"]


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
    whole = Extraction(document=document)
    for offset, chapter in chapters(doc, size):
        part = shifted(extract(replace(document, text=chapter.text), chapter), offset)
        whole.mentions += part.mentions
        whole.facts += part.facts
        whole.attributes += part.attributes
        whole.aliases += [pair for pair in part.aliases if pair not in whole.aliases]
    return whole
