"""kg/evaluate.py: the gold scoring rules on small hand-made graphs."""

from __future__ import annotations

import json

import pytest
from rdflib import RDF, RDFS, Graph, Literal, Namespace

from kg.errors import InputError, UsageError
from kg.evaluate import evaluate, format_report

EX = Namespace("http://example.org/")
KGO = Namespace("https://w3id.org/kg-news/ontology#")
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
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    gold = tmp_path / "a.json"
    gold.write_text(json.dumps(GOLD), encoding="utf-8")
    return tmp_path, gold


def graph(*triples):
    g = Graph()
    for node, kind, label in [
        (EX.anne, "Person", "Anne Roy"),
        (EX.lumio, "Organization", "Lumio"),
        (EX.brevia, "Organization", "Brevia"),
        (EX.nantes, "Place", "Nantes"),
    ]:
        g.add((node, RDF.type, KGO[kind]))
        g.add((node, RDFS.label, Literal(label, lang="fr")))
    for triple in triples:
        g.add(triple)
    return g


def test_perfect_graph(files):
    folder, gold = files
    g = graph(
        (EX.anne, KGO.ceoOf, EX.anne),
        (EX.brevia, KGO.partnerOf, EX.lumio),
        (EX.anne, KGO.worksFor, EX.lumio),
    )
    g.remove((EX.anne, KGO.ceoOf, EX.anne))
    g.add((EX.anne, KGO.ceoOf, EX.lumio))
    report = evaluate(g, [gold], texts_dir=folder)
    assert (report.overall.found, report.overall.wrong, report.overall.gold) == (2, 0, 2)
    assert report.tiers["inferred"].recall == 1.0  # partnerOf counts in either direction
    assert report.entity_recall.recall == 1.0
    assert report.entities.wrong == 1  # Nantes is in the text but not in the gold


def test_traps_and_wrong_facts_are_errors(files):
    folder, gold = files
    report = evaluate(graph((EX.lumio, KGO.acquired, EX.brevia)), [gold], texts_dir=folder)
    assert report.overall.wrong == 1 and len(report.traps) == 1
    assert report.overall.precision == 0.0 and report.overall.recall == 0.0


def test_attribute_within_two_percent(files):
    folder, gold = files
    g = graph((EX.lumio, KGO.revenue, EX.amount))
    g.add((EX.amount, Namespace("https://schema.org/").value, Literal(252_000_000)))
    assert evaluate(g, [gold], texts_dir=folder).attributes.found == 1


def test_out_of_scope_entities_are_ignored(files):
    folder, gold = files
    g = graph()
    g.add((EX.paris, RDF.type, KGO.Place))
    g.add((EX.paris, RDFS.label, Literal("Paris")))
    g.add((EX.lumio, KGO.locatedIn, EX.paris))
    report = evaluate(g, [gold], texts_dir=folder)
    assert report.overall.wrong == 0


def test_report_formats(files):
    folder, gold = files
    report = evaluate(graph(), [gold], texts_dir=folder)
    assert "overall" in format_report(report)
    assert json.loads(format_report(report, "json"))["overall"]["gold"] == 2
    with pytest.raises(UsageError):
        format_report(report, "xml")


def test_bad_gold_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(InputError, match="invalid JSON at line 1"):
        evaluate(Graph(), [bad], texts_dir=tmp_path)
