"""kg/explain.py: the stage of each missed and wrong fact, on small hand-made graphs and records."""

from __future__ import annotations

import json
import pickle

import pytest
from gold_samples import EX, NODES, labelled_graph, write_gold
from rdflib import RDF, RDFS, Literal
from rdflib.namespace import PROV, SKOS

from kg.errors import UsageError
from kg.explain import explain, find_records, format_explained, load_records
from kg.namespace import KG
from kg.records import Document, Evidence, Extraction, Fact, Mention

TEXT = "Anne Roy dirige Lumio Group, allié de Brevia à Nantes. Lumio n'a pas racheté Brevia."
GOLD = {
    "document": "a.txt",
    "entities": [
        {"id": "anne", "type": "Person", "names": ["Anne Roy"]},
        {"id": "lumio", "type": "Organization", "names": ["Lumio"]},
        {"id": "brevia", "type": "Organization", "names": ["Brevia"]},
    ],
    "relations": [
        {"subject": "anne", "predicate": "ceoOf", "object": "lumio", "tier": "explicit"},
        {"subject": "lumio", "predicate": "partnerOf", "object": "brevia", "tier": "explicit"},
    ],
    "traps": [{"subject": "lumio", "predicate": "acquired", "object": "brevia", "why": "negated"}],
}


@pytest.fixture
def gold(tmp_path):
    return write_gold(tmp_path, GOLD, TEXT)


def without(*names, **retyped):
    """NODES without some nodes, or with others retyped (``lumio="Place"``)."""
    return {
        node: (retyped.get(node.split("/")[-1], kind), label)
        for node, (kind, label) in NODES.items()
        if node.split("/")[-1] not in names
    }


def records(tmp_path, *facts, mentions=()):
    """A cache folder holding one Extraction of a.txt."""
    folder = tmp_path / "out" / ".kg-cache" / "v1"
    folder.mkdir(parents=True)
    extraction = Extraction(Document("a.txt", "in/a.txt", "", TEXT), list(mentions), list(facts))
    (folder / "x.pkl").write_bytes(pickle.dumps(extraction))
    return folder


def mention(text, kind="Organization"):
    return Mention(text, kind, "a.txt", 0, len(text))


def fact(s, p, o, modality="asserted", confidence=0.8, s_type="Person"):
    evidence = Evidence("a.txt", "…", 0, 10, confidence, "test")
    return Fact(mention(s, s_type), p, mention(o), evidence, modality)


def stages(explained, kind="missed"):
    return {
        (e.subject, e.predicate, e.object): e.stage
        for e in explained.explanations
        if e.kind == kind
    }


def test_entity_not_found(gold, tmp_path):
    explained = explain(labelled_graph(nodes=without("brevia")), [gold], texts_dir=tmp_path)
    assert stages(explained) == {
        ("anne", "ceoOf", "lumio"): "no pattern matched",
        ("lumio", "partnerOf", "brevia"): "entity not found",
    }
    assert explained.explanations[1].detail == "object Brevia (Organization): no node"


def test_records_tell_a_missing_entity_from_a_wrongly_typed_mention(gold, tmp_path):
    folder = records(tmp_path, mentions=[mention("Brevia", "Person")])
    g = labelled_graph(nodes=without("brevia"))
    explained = explain(g, [gold], texts_dir=tmp_path, records=folder)
    assert stages(explained)[("lumio", "partnerOf", "brevia")] == "wrong type"
    assert explained.explanations[1].detail.endswith("mentioned as Person")
    folder = records(tmp_path / "other", mentions=[mention("Lumio")])
    explained = explain(g, [gold], texts_dir=tmp_path, records=folder)
    assert explained.explanations[1].detail == "object Brevia (Organization): no mention"


def test_wrong_type(gold, tmp_path):
    explained = explain(labelled_graph(nodes=without(lumio="Place")), [gold], texts_dir=tmp_path)
    assert set(stages(explained).values()) == {"wrong type"}
    assert explained.explanations[0].detail == "object Lumio is Place, gold Organization"


def test_not_merged_twice_the_same_entity(gold, tmp_path):
    g = labelled_graph()
    g.add((EX.lumio2, RDF.type, KG.Organization))
    g.add((EX.lumio2, RDFS.label, Literal("Lumio Group")))
    g.add((EX.lumio2, SKOS.altLabel, Literal("LUMIO")))
    explained = explain(g, [gold], texts_dir=tmp_path)
    assert stages(explained)[("anne", "ceoOf", "lumio")] == "not merged"
    assert explained.explanations[0].detail == "object is 2 nodes: Lumio, Lumio Group"


