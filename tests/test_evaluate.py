"""kg/evaluate.py: the gold scoring rules on small hand-made graphs."""

from __future__ import annotations

import json

import pytest
from gold_samples import EX, labelled_graph, write_gold
from rdflib import RDF, RDFS, Graph, Literal, Namespace

from kg.errors import InputError, UsageError
from kg.evaluate import evaluate, format_report
from kg.namespace import KG

GOLD = {
    "document": "a.txt",
    "entities": [
        {"id": "anne", "type": "Person", "names": ["Anne Roy"]},
        {"id": "lumio", "type": "Organization", "names": ["Lumio"]},
        {"id": "brevia", "type": "Organization", "names": ["Brevia"]},
    ],
    "relations": [
        {"subject": "anne", "predicate": "ceoOf", "object": "lumio", "tier": "explicit"},
        {"subject": "lumio", "predicate": "partnerOf", "object": "brevia", "tier": "inferred"},
    ],
    "acceptable": [{"subject": "anne", "predicate": "worksFor", "object": "lumio"}],
    "traps": [{"subject": "lumio", "predicate": "acquired", "object": "brevia"}],
    "attributes": [{"subject": "lumio", "property": "revenue", "value": 250000000, "unit": "EUR"}],
}
TEXT = "Anne Roy, PDG de Lumio, s'allie à Brevia. Lumio n'a pas racheté Brevia. Nantes."


@pytest.fixture
def files(tmp_path):
    return tmp_path, write_gold(tmp_path, GOLD, TEXT)


def test_perfect_graph(files):
    folder, gold = files
    g = labelled_graph(
        (EX.anne, KG.ceoOf, EX.anne),
        (EX.brevia, KG.partnerOf, EX.lumio),
        (EX.anne, KG.worksFor, EX.lumio),
    )
    g.remove((EX.anne, KG.ceoOf, EX.anne))
    g.add((EX.anne, KG.ceoOf, EX.lumio))
    report = evaluate(g, [gold], texts_dir=folder)
    assert (report.overall.found, report.overall.wrong, report.overall.gold) == (2, 0, 2)
    assert report.tiers["inferred"].recall == 1.0  # partnerOf counts in either direction
    assert report.entity_recall.recall == 1.0
    assert report.entities.wrong == 1  # Nantes is in the text but not in the gold


def test_traps_and_wrong_facts_are_errors(files):
    folder, gold = files
    report = evaluate(labelled_graph((EX.lumio, KG.acquired, EX.brevia)), [gold], texts_dir=folder)
    assert report.overall.wrong == 1 and len(report.traps) == 1
    assert report.overall.precision == 0.0 and report.overall.recall == 0.0


def test_attribute_within_two_percent(files):
    folder, gold = files
    g = labelled_graph((EX.lumio, KG.revenue, EX.amount))
    g.add((EX.amount, Namespace("https://schema.org/").value, Literal(252_000_000)))
    assert evaluate(g, [gold], texts_dir=folder).attributes.found == 1


def test_out_of_scope_entities_are_ignored(files):
    folder, gold = files
    g = labelled_graph()
    g.add((EX.paris, RDF.type, KG.Place))
    g.add((EX.paris, RDFS.label, Literal("Paris")))
    g.add((EX.lumio, KG.locatedIn, EX.paris))
    report = evaluate(g, [gold], texts_dir=folder)
    assert report.overall.wrong == 0


def test_report_formats(files):
    folder, gold = files
    report = evaluate(labelled_graph(), [gold], texts_dir=folder)
    assert "overall" in format_report(report)
    assert json.loads(format_report(report, "json"))["overall"]["gold"] == 2
    with pytest.raises(UsageError):
        format_report(report, "xml")


def test_bad_gold_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(InputError, match="invalid JSON at line 1"):
        evaluate(Graph(), [bad], texts_dir=tmp_path)
