"""Name normalisation and IRI minting: the one home for both.

Matching keys ignore case, accents, punctuation and French elisions; slugs are ASCII and stable,
so the same input always gives the same IRIs.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

from rdflib import URIRef

from .namespace import RES

_ELISION = re.compile(r"^(?:[dlDL]|[qQ]u|[jJ]usqu)['’]\s*")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def strip_accents(text: str) -> str:
    """Remove diacritics.

    >>> strip_accents("Grand-Rosière Éloïse")
    'Grand-Rosiere Eloise'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def strip_elision(text: str) -> str:
    """Drop a leading French elision.

    >>> strip_elision("d'OVH"), strip_elision("l’Odoo"), strip_elision("Daniel")
    ('OVH', 'Odoo', 'Daniel')
    """
    return _ELISION.sub("", text.strip())


# Keys are computed for every mention of every document and names repeat a lot: memoised.
@lru_cache(maxsize=1 << 16)
def match_key(name: str) -> str:
    """Key under which two surface forms are the same name (the gold matching rule).

    >>> match_key("Showroomprivé.com") == match_key("showroomprive.com")
    True
    >>> match_key("GILLES  BERTIN")
    'gilles bertin'
    """
    text = strip_accents(name).lower()
    text = re.sub(r"[^\w\s]", "", text)
    return " ".join(text.split())


def slugify(name: str, max_length: int = 60) -> str:
    """ASCII slug for IRIs; falls back to a hash for names with no letters or digits.

    >>> slugify("Showroomprivé.com")
    'showroomprive-com'
    >>> slugify("!!!")[:2]
    'x-'
    """
    text = _NON_WORD.sub("-", strip_accents(name).lower()).strip("-")
    if not text:
        return "x-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:10]
    return text[:max_length].rstrip("-")


_LEGAL_WORDS = {
    "sa", "sas", "sasu", "sarl", "group", "groupe", "holding", "inc", "ltd", "gmbh", "nv", "bv",
    "ag", "spa", "plc", "corp", "corporation", "company", "co", "se", "llc",
}  # fmt: skip


@lru_cache(maxsize=1 << 16)
def org_key(name: str) -> str:
    """Key under which organization names are one: legal words, TLDs and elisions dropped.

    >>> org_key("groupe OVH") == org_key("OVH Group") == org_key("d'OVH")
    True
    >>> org_key("Showroomprivé.com") == org_key("Showroomprive")
    True
    """
    key = match_key(re.sub(r"\.(?:com|fr|net|io|be|eu|org|co|ai|ch|ca)$", "", strip_elision(name)))
    words = [w for w in key.split() if w not in _LEGAL_WORDS]
    return " ".join(words) or key


def strip_legal_words(name: str) -> str:
    """A company name without its legal or group words, case kept.

    >>> strip_legal_words("groupe Altaris"), strip_legal_words("Varenne Group SA")
    ('Altaris', 'Varenne')
    """
    words = [w for w in strip_elision(name).split() if match_key(w) not in _LEGAL_WORDS]
    return " ".join(words)


_TYPE_SEGMENT = {"Person": "person", "Organization": "org", "Place": "place"}


@lru_cache(maxsize=1 << 16)
def entity_id(entity_type: str, name: str) -> str:
    """Stable entity id, unique across types, from a type and a name.

    >>> entity_id("Organization", "OVH Group")
    'org/ovh-group'
    """
    return f"{_TYPE_SEGMENT.get(entity_type, 'thing')}/{slugify(name)}"


@lru_cache(maxsize=1 << 16)  # every relation, attribute and statement names its entities
def entity_iri(entity_id: str) -> URIRef:
    """IRI of an entity from its id.

    >>> str(entity_iri("org/ovh"))
    'https://w3id.org/kg-news/resource/org/ovh'
    """
    return RES[entity_id]


@lru_cache(maxsize=1 << 14)  # every statement names its article
def document_iri(doc_id: str) -> URIRef:
    """IRI of a source document: a readable slug and a short hash of the id, so two ids whose
    slugs are alike ("a/b.txt", "a-b.txt") still get two IRIs.

    >>> str(document_iri("000_ovh.txt"))
    'https://w3id.org/kg-news/resource/doc/000-ovh-txt-e8baa7c0'
    >>> document_iri("a/b.txt") != document_iri("a-b.txt")
    True
    """
    digest = hashlib.sha1(doc_id.encode("utf-8")).hexdigest()[:8]
    return RES[f"doc/{slugify(doc_id, 100)}-{digest}"]


def hashed_iri(kind: str, *parts: object) -> URIRef:
    """A stable IRI for a node identified by its content (statements, amounts, events).

    >>> hashed_iri("stmt", "a", "ceoOf", "b") == hashed_iri("stmt", "a", "ceoOf", "b")
    True
    """
    digest = hashlib.sha1("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]
    return RES[f"{kind}/{digest}"]
