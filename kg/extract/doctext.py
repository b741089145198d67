"""The text of a parsed document, built once: ``Doc.text`` joins every token on each access."""

from __future__ import annotations

from weakref import WeakKeyDictionary

from spacy.tokens import Doc

__all__ = ["doc_text"]

# Held weakly: an entry goes with its document.
_TEXTS: WeakKeyDictionary[Doc, str] = WeakKeyDictionary()


def doc_text(doc: Doc) -> str:
    """``doc.text``, joined once per document (a document's text never changes).

    >>> from spacy.lang.fr import French
    >>> doc = French()("Anne Roy dirige Lumio.")
    >>> doc_text(doc) == doc.text and doc_text(doc) is doc_text(doc)
    True
    """
    text = _TEXTS.get(doc)
    if text is None:
        text = _TEXTS[doc] = doc.text
    return text
