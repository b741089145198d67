"""Tests for kg serve: a real HTTP server on 127.0.0.1 (random port), queried by urllib and curl."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from kg.errors import GraphParseError, KgError
from kg.serve import ServerConfig, check_query, host_allowed, make_server, negotiate

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CEOS = """PREFIX kg: <https://w3id.org/kg-news/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?ceo ?org WHERE { ?p kg:ceoOf ?o . ?p rdfs:label ?ceo . ?o rdfs:label ?org }"""
INSERT = "INSERT DATA { <http://evil.example/a> <http://evil.example/b> <http://evil.example/c> }"
# Four-way cross product of every triple: far longer than the test timeout.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


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


@pytest.mark.slow
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


@pytest.mark.slow
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


# --- hardening (issue 16) -------------------------------------------------------------------

NESTED = "SELECT * WHERE " + "{" * 10_000 + "}" * 10_000  # 20 KB: would overflow the parser


@pytest.fixture
def guarded(graph_file):
    """A server with a 10 s timeout, one slow query at a time (two processes) and one CORS origin."""
    config = ServerConfig(timeout=10.0, limit=25, workers=1, slow=0.5, cors="https://app.example")
    logs: list[str] = []
    server = make_server(graph_file, "127.0.0.1", 0, config=config, log=logs.append)
    server.logs = logs
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_service_is_refused_and_never_called(server):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(1.0)
    port = listener.getsockname()[1]
    query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
    for send in (
        lambda: get_query(server, query),
        lambda: request(
            server, "/sparql", query.encode(), {"Content-Type": "application/sparql-query"}
        ),
        lambda: get_query(server, query.replace("SERVICE", "service SILENT")),
    ):
        status, _, body = send()
        assert (status, body) == (
            400,
            b"SERVICE (federated query) is not allowed on this endpoint\n",
        )
    with pytest.raises(socket.timeout):
        listener.accept()  # no request reached the listener
    listener.close()


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?service WHERE { ?service ?p 'SERVICE' } LIMIT 1",
        "SELECT * WHERE { ?s <http://e/SERVICE> ?o }  # SERVICE",
    ],
)
def test_the_word_service_elsewhere_is_not_refused(server, query):
    assert get_query(server, query)[0] == 200


def test_check_query_allows_service_when_told():
    query = "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
    assert check_query(query, allow_service=True) is None


@pytest.mark.parametrize(
    ("host", "status"),
    [("evil.example", 403), ("evil.example:{port}", 403), ("127.0.0.1:1", 403),
     ("localhost:{port}", 200), ("127.0.0.1:{port}", 200)],
)  # fmt: skip
def test_host_header_must_name_the_server(server, host, status):
    port = server.server_address[1]
    headers = {"Host": host.format(port=port)}
    path = "/sparql?" + urllib.parse.urlencode({"query": COUNT})
    assert request(server, path, headers=headers)[0] == status
    assert request(server, "/", headers=headers)[0] == status


def test_allowed_host_names(graph_file):
    config = ServerConfig(workers=1, allow_hosts=("kg.example",))
    server = make_server(graph_file, "127.0.0.1", 0, config=config)
    try:
        assert server.host_names == frozenset({"127.0.0.1", "localhost", "kg.example"})
        assert host_allowed("KG.example:8080", 8080, server.host_names, server.any_ip)
    finally:
        server.server_close()


def test_cors_off_by_default_and_one_origin_allowed(server, guarded):
    status, headers, _ = get_query(server, COUNT)
    assert status == 200 and "Access-Control-Allow-Origin" not in headers
    origin = {"Origin": "https://app.example"}
    path = "/sparql?" + urllib.parse.urlencode({"query": COUNT})
    assert request(server, path, headers=origin)[0] == 403
    status, headers, _ = request(guarded, path, headers=origin)
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "https://app.example"
    status, headers, _ = request(guarded, "/sparql", headers=origin, method="OPTIONS")
    assert status == 204 and "POST" in headers["Access-Control-Allow-Methods"]
    assert request(guarded, path, headers={"Origin": "https://evil.example"})[0] == 403
    same = {"Origin": guarded.url.rstrip("/")}  # the query page's own fetch
    assert request(guarded, path, headers=same)[0] == 200


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (NESTED, b"query nested more than 64 deep\n"),
        ("SELECT * WHERE { ?s ?p ?o } # " + "x" * 100_000, b"query longer than 100000 characters\n"),
        ("SELECT (<http://e/f>(1) AS ?v) WHERE {}", b"The custom function <http://e/f> is not supported\n"),
    ],
)  # fmt: skip
def test_pathological_queries_are_400(server, query, message):
    data = query.encode()
    status, _, body = request(server, "/sparql", data, {"Content-Type": "application/sparql-query"})
    assert (status, body) == (400, message)
    assert triple_count(server) > 0  # the workers are fine


