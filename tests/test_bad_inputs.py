"""A news folder mixing good articles with every kind of bad input still builds.

Each bad input is named in the build log with its reason, every fact of the good documents is
kept (the graph equals the graph of the good documents alone), ``strict`` refuses to write, and
two builds give identical files.
"""

from __future__ import annotations

import json
import os
import random
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Graph

from kg.config import Config
from kg.errors import InputError
from kg.namespace import KG, RELATIONS
from kg.pipeline import BuildResult, build, format_summary

SEEDS = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))[:2]
OUTPUTS = ("graph.ttl", "graph.graphml", "graph.html")
GOOD_LINE = {
    "text": "Octave Klaba est le fondateur d'OVH, l'hébergeur basé à Roubaix.",
    "title": "OVH",
    "url": "https://example.org/ovh",
}

# name → (line in the file or None, words the log line must hold)
EXPECTED_SKIPS: dict[str, tuple[int | None, str]] = {
    "empty.txt": (None, "empty file"),
    "photo.txt": (None, "binary file (PNG image)"),
    "mixed.txt": (None, "undecodable bytes"),
    "feed.jsonl": (2, "invalid JSON"),
    "locked.txt": (None, "cannot read: Permission denied"),
    "huge.txt": (None, "file is 50 MB, above the 20 MB limit"),
    "nothing": (None, "no documents in folder"),
}


def write_good(folder: Path) -> None:
    """The good documents: a UTF-8 seed, a seed saved as cp1252, one good JSONL line."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(SEEDS[0], folder / SEEDS[0].name)
    text = SEEDS[1].read_text(encoding="utf-8")
    (folder / SEEDS[1].name).write_bytes(text.encode("cp1252"))
    (folder / "feed.jsonl").write_text(json.dumps(GOOD_LINE, ensure_ascii=False) + "\n")


def write_bad(folder: Path, nothing: Path) -> None:
    """Each bad input, beside the good ones."""
    (folder / "empty.txt").write_bytes(b"")
    rng = random.Random(7)
    (folder / "photo.txt").write_bytes(
        b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(4096))
    )
    (folder / "mixed.txt").write_bytes(
        "Octave Klaba dirige OVH à Roubaix. ".encode() + b"\xff\xfe\x81 " + b"Fin."
    )
    with (folder / "feed.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('{"text": "ligne cassée", \n')
    (folder / "locked.txt").write_text("Jean Dupont est le PDG de Dupont SA.", encoding="utf-8")
    size = 50 * 1024 * 1024
    block = ("Le groupe OVH emploie 2.200 personnes à Roubaix. " * 20 + "\n").encode() * 1024
    with (folder / "huge.txt").open("wb") as handle:  # real text, written a block at a time
        for _ in range(size // len(block)):
            handle.write(block)
        handle.write(block[: size % len(block)])
    nothing.mkdir()
    (nothing / "notes.csv").write_text("pas,un,article\n")


@pytest.fixture
def lock_file(monkeypatch: pytest.MonkeyPatch) -> Callable[[Path], None]:
    """Make a file unreadable: by its mode, or (as root, who reads anything) by refusing it."""

    def lock(path: Path) -> None:
        if os.name == "posix" and os.geteuid() != 0:
            path.chmod(0)
            return
        original = Path.open

        def refuse(self: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
            if self.name == path.name:
                raise PermissionError(13, "Permission denied", str(self))
            return original(self, *args, **kwargs)  # type: ignore[call-overload]

        monkeypatch.setattr(Path, "open", refuse)

    return lock


def relation_triples(path: Path) -> set[tuple[str, str, str]]:
    graph = Graph().parse(path, format="turtle")
    return {
        (str(s), name, str(o)) for name in RELATIONS for s, o in graph.subject_objects(KG[name])
    }


def outputs(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in OUTPUTS}


def quiet_build(paths: list[Path], out: Path, **kwargs: object) -> tuple[BuildResult, list[str]]:
    log: list[str] = []
    result = build(paths, out, log=log.append, **kwargs)  # type: ignore[arg-type]
    return result, log


@pytest.fixture
def corpora(
    tmp_path: Path, lock_file: Callable[[Path], None], nlp: object
) -> tuple[list[Path], Path]:
    """(paths of the mixed build, folder of the good documents alone)."""
    good, mixed, nothing = tmp_path / "good", tmp_path / "mixed", tmp_path / "nothing"
    write_good(good)
    write_good(mixed)
    write_bad(mixed, nothing)
    lock_file(mixed / "locked.txt")
    return [mixed, nothing], good


def test_bad_inputs_are_reported_and_good_facts_kept(
    tmp_path: Path, corpora: tuple[list[Path], Path]
) -> None:
    mixed_paths, good = corpora
    result, log = quiet_build(mixed_paths, tmp_path / "out")

    # Every bad input is named, with its reason, on one log line of its own.
    skipped = {Path(s.path).name: (s.line, s.reason) for s in result.skipped}
    assert skipped.keys() == EXPECTED_SKIPS.keys()
    for name, (line, words) in EXPECTED_SKIPS.items():
        assert skipped[name][0] == line, name
        where = f"{name}:{line}:" if line else f"{name}:"
        assert any(where in entry and words in entry for entry in log), (name, log)
    assert all("\n" not in entry for entry in log)
    assert f"skipped {len(EXPECTED_SKIPS)}: " in format_summary(result)

    # The good documents are all read, the cp1252 one decoded correctly.
    ids = sorted(d.id for d in result.kb.documents)
    assert ids == sorted([SEEDS[0].name, SEEDS[1].name, "feed.jsonl#1"])
    cp1252_doc = next(d for d in result.kb.documents if d.id == SEEDS[1].name)
    assert "é" in cp1252_doc.text and "Ã" not in cp1252_doc.text

    # Same facts as a build of the good documents alone: the same graph, byte for byte.
    alone, alone_log = quiet_build([good], tmp_path / "alone")
    assert alone.skipped == [] and not any(e.startswith("skipped") for e in alone_log)
    mixed_relations = relation_triples(tmp_path / "out" / "graph.ttl")
    assert mixed_relations, "the good documents hold relations"
    assert mixed_relations == relation_triples(tmp_path / "alone" / "graph.ttl")
    assert outputs(tmp_path / "out") == outputs(tmp_path / "alone")

    # A second build gives identical files.
    quiet_build(mixed_paths, tmp_path / "again")
    assert outputs(tmp_path / "again") == outputs(tmp_path / "out")


def test_strict_fails_before_writing(tmp_path: Path, corpora: tuple[list[Path], Path]) -> None:
    mixed_paths, _ = corpora
    out = tmp_path / "out"
    log: list[str] = []
    with pytest.raises(InputError, match="7 input.s. skipped and --strict given"):
        build(mixed_paths, out, Config(strict=True), log=log.append)
    # No output is written (the extraction cache of the good documents may be).
    assert not any((out / name).exists() for name in OUTPUTS)
    assert len([entry for entry in log if entry.startswith("skipped")]) == 7


def test_folder_with_no_documents_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "notes.csv").write_text("a,b\n")
    with pytest.raises(InputError, match="no documents to read"):
        build([tmp_path], tmp_path / "out", log=lambda _: None)