def test_not_merged_relation_on_a_name_variant(gold, tmp_path):
    nodes = {**without("lumio"), EX.group: ("Organization", "Lumio Group")}
    explained = explain(
        labelled_graph((EX.anne, KG.ceoOf, EX.group), nodes=nodes), [gold], texts_dir=tmp_path
    )
    assert stages(explained) == {
        ("anne", "ceoOf", "lumio"): "not merged",
        ("lumio", "partnerOf", "brevia"): "entity not found",
    }
    assert explained.explanations[0].detail == "found as Anne Roy ceoOf Lumio Group"
    assert explained.explanations[1].detail.endswith("no node (variants: Lumio Group)")


def test_blocked_by_modality_in_the_graph(gold, tmp_path):
    g = labelled_graph()
    for triple in [
        (EX.st, RDF.type, RDF.Statement),
        (EX.st, RDF.subject, EX.anne),
        (EX.st, RDF.predicate, KG.ceoOf),
        (EX.st, RDF.object, EX.lumio),
        (EX.st, KG.modality, Literal("planned")),
        (EX.st, PROV.wasDerivedFrom, EX.doc),
        (EX.doc, KG.sourceFile, Literal("a.txt")),
    ]:
        g.add(triple)
    explained = explain(g, [gold], texts_dir=tmp_path)
    assert stages(explained)[("anne", "ceoOf", "lumio")] == "blocked by modality"
    assert explained.explanations[0].detail == "planned in the graph"
    g.set((EX.doc, KG.sourceFile, Literal("b.txt")))  # another article's statement
    assert stages(explain(g, [gold], texts_dir=tmp_path))[("anne", "ceoOf", "lumio")] == (
        "no pattern matched"
    )


def test_modality_and_threshold_from_the_records(gold, tmp_path):
    folder = records(
        tmp_path,
        fact("Anne Roy", "ceoOf", "Lumio", modality="negated"),
        fact("Brevia", "partnerOf", "Lumio", confidence=0.3, s_type="Organization"),
    )
    explained = explain(labelled_graph(), [gold], texts_dir=tmp_path, records=folder)
    assert stages(explained) == {
        ("anne", "ceoOf", "lumio"): "blocked by modality",
        ("lumio", "partnerOf", "brevia"): "below threshold",
    }
    assert explained.explanations[1].detail == "best confidence 0.30 < 0.5"
    lower = explain(labelled_graph(), [gold], texts_dir=tmp_path, records=folder, threshold=0.2)
    assert stages(lower)[("lumio", "partnerOf", "brevia")] == "no pattern matched"


def test_wrong_entity_attached_both_ways(gold, tmp_path):
    g = labelled_graph((EX.anne, KG.ceoOf, EX.brevia), (EX.lumio, KG.partnerOf, EX.nantes))
    explained = explain(g, [gold], texts_dir=tmp_path)
    assert stages(explained) == {
        ("anne", "ceoOf", "lumio"): "wrong entity attached",
        ("lumio", "partnerOf", "brevia"): "wrong entity attached",
    }
    assert explained.explanations[0].detail == "found Anne Roy ceoOf Brevia"
    assert stages(explained, "wrong") == {
        ("Anne Roy", "ceoOf", "Brevia"): "wrong entity attached",
        ("Lumio", "partnerOf", "Nantes"): "wrong entity attached",
    }
    assert [e.detail for e in explained.explanations if e.kind == "wrong"] == [
        "gold: anne ceoOf lumio",
        "Nantes is no gold entity",
    ]


def test_no_pattern_matched_says_what_holds_instead(gold, tmp_path):
    explained = explain(
        labelled_graph((EX.lumio, KG.clientOf, EX.brevia)), [gold], texts_dir=tmp_path
    )
    assert stages(explained)[("lumio", "partnerOf", "brevia")] == "no pattern matched"
    assert explained.explanations[1].detail == "holds clientOf instead"
    assert stages(explained, "wrong") == {("Lumio", "clientOf", "Brevia"): "no such fact"}
    assert explained.explanations[2].detail == "gold: partnerOf"


