"""The benchmark runs end to end at a tiny scale and writes results.json (no timing asserted)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from kg.graph.rdf import load_graph
from kgbench.bench import (
    SCALES,
    TARGETS,
    bench_queries,
    markdown_table,
    rdflib_seconds,
    run,
    sparql_times,
    synthetic_graph,
)


def test_synthetic_graph_is_kg_shaped_and_queries_agree():
    graph = synthetic_graph(3000)
    assert len(graph) >= 3000
    times = sparql_times(graph)
    assert set(times) == set(bench_queries())
    assert sum(t["rows"] for t in times.values()) > 0
    assert not any(t["capped"] for t in times.values())


def test_rdflib_queries_side_by_side_and_stopped_at_the_cap():
    graph = synthetic_graph(3000)
    queries = {
        "all": "SELECT * WHERE { ?s ?p ?o }",
        "labels": "SELECT ?s WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }",
        "cross": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }",  # millions of rows: never ends in time
    }
    times = rdflib_seconds(graph, queries, cap=3.0, workers=2)
    assert list(times) == list(queries)
    assert times["all"][1] == len(graph)
    assert times["labels"][1] and times["labels"][1] > 0
    assert times["cross"] == (3.0, None)


@pytest.mark.slow
def test_tiny_benchmark_writes_results(tmp_path, nlp):
    scale = replace(SCALES["tiny"], throughput_docs=6, memory_small=3, memory_large=6, triples=2000)
    results = run(scale, out_dir=tmp_path / "bench", work_dir=tmp_path / "work", log=lambda _: None)
    saved = json.loads((tmp_path / "bench" / "results.json").read_text(encoding="utf-8"))
    assert saved["ratios"] == results["ratios"]
    assert set(saved["ratios"]) == set(TARGETS)
    assert all(value > 0 for value in saved["ratios"].values())
    assert saved["measurements"]["memory"]["large"]["pss_mb"] > 0
    assert 0 <= saved["measurements"]["throughput"]["relation_f1"] <= 1
    # The disk-store build of the memory measurement wrote a readable Turtle graph.
    assert len(load_graph(tmp_path / "work" / "out-mem-large" / "graph.ttl")) > 0
    assert "| measure | ratio |" in markdown_table(saved)
