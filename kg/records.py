"""Records that flow between the pipeline stages.

``ingest`` makes :class:`Document`; ``extract`` makes :class:`Mention`, :class:`Fact`
and :class:`AttributeFact` (each with its :class:`Evidence`); ``resolve`` merges them into
:class:`Entity`, :class:`Relation` and :class:`Attribute` inside one :class:`KnowledgeBase`,
which ``graph`` turns into RDF and NetworkX.
"""

from __future__ import annotations

import builtins
import hashlib
from dataclasses import dataclass, field
from typing import Literal

EntityType = Literal["Person", "Organization", "Place"]
ENTITY_TYPES: tuple[EntityType, ...] = ("Person", "Organization", "Place")

Modality = Literal["asserted", "negated", "planned"]


@dataclass(frozen=True)
class Document:
    """One news article as read from disk.

    >>> Document(id="a1", path="a1.txt", title="Titre", text="Texte.").content_hash[:8]
    '0cf6c28c'
    """

    id: str
    path: str
    title: str
    text: str
    url: str | None = None
    date: str | None = None
    furniture: int = 0  # lines of page furniture (menus, credits, share bars...) dropped on reading

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Evidence:
    """Where a fact was read: the sentence, its character offsets in the document, how sure we are."""

    doc_id: str
    sentence: str
    start: int
    end: int
    confidence: float
    rule: str


@dataclass(frozen=True)
class Mention:
    """A typed span of a document that names (or, via coreference, refers to) an entity.

    ``text`` is the name as it will be labelled; ``start``/``end`` are character offsets of the
    span actually read (a pronoun or description when ``via`` says so).
    """

    text: str
    type: EntityType
    doc_id: str
    start: int
    end: int
    via: str = "name"


@dataclass(frozen=True)
class Quantity:
    """A normalised number: 250 M€ is ``Quantity(250_000_000, "EUR")``."""

    value: float
    unit: str | None = None


@dataclass(frozen=True)
class Fact:
    """A relation read in one sentence, before entity resolution."""

    subject: Mention
    predicate: str
    object: Mention
    evidence: Evidence
    modality: Modality = "asserted"


@dataclass(frozen=True)
class AttributeFact:
    """A numeric attribute (revenue, employees, …) read in one sentence."""

    subject: Mention
    property: str
    value: Quantity
    evidence: Evidence


@dataclass
class Extraction:
    """Everything ``extract`` found in one document."""

    document: Document
    mentions: list[Mention] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    attributes: list[AttributeFact] = field(default_factory=list)
    # (alias, full name) pairs the extractor learnt: initials, acronyms, first names.
    aliases: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Entity:
    """One real-world thing after resolution; ``id`` (``"org/ovh"``) is stable and mints its IRI."""

    id: str
    type: EntityType
    label: str
    aliases: set[str] = field(default_factory=set)
    documents: set[str] = field(default_factory=set)
    mention_count: int = 0


@dataclass
class Relation:
    """A resolved relation between two entity ids, with one evidence per source sentence."""

    subject: str
    predicate: str
    object: str
    evidence: list[Evidence] = field(default_factory=list)
    modality: Modality = "asserted"

    @property
    def confidence(self) -> float:
        return max((e.confidence for e in self.evidence), default=0.0)


@dataclass
class Attribute:
    """A resolved attribute of an entity id."""

    subject: str
    property: str
    value: Quantity
    evidence: list[Evidence] = field(default_factory=list)

    @builtins.property  # the field "property" shadows the builtin inside this class
    def confidence(self) -> float:
        return max((e.confidence for e in self.evidence), default=0.0)


@dataclass
class KnowledgeBase:
    """The resolved graph, independent of any serialisation."""

    documents: list[Document] = field(default_factory=list)
    entities: dict[str, Entity] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    attributes: list[Attribute] = field(default_factory=list)
