"""kg.reason: OWL 2 RL entailments, written apart from the asserted graph."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from kb_samples import SOFTWARE, sample_kb
from rdflib import OWL, RDF, RDFS, Graph, Namespace, URIRef

from kg.graph.rdf import to_rdf
from kg.link import link_places
from kg.namespace import KG
from kg.naming import entity_iri
from kg.reason import inferred
from kg.records import Relation

if TYPE_CHECKING:
    from conftest import KgCli

SDO = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
WDT = Namespace("http://www.wikidata.org/prop/direct/")
OVH, ALLARD = entity_iri("org/ovh"), entity_iri("person/laurent-allard")
QONTO = entity_iri("org/qonto")


@pytest.fixture(scope="module")
def asserted() -> Graph:
    kb = sample_kb()
    founder = kb.relations[-2].evidence  # "Son fondateur ..." sentence
    kb.relations.append(Relation("org/qonto", "partnerOf", "org/kkr", founder))
    return link_places(to_rdf(kb, software=SOFTWARE))


@pytest.fixture(scope="module")
def entailed(asserted: Graph) -> Graph:
    return inferred(asserted)


@pytest.mark.parametrize(
    "triple",
    [
        (OVH, KG.hasCEO, ALLARD),  # inverse
        (OVH, WDT.P169, ALLARD),  # inverse, then Wikidata alignment
        (ALLARD, KG.worksFor, OVH),  # ceoOf is a sub-property of worksFor
        (ALLARD, ORG.headOf, OVH),
        (OVH, KG.locatedIn, entity_iri("place/roubaix")),  # headquarteredIn ⊑ locatedIn
        (OVH, SDO.location, entity_iri("place/roubaix")),
        (QONTO, KG.founder, entity_iri("person/alexandre-prot")),
        (QONTO, SDO.founder, entity_iri("person/alexandre-prot")),
        (entity_iri("org/vmware-vcloud-air"), KG.acquiredBy, OVH),
        (entity_iri("org/kkr"), KG.partnerOf, QONTO),  # symmetric
        (ALLARD, RDF.type, SDO.Person),  # class alignment
    ],
)
def test_entailment_is_inferred_not_asserted(
    asserted: Graph, entailed: Graph, triple: tuple[URIRef, URIRef, URIRef]
) -> None:
    assert triple in entailed
    assert triple not in asserted


def test_nothing_asserted_is_repeated(asserted: Graph, entailed: Graph) -> None:
    assert set(entailed) & set(asserted) == set()


def test_no_trivial_noise(entailed: Graph) -> None:
    assert not list(entailed.triples((None, OWL.sameAs, None)))
    assert not list(entailed.triples((None, RDF.type, OWL.Thing)))
    assert not list(entailed.triples((None, RDFS.subClassOf, None)))
    assert not any(str(s).startswith("https://sws.geonames.org/") for s in entailed.subjects())
    assert not any(str(o).startswith("https://sws.geonames.org/") for o in entailed.objects())
    assert all(not str(s).startswith(str(KG._NS)) for s in entailed.subjects())


def test_planned_facts_entail_nothing(entailed: Graph) -> None:
    assert (OVH, KG.partnerOf, QONTO) not in entailed


def test_cli_reason(tmp_path: Path, asserted: Graph, run_kg: KgCli) -> None:
    source, target = tmp_path / "graph.ttl", tmp_path / "inferred.ttl"
    asserted.serialize(source, format="turtle")
    done = run_kg("reason", str(source), "-o", str(target))
    assert done.returncode == 0, done.stderr
    written = Graph().parse(target, format="turtle")
    assert (OVH, KG.hasCEO, ALLARD) in written
    assert (ALLARD, KG.ceoOf, OVH) not in written
