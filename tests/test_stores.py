"""kg/stores.py: the in-memory and on-disk stores write the same graph, and a build from the
caches writes the same bytes as a build from scratch (the seeds)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal

from kg.config import Config
from kg.errors import UsageError
from kg.graph.rdf import load_graph
from kg.pipeline import build
from kg.stores import LARGE_CORPUS, streams

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
FILES = ("turtle", "graphml", "html")


def _quiet(message: str) -> None:
    pass


def _normalised(path: Path) -> set[tuple[object, ...]]:
    """Triples with literals compared by value (oxigraph writes xsd:decimal canonically)."""
    return {
        tuple(
            (t.toPython(), t.datatype, t.language) if isinstance(t, Literal) else t for t in triple
        )
        for triple in load_graph(path)
    }


def test_streams_by_setting_and_size() -> None:
    assert not streams(Config(), LARGE_CORPUS)
    assert streams(Config(), LARGE_CORPUS + 1)
    assert streams(Config(store="disk"), 1)
    assert not streams(Config(store="memory"), LARGE_CORPUS + 1)
    with pytest.raises(UsageError, match="unknown store 'cloud'"):
        Config(store="cloud")


def test_disk_store_writes_the_graph_of_the_memory_store(seed_build, tmp_path: Path) -> None:
    disk = build([SEEDS], tmp_path / "disk", Config(store="disk"), log=_quiet)
    assert set(disk.outputs) == {"turtle", "graphml"}
    assert disk.outputs["graphml"].read_bytes() == seed_build.outputs["graphml"].read_bytes()
    assert _normalised(disk.outputs["turtle"]) == _normalised(seed_build.outputs["turtle"])
    assert disk.summary == seed_build.summary


def test_build_from_the_caches_is_byte_identical_to_a_fresh_build(
    seed_build, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    # A first build with other output settings fills the extraction and block caches...
    first = build([SEEDS], out, Config(view_nodes=3, threshold=0.6), log=_quiet)
    assert first.parsed == len(seed_build.kb.documents)
    # ...from which the default build is made without parsing anything.
    again = build([SEEDS], out, Config(), log=_quiet)
    assert (again.parsed, again.cached, again.unchanged) == (0, first.parsed, False)
    for name in FILES:
        assert again.outputs[name].read_bytes() == seed_build.outputs[name].read_bytes(), name