@pytest.mark.slow
def test_slow_queries_do_not_starve_quick_ones(guarded):
    """While a 10 s query runs, 50 simple queries all answer in < 1 s; a second slow query is
    stopped (503) rather than taking the last worker."""
    slow: list[int] = []
    first = threading.Thread(target=lambda: slow.append(get_query(guarded, SLOW)[0]), daemon=True)
    first.start()
    time.sleep(1.0)  # the first query is slow now
    started = time.monotonic()
    status, _, body = get_query(guarded, SLOW)
    assert status == 503 and b"slow queries already running" in body
    assert time.monotonic() - started < 3

    def timed(_: int) -> tuple[int, float]:
        started = time.monotonic()
        return get_query(guarded, COUNT)[0], time.monotonic() - started

    with ThreadPoolExecutor(5) as pool:
        results = list(pool.map(timed, range(50)))
    assert [status for status, _ in results] == [200] * 50
    assert max(seconds for _, seconds in results) < 1.0
    assert first.is_alive() and slow == []  # the slow query was running all along


@pytest.mark.slow
def test_crashed_worker_is_500_not_a_timeout(guarded):
    reply: list[tuple[int, bytes]] = []

    def slow() -> None:
        status, _, body = get_query(guarded, SLOW)
        reply.append((status, body))

    thread = threading.Thread(target=slow, daemon=True)
    thread.start()
    time.sleep(0.5)
    busy = [w for w in guarded.pool._all if w not in guarded.pool._idle]
    assert len(busy) == 1
    os.kill(busy[0].process.pid, signal.SIGSEGV)
    thread.join(5)
    assert reply == [(500, b"query failed (worker killed by SIGSEGV)\n")]
    deadline = time.monotonic() + 30  # the worker is replaced
    while time.monotonic() < deadline and len(guarded.pool._all) < 2:
        time.sleep(0.1)
    assert triple_count(guarded) > 0


@pytest.mark.slow
def test_memory_cap_stops_a_greedy_query(graph_file):
    config = ServerConfig(timeout=20.0, workers=1, memory=200)
    server = make_server(graph_file, "127.0.0.1", 0, config=config)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        # Sorting a three-way cross product needs far more than 200 MB.
        greedy = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i"
        status, _, body = get_query(server, greedy)
        assert status == 500 and body.startswith(b"query failed")
    finally:
        server.shutdown()
        server.server_close()


def test_disconnect_is_one_log_line(guarded, capsys):
    try:
        raise BrokenPipeError(32, "Broken pipe")
    except BrokenPipeError:
        guarded.handle_error(None, ("192.0.2.1", 5000))
    assert guarded.logs[-1] == "192.0.2.1 disconnected: BrokenPipeError"
    assert "Traceback" not in capsys.readouterr().err
    assert guarded.request_queue_size >= 128


@pytest.mark.slow
def test_sigterm_stops_cleanly_and_removes_temporary_files(graph_file, tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp)}
    command = [sys.executable, "-m", "kg.cli", "serve", str(graph_file), "--port", "0"]
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(process.stderr), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 60
        while not any("serving" in line for line in lines) and time.monotonic() < deadline:
            time.sleep(0.1)
        url = next(line for line in lines if "serving" in line).split(" at ")[1].split()[0]
        assert [p.name.startswith("kg-serve-") for p in tmp.iterdir()] == [True]
        with urllib.request.urlopen(
            url + "sparql?" + urllib.parse.urlencode({"query": COUNT})
        ) as r:
            assert r.status == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(15) == 0
    finally:
        process.kill()
    reader.join(5)
    assert list(tmp.iterdir()) == []
    assert not any("Traceback" in line for line in lines), lines
