"""Tests for kg.generation: a build's files switched in together, whatever moment it is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from kg.generation import (
    CURRENT,
    GENERATIONS,
    Generation,
    current_outputs,
    read_manifest,
    remove_leftovers,
)

FILES = ("graph.ttl", "graph.graphml", "graph.html")

# A child writes generation TAG; it SIGKILLs itself at the KILL-th file-system step of the write
# phase (a write, a flush to disk, a link, a rename, a removal).
CHILD = """
import os, signal, sys
from pathlib import Path
import kg.generation as g

out, tag, kill = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
steps = [0]

def step():
    steps[0] += 1
    if steps[0] == kill:
        os.kill(os.getpid(), signal.SIGKILL)

def counted(function):
    def wrapper(*args, **kwargs):
        step()
        result = function(*args, **kwargs)
        step()
        return result
    return wrapper

g._fsync = counted(g._fsync)
g.os.replace = counted(os.replace)
g.os.symlink = counted(os.symlink)
g.shutil.rmtree = counted(g.shutil.rmtree)
with g.Generation.start(out) as new:
    for name in sys.argv[4:]:
        step()
        new.path(name).write_text(tag * 1000, encoding="utf-8")
    new.commit({"key": tag})
print(steps[0])
"""


def _write(out: Path, tag: str, kill: int = 0, files: tuple[str, ...] = FILES) -> int:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(out), tag, str(kill), *files],
        capture_output=True,
        text=True,
    )
    if kill and done.returncode == -signal.SIGKILL:
        return -1
    assert done.returncode == 0, done.stderr
    return int(done.stdout)


def _visible(out: Path) -> dict[str, str]:
    return {
        name: (out / name).read_text(encoding="utf-8") for name in FILES if (out / name).exists()
    }


def test_a_generation_is_switched_in_whole(tmp_path):
    out = tmp_path / "out"
    _write(out, "A")
    assert _visible(out) == {name: "A" * 1000 for name in FILES}
    assert read_manifest(out)["key"] == "A"
    assert set(read_manifest(out)["files"]) == set(FILES)
    assert current_outputs(out, "A") == {name: out / name for name in FILES}
    assert current_outputs(out, "B") is None
    assert len(list((out / GENERATIONS).iterdir())) == 1


def test_sigkill_at_any_step_leaves_one_whole_generation_and_the_next_build_cleans_up(tmp_path):
    steps = _write(tmp_path / "count", "A")
    assert steps > 10
    for kill in range(1, steps + 1):
        out = tmp_path / f"out-{kill}"
        _write(out, "A")
        _write(out, "B", kill=kill)
        seen = _visible(out)
        # Every output there, all from one generation: the old one or the new one.
        assert set(seen) == set(FILES), (kill, seen)
        assert len(set(seen.values())) == 1, (kill, seen)
        assert read_manifest(out)["key"] == seen["graph.ttl"][0]
        # The next build removes what the killed one left.
        with Generation.start(out):
            pass
        generations = list((out / GENERATIONS).iterdir())
        assert generations == [(out / os.readlink(out / CURRENT)).resolve()], kill
        assert not [p for p in out.iterdir() if p.name.endswith((".tmp", ".link"))]


def test_outputs_a_build_does_not_make_are_removed(tmp_path):
    out = tmp_path / "out"
    _write(out, "A", files=(*FILES, "inferred.ttl"))
    _write(out, "B", files=("graph.ttl", "graph.graphml"))  # a disk-store build: no view
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "graph.graphml",
        "graph.ttl",
    ]


def test_a_failed_build_leaves_the_previous_generation(tmp_path):
    out = tmp_path / "out"
    _write(out, "A")
    with pytest.raises(RuntimeError), Generation.start(out) as new:
        new.path("graph.ttl").write_text("half", encoding="utf-8")
        raise RuntimeError("render failed")
    assert _visible(out) == {name: "A" * 1000 for name in FILES}
    assert remove_leftovers(out) == []
