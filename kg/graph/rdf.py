"""The knowledge base as RDF, typed by ``ontology/kg.ttl``.

Shape of the output (the contract with ``kg eval`` and every reader):

* each entity is ``<res/{person|org|place}/{slug}> a kg:Person|kg:Organization|kg:Place`` with
  ``rdfs:label`` and ``skos:prefLabel`` (``@fr``) and one ``skos:altLabel`` per alias; each
  article that names it says so with ``schema:mentions``;
* each asserted relation is a direct triple ``subject kg:ceoOf object``, and is also described by
  one ``rdf:Statement`` per source sentence carrying ``kg:evidence``, ``kg:startChar``,
  ``kg:endChar``, ``kg:confidence`` (``xsd:decimal``), ``kg:extractionRule``, ``kg:modality``,
  ``prov:wasDerivedFrom`` (the article) and ``prov:wasGeneratedBy`` (the build activity);
  negated or planned facts exist only as statements;
* attributes are direct triples described the same way: money points to a
  ``schema:MonetaryAmount`` (``schema:value``, ``schema:currency``), ``kg:employees`` is an
  ``xsd:integer``, ``kg:foundingYear`` an ``xsd:gYear``;
* funding rounds and acquisitions are also n-ary ``kg:FundingRound`` / ``kg:Acquisition`` nodes
  (one per source sentence) with ``kg:investor`` / ``kg:acquirer``, ``kg:target``, ``kg:amount``
  when the same sentence states it, ``kg:eventDate`` (the article date) and
  ``prov:wasDerivedFrom`` the article and the statements;
* each article is a ``schema:NewsArticle`` with headline, file, URL/date when known and content
  hash;
* the build is one ``prov:Activity`` ``prov:wasAssociatedWith`` one ``prov:SoftwareAgent`` per
  tool (kg, the spaCy model) with its version.

Every node IRI is minted from content, and no timestamp is written unless asked for, so the same
input always gives the same graph.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from ..errors import GraphParseError, InputError, describe_parse_error
from ..namespace import (
    KG,
    MONEY_ATTRIBUTES,
    OWL,
    PROV,
    RDF,
    RDFS,
    RES,
    SDO,
    SKOS,
    XSD,
    kg_term,
)
from ..naming import document_iri, entity_iri, hashed_iri, slugify
from ..records import Attribute, Document, Entity, Evidence, KnowledgeBase, Relation
from .turtle import ntriples_line, ntriples_string, ntriples_term

__all__ = [
    "BUILD_ACTIVITY",
    "PREFIXES",
    "SOFTWARE_AGENT",
    "bind_prefixes",
    "decimal_literal",
    "load_graph",
    "Triple",
    "article_ntriples",
    "article_triples",
    "build_triples",
    "entity_triples",
    "to_rdf",
    "triples",
]

Triple = tuple[Node, Node, Node]

BUILD_ACTIVITY = RES["activity/build"]
SOFTWARE_AGENT = RES["agent/kg"]

_PREFIXES = {
    "kg": str(KG._NS),
    "res": str(RES),
    "schema": str(SDO),
    "skos": str(SKOS),
    "prov": str(PROV),
    "owl": str(OWL),
}


# Every prefix of kg's Turtle output, with the W3C ones rdflib binds by itself. Resources get
# one prefix per kind ("organization:ovh"): under "res:" their local names would need a
# backslash before the slash ("res:org\\/ovh").
_RESOURCE_KINDS = {
    "activity": "activity", "agent": "agent", "amount": "amount", "article": "doc",
    "event": "event", "organization": "org", "person": "person", "place": "place",
    "statement": "stmt",
}  # fmt: skip
PREFIXES = {
    **{p: n for p, n in _PREFIXES.items() if p != "res"},
    **{prefix: f"{RES}{kind}/" for prefix, kind in _RESOURCE_KINDS.items()},
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
}


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the prefixes kg writes with, so Turtle output is readable."""
    for prefix, namespace in _PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def to_rdf(
    kb: KnowledgeBase,
    *,
    software: dict[str, str] | None = None,
    started: datetime | None = None,
    store: str = "default",
) -> Graph:
    """Build the RDF graph of a knowledge base (in an rdflib ``store`` plugin).

    ``software`` names the tools recorded as agents of the build activity
    (e.g. ``{"kg": "0.1.0", "spacy-model": "fr_core_news_md 3.8.0"}``); ``started`` adds
    ``prov:startedAtTime`` (left out by default so that builds are reproducible).

    >>> from kg.records import Entity
    >>> kb = KnowledgeBase(entities={"org/ovh": Entity("org/ovh", "Organization", "OVH")})
    >>> sorted(str(o) for o in to_rdf(kb).objects(entity_iri("org/ovh"), RDFS.label))
    ['OVH']
    """
    graph = bind_prefixes(Graph(store=store))
    graph.addN((s, p, o, graph) for s, p, o in triples(kb, software=software, started=started))
    return graph


