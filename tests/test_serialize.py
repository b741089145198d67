"""kg.graph.serialize: Turtle, N-Triples, N-Quads/TriG (a graph per article), JSON-LD."""

from __future__ import annotations

import json

import pytest
from kb_samples import SOFTWARE, sample_kb
from rdflib import RDF, Dataset, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import PROV

from kg.errors import UsageError
from kg.graph.rdf import to_rdf
from kg.graph.serialize import FORMATS, serialize
from kg.link import link_places
from kg.namespace import KG
from kg.naming import document_iri, entity_iri

DOCS = {document_iri("ovh"), document_iri("qonto")}


@pytest.fixture(scope="module")
def graph() -> Graph:
    return link_places(to_rdf(sample_kb(), software=SOFTWARE))


def _dataset(data: bytes, fmt: str) -> Dataset:
    dataset = Dataset()
    dataset.parse(data=data, format=fmt)
    return dataset


def _named(dataset: Dataset) -> dict[URIRef, Graph]:
    return {g.identifier: g for g in dataset.graphs() if g.identifier in DOCS}


def _union(dataset: Dataset) -> set:
    return {t for g in dataset.graphs() for t in g}


@pytest.mark.parametrize("fmt", ["trig", "nquads"])
def test_one_named_graph_per_document(graph: Graph, fmt: str) -> None:
    dataset = _dataset(serialize(graph, fmt), fmt)
    named = _named(dataset)
    assert set(named) == DOCS
    others = {g.identifier for g in dataset.graphs() if len(g)} - DOCS
    assert len(others) == 1  # the default graph: entities, build activity
    for doc, doc_graph in named.items():
        statements = set(doc_graph.subjects(RDF.type, RDF.Statement))
        assert statements
        assert all(doc_graph.value(s, PROV.wasDerivedFrom) == doc for s in statements)
        assert (doc, RDF.type, URIRef("https://schema.org/NewsArticle")) in doc_graph
    ceo = (entity_iri("person/laurent-allard"), KG.ceoOf, entity_iri("org/ovh"))
    assert ceo in named[document_iri("ovh")] and ceo not in named[document_iri("qonto")]


@pytest.mark.parametrize("fmt", ["trig", "nquads"])
def test_quads_reparse_to_the_same_triples(graph: Graph, fmt: str) -> None:
    assert _union(_dataset(serialize(graph, fmt), fmt)) == set(graph)


@pytest.mark.parametrize(("fmt", "parser"), [("turtle", "turtle"), ("nt", "nt")])
def test_triples_reparse(graph: Graph, fmt: str, parser: str) -> None:
    assert set(Graph().parse(data=serialize(graph, fmt), format=parser)) == set(graph)


def test_jsonld_reparses_with_context(graph: Graph) -> None:
    data = serialize(graph, "jsonld")
    document = json.loads(data)
    assert document["@context"]["ceoOf"] == {"@id": "kg:ceoOf", "@type": "@id"}
    assert b'"ceoOf"' in data
    assert isomorphic(Graph().parse(data=data, format="json-ld"), graph)


def test_outputs_are_deterministic(graph: Graph) -> None:
    again = link_places(to_rdf(sample_kb(), software=SOFTWARE))
    for fmt in ("nt", "nquads", "turtle"):
        assert serialize(graph, fmt) == serialize(again, fmt)


def test_unknown_format(graph: Graph) -> None:
    with pytest.raises(UsageError, match="unknown RDF format 'rdfxml'"):
        serialize(graph, "rdfxml")
    assert set(FORMATS) == {"turtle", "nt", "nquads", "trig", "jsonld"}
