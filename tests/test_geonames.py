"""kg.link.geonames: offline GeoNames links, only when the article context makes them clear."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from kb_samples import SOFTWARE, sample_kb
from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import SDO

from kg.graph.rdf import to_rdf
from kg.link import place_links as exported_place_links
from kg.link.geonames import LinkOptions, link_places, place_links, resolve_place
from kg.namespace import KG
from kg.naming import document_iri, entity_iri
from kg.records import (
    Attribute,
    Document,
    Entity,
    Evidence,
    KnowledgeBase,
    Modality,
    Quantity,
    Relation,
)

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


# --- place_links: the same links from the KB as link_places from its graph ---------------

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _graph_links(kb: KnowledgeBase) -> set[tuple]:
    """What link_places adds to to_rdf(kb): the reference place_links must match."""
    return set(link_places(to_rdf(kb))) - set(to_rdf(kb))


def _evidence(doc_id: str, start: int = 0) -> Evidence:
    return Evidence(doc_id, "Une phrase.", start, start + 11, 0.9, "test")


def _valence_kb(*, via: Modality | None) -> KnowledgeBase:
    """ "Valence" in article v (no country there); "Espagne" in article es, which is where a
    relation about Valence was read when ``via`` is a modality."""
    entities = {
        "place/valence": Entity("place/valence", "Place", "Valence", documents={"v"}),
        "place/espagne": Entity("place/espagne", "Place", "Espagne", documents={"es"}),
        "org/acme": Entity("org/acme", "Organization", "Acme", documents={"v", "es"}),
    }
    relations = []
    if via is not None:
        relations.append(
            Relation("org/acme", "locatedIn", "place/valence", [_evidence("es")], modality=via)
        )
    return KnowledgeBase(entities=entities, relations=relations)


def _tricky_kb() -> KnowledgeBase:
    """Corner cases of to_rdf: a label among the aliases, two entities with one id, a place
    known only through relations and an attribute, an evidence-less relation."""

    def place(entity_id: str, label: str, *docs: str, aliases: set[str] | None = None) -> Entity:
        return Entity(entity_id, "Place", label, aliases=aliases or set(), documents=set(docs))

    entities: dict[str, Entity] = {
        "place/valence": place("place/valence", "Valence", aliases={"Valence", "Valencia"}),
        # One node labelled both: Bruxelles links, Lille in a Belgian article would not.
        "place/bruxelles": place("place/bruxelles", "Bruxelles", "be"),
        "bruxelles-bis": place("place/bruxelles", "Lille", "fr"),
        "place/belgique": place("place/belgique", "Belgique", "be"),
        "place/espagne": place("place/espagne", "Espagne", "es"),
        "place/londres": place("place/londres", "Londres"),
        "place/lon": place("place/lon", "LON", "es"),
        "place/paris": place("place/paris", "Paris", "us"),
        "place/etats-unis": place("place/etats-unis", "États-Unis"),
        "org/acme": Entity("org/acme", "Organization", "Acme", documents={"es", "be"}),
    }
    relations = [
        Relation("org/acme", "locatedIn", "place/valence", [_evidence("es")], modality="negated"),
        Relation("place/londres", "partnerOf", "org/acme", [_evidence("be", 12)], "planned"),
        Relation("org/acme", "headquarteredIn", "place/paris", []),
    ]
    # An attribute of a place is odd, but to_rdf would make statements of it all the same.
    attributes = [Attribute("place/etats-unis", "employees", Quantity(10.0), [_evidence("us")])]
    return KnowledgeBase(entities=entities, relations=relations, attributes=attributes)


@pytest.fixture(scope="module")
def seeds_kb(nlp) -> KnowledgeBase:
    from kg.pipeline import build_knowledge_base

    return build_knowledge_base([SEEDS])


def test_place_links_is_exported() -> None:
    assert exported_place_links is place_links


def test_place_links_roubaix_exact() -> None:
    roubaix = entity_iri("place/roubaix")
    kb = KnowledgeBase(
        documents=[Document("d1", "d1.txt", "Titre", "Basé à Roubaix.")],
        entities={"place/roubaix": Entity("place/roubaix", "Place", "Roubaix", documents={"d1"})},
    )
    expected = {
        (roubaix, OWL.sameAs, URIRef(GEO.format(2982681))),
        (roubaix, KG.countryCode, Literal("FR")),
        (roubaix, SDO.latitude, Literal("50.69421", datatype=XSD.decimal)),
        (roubaix, SDO.longitude, Literal("3.17456", datatype=XSD.decimal)),
        (roubaix, SDO.containedInPlace, URIRef(GEO.format(3017382))),
    }
    links = place_links(kb)
    assert len(links) == len(expected)
    assert set(links) == expected == _graph_links(kb)


@pytest.mark.parametrize(
    ("via", "geonameid"),
    [
        (None, 2971053),  # no Spanish context: Valence, France
        ("asserted", 2509954),  # the relation was read in the Spanish article: Valencia
        ("negated", 2509954),  # any modality: the statement exists all the same
        ("planned", 2509954),
    ],
)
def test_place_links_context_from_relation_evidence(via: Modality | None, geonameid: int) -> None:
    kb = _valence_kb(via=via)
    valence = entity_iri("place/valence")
    links = place_links(kb)
    assert {o for s, p, o in links if s == valence and p == OWL.sameAs} == {
        URIRef(GEO.format(geonameid))
    }
    assert set(links) == _graph_links(kb)


@pytest.mark.parametrize(
    "make_kb",
    [sample_kb, _tricky_kb, lambda: KnowledgeBase()],
    ids=["sample", "tricky", "empty"],
)
def test_place_links_agree_with_link_places(make_kb) -> None:
    kb = make_kb()
    links = place_links(kb)
    assert len(links) == len(set(links))
    assert set(links) == _graph_links(kb)


def test_place_links_agree_on_the_seeds(seeds_kb: KnowledgeBase) -> None:
    links = place_links(seeds_kb)
    assert any(p == OWL.sameAs for _, p, _ in links)  # the seeds do name places
    assert set(links) == _graph_links(seeds_kb)


def test_place_links_agree_with_options(seeds_kb: KnowledgeBase) -> None:
    options = LinkOptions(margin=0.2, default_country=None, small_population=15000)
    graph = to_rdf(seeds_kb)
    added = set(link_places(to_rdf(seeds_kb), options=options)) - set(graph)
    assert set(place_links(seeds_kb, options=options)) == added
