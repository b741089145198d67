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
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import OWL, PROV, SDO, SKOS

from ..errors import GraphParseError, InputError, describe_parse_error
from ..namespace import KG, MONEY_ATTRIBUTES, RES, kg_term
from ..naming import document_iri, entity_iri, hashed_iri, slugify
from ..records import Attribute, Document, Evidence, KnowledgeBase, Relation

__all__ = [
    "BUILD_ACTIVITY",
    "SOFTWARE_AGENT",
    "bind_prefixes",
    "decimal_literal",
    "load_graph",
    "to_rdf",
]

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
) -> Graph:
    """Build the RDF graph of a knowledge base.

    ``software`` names the tools recorded as agents of the build activity
    (e.g. ``{"kg": "0.1.0", "spacy-model": "fr_core_news_md 3.8.0"}``); ``started`` adds
    ``prov:startedAtTime`` (left out by default so that builds are reproducible).

    >>> from kg.records import Entity
    >>> kb = KnowledgeBase(entities={"org/ovh": Entity("org/ovh", "Organization", "OVH")})
    >>> sorted(str(o) for o in to_rdf(kb).objects(entity_iri("org/ovh"), RDFS.label))
    ['OVH']
    """
    graph = bind_prefixes(Graph())
    _add_activity(graph, software or {}, started)
    for document in kb.documents:
        _add_document(graph, document)
    for entity in kb.entities.values():
        node = entity_iri(entity.id)
        graph.add((node, RDF.type, kg_term(entity.type)))
        graph.add((node, RDFS.label, Literal(entity.label, lang="fr")))
        graph.add((node, SKOS.prefLabel, Literal(entity.label, lang="fr")))
        for alias in sorted(entity.aliases - {entity.label}):
            graph.add((node, SKOS.altLabel, Literal(alias, lang="fr")))
        for doc_id in sorted(entity.documents):
            graph.add((document_iri(doc_id), SDO.mentions, node))
    for relation in kb.relations:
        _add_relation(graph, relation)
    for attribute in kb.attributes:
        _add_attribute(graph, attribute)
    _add_events(graph, kb)
    return graph


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


def _add_activity(graph: Graph, software: dict[str, str], started: datetime | None) -> None:
    graph.add((BUILD_ACTIVITY, RDF.type, PROV.Activity))
    graph.add((BUILD_ACTIVITY, RDFS.label, Literal("kg build", lang="en")))
    if started is not None:
        graph.add((BUILD_ACTIVITY, PROV.startedAtTime, Literal(started, datatype=XSD.dateTime)))
    graph.add((BUILD_ACTIVITY, PROV.wasAssociatedWith, SOFTWARE_AGENT))
    graph.add((SOFTWARE_AGENT, RDF.type, PROV.SoftwareAgent))
    graph.add((SOFTWARE_AGENT, RDFS.label, Literal("kg", lang="en")))
    for name, version in sorted(software.items()):
        agent = SOFTWARE_AGENT if name == "kg" else RES[f"agent/{slugify(name)}"]
        if agent != SOFTWARE_AGENT:
            graph.add((BUILD_ACTIVITY, PROV.wasAssociatedWith, agent))
            graph.add((agent, RDF.type, PROV.SoftwareAgent))
            graph.add((agent, RDFS.label, Literal(name, lang="en")))
        graph.add((agent, SDO.softwareVersion, Literal(version)))


def _add_document(graph: Graph, document: Document) -> None:
    node = document_iri(document.id)
    graph.add((node, RDF.type, SDO.NewsArticle))
    graph.add((node, SDO.headline, Literal(document.title, lang="fr")))
    graph.add((node, KG.sourceFile, Literal(Path(document.path).name)))
    graph.add((node, KG.contentHash, Literal(document.content_hash)))
    if document.url:
        graph.add((node, SDO.url, Literal(document.url, datatype=XSD.anyURI)))
    if document.date:
        graph.add((node, SDO.datePublished, _date_literal(document.date)))


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _date_literal(text: str) -> Literal:
    """``xsd:date`` when the article date is ISO, else the text as found."""
    return Literal(text, datatype=XSD.date) if _ISO_DATE.match(text) else Literal(text)