def triples(
    kb: KnowledgeBase,
    *,
    software: dict[str, str] | None = None,
    started: datetime | None = None,
) -> Iterator[Triple]:
    """The triples of :func:`to_rdf`, without an rdflib graph to hold them: the build activity,
    then :func:`entity_triples`, then :func:`article_triples`."""
    yield from build_triples(software or {}, started)
    yield from entity_triples(kb.entities.values())
    yield from article_triples(kb)


def entity_triples(entities: Iterable[Entity]) -> Iterator[Triple]:
    """What the graph says of each entity itself: its class, label and aliases."""
    for entity in entities:
        node = entity_iri(entity.id)
        label = Literal(entity.label, lang="fr")
        yield (node, RDF.type, kg_term(entity.type))
        yield (node, RDFS.label, label)
        yield (node, SKOS.prefLabel, label)
        for alias in sorted(entity.aliases - {entity.label}):
            yield (node, SKOS.altLabel, Literal(alias, lang="fr"))


def article_triples(kb: KnowledgeBase) -> Iterator[Triple]:
    """Everything read from the articles of ``kb``: the articles, which entities each names,
    relations and attributes with their statements, and events.

    The article triples of a knowledge base are the union of those of its one-document
    fragments (see :func:`kg.resolve.merge`), which lets a build write and cache them per article.
    """
    for part in _article_parts(kb):
        if isinstance(part, Reified):
            yield from _statement_triples(part)
        else:
            yield part


def article_ntriples(kb: KnowledgeBase) -> Iterator[str]:
    """The :func:`article_triples` of ``kb`` as N-Triples lines (see
    :func:`~kg.graph.turtle.ntriples_line`), in the same order.

    >>> from kg.records import Document
    >>> next(article_ntriples(KnowledgeBase([Document("a.txt", "a.txt", "A", "Texte.")])))[:42]
    '<https://w3id.org/kg-news/resource/doc/a-t'
    """
    for part in _article_parts(kb):
        if isinstance(part, Reified):
            yield from _statement_lines(part)
        else:
            yield ntriples_line(part)


def _article_parts(kb: KnowledgeBase) -> Iterator[Triple | Reified]:
    """The triples of :func:`article_triples`, each statement as the :class:`Reified` it
    describes."""
    for document in kb.documents:
        yield from _document_triples(document)
    for entity in kb.entities.values():
        node = entity_iri(entity.id)
        for doc_id in sorted(entity.documents):
            yield (document_iri(doc_id), SDO.mentions, node)
    for relation in kb.relations:
        yield from _relation_triples(relation)
    for attribute in kb.attributes:
        yield from _attribute_triples(attribute)
    yield from _event_triples(kb)


# rdflib spends ~20 µs building a Literal; offsets, confidences, rule names and amounts repeat
# across statements, and Literals are immutable, so those are built once.
@lru_cache(maxsize=1 << 14)
def _literal(value: str | int) -> Literal:
    return Literal(value)


