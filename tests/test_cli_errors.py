"""User mistakes at the command line: one line on stderr, a meaningful exit code, no traceback."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from rdflib import RDF, Graph
from rdflib.namespace import SDO

from kg.errors import GraphParseError, describe_parse_error
from kg.graph.rdf import load_graph
from kg.naming import document_iri

if TYPE_CHECKING:
    from conftest import KgCli

REPO = Path(__file__).resolve().parent.parent
GOLD = sorted((REPO / "eval" / "gold").glob("*.json"))

CORRUPT_TURTLE = """@prefix kg: <https://w3id.org/kg-news/ontology#> .
<https://w3id.org/kg-news/resource/org/ovh> a kg:Organization .
<https://w3id.org/kg-news/resource/org/ovh> kg:label "pas fermé .
"""


def assert_one_line_error(result: subprocess.CompletedProcess[str], code: int, *words: str) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("kg: error: ")
    for word in words:
        assert word in lines[0]


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["build", "nonexistent/"], 2, ["nonexistent: no such file or folder"]),
        (["build", "nonexistent.txt", "-o", "out"], 2, ["no such file or folder"]),
        (["build"], 2, ["Missing argument"]),
        (["build", "--bogus", "x"], 2, ["No such option: --bogus"]),
        (["build", "x", "--max-size", "-1"], 2, ["--max-size"]),
        (["query"], 2, []),
        (["frobnicate"], 2, ["No such command"]),
    ],
)
def test_wrong_usage(
    tmp_path: Path, args: list[str], code: int, words: list[str], run_kg: KgCli
) -> None:
    assert_one_line_error(run_kg(*args, cwd=tmp_path), code, *words)
    assert not (tmp_path / "out").exists()


def test_folder_without_documents(tmp_path: Path, run_kg: KgCli) -> None:
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "notes.csv").write_text("pas,un,article\n")
    result = run_kg("build", "news", "-o", "out", cwd=tmp_path)
    assert_one_line_error(result, 2, "no documents to read in news")
    assert not (tmp_path / "out").exists()


def _corrupt_args(command: str, graph: str) -> list[str]:
    extra = {
        "query": ["SELECT * WHERE { ?s ?p ?o }"],
        "eval": [str(GOLD[0])] if GOLD else [],
        "view": ["-o", "view.html"],
        "validate": [],
    }
    return [command, graph, *extra[command]]


@pytest.mark.parametrize("command", ["query", "eval", "view", "validate"])
def test_corrupt_graph_names_the_line(tmp_path: Path, command: str, run_kg: KgCli) -> None:
    (tmp_path / "graph.ttl").write_text(CORRUPT_TURTLE, encoding="utf-8")
    result = run_kg(*_corrupt_args(command, "graph.ttl"), cwd=tmp_path)
    assert_one_line_error(result, 2, "graph.ttl", "line 3")
    assert not (tmp_path / "view.html").exists()


@pytest.mark.parametrize("command", ["query", "eval", "view", "validate"])
def test_missing_graph_file(tmp_path: Path, command: str, run_kg: KgCli) -> None:
    result = run_kg(*_corrupt_args(command, "absent.ttl"), cwd=tmp_path)
    assert_one_line_error(result, 2, "absent.ttl", "no such graph file")


def test_load_graph_error_has_the_line(tmp_path: Path) -> None:
    path = tmp_path / "graph.ttl"
    path.write_text(CORRUPT_TURTLE, encoding="utf-8")
    with pytest.raises(GraphParseError, match="line 3") as caught:
        load_graph(path)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("data", "fmt", "expected"),
    [
        (CORRUPT_TURTLE, "turtle", "line 3: newline found in string literal"),
        ("@prefix : <http://e/> .\n\n:a :b :c :d .\n", "turtle", "line 3: expected '.'"),
        (
            '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            "\n<rdf:Description>\n</rdf:RDF>",
            "xml",
            "line 4: mismatched tag",
        ),
    ],
)
def test_describe_parse_error(data: str, fmt: str, expected: str) -> None:
    with pytest.raises(Exception) as caught:
        Graph().parse(data=data, format=fmt)
    assert describe_parse_error(caught.value).startswith(expected)


def test_describe_json_error() -> None:
    with pytest.raises(ValueError) as caught:
        json.loads('{"a":\n\n}')
    assert describe_parse_error(caught.value) == "line 3: Expecting value"


def test_build_from_standard_input(tmp_path: Path, run_kg: KgCli) -> None:
    article = "Octave Klaba est le fondateur d'OVH, l'hébergeur basé à Roubaix.\n"
    result = run_kg("build", "-", "-o", "out", "--strict", cwd=tmp_path, stdin=article)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "documents: 1" in result.stdout
    graph = Graph().parse(tmp_path / "out" / "graph.ttl", format="turtle")
    assert (document_iri("stdin"), RDF.type, SDO.NewsArticle) in graph


BAD_SPARQL = "SELECT ?s WHERE {\n  ?s foo:bar ?o\n}"


def _every_command(graph: str) -> list[list[str]]:
    """Each command that reads a graph, with otherwise valid arguments."""
    return [
        ["query", graph, "SELECT * WHERE { ?s ?p ?o }"],
        ["eval", graph, *([str(GOLD[0])] if GOLD else [])],
        ["validate", graph],
        ["reason", graph, "-o", "inferred.ttl"],
        ["view", graph, "-o", "view.html"],
        ["export", graph, "--format", "nt", "-o", "graph.nt"],
        ["stats", graph],
        ["path", graph, "OVH", "Roubaix"],
        ["push", graph, "--endpoint", "http://127.0.0.1:9/store"],
        ["serve", graph, "--port", "0"],
    ]


@pytest.mark.parametrize("args", _every_command("absent.ttl"), ids=lambda a: a[0])
def test_every_command_with_a_missing_graph(tmp_path: Path, args: list[str], run_kg: KgCli) -> None:
    assert_one_line_error(run_kg(*args, cwd=tmp_path), 2, "absent.ttl: no such graph file")


@pytest.mark.parametrize("args", _every_command("graph.ttl"), ids=lambda a: a[0])
def test_every_command_with_a_corrupt_graph(tmp_path: Path, args: list[str], run_kg: KgCli) -> None:
    (tmp_path / "graph.ttl").write_text(CORRUPT_TURTLE, encoding="utf-8")
    assert_one_line_error(run_kg(*args, cwd=tmp_path), 2, "graph.ttl", "not a valid RDF graph")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.ttl"]


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["query", "g.ttl", BAD_SPARQL], 2, ["line 2, column", "unknown prefix foo:"]),
        (["query", "g.ttl", "SELECT ?s WHERE { ?s ?p ?o } LIMT 3"], 2, ["line 1, column"]),
        (["query", "g.ttl", "SELECT * WHERE { ?s ?p ?o }", "--format", "yaml"], 2, ["yaml"]),
        (["query", "g.ttl", "--name", "nope"], 2, ["no named query 'nope'"]),
        (["export", "g.ttl", "--format", "docx"], 2, ["unknown export format 'docx'"]),
        (["push", "g.ttl", "--endpoint", "not-a-url"], 2, ["not an http(s) URL"]),
        (["push", "g.ttl", "--endpoint", "http://127.0.0.1:9/store"], 1, ["cannot reach"]),
        (["path", "g.ttl", "Personne Inconnue", "OVH"], 1, ["no entity named"]),
        (["bench", "--scale", "huge"], 2, ["unknown scale 'huge'"]),
        (["build", "news", "--store", "cloud"], 2, ["unknown store 'cloud'"]),
    ],
)
def test_bad_input_per_command(
    tmp_path: Path, args: list[str], code: int, words: list[str], run_kg: KgCli
) -> None:
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "a.txt").write_text("OVH ouvre un centre de données à Roubaix.\n")
    (tmp_path / "g.ttl").write_text(
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        '<https://w3id.org/kg-news/resource/org/ovh> rdfs:label "OVH"@fr .\n',
        encoding="utf-8",
    )
    result = run_kg(*args, cwd=tmp_path)
    assert_one_line_error(result, code, *words)
    assert "\\u{" not in result.stderr and "['" not in result.stderr  # no parser internals


COMMANDS = [
    "build",
    "query",
    "eval",
    "validate",
    "reason",
    "view",
    "serve",
    "push",
    "export",
    "stats",
    "path",
    "bench",
]


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_has_no_type_notation(tmp_path: Path, command: str, run_kg: KgCli) -> None:
    result = run_kg(*([command] if command else []), "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for notation in ("<bool>", "<str>", "<path>", "<list[", "<int>", "<float>", "{"):
        assert notation not in result.stdout, (notation, result.stdout)


def test_push_help_port_does_not_clash_with_serve(tmp_path: Path, run_kg: KgCli) -> None:
    push = run_kg("push", "--help", cwd=tmp_path).stdout
    assert "7879" in " ".join(push.split()) and "7878" not in push
    assert "7878" in run_kg("serve", "--help", cwd=tmp_path).stdout


def test_tsv_cells_are_plain_values(tmp_path: Path, run_kg: KgCli) -> None:
    (tmp_path / "g.ttl").write_text(
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        '<https://w3id.org/kg-news/resource/org/ovalis> rdfs:label "Ovalis"@fr .\n',
        encoding="utf-8",
    )
    query = "SELECT ?org ?label WHERE { ?org rdfs:label ?label }"
    for fmt in ("tsv", "csv"):
        result = run_kg("query", "g.ttl", query, "--format", fmt, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        rows = [line.split("\t" if fmt == "tsv" else ",") for line in result.stdout.splitlines()]
        assert rows == [
            ["org", "label"],
            ["https://w3id.org/kg-news/resource/org/ovalis", "Ovalis"],
        ]
