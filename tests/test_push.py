"""Tests for kg push against a real Oxigraph server (``oxigraph serve``) started on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from rdflib import Graph, URIRef

from kg.errors import KgError, UsageError
from kg.push import graph_store_url, push

pytestmark = pytest.mark.slow

KG = "https://w3id.org/kg-news/ontology#"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    """Base URL of a fresh Oxigraph server with its data in a temporary directory."""
    binary = shutil.which("oxigraph")
    assert binary, "the oxigraph server (pip install oxigraph, a dev dependency) is needed"
    port = _free_port()
    location = tmp_path_factory.mktemp("oxigraph")
    process = subprocess.Popen(
        [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=2):
                break
        except (urllib.error.URLError, ConnectionError):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"oxigraph did not start: {process.stderr.read().decode()[:500]}")
            time.sleep(0.1)
    yield base
    process.terminate()
    process.wait(10)


def select(base: str, query: str) -> list[dict[str, str]]:
    """Rows of a SELECT sent to the Oxigraph server, as {variable: value}."""
    url = f"{base}/query?" + urllib.parse.urlencode({"query": query})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        data = json.load(response)
    return [{k: v["value"] for k, v in row.items()} for row in data["results"]["bindings"]]


def count(base: str, graph: str | None = None) -> int:
    pattern = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    return int(select(base, f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}")[0]["n"])


def test_push_default_graph_then_replace(oxigraph, graph_file):
    expected = len(Graph().parse(graph_file))
    result = push(graph_file, f"{oxigraph}/store")
    assert result.method == "PUT" and result.triples == expected
    assert 200 <= result.status < 300
    assert count(oxigraph) == expected
    rows = select(
        oxigraph,
        f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?ceo ?org WHERE {{ ?p <{KG}ceoOf> ?o ; rdfs:label ?ceo . ?o rdfs:label ?org }}""",
    )
    assert rows == [{"ceo": "Laurent Allard", "org": "OVH"}]
    push(graph_file, f"{oxigraph}/store")  # PUT again replaces: no duplicates
    assert count(oxigraph) == expected


def test_push_named_graph_and_append(oxigraph, graph_file, tmp_path):
    iri = "https://example.org/graphs/news"
    push(graph_file, f"{oxigraph}/store", iri)
    expected = len(Graph().parse(graph_file))
    assert count(oxigraph, iri) == expected
    extra = tmp_path / "extra.ttl"
    extra.write_text("<https://example.org/a> <https://example.org/b> 1 .\n", encoding="utf-8")
    result = push(extra, f"{oxigraph}/store", iri, append=True)
    assert result.method == "POST"
    assert count(oxigraph, iri) == expected + 1


def test_push_errors_are_one_line(oxigraph, graph_file):
    closed = f"http://127.0.0.1:{_free_port()}/store"
    with pytest.raises(KgError, match="cannot reach the graph store") as down:
        push(graph_file, closed)
    assert "\n" not in str(down.value)
    with pytest.raises(KgError, match="HTTP 404") as refused:
        push(graph_file, f"{oxigraph}/no-such-service")
    assert "\n" not in str(refused.value)
    for url in ("localhost:7878/store", "ftp://127.0.0.1/store", "http:///store"):
        with pytest.raises(UsageError):
            push(graph_file, url)
    with pytest.raises(UsageError, match="absolute IRI"):
        push(graph_file, f"{oxigraph}/store", "not an iri")


def test_graph_store_url_keeps_existing_parameters():
    url = graph_store_url("http://h:1/rdf-graphs/service?infer=false", "urn:x:g")
    assert url == "http://h:1/rdf-graphs/service?infer=false&graph=urn%3Ax%3Ag"


def test_push_seed_graph(oxigraph, seed_build):
    graph_path = seed_build.outputs["turtle"]
    local = Graph().parse(graph_path)
    iri = "https://example.org/graphs/seeds"
    push(graph_path, f"{oxigraph}/store", iri)
    assert count(oxigraph, iri) == len(local)
    ceos = select(oxigraph, f"SELECT ?p ?o WHERE {{ GRAPH <{iri}> {{ ?p <{KG}ceoOf> ?o }} }}")
    local_ceos = {(str(s), str(o)) for s, o in local.subject_objects(URIRef(KG + "ceoOf"))}
    assert {(row["p"], row["o"]) for row in ceos} == local_ceos


def test_cli_push(oxigraph, graph_file, run_kg):
    done = run_kg(
        "push", str(graph_file), "--endpoint", f"{oxigraph}/store", "--graph", "urn:kg:cli"
    )
    assert done.returncode == 0, done.stderr
    assert "triples to" in done.stdout
    failed = run_kg("push", str(graph_file), "--endpoint", f"http://127.0.0.1:{_free_port()}/store")
    assert failed.returncode == 1
    assert failed.stderr.startswith("kg: error:") and failed.stderr.count("\n") == 1
