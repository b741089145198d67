"""Session fixtures: the spaCy pipeline is loaded once, the seeds are built once."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
GOLD = sorted((ROOT / "eval" / "gold").glob("*.json"))


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
