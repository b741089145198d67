"""Tests for kg.analytics: the NetworkX view read from RDF, statistics and chains of facts."""

from __future__ import annotations

from pathlib import Path

import pytest
from kb_samples import SOFTWARE, sample_kb, sentence

from kg.analytics import (
    fact_path,
    find_entity,
    format_path,
    graph_stats,
    path_report,
    rdf_to_networkx,
    stats_report,
)
from kg.errors import KgError
from kg.graph.networkx import to_networkx
from kg.graph.rdf import to_rdf
from kg.records import Document, Entity, Relation


def _kb():
    """The sample KB plus a person linked to Qonto through Éloïse Dupré, and an accented name."""
    kb = sample_kb()
    doc = Document("board", "seeds/board.txt", "Conseil", "Éloïse Dupré siège chez OVH et Qonto.")
    kb.documents.append(doc)
    kb.entities["person/eloise-dupre"] = Entity(
        "person/eloise-dupre", "Person", "Éloïse Dupré", aliases={"E. Dupré"}, documents={"board"}
    )
    evidence = sentence(doc, "Éloïse")
    kb.relations += [
        Relation("person/eloise-dupre", "worksFor", "org/ovh", [evidence]),
        Relation("person/eloise-dupre", "worksFor", "org/qonto", [evidence]),
    ]
    return kb


@pytest.fixture(scope="module")
def kb():
    return _kb()


@pytest.fixture(scope="module")
def analytics_graph(tmp_path_factory, kb) -> Path:
    path = tmp_path_factory.mktemp("analytics") / "graph.ttl"
    to_rdf(kb, software=SOFTWARE).serialize(path, format="turtle")
    return path


@pytest.fixture(scope="module")
def view(kb):
    return rdf_to_networkx(to_rdf(kb, software=SOFTWARE))


def test_view_from_rdf_matches_view_from_records(kb, view):
    direct = to_networkx(kb)
    assert set(view.nodes) == set(direct.nodes)
    assert set(view.edges(keys=True)) == set(direct.edges(keys=True))
    for node, data in direct.nodes(data=True):
        assert view.nodes[node]["label"] == data["label"]
        assert view.nodes[node]["type"] == data["type"]
    for s, t, key, data in direct.edges(keys=True, data=True):
        assert view.edges[s, t, key]["confidence"] == pytest.approx(data["confidence"])
        assert view.edges[s, t, key]["evidence"] == data["evidence"]


def test_planned_relations_are_not_edges(view):
    assert not view.has_edge("org/qonto", "org/ovh")


def test_node_attributes(view):
    ovh = view.nodes["org/ovh"]
    assert ovh["revenue"] == 250_000_000 and ovh["revenue_unit"] == "EUR"
    assert ovh["employees"] == 2000 and ovh["foundingYear"] == 1999
    assert ovh["aliases"] == "groupe OVH"
    assert view.graph["documents"] == 3


def test_stats(view):
    stats = graph_stats(view, top=3)
    assert stats.entities == view.number_of_nodes()
    assert stats.entities_by_type == {"Organization": 5, "Person": 3, "Place": 6}
    assert stats.facts_by_relation["investedIn"] == 2
    assert sum(stats.facts_by_relation.values()) == stats.facts == view.number_of_edges()
    assert stats.top_degree[0] == ("OVH", 6)
    assert stats.top_pagerank[0][0] == "OVH"
    assert len(stats.top_degree) == 3
    assert sum(stats.components) == stats.entities
    assert stats.components[0] == 11  # OVH's and Qonto's worlds joined by Éloïse Dupré


@pytest.mark.parametrize("name", ["eloise dupre", "ÉLOÏSE DUPRÉ", "e dupre", "person/eloise-dupre"])
def test_find_entity_ignores_case_accents_and_accepts_aliases_and_ids(view, name):
    assert find_entity(view, name) == "person/eloise-dupre"


def test_unknown_entity_suggests_close_names(view):
    with pytest.raises(KgError, match="did you mean 'Laurent Allard'"):
        find_entity(view, "Laurent Alard")


def test_path_goes_against_edge_direction_with_evidence(view):
    hops = fact_path(view, "Laurent Allard", "Alexandre Prot")
    assert [(h.subject, h.relation, h.object) for h in hops] == [
        ("Laurent Allard", "ceoOf", "OVH"),
        ("Éloïse Dupré", "worksFor", "OVH"),
        ("Éloïse Dupré", "worksFor", "Qonto"),
        ("Alexandre Prot", "founderOf", "Qonto"),
    ]
    assert hops[0].evidence == "Laurent Allard, CEO du groupe OVH, était à Rennes."
    text = format_path(hops)
    assert text.splitlines()[0] == "1. Laurent Allard --ceoOf--> OVH"
    assert "(ovh.txt)" in text


def test_no_path(view):
    with pytest.raises(KgError, match="no chain of facts"):
        fact_path(view, "OVH", "Belgique")


def test_reports(analytics_graph):
    report = stats_report(analytics_graph, top=2)
    assert "entities:  14 (Organization 5, Person 3, Place 6)" in report
    assert "top entities by PageRank:" in report
    path = path_report(analytics_graph, "kkr", "TCV")
    assert path.splitlines()[0] == "KKR … TCV: 2 facts"


def test_cli_stats_and_path(analytics_graph, run_kg):
    stats = run_kg("stats", str(analytics_graph))
    assert stats.returncode == 0 and "components:" in stats.stdout
    path = run_kg("path", str(analytics_graph), "laurent allard", "QONTO")
    assert path.returncode == 0, path.stderr
    assert "« Éloïse Dupré siège chez OVH et Qonto. »" in path.stdout
    missing = run_kg("path", str(analytics_graph), "Emmanuel Macron", "Odoo")
    assert missing.returncode == 1
    assert missing.stderr == "kg: error: no entity named 'Emmanuel Macron' in the graph\n"