def test_wrong_facts_trap_and_type(gold, tmp_path):
    g = labelled_graph(
        (EX.lumio, KG.acquired, EX.brevia),
        (EX.brevia, KG.clientOf, EX.anne),
        nodes=without(anne="Organization"),
    )
    explained = explain(g, [gold], texts_dir=tmp_path)
    assert stages(explained, "wrong") == {
        ("Lumio", "acquired", "Brevia"): "trap",
        ("Brevia", "clientOf", "Anne Roy"): "wrong type",
    }
    assert [e.detail for e in explained.explanations if e.kind == "wrong"] == [
        "Anne Roy is Organization, gold Person",
        "negated",
    ]


def test_stage_tables_text_and_json(gold, tmp_path):
    explained = explain(
        labelled_graph((EX.lumio, KG.acquired, EX.brevia)), [gold], texts_dir=tmp_path
    )
    text = format_explained(explained)
    assert "extraction records: none (stages read the graph only)" in text
    assert "no pattern matched        2     1         1" in text
    assert "trap                      1        1" in text
    assert "  - [trap] a.txt: Lumio acquired Brevia — negated" in text
    data = json.loads(format_explained(explained, "json"))["explain"]
    assert data["misses_by_stage"]["no pattern matched"] == {"all": 2, "ceoOf": 1, "partnerOf": 1}
    assert data["errors_by_stage"]["trap"] == {"all": 1, "acquired": 1}
    assert data["wrong"][0]["stage"] == "trap"


def test_find_and_load_records(tmp_path):
    folder = records(tmp_path)
    (folder.parent / "rendered").mkdir()
    graph_path = tmp_path / "out" / "graph.ttl"
    assert find_records(graph_path) == folder
    assert find_records(graph_path, folder.parent) == folder == find_records(None, folder)
    assert find_records(tmp_path / "graph.ttl") is None
    with pytest.raises(UsageError, match="no such cache folder"):
        find_records(graph_path, tmp_path / "nowhere")
    (folder / "broken.pkl").write_bytes(b"not a pickle")
    assert sorted(load_records(folder)) == ["a.txt"]


def test_cli_explain_reads_the_graphs_records(gold, tmp_path):
    from typer.testing import CliRunner

    from kg.cli import app

    folder = records(tmp_path, fact("Anne Roy", "ceoOf", "Lumio", modality="planned"))
    labelled_graph().serialize(folder.parent.parent / "graph.ttl", format="turtle")
    args = ["eval", str(folder.parent.parent / "graph.ttl"), str(gold), "--seeds", str(tmp_path)]
    done = CliRunner().invoke(app, [*args, "--explain", "--format", "json"])
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)["explain"]
    assert data["records"] == str(folder)
    assert data["missed"][0]["stage"] == "blocked by modality"
    assert "misses by stage" not in CliRunner().invoke(app, args).stdout


def test_real_build_of_own_sentences(tmp_path, nlp):
    from kg.config import Config
    from kg.pipeline import build

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "note.txt").write_text(
        "Verbatim Logiciels recrute\n\nClaire Martin est la directrice générale de Verbatim "
        "Logiciels, éditeur installé à Nantes. Verbatim Logiciels pourrait racheter Ondine "
        "Systèmes l'an prochain.\n",
        encoding="utf-8",
    )
    gold = {
        "document": "note.txt",
        "entities": [
            {"id": "verbatim", "type": "Organization", "names": ["Verbatim Logiciels"]},
            {"id": "ondine", "type": "Organization", "names": ["Ondine Systèmes"]},
            {"id": "nantes", "type": "Place", "names": ["Nantes"]},
            {"id": "rennes", "type": "Place", "names": ["Rennes"]},
        ],
        "relations": [
            {"subject": "verbatim", "predicate": "acquired", "object": "ondine"},
            {"subject": "ondine", "predicate": "locatedIn", "object": "rennes"},
        ],
    }
    (tmp_path / "gold.json").write_text(json.dumps(gold), encoding="utf-8")
    out = tmp_path / "out"
    build([tmp_path / "in"], out, Config(validate=False), log=lambda message: None)
    explained = explain(
        out / "graph.ttl",
        [tmp_path / "gold.json"],
        texts_dir=tmp_path / "in",
        records=find_records(out / "graph.ttl"),
    )
    assert stages(explained) == {
        ("verbatim", "acquired", "ondine"): "blocked by modality",
        ("ondine", "locatedIn", "rennes"): "entity not found",
    }
    assert [e.detail for e in explained.explanations if e.kind == "missed"] == [
        "planned in the graph",
        "object Rennes (Place): no mention",
    ]
