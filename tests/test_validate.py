"""kg.validate and ``kg validate``: SHACL shapes over kg graphs."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from kb_samples import SOFTWARE, sample_kb
from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import PROV

from kg.graph.rdf import load_graph, to_rdf
from kg.link import link_places
from kg.namespace import KG
from kg.naming import entity_iri
from kg.validate import (
    Violation,
    _oxigraph_copy,
    _rdflib_rows,
    _sparql_violations,
    _split_shapes,
    load_shapes,
    validate,
)

if TYPE_CHECKING:
    from conftest import KgCli

ROUBAIX = entity_iri("place/roubaix")
ALLARD = entity_iri("person/laurent-allard")
OVH = entity_iri("org/ovh")
UNSUPPORTED = "fact has no rdf:Statement with evidence and source"


@pytest.fixture()
def graph() -> Graph:
    return link_places(to_rdf(sample_kb(), software=SOFTWARE))


def _lines(graph: Graph) -> list[str]:
    return [str(v) for v in validate(graph)]


def test_good_graph_is_valid(graph: Graph) -> None:
    assert validate(graph) == []


def test_place_ceo_of_person_is_rejected(graph: Graph) -> None:
    graph.add((ROUBAIX, KG.ceoOf, ALLARD))
    lines = _lines(graph)
    assert "Roubaix — kg:ceoOf — only a Person can be the subject of ceoOf" in lines
    assert any(
        line.startswith("Roubaix — kg:ceoOf — ceoOf must point to an Organization")
        for line in lines
    )


@pytest.mark.parametrize(
    ("predicate", "subject", "obj", "expected"),
    [
        (KG.headquarteredIn, "org/ovh", "person/laurent-allard", "must point to a Place"),
        (KG.founderOf, "org/ovh", "org/qonto", "only a Person can be the subject of founderOf"),
        (KG.alumnusOf, "person/laurent-allard", "place/paris", "must point to an Organization"),
    ],
)
def test_domain_and_range(
    graph: Graph, predicate: URIRef, subject: str, obj: str, expected: str
) -> None:
    graph.add((entity_iri(subject), predicate, entity_iri(obj)))
    assert any(expected in line for line in _lines(graph))


def test_one_label_per_entity(graph: Graph) -> None:
    graph.add((ROUBAIX, RDFS.label, Literal("Robaais", lang="nl")))
    assert any(
        line.startswith("Roubaix — rdfs:label — ") or "Robaais — rdfs:label" in line
        for line in _lines(graph)
    )


def test_confidence_out_of_range(graph: Graph) -> None:
    statement = next(graph.subjects(RDF.type, RDF.Statement))
    graph.set((statement, KG.confidence, Literal(Decimal("1.5"), datatype=XSD.decimal)))
    assert any(
        "kg:confidence — confidence is one xsd:decimal in [0, 1]" in line for line in _lines(graph)
    )


def test_statement_without_evidence_or_source(graph: Graph) -> None:
    statement = next(graph.subjects(RDF.type, RDF.Statement))
    graph.remove((statement, KG.evidence, None))
    graph.remove((statement, PROV.wasDerivedFrom, None))
    messages = {v.message for v in validate(graph)}
    assert "a statement has exactly one non-empty kg:evidence sentence" in messages
    assert "a statement is prov:wasDerivedFrom a described schema:NewsArticle" in messages


def test_unsupported_fact(graph: Graph) -> None:
    graph.add((ALLARD, KG.worksFor, entity_iri("org/qonto")))
    violations = validate(graph)
    assert (
        Violation(
            "Laurent Allard",
            "kg:worksFor",
            "fact has no rdf:Statement with evidence and source (value: Qonto)",
            focus_node=str(ALLARD),
        )
        in violations
    )


def _with_unsupported_facts(graph: Graph) -> Graph:
    """``graph`` with facts of several nodes that no statement backs, literal values among them."""
    graph.add((ALLARD, KG.worksFor, entity_iri("org/qonto")))
    graph.add((entity_iri("org/kkr"), KG.partnerOf, OVH))
    graph.add((OVH, KG.employees, Literal("0042", datatype=XSD.integer)))
    # pyoxigraph stores it as "250000000": the violation must name it as the graph writes it.
    graph.add((OVH, KG.revenue, Literal("250000000.0", datatype=XSD.decimal)))
    for statement in list(graph.subjects(RDF.predicate, KG.ceoOf)):
        graph.remove((statement, PROV.wasDerivedFrom, None))
    return graph


def test_oxigraph_and_rdflib_find_the_same_unsupported_facts(graph: Graph) -> None:
    graph = _with_unsupported_facts(graph)
    (constraint,) = _split_shapes(load_shapes())[1]
    copy = _oxigraph_copy(graph)
    assert copy is not None
    by_oxigraph = sorted(_sparql_violations(graph, constraint, copy.rows(constraint.query)))
    by_rdflib = sorted(_sparql_violations(graph, constraint, _rdflib_rows(graph, constraint.query)))
    assert by_oxigraph == by_rdflib
    assert {str(v) for v in by_rdflib} == {
        f"Laurent Allard — kg:worksFor — {UNSUPPORTED} (value: Qonto)",
        f"Laurent Allard — kg:ceoOf — {UNSUPPORTED} (value: OVH)",
        f"KKR — kg:partnerOf — {UNSUPPORTED} (value: OVH)",
        f"OVH — kg:employees — {UNSUPPORTED} (value: '42')",
        f"OVH — kg:revenue — {UNSUPPORTED} (value: '250000000.0')",
    }


def test_literals_oxigraph_would_merge_are_queried_with_rdflib(graph: Graph) -> None:
    # One term for pyoxigraph (RDF 1.1), two for rdflib: joins would differ.
    graph.add((OVH, KG.employees, Literal("42")))
    graph.add((OVH, KG.employees, Literal("42", datatype=XSD.string)))
    assert _oxigraph_copy(graph) is None
    assert f"OVH — kg:employees — {UNSUPPORTED} (value: '42')" in _lines(graph)


def test_cli_valid(tmp_path: Path, graph: Graph, run_kg: KgCli) -> None:
    path = tmp_path / "graph.ttl"
    graph.serialize(path, format="turtle")
    done = run_kg("validate", str(path))
    assert (done.returncode, done.stdout.strip()) == (0, "valid")


def test_cli_rejects_place_ceo_of_person(tmp_path: Path, graph: Graph, run_kg: KgCli) -> None:
    graph.add((ROUBAIX, KG.ceoOf, ALLARD))
    path = tmp_path / "graph.ttl"
    graph.serialize(path, format="turtle")
    done = run_kg("validate", str(path))
    assert done.returncode == 1
    assert "Roubaix — kg:ceoOf — only a Person can be the subject of ceoOf" in done.stdout
    assert done.stderr.strip().startswith("kg: error:")
    assert "Traceback" not in done.stderr


def test_cli_bad_file(tmp_path: Path, run_kg: KgCli) -> None:
    path = tmp_path / "broken.ttl"
    path.write_text("this is not turtle", encoding="utf-8")
    done = run_kg("validate", str(path))
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "broken.ttl" in done.stderr


def test_seed_build_is_valid(request: pytest.FixtureRequest) -> None:
    try:
        build = request.getfixturevalue("seed_build")
    except pytest.FixtureLookupError:
        pytest.skip("the seed_build fixture (tests/conftest.py) is not available")
    assert _lines(load_graph(build.outputs["turtle"])) == []
