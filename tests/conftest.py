"""Shared fixtures: the spaCy pipeline is loaded once, the seeds are built once, the small
hand-made graph is written once; :func:`kg_cli` runs the command line in a child process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
GOLD = sorted((ROOT / "eval" / "gold").glob("*.json"))

KgCli = Callable[..., "subprocess.CompletedProcess[str]"]


def kg_cli(
    *args: str, cwd: Path | None = None, stdin: str = "", timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """``python -m kg.cli ARGS`` in a child process running this checkout's kg, with ``stdin``
    as its standard input; its output is captured as text, its exit code left unchecked."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": path},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def run_kg() -> KgCli:
    """The one way tests run the command line: :func:`kg_cli`."""
    return kg_cli


@pytest.fixture(scope="session")
def nlp():
    from kg.nlp import load_pipeline

    return load_pipeline()


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory, nlp):
    """The BuildResult of ``kg build seeds/``; ``.outputs`` maps turtle/graphml/html to paths."""
    from kg.pipeline import build

    out = tmp_path_factory.mktemp("seed-build")
    return build([SEEDS], out, log=lambda message: None)


@pytest.fixture(scope="session")
def kb_from_texts(nlp):
    """Build a KnowledgeBase from inline French texts."""
    from kg.pipeline import knowledge_base_from_texts

    return knowledge_base_from_texts


@pytest.fixture(scope="session")
def graph_file(tmp_path_factory) -> Path:
    """The Turtle file of :func:`kb_samples.sample_kb` (no spaCy needed)."""
    from kb_samples import SOFTWARE, sample_kb

    from kg.graph import to_rdf

    path = tmp_path_factory.mktemp("sample") / "graph.ttl"
    to_rdf(sample_kb(), software=SOFTWARE).serialize(path, format="turtle")
    return path
