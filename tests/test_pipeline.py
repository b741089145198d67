"""End to end: ``kg build`` on the seed articles, queried and scored."""

from __future__ import annotations

from rdflib import RDF, RDFS, Graph

from conftest import GOLD, ROOT
from kg.evaluate import evaluate
from kg.namespace import KG


def labelled_triples(path, predicate):
    graph = Graph().parse(path)
    label = {s: str(o) for s, o in graph.subject_objects(RDFS.label)}
    return {(label.get(s), label.get(o)) for s, o in graph.subject_objects(KG[predicate])}


def test_build_writes_the_three_outputs(seed_build):
    for name in ("turtle", "graphml", "html"):
        assert seed_build.outputs[name].is_file() and seed_build.outputs[name].stat().st_size > 0
    assert len(seed_build.kb.documents) == 5


def test_seed_facts(seed_build):
    ttl = seed_build.outputs["turtle"]
    assert ("Laurent Allard", "OVH") in labelled_triples(ttl, "ceoOf")
    partners = labelled_triples(ttl, "partnerOf")
    assert ("Odoo", "Proximus") in partners or ("Proximus", "Odoo") in partners
    assert ("Thierry Petit", "Showroomprivé.com") in labelled_triples(ttl, "founderOf")
    assert not {pair for pair in labelled_triples(ttl, "investedIn") if pair[0] == "Thierry Petit"}


def test_the_negated_investment_is_kept_apart(seed_build):
    negated = {
        (
            seed_build.kb.entities[r.subject].label,
            r.predicate,
            seed_build.kb.entities[r.object].label,
        )
        for r in seed_build.kb.relations
        if r.modality == "negated"
    }
    assert ("Thierry Petit", "investedIn", "Libération") in negated


def test_one_entity_per_company_across_articles(seed_build):
    ovh = [e for e in seed_build.kb.entities.values() if e.label == "OVH"]
    assert len(ovh) == 1
    assert {"groupe OVH", "OVH Group"} <= ovh[0].aliases
    assert len(ovh[0].documents) >= 2


def test_eval_meets_the_extraction_targets(seed_build):
    report = evaluate(seed_build.outputs["turtle"], GOLD, texts_dir=ROOT / "seeds")
    assert report.overall.f1 >= 0.85 and report.overall.precision >= 0.9
    assert report.tiers["explicit"].recall == 1.0
    assert report.tiers["inferred"].recall >= 0.7
    assert report.entities.precision >= 0.95 and report.entity_recall.recall >= 0.95
    assert report.attributes.recall >= 0.8
    assert report.traps == []


def test_cli_query_lists_the_ceo(seed_build, run_kg):
    query = "SELECT ?who WHERE { ?p kg:ceoOf ?o . ?p rdfs:label ?who . ?o rdfs:label 'OVH'@fr }"
    done = run_kg("query", str(seed_build.outputs["turtle"]), query)
    assert done.returncode == 0, done.stderr
    assert "Laurent Allard" in done.stdout


def test_cli_eval_prints_the_report(seed_build, run_kg):
    done = run_kg("eval", str(seed_build.outputs["turtle"]), *map(str, GOLD), cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert (
        "overall" in done.stdout
        and "recall explicit" in done.stdout
        and "traps produced   0" in done.stdout
    )


def test_cli_view_nodes_caps_the_page(tmp_path, nlp):
    from typer.testing import CliRunner

    from kg.cli import app
    from kg.viz import view_notice

    out = tmp_path / "out"
    seeds = ROOT / "seeds"
    done = CliRunner().invoke(
        app, ["build", str(seeds), "-o", str(out), "-q", "--no-validate", "--view-nodes", "5"]
    )
    assert done.exit_code == 0, done.output
    page = (out / "graph.html").read_text(encoding="utf-8")
    graph = Graph().parse(out / "graph.ttl")
    kinds = (KG.Person, KG.Organization, KG.Place)
    total = len({s for kind in kinds for s in graph.subjects(RDF.type, kind)})
    assert total > 5
    assert view_notice(5, total) in page
