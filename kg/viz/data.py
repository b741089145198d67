"""What the graph view shows, read from an RDF graph: :func:`view_data` is pure and JSON-ready.

The page (``html.py``) only renders this dictionary, so everything the user can see — labels,
French relation names, formatted amounts, evidence sentences and their articles — is decided
and tested here. Output is sorted throughout so the same graph always gives the same page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from ..namespace import (
    ATTRIBUTES,
    FOAF,
    KG,
    MONEY_ATTRIBUTES,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    RELATIONS,
    SDO,
    SKOS,
    SYMMETRIC_RELATIONS,
    XSD,
    ontology_files,
)
from .format import format_count, format_decimal, format_money
from .index import TripleIndex

__all__ = ["TYPE_STYLES", "TypeStyle", "ontology_graph", "view_data"]


# What the view reads: any rdflib graph, or a build's own triples (see TripleIndex).
Triples = Graph | TripleIndex


@dataclass(frozen=True)
class TypeStyle:
    """How one entity type is drawn: colour and vis-network shape (one whose label sits outside,
    so that the node's size can follow its degree)."""

    label: str
    color: str
    shape: str


# Registry of entity types in legend order; "Other" catches resources typed with nothing we know.
TYPE_STYLES: dict[str, TypeStyle] = {
    "Person": TypeStyle("Personne", "#d1495b", "dot"),
    "Organization": TypeStyle("Organisation", "#00798c", "square"),
    "Place": TypeStyle("Lieu", "#66a182", "triangle"),
    "Other": TypeStyle("Autre", "#8d8d8d", "diamond"),
}

# Classes that make a resource an entity of the view, including common vocabularies so that
# graphs not written by kg render too.
TYPE_CLASSES: dict[URIRef, str] = {
    KG.Person: "Person",
    SDO.Person: "Person",
    FOAF.Person: "Person",
    KG.Organization: "Organization",
    SDO.Organization: "Organization",
    ORG.Organization: "Organization",
    FOAF.Organization: "Organization",
    KG.Place: "Place",
    SDO.Place: "Place",
}

# Object properties of kg whose ends are entities even when a graph forgets to type them.
_ENTITY_PREDICATES = frozenset(KG[name] for name in (*RELATIONS, "hasCEO", "founder", "acquiredBy"))
# Triples between two entities that are bookkeeping, not relations to draw.
_NOT_EDGES = frozenset({RDF.type, OWL.sameAs, OWL.differentFrom, RDFS.seeAlso})
# Literal properties already shown elsewhere in the panel (title, aliases).
_NOT_ATTRIBUTES = frozenset({RDFS.label, SKOS.prefLabel, SKOS.altLabel, SDO.name, FOAF.name})
# Where a node's name is read, best first.
_LABELS = (RDFS.label, SKOS.prefLabel, SDO.name, FOAF.name)
_MODALITY_DEFAULT = "asserted"
_LINK_NAMES = (
    ("sws.geonames.org/", "GeoNames"),
    ("www.geonames.org/", "GeoNames"),
    ("www.wikidata.org/", "Wikidata"),
    ("dbpedia.org/", "DBpedia"),
)


@lru_cache(maxsize=1)
def ontology_graph() -> Graph:
    """The kg ontology when its files are present (a source checkout); an empty graph otherwise."""
    graph = Graph()
    for path in ontology_files():
        if path.is_file():
            graph.parse(path, format="turtle")
    return graph


def view_data(graph: Triples, *, ontology: Graph | None = None) -> dict[str, Any]:
    """Everything the HTML view displays, as plain JSON-ready data.

    Parameters
    ----------
    graph:
        Any RDF graph, or the :class:`~kg.viz.index.TripleIndex` of one (the same view, made
        faster); kg's own output gives the richest view (evidence, articles, confidence).
    ontology:
        Where French labels of types and properties are looked up after ``graph`` itself;
        defaults to ``ontology/kg.ttl`` (see :func:`ontology_graph`).

    Returns
    -------
    dict
        ``types`` and ``relations`` (legend and filters, with counts), ``nodes`` (label, type,
        aliases, formatted attributes, external links, degree), ``edges`` (ends, relation,
        direction, confidence, evidence) and ``sources`` (articles that evidence points into by
        index). Non-asserted statements (negated, planned) are edges with ``asserted: false``.

    Examples
    --------
    >>> from rdflib import Graph
    >>> view_data(Graph(), ontology=Graph())["nodes"]
    []
    """
    vocab = _Vocabulary(graph, ontology_graph() if ontology is None else ontology)
    types = _entity_types(graph)
    statements = _statements(graph)
    sources = _Sources(graph)

    edges = _edges(graph, types, statements, vocab, sources)
    degree: dict[Node, int] = defaultdict(int)
    for edge in edges:
        if edge["asserted"]:
            degree[edge["_from"]] += 1
            degree[edge["_to"]] += 1
    nodes = [
        _node(graph, node, types[node], degree[node], statements, vocab, sources)
        for node in sorted(types, key=str)
    ]
    # Evidence names its articles by IRI until every article is known, then by index.
    _number_sources([*edges, *(row for node in nodes for row in node["attributes"])], sources)
    for index, edge in enumerate(edges):
        edge["id"] = f"e{index}"
        del edge["_from"], edge["_to"]
    return {
        "types": _type_legend(types, vocab),
        "relations": _relation_legend(edges, vocab),
        "nodes": nodes,
        "edges": edges,
        "sources": sources.table(),
    }


def _type_legend(types: dict[Node, str], vocab: _Vocabulary) -> list[dict[str, Any]]:
    """The entity types present, in the legend's order, with their style and count."""
    type_count: dict[str, int] = defaultdict(int)
    for node_type in types.values():
        type_count[node_type] += 1
    return [
        {
            "id": key,
            "label": vocab.type_label(key),
            "color": style.color,
            "shape": style.shape,
            "count": type_count[key],
        }
        for key, style in TYPE_STYLES.items()
        if type_count[key]
    ]


def _relation_legend(edges: list[dict[str, Any]], vocab: _Vocabulary) -> list[dict[str, Any]]:
    """The relations present, in kg's order, with their direction and asserted count."""
    relation_count: dict[str, int] = defaultdict(int)
    for edge in edges:
        relation_count[edge["relation"]] += edge["asserted"]
    return [
        {
            "id": key,
            "label": vocab.relation_label(key),
            "directed": vocab.is_directed(key),
            "count": relation_count[key],
        }
        for key in sorted({e["relation"] for e in edges}, key=vocab.relation_order)
    ]


class _Vocabulary:
    """French labels and directions of types and properties: the graph first, then the ontology."""

    def __init__(self, graph: Triples, ontology: Graph) -> None:
        self._graphs = (graph, ontology)
        self._graph = graph
        self._iris: dict[str, URIRef] = {}

    def key(self, predicate: URIRef) -> str:
        """Short stable key: the local name for kg terms, a prefixed name otherwise."""
        text = str(predicate)
        if text.startswith(str(KG._NS)):
            key = text[len(str(KG._NS)) :]
        else:
            try:
                key = self._graph.namespace_manager.normalizeUri(predicate)
            except Exception:  # rdflib cannot shorten every IRI
                key = text
            key = key.strip("<>")
        self._iris[key] = predicate
        return key

    def _label(self, term: URIRef) -> str | None:
        for graph in self._graphs:
            label = _best_literal(graph.objects(term, RDFS.label))
            if label is not None:
                return label
        return None

    def relation_label(self, key: str) -> str:
        iri = self._iris.get(key, URIRef(key))
        return self._label(iri) or _local_name(iri)

    def type_label(self, key: str) -> str:
        klass = KG[key] if key in {"Person", "Organization", "Place"} else None
        return (self._label(klass) if klass is not None else None) or TYPE_STYLES[key].label

    def is_directed(self, key: str) -> bool:
        iri = self._iris.get(key, URIRef(key))
        if key in SYMMETRIC_RELATIONS:
            return False
        return not any((iri, RDF.type, OWL.SymmetricProperty) in g for g in self._graphs)

    def relation_order(self, key: str) -> tuple[int, str]:
        """kg's relations in their canonical order, then any others alphabetically."""
        return (RELATIONS.index(key), "") if key in RELATIONS else (len(RELATIONS), key)


def _best_literal(values: Iterable[Node]) -> str | None:
    """The French literal if any, else an untagged one, else the first by sort order.

    >>> _best_literal([Literal("CEO of", lang="en"), Literal("PDG de", lang="fr")])
    'PDG de'
    """
    literals = sorted(
        (v for v in values if isinstance(v, Literal)), key=lambda v: (str(v), v.language or "")
    )
    for wanted in ("fr", None):
        for literal in literals:
            if (literal.language or None) == wanted:
                return str(literal)
    return str(literals[0]) if literals else None


def _local_name(iri: Node) -> str:
    text = str(iri)
    for separator in ("#", "/", ":"):
        if separator in text.rstrip(separator):
            text = text.rstrip(separator).rsplit(separator, 1)[1]
            break
    return text


def _entity_types(graph: Triples) -> dict[Node, str]:
    """Entity nodes and their type key. Without any known entity (a graph from elsewhere), every
    resource linked to another resource becomes an "Other" node so the graph still shows."""
    types: dict[Node, str] = {}
    for klass, key in TYPE_CLASSES.items():
        for node in graph.subjects(RDF.type, klass):
            # A resource typed twice keeps the first type in registry order.
            if node not in types or list(TYPE_STYLES).index(key) < list(TYPE_STYLES).index(
                types[node]
            ):
                types[node] = key
    for linking in _ENTITY_PREDICATES:
        for subject, obj in graph.subject_objects(linking):
            for node in (subject, obj):
                if isinstance(node, (URIRef, BNode)):
                    types.setdefault(node, "Other")
    if not types:
        for subject, predicate, obj in graph:
            if (
                predicate not in _NOT_EDGES
                and isinstance(obj, URIRef)
                and isinstance(subject, URIRef)
            ):
                types.setdefault(subject, "Other")
                types.setdefault(obj, "Other")
    return types


@dataclass(frozen=True)
class _Statement:
    sentence: str | None
    confidence: float | None
    modality: str
    sources: tuple[Node, ...]


def _statements(graph: Triples) -> dict[tuple[Node, Node, Node], list[_Statement]]:
    """Reified statements grouped by the triple they describe."""
    grouped: dict[tuple[Node, Node, Node], list[_Statement]] = defaultdict(list)
    for statement in graph.subjects(RDF.type, RDF.Statement):
        subject = graph.value(statement, RDF.subject)
        predicate = graph.value(statement, RDF.predicate)
        obj = graph.value(statement, RDF.object)
        if subject is None or predicate is None or obj is None:
            continue
        sentence = graph.value(statement, KG.evidence)
        confidence = graph.value(statement, KG.confidence)
        modality = graph.value(statement, KG.modality)
        grouped[(subject, predicate, obj)].append(
            _Statement(
                sentence=str(sentence) if sentence is not None else None,
                confidence=_as_float(confidence),
                modality=str(modality) if modality is not None else _MODALITY_DEFAULT,
                sources=tuple(sorted(graph.objects(statement, PROV.wasDerivedFrom), key=str)),
            )
        )
    return grouped


def _as_float(value: Node | None) -> float | None:
    if not isinstance(value, Literal):
        return None
    try:
        return round(float(value.toPython()), 3)
    except (TypeError, ValueError):
        return None


class _Sources:
    """Articles that evidence cites, numbered in IRI order; evidence refers to them by index."""

    def __init__(self, graph: Triples) -> None:
        self._graph = graph
        self._used: set[Node] = set()

    def use(self, nodes: Iterable[Node]) -> None:
        self._used.update(nodes)

    def table(self) -> list[dict[str, Any]]:
        rows = []
        for node in sorted(self._used, key=str):
            graph = self._graph
            row: dict[str, Any] = {"id": str(node)}
            headline = _best_literal(graph.objects(node, SDO.headline))
            if headline is None:
                headline = _best_literal(graph.objects(node, RDFS.label))
            for key, value in (
                ("headline", headline),
                ("file", _best_literal(graph.objects(node, KG.sourceFile))),
                ("url", _http_url(graph.value(node, SDO.url))),
                ("date", _best_literal(graph.objects(node, SDO.datePublished))),
            ):
                if value is not None:
                    row[key] = value
            rows.append(row)
        return rows

    def index(self) -> dict[str, int]:
        return {str(node): i for i, node in enumerate(sorted(self._used, key=str))}


def _http_url(value: Node | None) -> str | None:
    """Only web addresses become links; anything else (``javascript:``…) is dropped."""
    if value is None:
        return None
    text = str(value).strip()
    return text if text.lower().startswith(("http://", "https://")) else None


def _evidence(statements: list[_Statement]) -> list[dict[str, Any]]:
    """Evidence rows, most confident first; sources are IRIs until :func:`_number_sources`."""
    rows = []
    for statement in statements:
        row: dict[str, Any] = {"sources": [str(s) for s in statement.sources]}
        if statement.sentence is not None:
            row["sentence"] = statement.sentence
        if statement.confidence is not None:
            row["confidence"] = statement.confidence
        rows.append(row)
    rows.sort(key=lambda r: (-r.get("confidence", 0.0), r.get("sentence", ""), r["sources"]))
    return rows


def _max_confidence(statements: list[_Statement]) -> float | None:
    known = [s.confidence for s in statements if s.confidence is not None]
    return max(known) if known else None


def _edges(
    graph: Triples,
    types: dict[Node, str],
    statements: dict[tuple[Node, Node, Node], list[_Statement]],
    vocab: _Vocabulary,
    sources: _Sources,
) -> list[dict[str, Any]]:
    """One edge per (subject, relation, object); symmetric relations keep one edge per pair."""
    found: dict[tuple[Node, str, Node], dict[str, Any]] = {}

    def add(subject: Node, predicate: URIRef, obj: Node, asserted: bool) -> dict[str, Any]:
        key_name = vocab.key(predicate)
        directed = vocab.is_directed(key_name)
        start, end = (subject, obj) if directed or str(subject) <= str(obj) else (obj, subject)
        key = (start, key_name, end)
        edge = found.get(key)
        if edge is None:
            edge = found[key] = {
                "_from": start,
                "_to": end,
                "from": str(start),
                "to": str(end),
                "relation": key_name,
                "directed": directed,
                "asserted": asserted,
                "_statements": [],
            }
        edge["asserted"] = edge["asserted"] or asserted
        return edge

    for subject in types:
        for predicate, obj in graph.predicate_objects(subject):
            if obj in types and predicate not in _NOT_EDGES and isinstance(predicate, URIRef):
                add(subject, predicate, obj, True)["_statements"].extend(
                    statements.get((subject, predicate, obj), [])
                )
    # Statements read but not asserted (negated, planned) are kept for the panels only.
    for (subject, predicate, obj), rows in statements.items():
        if (
            subject in types
            and obj in types
            and isinstance(predicate, URIRef)
            and (subject, predicate, obj) not in graph
        ):
            edge = add(subject, predicate, obj, False)
            edge["_statements"].extend(rows)
            if not edge["asserted"]:
                edge["modality"] = sorted({r.modality for r in rows})[0]

    edges = []
    for key in sorted(found, key=lambda k: (str(k[0]), k[1], str(k[2]))):
        edge = found[key]
        rows = edge.pop("_statements")
        for row in rows:
            sources.use(row.sources)
        edge["confidence"] = _max_confidence(rows)
        edge["evidence"] = _evidence(rows)
        edges.append(edge)
    return edges


def _number_sources(items: Iterable[dict[str, Any]], sources: _Sources) -> None:
    index = sources.index()
    for item in items:
        for row in item.get("evidence", []):
            row["sources"] = sorted(index[s] for s in row["sources"] if s in index)


def _node(
    graph: Triples,
    node: Node,
    node_type: str,
    degree: int,
    statements: dict[tuple[Node, Node, Node], list[_Statement]],
    vocab: _Vocabulary,
    sources: _Sources,
) -> dict[str, Any]:
    label = next(
        (
            found
            for found in (_best_literal(graph.objects(node, p)) for p in _LABELS)
            if found is not None
        ),
        _local_name(node),
    )
    aliases = sorted({str(a) for a in graph.objects(node, SKOS.altLabel)} - {label})
    links = []
    for target in sorted({str(t) for t in graph.objects(node, OWL.sameAs)}):
        if _http_url(URIRef(target)):
            name = next((n for fragment, n in _LINK_NAMES if fragment in target), "Lien")
            links.append({"href": target, "label": name})
    attributes = _attributes(graph, node, statements, vocab, sources)
    return {
        "id": str(node),
        "label": label,
        "type": node_type,
        "aliases": aliases,
        "attributes": attributes,
        "links": links,
        "degree": degree,
    }


def _attribute_order(key: str) -> tuple[int, str]:
    return (ATTRIBUTES.index(key), "") if key in ATTRIBUTES else (len(ATTRIBUTES), key)


def _attributes(
    graph: Triples,
    node: Node,
    statements: dict[tuple[Node, Node, Node], list[_Statement]],
    vocab: _Vocabulary,
    sources: _Sources,
) -> list[dict[str, Any]]:
    """Numeric facts (amounts formatted in French) and other literal properties of an entity."""
    rows = []
    for predicate, value in graph.predicate_objects(node):
        if (
            predicate in _NOT_ATTRIBUTES
            or predicate == RDF.type
            or not isinstance(predicate, URIRef)
        ):
            continue
        text = _attribute_text(graph, predicate, value)
        if text is None:
            continue
        key = vocab.key(predicate)
        found = statements.get((node, predicate, value), [])
        sources.use(s for row in found for s in row.sources)
        row: dict[str, Any] = {"property": key, "label": vocab.relation_label(key), "value": text}
        confidence = _max_confidence(found)
        if confidence is not None:
            row["confidence"] = confidence
        row["evidence"] = _evidence(found)
        rows.append(row)
    rows.sort(key=lambda r: (*_attribute_order(r["property"]), r["value"]))
    return rows


def _attribute_text(graph: Triples, predicate: URIRef, value: Node) -> str | None:
    """Display text of an attribute value, or None when the value is not an attribute."""
    if isinstance(value, (URIRef, BNode)):
        amount = graph.value(value, SDO.value)
        if amount is None:
            return None
        currency = graph.value(value, SDO.currency)
        return format_money(_number(amount), str(currency) if currency is not None else None)
    if not isinstance(value, Literal):
        return None
    if predicate in {KG[name] for name in MONEY_ATTRIBUTES}:
        return format_money(_number(value))
    if value.datatype == XSD.gYear or predicate == KG.foundingYear:
        return str(value)
    python = value.toPython()
    if isinstance(python, bool):
        return str(value)
    if isinstance(python, int):
        return format_count(python)
    if isinstance(python, (float, Decimal)):
        return format_decimal(python)
    return str(value)


def _number(value: Node) -> Decimal:
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return Decimal(0)