def _add_statement(
    graph: Graph,
    subject: URIRef,
    predicate: URIRef,
    obj: URIRef | Literal,
    evidence: Evidence,
    modality: str = "asserted",
) -> URIRef:
    statement = hashed_iri(
        "stmt", subject, predicate, obj, evidence.doc_id, evidence.start, evidence.rule, modality
    )
    graph.add((statement, RDF.type, RDF.Statement))
    graph.add((statement, RDF.subject, subject))
    graph.add((statement, RDF.predicate, predicate))
    graph.add((statement, RDF.object, obj))
    graph.add((statement, KG.evidence, Literal(evidence.sentence, lang="fr")))
    graph.add((statement, KG.startChar, Literal(evidence.start)))
    graph.add((statement, KG.endChar, Literal(evidence.end)))
    graph.add((statement, KG.confidence, decimal_literal(round(evidence.confidence, 3))))
    graph.add((statement, KG.extractionRule, Literal(evidence.rule)))
    graph.add((statement, KG.modality, Literal(modality)))
    graph.add((statement, PROV.wasDerivedFrom, document_iri(evidence.doc_id)))
    graph.add((statement, PROV.wasGeneratedBy, BUILD_ACTIVITY))
    return statement


def _add_relation(graph: Graph, relation: Relation) -> None:
    subject, obj = entity_iri(relation.subject), entity_iri(relation.object)
    predicate = kg_term(relation.predicate)
    if relation.modality == "asserted":
        graph.add((subject, predicate, obj))
    for evidence in relation.evidence:
        _add_statement(graph, subject, predicate, obj, evidence, relation.modality)


def _attribute_value(attribute: Attribute) -> URIRef | Literal:
    value = attribute.value
    if attribute.property == "foundingYear":
        return Literal(f"{int(value.value):04d}", datatype=XSD.gYear)
    if attribute.property in MONEY_ATTRIBUTES:
        owner = entity_iri(attribute.subject)
        return hashed_iri("amount", owner, attribute.property, value.value, value.unit)
    return Literal(int(round(value.value)), datatype=XSD.integer)


def _add_attribute(graph: Graph, attribute: Attribute) -> None:
    owner = entity_iri(attribute.subject)
    value = _attribute_value(attribute)
    if isinstance(value, URIRef):
        graph.add((value, RDF.type, SDO.MonetaryAmount))
        graph.add((value, SDO.value, decimal_literal(attribute.value.value)))
        graph.add((value, SDO.currency, Literal(attribute.value.unit or "EUR")))
    graph.add((owner, kg_term(attribute.property), value))
    for evidence in attribute.evidence:
        _add_statement(graph, owner, kg_term(attribute.property), value, evidence)


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
            event.statements.add(
                hashed_iri(
                    "stmt",
                    entity_iri(relation.subject),
                    kg_term(relation.predicate),
                    entity_iri(relation.object),
                    evidence.doc_id,
                    evidence.start,
                    evidence.rule,
                    relation.modality,
                )
            )
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


def _add_events(graph: Graph, kb: KnowledgeBase) -> None:
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
        graph.add((node, RDF.type, kg_term(event.kind)))
        label = _EVENT_LABELS[event.kind].format(labels.get(event.target, event.target))
        graph.add((node, RDFS.label, Literal(label, lang="fr")))
        graph.add((node, KG.target, entity_iri(event.target)))
        for participant in sorted(event.participants):
            graph.add((node, event.role, entity_iri(participant)))
        amount = _event_amount(event, amounts)
        if amount is not None:
            graph.add((node, KG.amount, amount))
        if doc_id in dates:
            graph.add((node, KG.eventDate, _date_literal(dates[doc_id])))
        graph.add((node, PROV.wasDerivedFrom, document_iri(doc_id)))
        for statement in sorted(event.statements):
            graph.add((node, PROV.wasDerivedFrom, statement))
        graph.add((node, PROV.wasGeneratedBy, BUILD_ACTIVITY))


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
        raise GraphParseError(f"{source}: not a valid RDF graph: {describe_parse_error(error)}") from None
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
