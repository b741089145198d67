"""Tests for kg serve: a real HTTP server on 127.0.0.1 (random port), queried by urllib and curl."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from kb_samples import SOFTWARE, sample_kb
from rdflib import Graph

from kg.errors import GraphParseError, KgError
from kg.graph.rdf import to_rdf
from kg.serve import ServerConfig, make_server, negotiate

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CEOS = """PREFIX kg: <https://w3id.org/kg-news/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?ceo ?org WHERE { ?p kg:ceoOf ?o . ?p rdfs:label ?ceo . ?o rdfs:label ?org }"""
INSERT = "INSERT DATA { <http://evil.example/a> <http://evil.example/b> <http://evil.example/c> }"
# Four-way cross product of every triple: far longer than the test timeout.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def graph_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("serve") / "graph.ttl"
    to_rdf(sample_kb(), software=SOFTWARE).serialize(path, format="turtle")
    return path


@pytest.fixture(scope="module")
def server(graph_file):
    config = ServerConfig(timeout=2.0, limit=25, workers=1)
    server = make_server(graph_file, "127.0.0.1", 0, config=config)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


def request(server, path, data=None, headers=None, method=None):
    """(status, headers, body) of one request to the test server."""
    url = server.url.rstrip("/") + path
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def get_query(server, query, accept=None):
    headers = {"Accept": accept} if accept else {}
    return request(server, "/sparql?" + urllib.parse.urlencode({"query": query}), headers=headers)


def triple_count(server) -> int:
    status, _, body = get_query(server, COUNT)
    assert status == 200
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def test_get_query_returns_sparql_json(server):
    status, headers, body = get_query(server, CEOS)
    assert status == 200
    assert headers["Content-Type"].startswith("application/sparql-results+json")
    data = json.loads(body)
    assert data["head"]["vars"] == ["ceo", "org"]
    row = data["results"]["bindings"][0]
    assert row["ceo"] == {"type": "literal", "value": "Laurent Allard", "xml:lang": "fr"}
    assert row["org"]["value"] == "OVH"


