"""kg.link.geonames: offline GeoNames links, only when the article context makes them clear."""

from __future__ import annotations

from decimal import Decimal

import pytest
from kb_samples import SOFTWARE, sample_kb
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SDO

from kg.graph.rdf import to_rdf
from kg.link.geonames import link_places, resolve_place
from kg.namespace import KG
from kg.naming import document_iri, entity_iri

GEO = "https://sws.geonames.org/{}/"


@pytest.fixture(scope="module")
def linked() -> Graph:
    return link_places(to_rdf(sample_kb(), software=SOFTWARE))


def _same_as(graph: Graph, place: str) -> set[str]:
    return {str(o) for o in graph.objects(entity_iri(place), OWL.sameAs)}


def test_roubaix(linked: Graph) -> None:
    roubaix = entity_iri("place/roubaix")
    assert _same_as(linked, "place/roubaix") == {GEO.format(2982681)}
    assert linked.value(roubaix, SDO.latitude).toPython() == Decimal("50.69421")
    assert linked.value(roubaix, SDO.longitude).toPython() == Decimal("3.17456")
    assert str(linked.value(roubaix, KG.countryCode)) == "FR"
    assert linked.value(roubaix, SDO.containedInPlace) == URIRef(GEO.format(3017382))


@pytest.mark.parametrize(
    ("place", "geonameid"),
    [
        ("place/londres", 2643743),  # French exonym of London
        ("place/royaume-uni", 2635167),  # French country name
        ("place/belgique", 2802361),
        ("place/rennes", 2983990),
        ("place/paris", 2988507),  # Paris, France, not Paris, Texas
    ],
)
def test_sample_places(linked: Graph, place: str, geonameid: int) -> None:
    assert _same_as(linked, place) == {GEO.format(geonameid)}


@pytest.mark.parametrize(
    ("name", "context", "expected"),
    [
        ("Bruxelles", (), 2800866),
        ("Grèce", (), 390903),
        ("la France", (), 3017382),
        ("Lille", (), 2998324),  # French news: Lille, France
        ("Valence", ("ES",), 2509954),  # Valencia when the article is about Spain
        ("Valence", (), 2971053),
        ("Lille", ("BE",), None),  # Lille, Belgium vs the much larger Lille, France: unclear
        ("Paris", ("US",), None),
        ("Roazhon Park", (), None),
        ("Bretagne", (), None),  # regions are not in the data: unlinked, not guessed
        ("LON", (), None),  # IATA codes among alternate names are ignored
    ],
)
def test_resolve_place(name: str, context: tuple[str, ...], expected: int | None) -> None:
    found = resolve_place(name, context)
    assert (found.geonameid if found else None) == expected


def test_context_comes_from_the_same_article() -> None:
    graph = Graph()
    doc, place, spain = document_iri("d1"), entity_iri("place/valence"), entity_iri("place/es")
    for node, label in ((place, "Valence"), (spain, "Espagne")):
        graph.add((node, RDF.type, KG.Place))
        graph.add((node, RDFS.label, Literal(label, lang="fr")))
        graph.add((doc, SDO.mentions, node))
    link_places(graph)
    assert graph.value(place, OWL.sameAs) == URIRef(GEO.format(2509954))
    assert graph.value(spain, OWL.sameAs) == URIRef(GEO.format(2510769))


def test_existing_link_is_kept() -> None:
    graph = Graph()
    place = entity_iri("place/roubaix")
    graph.add((place, RDF.type, KG.Place))
    graph.add((place, RDFS.label, Literal("Roubaix", lang="fr")))
    graph.add((place, OWL.sameAs, URIRef(GEO.format(1))))
    link_places(graph)
    assert set(graph.objects(place, OWL.sameAs)) == {URIRef(GEO.format(1))}


def test_only_places_are_linked(linked: Graph) -> None:
    linked_nodes = set(linked.subjects(OWL.sameAs, None))
    assert linked_nodes <= set(linked.subjects(RDF.type, KG.Place))


@pytest.mark.parametrize(
    ("name", "context", "expected"),
    [
        ("Gravelines", (), 3014816),  # under the floor but unique, in France
        ("Gravelines", ("US",), None),  # unique, but not where the article is
        ("Lino", (), None),  # an alias of Reno (US): too weak alone
    ],
)
def test_small_places_and_weak_aliases(
    name: str, context: tuple[str, ...], expected: int | None
) -> None:
    found = resolve_place(name, context)
    assert (found.geonameid if found else None) == expected
