"""Tests for kg export: each format re-reads to the same graph (RDF) or the same nodes and edges."""

from __future__ import annotations

import csv

import networkx as nx
import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from kg.analytics import rdf_to_networkx
from kg.errors import UsageError
from kg.export import EXPORTERS, export


@pytest.fixture(scope="module")
def original(graph_file) -> Graph:
    return Graph().parse(graph_file)


@pytest.mark.parametrize(
    ("fmt", "rdflib_format"),
    [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("nq", "nquads"), ("trig", "trig")],
)
def test_rdf_formats_parse_back_to_the_same_graph(
    graph_file, original, tmp_path, fmt, rdflib_format
):
    (path,) = export(graph_file, fmt, tmp_path / f"out.{fmt}")
    if fmt in ("nq", "trig"):
        dataset = Dataset()
        dataset.parse(path, format=rdflib_format)
        back = Graph()
        for s, p, o, _ in dataset.quads():
            back.add((s, p, o))
        assert len(list(dataset.graphs())) > 2  # one named graph per article + the default
    else:
        back = Graph().parse(path, format=rdflib_format)
    assert isomorphic(back, original)


def _same_network(read: nx.Graph, expected: nx.MultiDiGraph) -> None:
    assert set(read.nodes) == set(expected.nodes)
    assert read.number_of_edges() == expected.number_of_edges()
    for node, data in expected.nodes(data=True):
        assert read.nodes[node]["label"] == data["label"]
        assert read.nodes[node]["type"] == data["type"]
    relations = sorted((s, t, d["relation"]) for s, t, d in read.edges(data=True))
    assert relations == sorted((s, t, d["relation"]) for s, t, d in expected.edges(data=True))


def test_graphml_and_gexf_reread_with_networkx(graph_file, original, tmp_path):
    expected = rdf_to_networkx(original)
    (graphml,) = export(graph_file, "graphml", tmp_path / "g.graphml")
    read = nx.read_graphml(graphml, force_multigraph=True)
    _same_network(read, expected)
    assert read.nodes["org/ovh"]["revenue"] == 250_000_000
    (gexf,) = export(graph_file, "gexf", tmp_path / "g.gexf")
    _same_network(nx.read_gexf(gexf), expected)


def test_csv_rereads(graph_file, original, tmp_path):
    nodes_path, edges_path = export(graph_file, "csv", tmp_path / "csv")
    assert (nodes_path.name, edges_path.name) == ("nodes.csv", "edges.csv")
    with nodes_path.open(encoding="utf-8") as handle:
        nodes = list(csv.DictReader(handle))
    with edges_path.open(encoding="utf-8") as handle:
        edges = list(csv.DictReader(handle))
    expected = rdf_to_networkx(original)
    assert {n["id"] for n in nodes} == set(expected.nodes)
    ovh = next(n for n in nodes if n["id"] == "org/ovh")
    assert (ovh["label"], ovh["type"], ovh["revenue"], ovh["revenue_unit"]) == (
        "OVH",
        "Organization",
        "250000000",
        "EUR",
    )
    assert len(edges) == expected.number_of_edges()
    ceo = next(e for e in edges if e["relation"] == "ceoOf")
    assert (ceo["source"], ceo["target"]) == ("person/laurent-allard", "org/ovh")
    assert "CEO du groupe OVH" in ceo["evidence"] and ceo["sources"] == "ovh.txt"


def test_default_output_beside_the_input(graph_file):
    (path,) = export(graph_file, "gexf")
    assert path == graph_file.with_suffix(".gexf") and path.is_file()
    paths = export(graph_file, "csv")
    assert paths[0].parent == graph_file.parent / "graph-csv"


def test_bad_requests(graph_file, tmp_path):
    with pytest.raises(UsageError, match="unknown export format"):
        export(graph_file, "xlsx", tmp_path / "x")
    with pytest.raises(UsageError, match="overwrite the input"):
        export(graph_file, "ttl", graph_file)
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(UsageError, match="writes a folder"):
        export(graph_file, "csv", tmp_path / "file")


def test_writes_are_atomic_no_temporary_left(graph_file, tmp_path):
    for fmt in EXPORTERS:
        export(graph_file, fmt, tmp_path / f"out-{fmt}")
    leftovers = [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


def test_cli_export(graph_file, tmp_path, run_kg):
    out = tmp_path / "cli.nt"
    done = run_kg("export", str(graph_file), "--format", "nt", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert isomorphic(Graph().parse(out, format="nt"), Graph().parse(graph_file))