def test_post_form_and_direct_query(server):
    form = urllib.parse.urlencode({"query": CEOS}).encode()
    status, _, body = request(
        server, "/sparql", form, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 200 and b"Laurent Allard" in body
    status, _, body = request(
        server, "/sparql", CEOS.encode(), {"Content-Type": "application/sparql-query"}
    )
    assert status == 200 and b"Laurent Allard" in body


@pytest.mark.parametrize(
    ("accept", "media_type", "fmt"),
    [
        ("application/sparql-results+xml", "application/sparql-results+xml", "xml"),
        ("text/csv", "text/csv", "csv"),
        ("text/tab-separated-values", "text/tab-separated-values", "tsv"),
        ("text/html,application/xhtml+xml,*/*;q=0.8", "application/sparql-results+json", "json"),
    ],
)
def test_content_negotiation(server, accept, media_type, fmt):
    status, headers, body = get_query(server, CEOS, accept)
    assert status == 200
    assert headers["Content-Type"].split(";")[0] == media_type
    if fmt == "csv":
        assert body.decode().splitlines()[1].startswith("Laurent Allard,OVH")
    else:
        format_ = getattr(ox.QueryResultsFormat, fmt.upper())
        solutions = list(ox.parse_query_results(body, format=format_))
        assert solutions[0]["ceo"].value == "Laurent Allard"


def test_construct_as_turtle_and_ntriples(server):
    construct = "CONSTRUCT WHERE { ?s a ?t }"
    status, headers, body = get_query(server, construct, "text/turtle")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    turtle = Graph().parse(data=body, format="turtle")
    status, headers, body = get_query(server, construct, "application/n-triples")
    assert headers["Content-Type"].startswith("application/n-triples")
    assert len(Graph().parse(data=body, format="nt")) == len(turtle) > 0


def test_unacceptable_type_is_406(server):
    status, _, body = get_query(server, CEOS, "image/png")
    assert status == 406 and b"application/sparql-results+json" in body


@pytest.mark.parametrize(
    ("data", "content_type", "path"),
    [
        (INSERT.encode(), "application/sparql-update", "/sparql"),
        (
            urllib.parse.urlencode({"update": INSERT}).encode(),
            "application/x-www-form-urlencoded",
            "/sparql",
        ),
        (INSERT.encode(), "application/sparql-query", "/sparql"),
        (None, None, "/sparql?" + urllib.parse.urlencode({"query": INSERT})),
        (None, None, "/sparql?" + urllib.parse.urlencode({"update": INSERT})),
    ],
)
def test_updates_are_refused_and_data_unchanged(server, data, content_type, path):
    before = triple_count(server)
    headers = {"Content-Type": content_type} if content_type else {}
    status, _, body = request(server, path, data, headers)
    assert status == 403 and b"read-only" in body
    assert triple_count(server) == before
    status, _, body = get_query(server, "ASK { ?s <http://evil.example/b> ?o }")
    assert json.loads(body)["boolean"] is False


def test_other_methods_are_refused(server):
    status, headers, _ = request(server, "/sparql", b"<a> <b> <c> .", method="PUT")
    assert status == 405 and "POST" in headers["Allow"]
    status, _, _ = request(server, "/sparql", b"", method="DELETE")
    assert status == 405


def test_result_limit_truncates(server):
    status, headers, body = get_query(server, "SELECT * WHERE { ?s ?p ?o }")
    assert status == 200
    assert len(json.loads(body)["results"]["bindings"]) == 25
    assert headers["X-Kg-Truncated"] == "true"


def test_timeout_stops_the_query_and_the_server_recovers(server):
    started = time.monotonic()
    status, _, body = get_query(server, SLOW)
    assert status == 503 and b"timeout" in body
    assert time.monotonic() - started < 10
    # the killed worker is replaced: the next query is answered
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status, _, _ = get_query(server, COUNT)
        if status == 200:
            break
    assert status == 200


def test_bad_requests(server):
    assert request(server, "/sparql")[0] == 400
    assert get_query(server, "SELECT ?x WHERE {")[0] == 400
    assert request(server, "/nowhere")[0] == 404
    status, _, _ = request(server, "/sparql", b"x", {"Content-Type": "image/png"})
    assert status == 415


def test_pages(server):
    status, headers, body = request(server, "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b"Laurent Allard" in body
    status, _, page = request(server, "/query")
    assert status == 200
    text = page.decode()
    assert "ceos" in text and "partnerships" in text
    assert "src=" not in text and 'href="http' not in text  # no CDN, nothing remote


def test_curl_gets_json_and_update_is_refused(server):
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed")
    url = server.url + "sparql"
    out = subprocess.run(
        [
            curl,
            "-sS",
            "-H",
            "Accept: application/sparql-results+json",
            "--data-urlencode",
            f"query={CEOS}",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    assert json.loads(out)["results"]["bindings"][0]["ceo"]["value"] == "Laurent Allard"
    code = subprocess.run(
        [
            curl,
            "-s",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "-H",
            "Content-Type: application/sparql-update",
            "--data-binary",
            INSERT,
            url,
        ],
        capture_output=True,
        text=True,
        timeout=30,
    ).stdout
    assert code == "403"


@pytest.mark.parametrize(
    ("accept", "kind", "fmt", "expected"),
    [
        (None, "select", None, "json"),
        ("text/csv;q=0.2, application/sparql-results+xml;q=0.9", "select", None, "xml"),
        ("text/*", "select", None, "csv"),
        ("application/json;q=0", "select", None, None),
        ("*/*", "graph", None, "turtle"),
        ("application/ld+json", "graph", None, "jsonld"),
        ("text/csv", "select", "tsv", "tsv"),
        (None, "graph", "csv", None),
    ],
)
def test_negotiate(accept, kind, fmt, expected):
    assert negotiate(accept, kind, fmt) == expected


def test_corrupt_graph_and_busy_port(tmp_path, server):
    bad = tmp_path / "bad.ttl"
    bad.write_text("<http://a> <http://b> .\n", encoding="utf-8")
    with pytest.raises(GraphParseError, match="line 1"):
        make_server(bad, "127.0.0.1", 0)
    port = server.server_address[1]
    with pytest.raises(KgError, match="cannot listen"):
        make_server(server.graph_path, "127.0.0.1", port)


def test_query_page_runs_an_example_in_chromium(server):
    """The query page in headless Chromium: pick the 'ceos' example, run it, read the table."""
    chromium = Path(os.environ.get("KG_CHROMIUM", "/usr/bin/chromium"))
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if sync_playwright is None or not chromium.is_file():
        if os.environ.get("CI"):
            pytest.fail("the browser test must run in CI (Chromium and Playwright)")
        pytest.skip("Chromium or Playwright missing")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium), args=["--no-sandbox", "--disable-gpu"], headless=True
        )
        page = browser.new_page()
        errors: list[str] = []
        foreign: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on(
            "request", lambda r: None if r.url.startswith(server.url) else foreign.append(r.url)
        )
        page.goto(server.url + "query")
        page.select_option("#examples", "ceos")
        assert "kg:ceoOf" in page.input_value("#query")
        page.click("#run")
        page.wait_for_selector("#results table td", timeout=30_000)
        cells = page.locator("#results table td").all_inner_texts()
        browser.close()
    assert "Laurent Allard" in cells and "OVH" in cells
    assert errors == [] and foreign == []
