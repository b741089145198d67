"""Atomic output: a failed or killed write leaves the previous files whole and no temp files."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import networkx as nx
import pytest
from kb_samples import sample_kb

import kg.io
import kg.outputs
from kg.io import atomic_open, write_bytes_atomic, write_text_atomic
from kg.outputs import write_outputs

REPO = Path(__file__).resolve().parent.parent


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file in ``folder`` (hidden temp files included, a build's generation folders and
    link left out) with its content, read through the outputs' links."""
    return {
        p.name: p.read_bytes()
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.startswith(".kg-")
    }


def test_atomic_write_replaces_the_file(tmp_path: Path) -> None:
    target = tmp_path / "graph.ttl"
    write_text_atomic(target, "ancien")
    write_text_atomic(target, "nouveau é")
    write_bytes_atomic(tmp_path / "b.bin", b"\x00\x01")
    assert target.read_text(encoding="utf-8") == "nouveau é"
    assert snapshot(tmp_path).keys() == {"graph.ttl", "b.bin"}


def test_failure_mid_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "graph.ttl"
    target.write_text("ancien contenu complet")
    with pytest.raises(RuntimeError), atomic_open(target) as handle:
        handle.write("début du nouveau contenu")
        raise RuntimeError("serializer failed")
    assert snapshot(tmp_path) == {"graph.ttl": b"ancien contenu complet"}


def test_failure_while_syncing_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "graph.ttl"
    target.write_text("ancien")

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(kg.io.os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        write_text_atomic(target, "nouveau")
    assert snapshot(tmp_path) == {"graph.ttl": b"ancien"}


@pytest.fixture
def previous_build(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    """An output folder holding a complete earlier build."""
    kb = sample_kb()
    out = tmp_path / "out"
    write_outputs(kb, out)
    return out, snapshot(out)


def _half_graphml(network: nx.MultiDiGraph, path: io.BytesIO, **_: object) -> None:
    path.write(b"<?xml version='1.0'?><graphml><graph>")
    raise RuntimeError("killed while writing GraphML")


def _failing_html(*_: object, **__: object) -> str:
    raise RuntimeError("killed while rendering HTML")


@pytest.mark.parametrize(
    ("target", "name", "replacement"),
    [
        (nx, "write_graphml", _half_graphml),
        (kg.outputs, "render_html", _failing_html),
    ],
)
def test_interrupted_build_leaves_previous_outputs_intact(
    previous_build: tuple[Path, dict[str, bytes]],
    monkeypatch: pytest.MonkeyPatch,
    target: object,
    name: str,
    replacement: object,
) -> None:
    out, before = previous_build
    kb = sample_kb()
    kb.relations = kb.relations[:1]  # a different graph, so a partial write would show
    monkeypatch.setattr(target, name, replacement)
    with pytest.raises(RuntimeError, match="killed"):
        write_outputs(kb, out)
    assert snapshot(out) == before


def test_failed_file_write_leaves_previous_outputs_intact(
    previous_build: tuple[Path, dict[str, bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    out, before = previous_build
    original = Path.write_bytes

    def disk_error(self: Path, data: bytes) -> int:
        if self.name == "graph.graphml":
            raise OSError(5, "Input/output error")
        return original(self, data)

    monkeypatch.setattr(Path, "write_bytes", disk_error)
    kb = sample_kb()
    kb.relations = kb.relations[:1]
    with pytest.raises(OSError):
        write_outputs(kb, out)
    assert snapshot(out) == before


KILLED_WRITER = """
import os, signal, sys
from kg.io import atomic_open
with atomic_open(sys.argv[1]) as handle:
    handle.write("nouveau contenu à moitié écrit")
    handle.flush()
    os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_killed_process_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "graph.ttl"
    target.write_text("ancien contenu complet")
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(KILLED_WRITER), str(target)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
    )
    assert result.returncode == -signal.SIGKILL
    assert target.read_text() == "ancien contenu complet"
    # A kill cannot clean up: what remains is a hidden temp file, never a half-written target.
    leftovers = [p.name for p in tmp_path.iterdir() if p != target]
    assert all(name.startswith(".graph.ttl.") and name.endswith(".tmp") for name in leftovers)
