"""The same inputs give byte-identical graph.ttl, graph.graphml and graph.html."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from kb_samples import sample_kb

from kg.outputs import write_outputs

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
OUTPUTS = ("graph.ttl", "graph.graphml", "graph.html")


def run_python(code: str, *args: str, hash_seed: int) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONHASHSEED": str(hash_seed), "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, *(["-c", code] if code else []), *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def read_outputs(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in OUTPUTS}


WRITE_SAMPLE = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, "tests")
    from pathlib import Path
    from kb_samples import sample_kb
    from kg.graph import to_networkx, to_rdf
    from kg.outputs import write_outputs
    kb = sample_kb()
    write_outputs(kb, Path(sys.argv[1]))
    """
)


def test_outputs_do_not_depend_on_hash_seed(tmp_path: Path) -> None:
    for seed in (1, 2, 3):
        result = run_python(WRITE_SAMPLE, str(tmp_path / str(seed)), hash_seed=seed)
        assert result.returncode == 0, result.stderr
    first = read_outputs(tmp_path / "1")
    assert read_outputs(tmp_path / "2") == first
    assert read_outputs(tmp_path / "3") == first


def test_turtle_and_html_do_not_depend_on_insertion_order(tmp_path: Path) -> None:
    kb = sample_kb()
    write_outputs(kb, tmp_path / "a")
    kb.documents.reverse()
    kb.relations.reverse()
    kb.attributes.reverse()
    kb.entities = dict(reversed(list(kb.entities.items())))
    write_outputs(kb, tmp_path / "b")
    for name in ("graph.ttl", "graph.html"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_turtle_holds_no_build_timestamp(tmp_path: Path) -> None:
    kb = sample_kb()
    write_outputs(kb, tmp_path)
    turtle = (tmp_path / "graph.ttl").read_text(encoding="utf-8")
    assert "dateTime" not in turtle and "startedAtTime" not in turtle


@pytest.mark.slow
def test_two_real_builds_are_byte_identical(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for seed in sorted(SEEDS.glob("*.txt"))[:2]:
        shutil.copy(seed, corpus / seed.name)
    # Both builds run at once, in two processes whose str hashes differ.
    builds = {
        hash_seed: subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kg.cli",
                "build",
                str(corpus),
                "-o",
                str(tmp_path / str(hash_seed)),
                "--quiet",
            ],
            cwd=REPO,
            env={**os.environ, "PYTHONHASHSEED": str(hash_seed), "PYTHONPATH": str(REPO)},
            stderr=subprocess.PIPE,
            text=True,
        )
        for hash_seed in (11, 12345)
    }
    for process in builds.values():
        _, stderr = process.communicate(timeout=600)
        assert process.returncode == 0, stderr
    first, second = read_outputs(tmp_path / "11"), read_outputs(tmp_path / "12345")
    for name in OUTPUTS:
        assert first[name] == second[name], f"{name} differs between two builds"
    assert b"kg:" in first["graph.ttl"]
