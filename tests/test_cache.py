"""Incremental builds: only new or changed documents are parsed; the graph is a fresh build's."""

from __future__ import annotations

import pytest

from kg.cache import ExtractionCache, document_key, pipeline_version
from kg.config import Config
from kg.corpus import write_corpus
from kg.pipeline import build
from kg.records import Document, Extraction


def test_cache_round_trip_and_prune(tmp_path):
    cache = ExtractionCache(tmp_path, "v1")
    a = Document("a.txt", "a.txt", "A", "Texte A.")
    b = Document("b.txt", "b.txt", "B", "Texte B.")
    cache.put(Extraction(a))
    cache.put(Extraction(b))
    fresh = ExtractionCache(tmp_path, "v1")
    assert fresh.get(a).document is a
    assert fresh.get(Document("a.txt", "a.txt", "A", "Texte A modifié.")) is None
    assert fresh.prune() == 1  # b was not used by this build
    assert not (tmp_path / "v1" / f"{document_key(b)}.pkl").exists()
    ExtractionCache(tmp_path, "v2").prune()
    assert not (tmp_path / "v1").exists()


def test_broken_entry_is_a_miss(tmp_path):
    cache = ExtractionCache(tmp_path, "v1")
    a = Document("a.txt", "a.txt", "A", "Texte A.")
    (tmp_path / "v1").mkdir()
    (tmp_path / "v1" / f"{document_key(a)}.pkl").write_bytes(b"not a pickle")
    assert cache.get(a) is None


def test_version_follows_patterns(tmp_path):
    extra = tmp_path / "mine.toml"
    extra.write_text("# nothing\n", encoding="utf-8")
    base = pipeline_version(Config(), "m 1")
    assert base != pipeline_version(Config(extra_patterns=(extra,)), "m 1")
    assert base != pipeline_version(Config(), "m 2")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    write_corpus(folder, 3, seed=11)
    return folder


def _quiet(message: str) -> None:
    pass


def test_rebuild_parses_only_changed_documents(corpus, tmp_path, nlp):
    out = tmp_path / "out"
    first = build([corpus], out, log=_quiet, validate=False)
    assert (first.parsed, first.cached) == (3, 0)
    again = build([corpus], out, log=_quiet, validate=False)
    assert (again.parsed, again.cached) == (0, 3)
    assert again.outputs["turtle"].read_bytes() == first.outputs["turtle"].read_bytes()

    changed = sorted(corpus.glob("*.txt"))[1]
    changed.write_text(
        changed.read_text(encoding="utf-8") + "\nOdoo a racheté Nexolia.\n", encoding="utf-8"
    )
    rebuilt = build([corpus], out, log=_quiet, validate=False)
    assert (rebuilt.parsed, rebuilt.cached) == (1, 2)
    fresh = build([corpus], tmp_path / "fresh", log=_quiet, validate=False, cache=False)
    assert fresh.parsed == 3
    assert rebuilt.outputs["turtle"].read_bytes() == fresh.outputs["turtle"].read_bytes()

    gone = sorted(corpus.glob("*.txt"))[0]
    gone_id = gone.name
    gone.unlink()
    after = build([corpus], out, log=_quiet, validate=False)
    assert (after.parsed, after.cached) == (0, 2)
    assert gone_id not in {d.id for d in after.kb.documents}
    assert gone_id not in after.outputs["turtle"].read_text(encoding="utf-8")
    assert len(list((out / ".kg-cache").glob("*/*.pkl"))) == 2