@lru_cache(maxsize=1 << 14)
def decimal_literal(value: float | Decimal) -> Literal:
    """An ``xsd:decimal`` literal in canonical form: plain notation (never ``2.5E+8``, which is not
    a decimal) with at least one fractional digit, so it reads back identical from Turtle.

    >>> str(decimal_literal(250_000_000.0)), str(decimal_literal(0.85))
    ('250000000.0', '0.85')
    """
    number = Decimal(str(value))
    if number == number.to_integral_value():
        text = f"{number.quantize(Decimal(1))}.0"
    else:
        text = format(number.normalize(), "f")
    return Literal(text, datatype=XSD.decimal)


def build_triples(software: dict[str, str], started: datetime | None = None) -> Iterator[Triple]:
    """The build activity and the software agents that ran it."""
    yield (BUILD_ACTIVITY, RDF.type, PROV.Activity)
    yield (BUILD_ACTIVITY, RDFS.label, Literal("kg build", lang="en"))
    if started is not None:
        yield (BUILD_ACTIVITY, PROV.startedAtTime, Literal(started, datatype=XSD.dateTime))
    yield (BUILD_ACTIVITY, PROV.wasAssociatedWith, SOFTWARE_AGENT)
    yield (SOFTWARE_AGENT, RDF.type, PROV.SoftwareAgent)
    yield (SOFTWARE_AGENT, RDFS.label, Literal("kg", lang="en"))
    for name, version in sorted(software.items()):
        agent = SOFTWARE_AGENT if name == "kg" else RES[f"agent/{slugify(name)}"]
        if agent != SOFTWARE_AGENT:
            yield (BUILD_ACTIVITY, PROV.wasAssociatedWith, agent)
            yield (agent, RDF.type, PROV.SoftwareAgent)
            yield (agent, RDFS.label, Literal(name, lang="en"))
        yield (agent, SDO.softwareVersion, Literal(version))


def _document_triples(document: Document) -> Iterator[Triple]:
    node = document_iri(document.id)
    yield (node, RDF.type, SDO.NewsArticle)
    yield (node, SDO.headline, Literal(document.title, lang="fr"))
    yield (node, KG.sourceFile, Literal(Path(document.path).name))
    yield (node, KG.contentHash, Literal(document.content_hash))
    if document.url:
        yield (node, SDO.url, Literal(document.url, datatype=XSD.anyURI))
    if document.date:
        yield (node, SDO.datePublished, _date_literal(document.date))


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _date_literal(text: str) -> Literal:
    """``xsd:date`` when the article date is ISO, else the text as found."""
    return Literal(text, datatype=XSD.date) if _ISO_DATE.match(text) else Literal(text)


class Reified(NamedTuple):
    """A triple as one sentence states it, described by an ``rdf:Statement``."""

    subject: URIRef
    predicate: URIRef
    obj: URIRef | Literal
    evidence: Evidence
    modality: str = "asserted"


def _statement_iri(statement: Reified) -> URIRef:
    subject, predicate, obj, evidence, modality = statement
    return hashed_iri(
        "stmt", subject, predicate, obj, evidence.doc_id, evidence.start, evidence.rule, modality
    )


def _statement_triples(statement: Reified) -> Iterator[Triple]:
    node = _statement_iri(statement)
    evidence = statement.evidence
    yield (node, RDF.type, RDF.Statement)
    yield (node, RDF.subject, statement.subject)
    yield (node, RDF.predicate, statement.predicate)
    yield (node, RDF.object, statement.obj)
    yield (node, KG.evidence, Literal(evidence.sentence, lang="fr"))
    yield (node, KG.startChar, _literal(evidence.start))
    yield (node, KG.endChar, _literal(evidence.end))
    yield (node, KG.confidence, decimal_literal(round(evidence.confidence, 3)))
    yield (node, KG.extractionRule, _literal(evidence.rule))
    yield (node, KG.modality, _literal(statement.modality))
    yield (node, PROV.wasDerivedFrom, document_iri(evidence.doc_id))
    yield (node, PROV.wasGeneratedBy, BUILD_ACTIVITY)


