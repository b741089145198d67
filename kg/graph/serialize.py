"""Serialise a kg graph: Turtle, N-Triples, N-Quads / TriG (one named graph per article), JSON-LD.

In the quad formats, everything read from an article — its statements, the direct triples they
support, the events and amounts they mention, the article's own description — goes into the
graph named by the article's IRI; entity descriptions and the build activity stay in the
default graph. A triple supported by two articles is in both graphs, so the union of the graphs
is exactly the input graph.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from rdflib import RDF, Dataset, Graph, URIRef
from rdflib.namespace import PROV, SDO
from rdflib.term import Node

from ..errors import UsageError
from ..namespace import ONTOLOGY_DIR
from .rdf import bind_prefixes

__all__ = ["FORMATS", "by_document", "jsonld_context", "serialize"]

CONTEXT_FILE = ONTOLOGY_DIR / "context.jsonld"
Triple = tuple[Node, Node, Node]


def _turtle(graph: Graph) -> bytes:
    return graph.serialize(format="turtle", encoding="utf-8")


def _ntriples(graph: Graph) -> bytes:
    # Sorted lines so that the same graph always gives the same file.
    text = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    return "".join(sorted(set(text.splitlines(keepends=True)))).encode("utf-8")


def _nquads(graph: Graph) -> bytes:
    text = by_document(graph).serialize(format="nquads", encoding="utf-8").decode("utf-8")
    return "".join(sorted(set(text.splitlines(keepends=True)))).encode("utf-8")


def _trig(graph: Graph) -> bytes:
    return by_document(graph).serialize(format="trig", encoding="utf-8")


def _jsonld(graph: Graph) -> bytes:
    context = jsonld_context()
    return graph.serialize(format="json-ld", context=context, indent=2, encoding="utf-8")


# One name table, like rdflib's plugin registry: a new format is one function and one line.
FORMATS: dict[str, Callable[[Graph], bytes]] = {
    "turtle": _turtle,
    "nt": _ntriples,
    "nquads": _nquads,
    "trig": _trig,
    "jsonld": _jsonld,
}


def serialize(graph: Graph, fmt: str) -> bytes:
    """``graph`` in format ``fmt`` (one of :data:`FORMATS`), as UTF-8 bytes.

    >>> from kg.records import KnowledgeBase
    >>> from kg.graph.rdf import to_rdf
    >>> serialize(to_rdf(KnowledgeBase()), "nt").count(b"\\n") > 0
    True
    """
    writer = FORMATS.get(fmt)
    if writer is None:
        known = ", ".join(sorted(FORMATS))
        raise UsageError(f"unknown RDF format {fmt!r} (expected one of: {known})")
    return writer(graph)


@lru_cache(maxsize=1)
def _context_text() -> str:
    return CONTEXT_FILE.read_text(encoding="utf-8")


def jsonld_context() -> dict[str, Any]:
    """The ``@context`` of kg's JSON-LD, from ``ontology/context.jsonld``."""
    context: dict[str, Any] = json.loads(_context_text())["@context"]
    return context


# --- named graphs ----------------------------------------------------------------------


def by_document(graph: Graph) -> Dataset:
    """The graph split into one named graph per source article plus the default graph."""
    dataset = Dataset()
    for prefix, namespace in bind_prefixes(Graph()).namespaces():
        dataset.bind(prefix, namespace)
    homes = _document_homes(graph)
    # rdflib >= 7.1 names it default_graph; older 7.x only has default_context.
    default = getattr(dataset, "default_graph", None)
    if default is None:
        default = dataset.default_context
    for triple in graph:
        documents = homes.get(triple)
        if not documents:
            default.add(triple)
            continue
        for document in documents:
            dataset.graph(document).add(triple)
    return dataset


def _document_homes(graph: Graph) -> dict[Triple, set[URIRef]]:
    """For each triple that comes from articles, the IRIs of those articles."""
    homes: dict[Triple, set[URIRef]] = defaultdict(set)
    documents = {d for d in graph.subjects(RDF.type, SDO.NewsArticle) if isinstance(d, URIRef)}
    for document in documents:
        for triple in graph.triples((document, None, None)):
            homes[triple].add(document)
    # Statements and events carry their article: they and what they describe belong to it.
    for node, source in graph.subject_objects(PROV.wasDerivedFrom):
        if source not in documents or not isinstance(source, URIRef):
            continue
        document = source
        for triple in graph.triples((node, None, None)):
            homes[triple].add(document)
        reified = (
            graph.value(node, RDF.subject),
            graph.value(node, RDF.predicate),
            graph.value(node, RDF.object),
        )
        if None not in reified and reified in graph:
            homes[reified].add(document)  # type: ignore[index]
        for value in graph.objects(node, None):
            if (value, RDF.type, SDO.MonetaryAmount) in graph:
                for triple in graph.triples((value, None, None)):
                    homes[triple].add(document)
    return homes
