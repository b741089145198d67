"""The synthetic corpus: deterministic, realistic enough, gold in the eval/gold format."""

from __future__ import annotations

import json

import pytest

from kgbench.corpus import N_COMPANIES, article, company, generate, write_corpus


def test_articles_are_deterministic_and_independent_of_corpus_size():
    first = [a.text for a in generate(5, seed=3)]
    assert first == [a.text for a in generate(5, seed=3)]
    assert first[:2] == [a.text for a in generate(2, seed=3)]
    assert first != [a.text for a in generate(5, seed=4)]


def test_world_is_consistent():
    c = company(123)
    assert c == company(123)
    assert len({c.ceo.name, c.founder.name, c.cfo.name}) == 3
    assert len({company(k).name for k in range(N_COMPANIES)}) == N_COMPANIES


@pytest.mark.parametrize("index", range(40))
def test_gold_names_occur_in_text(index):
    item = article(index)
    assert item.gold["document"] == item.name
    ids = {e["id"] for e in item.gold["entities"]}
    for entity in item.gold["entities"]:
        assert entity["type"] in {"Person", "Organization", "Place"}
        assert any(name in item.text for name in entity["names"]), entity
    for fact in item.gold["relations"] + item.gold["traps"] + item.gold["acceptable"]:
        assert {fact["subject"], fact["object"]} <= ids
    for fact in item.gold["relations"]:
        assert fact["evidence"] in item.text and fact["tier"] in {"explicit", "inferred"}


def test_corpus_has_negations_coreference_and_attributes():
    items = list(generate(60))
    assert any(i.gold["traps"] for i in items)
    assert any(r["tier"] == "inferred" for i in items for r in i.gold["relations"])
    assert any(a["property"] == "revenue" for i in items for a in i.gold["attributes"])
    assert any("n'a pas" in i.text or "dément" in i.text for i in items)


def test_write_corpus(tmp_path):
    paths = write_corpus(tmp_path / "texts", 3, gold_dir=tmp_path / "gold")
    assert [p.name for p in paths] == ["gen-000000.txt", "gen-000001.txt", "gen-000002.txt"]
    gold = json.loads((tmp_path / "gold" / "gen-000001.json").read_text(encoding="utf-8"))
    assert gold["document"] == "gen-000001.txt"
    before = paths[0].stat().st_mtime_ns
    write_corpus(tmp_path / "texts", 3)
    assert paths[0].stat().st_mtime_ns == before  # unchanged files are not rewritten