def _statement_lines(statement: Reified) -> list[str]:
    """The N-Triples lines of :func:`_statement_triples` (the two must say the same: tests
    compare them), written as text. Statements are nine in ten of an article's triples, and
    making then formatting their rdflib terms took twice as long as this."""
    node = f"<{_statement_iri(statement)}>"
    evidence = statement.evidence
    integer = f"^^<{XSD.integer}>"
    objects = (
        (RDF.type, f"<{RDF.Statement}>"),
        (RDF.subject, f"<{statement.subject}>"),
        (RDF.predicate, f"<{statement.predicate}>"),
        (RDF.object, ntriples_term(statement.obj)),
        (KG.evidence, f"{ntriples_string(evidence.sentence)}@fr"),
        (KG.startChar, f'"{evidence.start}"{integer}'),
        (KG.endChar, f'"{evidence.end}"{integer}'),
        (KG.confidence, ntriples_term(decimal_literal(round(evidence.confidence, 3)))),
        (KG.extractionRule, ntriples_string(evidence.rule)),
        (KG.modality, ntriples_string(statement.modality)),
        (PROV.wasDerivedFrom, f"<{document_iri(evidence.doc_id)}>"),
        (PROV.wasGeneratedBy, f"<{BUILD_ACTIVITY}>"),
    )
    return [f"{node} <{predicate}> {obj} .\n" for predicate, obj in objects]


def _relation_triples(relation: Relation) -> Iterator[Triple | Reified]:
    subject, obj = entity_iri(relation.subject), entity_iri(relation.object)
    predicate = kg_term(relation.predicate)
    if relation.modality == "asserted":
        yield (subject, predicate, obj)
    for evidence in relation.evidence:
        yield Reified(subject, predicate, obj, evidence, relation.modality)


def _attribute_value(attribute: Attribute) -> URIRef | Literal:
    value = attribute.value
    if attribute.property == "foundingYear":
        return Literal(f"{int(value.value):04d}", datatype=XSD.gYear)
    if attribute.property in MONEY_ATTRIBUTES:
        owner = entity_iri(attribute.subject)
        return hashed_iri("amount", owner, attribute.property, value.value, value.unit)
    return Literal(int(round(value.value)), datatype=XSD.integer)


def _attribute_triples(attribute: Attribute) -> Iterator[Triple | Reified]:
    owner = entity_iri(attribute.subject)
    value = _attribute_value(attribute)
    if isinstance(value, URIRef):
        yield (value, RDF.type, SDO.MonetaryAmount)
        yield (value, SDO.value, decimal_literal(attribute.value.value))
        yield (value, SDO.currency, _literal(attribute.value.unit or "EUR"))
    yield (owner, kg_term(attribute.property), value)
    for evidence in attribute.evidence:
        yield Reified(owner, kg_term(attribute.property), value, evidence)


# --- events ----------------------------------------------------------------------------

# Where the amount of an event is read: (role, attribute) pairs tried in order, role being whose
# attribute it is. The attribute must come from the very sentence that reports the event.
_EVENT_AMOUNTS: dict[str, tuple[tuple[str, str], ...]] = {
    "FundingRound": (("target", "fundsRaised"), ("participant", "investment")),
    "Acquisition": (("participant", "investment"),),
}
# predicate -> (event class, property linking the event to the relation's subject)
_EVENT_RELATIONS: dict[str, tuple[str, URIRef]] = {
    "investedIn": ("FundingRound", KG.investor),
    "acquired": ("Acquisition", KG.acquirer),
}
_EVENT_LABELS = {"FundingRound": "Levée de fonds de {}", "Acquisition": "Rachat de {}"}


@dataclass
class _Event:
    """The relations of one kind that one sentence reports about one target."""

    kind: str
    role: URIRef
    target: str
    evidence: Evidence
    participants: set[str]
    statements: set[URIRef]


def _sentence_key(evidence: Evidence) -> tuple[str, int]:
    return (evidence.doc_id, evidence.start)


