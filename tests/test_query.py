"""Tests for kg.query: named queries, parameters bound safely, result formats, errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from kb_samples import SOFTWARE, sample_kb, sentence
from rdflib import BNode, Graph, Literal, URIRef

from kg.errors import GraphParseError, InputError, UsageError
from kg.graph.rdf import to_rdf
from kg.query import (
    answer_query,
    format_results,
    get_named_query,
    is_update,
    list_queries,
    load_store,
    named_queries,
    parse_params,
    read_query,
    resolve_params,
    run_query,
    serialize_results,
)
from kg.records import Document, Entity, Relation


def _kb():
    """The sample KB plus an asserted partnership and an accented name."""
    kb = sample_kb()
    doc = Document("deal", "seeds/deal.txt", "Accord", "Showroomprivé s'allie à OVH.")
    kb.documents.append(doc)
    kb.entities["org/showroomprive"] = Entity(
        "org/showroomprive", "Organization", "Showroomprivé", documents={"deal"}
    )
    kb.relations.append(
        Relation("org/showroomprive", "partnerOf", "org/ovh", [sentence(doc, "Showroomprivé")])
    )
    return kb


@pytest.fixture(scope="module")
def query_graph(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("query") / "graph.ttl"
    to_rdf(_kb(), software=SOFTWARE).serialize(path, format="turtle")
    return path


def _named(query_graph: Path, name: str, **params: str):
    store = load_store(query_graph)
    query = get_named_query(name)
    return run_query(store, query.text, bindings=resolve_params(store, query, params))


def _column(result, var: str) -> list[str]:
    index = result.vars.index(var)
    return [row[index].value for row in result.rows]


REQUIRED = {"entity-facts": {"entity": "OVH"}, "document-entities": {"doc": "ovh.txt"}}


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_every_named_query_runs(query_graph, name):
    query = get_named_query(name)
    assert query.description, f"{name}.rq needs a first comment line"
    result = _named(query_graph, name, **REQUIRED.get(name, {}))
    assert result.kind == "select"
    assert result.vars


def test_brief_named_queries_exist():
    names = set(named_queries())
    wanted = {"ceos", "founders", "partnerships", "investments", "document-entities", "facts"}
    assert wanted <= names


def test_ceos_lists_the_ceo_with_evidence(query_graph):
    result = _named(query_graph, "ceos")
    assert _column(result, "ceo") == ["Laurent Allard"]
    assert _column(result, "organization") == ["OVH"]
    assert "CEO du groupe OVH" in _column(result, "evidence")[0]


def test_param_matches_labels_ignoring_case_and_accents(query_graph):
    result = _named(query_graph, "partnerships", org="SHOWROOMPRIVE")
    assert _column(result, "partnerName") == ["OVH"]
    # the symmetric relation is found from the other side too
    result = _named(query_graph, "partnerships", org="groupe ovh")  # an alias
    assert _column(result, "partnerName") == ["Showroomprivé"]


def test_param_restricts_results(query_graph):
    assert _named(query_graph, "ceos", org="OVH").rows
    assert not _named(query_graph, "ceos", org="Qonto").rows


def test_investments_carry_the_amount_of_the_same_sentence(query_graph):
    result = _named(query_graph, "investments", target="OVH")
    assert sorted(_column(result, "investorName")) == ["KKR", "TCV"]
    assert {float(a) for a in _column(result, "amount")} == {250_000_000.0}
    assert set(_column(result, "currency")) == {"EUR"}


def test_funding_rounds_group_the_investors_of_one_sentence(query_graph):
    result = _named(query_graph, "funding-rounds", target="ovh")
    assert sorted(_column(result, "investors")[0].split(", ")) == ["KKR", "TCV"]
    assert float(_column(result, "amount")[0]) == 250_000_000


def test_document_entities_and_facts_by_document(query_graph):
    names = _column(_named(query_graph, "document-entities", doc="qonto"), "name")
    assert "Qonto" in names and "Alexandre Prot" in names and "Laurent Allard" not in names
    facts = _named(query_graph, "facts", doc="ovh.txt")
    assert set(_column(facts, "source")) == {"ovh.txt"}
    assert "ceoOf" in _column(facts, "relation")


def test_negated_and_planned_statements_are_listed_apart(query_graph):
    result = _named(query_graph, "negated")
    assert _column(result, "modality") == ["planned"]
    assert "partnerOf" not in _column(_named(query_graph, "facts", doc="qonto"), "relation")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"org": "Odoo"}, "no organization named 'Odoo'"),
        ({"org": "Laurent Allard"}, "no organization named"),  # wrong type
        ({"nope": "x"}, "has no parameter 'nope'"),
    ],
)
def test_bad_params_are_usage_errors(query_graph, params, message):
    with pytest.raises(UsageError, match=message):
        _named(query_graph, "ceos", **params)


def test_required_param_is_checked(query_graph):
    with pytest.raises(UsageError, match="needs --param entity="):
        _named(query_graph, "entity-facts")


def test_values_cannot_change_the_query(query_graph):
    nasty = 'x" } ?s ?p ?o . } #'
    result = run_query(query_graph, "SELECT ?q WHERE { ?s a ?t } LIMIT 1", bindings={"q": nasty})
    assert result.rows == [(ox.Literal(nasty),)]


def test_bindings_are_pyoxigraph_substitutions():
    query = 'CONSTRUCT { ?o <http://e/p> "{" } WHERE { # {\n ?o ?p "}" }'
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/q"), ox.Literal("}")))
    store.add(ox.Quad(ox.NamedNode("http://e/b"), ox.NamedNode("http://e/q"), ox.Literal("}")))
    select = 'SELECT ?o ?p WHERE { ?o ?p "}" }'
    bound = run_query(store, select, bindings={"o": URIRef("http://e/a")})
    assert bound.rows == [(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/q"))]
    assert run_query(store, query).kind == "graph"
    with pytest.raises(UsageError, match="no variable"):
        run_query(store, select, bindings={"missing": Literal("x")})


@pytest.mark.parametrize(
    ("text", "update"),
    [
        ("INSERT DATA { <a> <b> <c> }", True),
        ("prefix x: <http://x/>\n# comment\ndelete where { ?s ?p ?o }", True),
        ("BASE <http://x/> LOAD <http://example.org/g>", True),
        ("SELECT * WHERE { ?s ?p ?o }", False),
        ("# INSERT\nASK {}", False),
    ],
)
def test_is_update(text, update):
    assert is_update(text) is update


def test_updates_are_refused(query_graph):
    with pytest.raises(UsageError, match="read-only"):
        run_query(query_graph, "DELETE WHERE { ?s ?p ?o }")


def test_read_query_takes_exactly_one_source(tmp_path):
    with pytest.raises(UsageError):
        read_query(None, None)
    with pytest.raises(UsageError):
        read_query("ASK {}", tmp_path / "q.rq")
    path = tmp_path / "q.rq"
    path.write_text("ASK {}", encoding="utf-8")
    assert read_query(None, path) == "ASK {}"
    assert "kg:ceoOf" in read_query(None, None, "ceos")


def test_parse_params():
    assert parse_params(["org=Odoo", "x = y"]) == {"org": "Odoo", "x": "y"}
    with pytest.raises(UsageError):
        parse_params(["org"])


def test_ask_construct_and_select_kinds(query_graph):
    assert run_query(query_graph, "ASK { ?s ?p ?o }").boolean is True
    constructed = run_query(
        query_graph,
        "PREFIX kg: <https://w3id.org/kg-news/ontology#> CONSTRUCT WHERE { ?p kg:ceoOf ?o }",
    )
    assert constructed.kind == "graph" and len(constructed.triples) == 1
    limited = run_query(query_graph, "SELECT * WHERE { ?s ?p ?o }", limit=3)
    assert len(limited.rows) == 3 and limited.truncated


def test_rdflib_graph_and_trig_sources_answer_alike(query_graph, tmp_path):
    graph = Graph().parse(query_graph)
    trig = tmp_path / "graph.trig"
    from kg.graph.serialize import serialize

    trig.write_bytes(serialize(graph, "trig"))
    counts = {
        str(source): run_query(source, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }").rows[0][0]
        for source in (query_graph, trig)
    }
    counts["rdflib"] = run_query(graph, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }").rows[0][0]
    assert len({int(count.value) for count in counts.values()}) == 1


@pytest.mark.parametrize(
    "fmt", [ox.QueryResultsFormat.JSON, ox.QueryResultsFormat.XML, ox.QueryResultsFormat.TSV]
)
def test_result_serialisations_are_valid_sparql_results(query_graph, fmt):
    name = {ox.QueryResultsFormat.JSON: "json", ox.QueryResultsFormat.XML: "xml"}.get(fmt, "tsv")
    result = _named(query_graph, "ceos")
    data, _ = serialize_results(result, name)
    parsed = list(ox.parse_query_results(data, format=fmt))
    assert len(parsed) == 1
    assert parsed[0]["ceo"] == ox.Literal("Laurent Allard", language="fr")
    assert parsed[0]["confidence"].datatype.value.endswith("#decimal")


def test_csv_and_table(query_graph):
    result = _named(query_graph, "ceos")
    rows = list(csv.reader(io.StringIO(format_results(result, "csv"))))
    assert rows[0] == ["ceo", "organization", "confidence", "evidence", "person", "org"]
    assert rows[1][:2] == ["Laurent Allard", "OVH"]  # plain values: no quotes, no @fr
    assert rows[1][4] == "https://w3id.org/kg-news/resource/person/laurent-allard"
    table = format_results(result, "table").splitlines()
    assert table[0].split() == ["ceo", "organization", "confidence", "evidence", "person", "org"]
    assert table[2].startswith("Laurent Allard  OVH")
    assert table[-1] == "(1 row)"
    assert json.loads(format_results(run_query(query_graph, "ASK {}"), "json"))["boolean"] is True
    with pytest.raises(UsageError):
        format_results(result, "yaml")


def test_corrupt_graph_gives_line_number(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix x: <http://x/> .\nx:a x:b x:c .\nx:a x:b .\n", encoding="utf-8")
    with pytest.raises(GraphParseError, match="line 3"):
        run_query(bad, "ASK {}")
    with pytest.raises(InputError, match="no such graph"):
        run_query(tmp_path / "missing.ttl", "ASK {}")


def test_invalid_sparql_is_a_usage_error(query_graph):
    with pytest.raises(UsageError, match="invalid SPARQL"):
        run_query(query_graph, "SELECT ?x WHERE {")


def test_list_queries_shows_names_and_descriptions():
    listing = list_queries()
    assert "ceos" in listing and "[org=<Organization>]" in listing
    assert "doc=<Document>" in listing


def test_answer_query_end_to_end(query_graph):
    text = answer_query(query_graph, name="ceos", params=["org=ovh"], fmt="csv")
    assert text.splitlines()[1].startswith("Laurent Allard,OVH")


def test_cli_query(query_graph, tmp_path, run_kg):
    listed = run_kg("query", "--list")
    assert listed.returncode == 0 and "partnerships" in listed.stdout
    named = run_kg("query", str(query_graph), "--name", "ceos", "--param", "org=OVH")
    assert named.returncode == 0 and "Laurent Allard" in named.stdout
    bad = tmp_path / "bad.ttl"
    bad.write_text("<http://a> <http://b> .\n", encoding="utf-8")
    failed = run_kg("query", str(bad), "ASK {}")
    assert failed.returncode != 0
    assert failed.stderr.count("\n") == 1 and "line 1" in failed.stderr
    unknown = run_kg("query", str(query_graph), "--name", "ceos", "--param", "org=Nobody")
    assert unknown.returncode == 2 and "Traceback" not in unknown.stderr


def test_attributes_carry_the_sentence_that_states_each_figure(query_graph):
    result = _named(query_graph, "attributes", entity="ovh")
    by_attribute = dict(zip(_column(result, "attribute"), _column(result, "evidence"), strict=True))
    assert set(by_attribute) == {"revenue", "fundsRaised", "employees", "foundingYear"}
    assert "Basé à Roubaix" in by_attribute["revenue"]
    assert "OVH lève" in by_attribute["fundsRaised"]


@pytest.fixture(scope="module")
def answering_store(seed_build, tmp_path_factory):
    """The seeds' graph and the sample KB's, with a subsidiary: every named query answers."""
    kb = _kb()
    kb.relations.append(
        Relation("org/vmware-vcloud-air", "subsidiaryOf", "org/ovh", kb.relations[4].evidence)
    )
    sample = tmp_path_factory.mktemp("answering") / "graph.ttl"
    to_rdf(kb, software=SOFTWARE).serialize(sample, format="turtle")
    store = load_store(seed_build.outputs["turtle"])
    store.bulk_load(path=str(sample), format=ox.RdfFormat.TURTLE)
    return store


@pytest.mark.parametrize(
    ("name", "param"),
    [(q.name, p.name) for q in named_queries().values() for p in q.params],
)
def test_a_leading_values_row_gives_the_answer_of_substitutions_alone(answering_store, name, param):
    query = get_named_query(name)
    unbound = run_query(answering_store, query.text)
    assert unbound.rows, f"{name}: no answer to bind from"
    bindings = {param: unbound.rows[0][unbound.vars.index(param)]}
    alone = run_query(answering_store, query.text, bindings=bindings).rows
    assert alone
    assert run_query(answering_store, query.with_values(bindings), bindings=bindings).rows == alone


def test_the_values_row_opens_the_where_group_and_escapes_its_terms():
    query = get_named_query("entity-facts")
    text = query.with_values({"entity": URIRef("http://e/x")})
    assert "WHERE {\n  VALUES (?entity) { (<http://e/x>) }\n" in text
    nasty = 'x" } ?s ?p ?o . } #'
    store = ox.Store()
    assert run_query(store, query.with_values({"entity": Literal(nasty)})).rows == []
    assert query.with_values({"entity": BNode()}) == query.text == query.with_values({})