def _collect_events(relations: Iterable[Relation]) -> list[_Event]:
    events: dict[tuple[str, str, str, int], _Event] = {}
    for relation in relations:
        if relation.modality != "asserted" or relation.predicate not in _EVENT_RELATIONS:
            continue
        kind, role = _EVENT_RELATIONS[relation.predicate]
        for evidence in relation.evidence:
            key = (kind, relation.object, *_sentence_key(evidence))
            event = events.setdefault(
                key, _Event(kind, role, relation.object, evidence, set(), set())
            )
            event.participants.add(relation.subject)
            subject, obj = entity_iri(relation.subject), entity_iri(relation.object)
            reified = Reified(
                subject, kg_term(relation.predicate), obj, evidence, relation.modality
            )
            event.statements.add(_statement_iri(reified))
    return [events[key] for key in sorted(events)]


def _event_amount(
    event: _Event, amounts: dict[tuple[str, str, str, int], URIRef | Literal]
) -> URIRef | Literal | None:
    sentence = _sentence_key(event.evidence)
    for role, prop in _EVENT_AMOUNTS[event.kind]:
        owners = [event.target] if role == "target" else sorted(event.participants)
        for owner in owners:
            found = amounts.get((owner, prop, *sentence))
            if found is not None:
                return found
    return None


def _event_triples(kb: KnowledgeBase) -> Iterator[Triple]:
    """One n-ary node per funding round / acquisition sentence, beside the direct triples."""
    amounts: dict[tuple[str, str, str, int], URIRef | Literal] = {}
    for attribute in kb.attributes:
        if attribute.property in MONEY_ATTRIBUTES:
            for evidence in attribute.evidence:
                key = (attribute.subject, attribute.property, *_sentence_key(evidence))
                amounts.setdefault(key, _attribute_value(attribute))
    dates = {d.id: d.date for d in kb.documents if d.date}
    labels = {e.id: e.label for e in kb.entities.values()}
    for event in _collect_events(kb.relations):
        doc_id, start = _sentence_key(event.evidence)
        node = hashed_iri("event", event.kind, event.target, doc_id, start)
        yield (node, RDF.type, kg_term(event.kind))
        label = _EVENT_LABELS[event.kind].format(labels.get(event.target, event.target))
        yield (node, RDFS.label, Literal(label, lang="fr"))
        yield (node, KG.target, entity_iri(event.target))
        for participant in sorted(event.participants):
            yield (node, event.role, entity_iri(participant))
        amount = _event_amount(event, amounts)
        if amount is not None:
            yield (node, KG.amount, amount)
        if doc_id in dates:
            yield (node, KG.eventDate, _date_literal(dates[doc_id]))
        yield (node, PROV.wasDerivedFrom, document_iri(doc_id))
        for statement in sorted(event.statements):
            yield (node, PROV.wasDerivedFrom, statement)
        yield (node, PROV.wasGeneratedBy, BUILD_ACTIVITY)


# --- reading ---------------------------------------------------------------------------


def load_graph(path: str | Path, format: str | None = None) -> Graph:
    """Parse an RDF file, turning any parse failure into a one-line :class:`GraphParseError`.

    Quad formats (TriG, N-Quads) are read into one graph: the union of their named graphs.
    """
    source = Path(path)
    if not source.is_file():
        raise InputError(f"{source}: no such graph file")
    fmt = format or guess_format(source)
    try:
        if fmt in {"trig", "nquads"}:
            from rdflib import Dataset

            dataset = Dataset()
            dataset.parse(source, format=fmt)
            graph = bind_prefixes(Graph())
            for quad_graph in dataset.graphs():
                for triple in quad_graph:
                    graph.add(triple)
            return graph
        graph = bind_prefixes(Graph())
        graph.parse(source, format=fmt)
    except Exception as error:  # rdflib raises many unrelated types for bad syntax
        raise GraphParseError(
            f"{source}: not a valid RDF graph: {describe_parse_error(error)}"
        ) from None
    return graph


_FORMATS = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".nq": "nquads",
    ".trig": "trig",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".xml": "xml",
    ".owl": "xml",
}


def guess_format(path: str | Path) -> str:
    """rdflib format name from a file suffix (Turtle when unknown).

    >>> guess_format("out/graph.trig")
    'trig'
    """
    return _FORMATS.get(Path(path).suffix.lower(), "turtle")
