"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint over a built graph, with the graph view.

Routes: ``/sparql`` (GET ``?query=``, POST form or ``application/sparql-query``), ``/`` (the HTML
view of :func:`kg.viz.render_html`) and ``/query`` (a small query page with the named queries as
examples). SPARQL UPDATE is refused with 403 whichever way it is sent.

Queries run in worker processes, each holding its own pyoxigraph store loaded from the graph. A
query that outlives the timeout gets a 503 and its worker is killed and replaced, so a runaway
query cannot keep the machine busy; the result limit caps the rows (or triples) returned.
"""

from __future__ import annotations

import html
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox

from .errors import KgError, UsageError
from .query import (
    is_update,
    load_store,
    named_queries,
    run_query,
    serialize_results,
)

__all__ = [
    "KgServer",
    "ServerConfig",
    "make_server",
    "negotiate",
    "serve",
]

MAX_BODY = 1 << 20  # bytes of query text accepted in a POST


@dataclass(frozen=True)
class ServerConfig:
    """Limits of the endpoint: seconds per query, rows per answer, parallel queries."""

    timeout: float = 10.0
    limit: int = 10_000
    workers: int = 2


# --- content negotiation -----------------------------------------------------------------------

# Media type → format name, for solutions/booleans and for graphs (CONSTRUCT, DESCRIBE).
_RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "text/xml": "xml",
}
_GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdfxml",
}
_DEFAULTS = {"select": "json", "ask": "json", "graph": "turtle"}


def _accepted(accept: str) -> list[str]:
    """Media ranges of an Accept header, most wanted first (q=0 dropped)."""
    ranges = []
    for position, part in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media and quality > 0:
            ranges.append((-quality, position, media.lower()))
    return [media for _, _, media in sorted(ranges)]


def negotiate(accept: str | None, kind: str, fmt: str | None = None) -> str | None:
    """The format to answer a ``kind`` result (select, ask, graph) in, or ``None`` (406).

    ``fmt`` (the ``format`` request parameter) wins over the Accept header.

    >>> negotiate("text/csv;q=0.5, application/sparql-results+xml", "select")
    'xml'
    >>> negotiate("*/*", "graph"), negotiate(None, "ask"), negotiate("image/png", "select")
    ('turtle', 'json', None)
    """
    table = _GRAPH_TYPES if kind == "graph" else _RESULT_TYPES
    names = set(table.values())
    if fmt:
        return fmt if fmt in names else None
    if not accept:
        return _DEFAULTS[kind]
    for media in _accepted(accept):
        if media in table:
            return table[media]
        if media == "*/*":
            return _DEFAULTS[kind]
        if media.endswith("/*"):
            family = [name for m, name in table.items() if m.startswith(media[:-1])]
            if family:
                return family[0]
    return None


# --- worker processes --------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """What a worker sends back for one query."""

    status: int
    body: bytes
    content_type: str
    truncated: bool = False


def _text(status: int, message: str) -> Answer:
    return Answer(
        status, (message.rstrip("\n") + "\n").encode("utf-8"), "text/plain; charset=utf-8"
    )


def answer(store: ox.Store, sparql: str, accept: str | None, fmt: str | None, limit: int) -> Answer:
    """Run ``sparql`` on ``store`` and serialise the result as negotiated (runs in a worker)."""
    try:
        result = run_query(store, sparql, limit=limit)
    except KgError as error:
        return _text(HTTPStatus.BAD_REQUEST, str(error))
    chosen = negotiate(accept, result.kind, fmt)
    if chosen is None:
        offered = _GRAPH_TYPES if result.kind == "graph" else _RESULT_TYPES
        return _text(HTTPStatus.NOT_ACCEPTABLE, "acceptable types: " + ", ".join(offered))
    body, media_type = serialize_results(result, chosen)
    return Answer(HTTPStatus.OK, body, f"{media_type}; charset=utf-8", result.truncated)


def _worker_main(data_path: str, limit: int) -> None:
    """Body of a worker process: load the store, then answer (query, accept, format) requests.

    Requests and answers are pickled tuples on stdin/stdout; anything printed goes to stderr.
    """
    requests = Connection(os.dup(sys.stdin.fileno()), writable=False)
    replies = Connection(os.dup(sys.stdout.fileno()), readable=False)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    store = ox.Store()
    store.load(path=data_path, format=ox.RdfFormat.N_QUADS)
    replies.send("ready")
    while True:
        try:
            sparql, accept, fmt = requests.recv()
        except (EOFError, OSError):
            return
        try:
            reply = answer(store, sparql, accept, fmt, limit)
        except Exception as error:  # a worker must answer, whatever went wrong
            reply = _text(HTTPStatus.INTERNAL_SERVER_ERROR, f"query failed: {error}")
        replies.send((reply.status, reply.body, reply.content_type, reply.truncated))


class _Worker:
    """A ``python -m kg.serve --worker`` process; a subprocess, not multiprocessing, so that it
    never re-imports the caller's main module."""

    def __init__(self, data_path: Path, limit: int) -> None:
        command = [sys.executable, "-m", "kg.serve", "--worker", str(data_path), str(limit)]
        # Own session: Ctrl-C in the terminal stops the server, which then kills its workers.
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, start_new_session=True
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.requests = Connection(os.dup(self.process.stdin.fileno()), readable=False)
        self.replies = Connection(os.dup(self.process.stdout.fileno()), writable=False)
        self.process.stdin.close()
        self.process.stdout.close()

    def wait_ready(self, timeout: float) -> None:
        try:
            if self.replies.poll(timeout) and self.replies.recv() == "ready":
                return
        except (EOFError, OSError):
            pass
        self.stop()
        raise KgError("a query worker process did not start (see the messages above)")

    def ask(self, request: tuple[str, str | None, str | None], timeout: float) -> Answer | None:
        """The worker's answer, or ``None`` when it is late or gone."""
        try:
            self.requests.send(request)
            if self.replies.poll(timeout):
                status, body, content_type, truncated = self.replies.recv()
                return Answer(status, body, content_type, truncated)
        except (EOFError, OSError):
            pass
        return None

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(10)
        self.requests.close()
        self.replies.close()


class QueryPool:
    """Worker processes running queries with a hard timeout: a late worker is killed, replaced."""

    def __init__(self, data_path: Path, config: ServerConfig) -> None:
        self._data_path = data_path
        self._config = config
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._closed = False
        workers = [self._spawn() for _ in range(max(1, config.workers))]
        for worker in workers:
            worker.wait_ready(60)
            self._idle.put(worker)

    def _spawn(self) -> _Worker:
        return _Worker(self._data_path, self._config.limit)

    def _replace(self) -> None:
        worker = self._spawn()
        try:
            worker.wait_ready(60)
        except KgError:
            worker.stop()
            return
        if self._closed:
            worker.stop()
        else:
            self._idle.put(worker)

    def run(self, sparql: str, accept: str | None, fmt: str | None) -> Answer:
        timeout = self._config.timeout
        started = time.monotonic()
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            return _text(HTTPStatus.SERVICE_UNAVAILABLE, "all query workers are busy; try again")
        remaining = max(0.0, timeout - (time.monotonic() - started))
        reply = worker.ask((sparql, accept, fmt), remaining)
        if reply is not None:
            self._idle.put(worker)
            return reply
        worker.stop()
        threading.Thread(target=self._replace, daemon=True).start()
        return _text(
            HTTPStatus.SERVICE_UNAVAILABLE, f"query stopped after the {timeout:g} s timeout"
        )

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                self._idle.get_nowait().stop()
            except queue.Empty:
                return


# --- pages --------------------------------------------------------------------------------------


def _script_json(data: object) -> str:
    # '<' escaped so no string in the data can close the script element.
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


_QUERY_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>kg SPARQL – __TITLE__</title>
<style>
body{font-family:system-ui,sans-serif;margin:1.5em;max-width:75em}
textarea{width:100%;height:16em;font-family:monospace;font-size:0.9em}
table{border-collapse:collapse;margin-top:1em;font-size:0.9em}
td,th{border:1px solid #ccc;padding:0.2em 0.5em;text-align:left;vertical-align:top}
#status{margin-left:1em;color:#555} pre{background:#f6f6f6;padding:0.5em;overflow:auto}
</style></head><body>
<h1>SPARQL over <code>__TITLE__</code></h1>
<p><a href="/">graph view</a> · endpoint: <code>/sparql</code> (read-only)</p>
<label>Example: <select id="examples">
<option value="">choose a named query…</option></select></label>
<p id="description"></p>
<textarea id="query" spellcheck="false">SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 20</textarea>
<p><button id="run">Run</button><span id="status"></span></p>
<div id="results"></div>
<script type="application/json" id="kg-examples">__EXAMPLES__</script>
<script>
const examples = JSON.parse(document.getElementById("kg-examples").textContent);
const select = document.getElementById("examples");
for (const example of examples) {
  const option = document.createElement("option");
  option.value = example.name;
  option.textContent = example.name + " — " + example.description;
  select.appendChild(option);
}
select.addEventListener("change", () => {
  const example = examples.find(e => e.name === select.value);
  if (!example) return;
  document.getElementById("query").value = example.text;
  document.getElementById("description").textContent = example.params.length
    ? "Parameters (bind them with VALUES): " + example.params.join(", ") : "";
});
function fill(td, term) {
  if (!term) return;
  td.textContent = term.value;
  // Language and datatype in the tooltip keep the table readable.
  td.title = term["xml:lang"] ? "@" + term["xml:lang"] : (term.datatype || term.type);
}
function show(data) {
  const results = document.getElementById("results");
  results.replaceChildren();
  if (typeof data === "string") {
    const pre = document.createElement("pre");
    pre.textContent = data;
    results.appendChild(pre);
    return;
  }
  if ("boolean" in data) { show(String(data.boolean)); return; }
  const table = document.createElement("table");
  const head = table.insertRow();
  for (const name of data.head.vars) {
    const th = document.createElement("th");
    th.textContent = name;
    head.appendChild(th);
  }
  for (const binding of data.results.bindings) {
    const row = table.insertRow();
    for (const name of data.head.vars) fill(row.insertCell(), binding[name]);
  }
  results.appendChild(table);
  document.getElementById("status").textContent = data.results.bindings.length + " rows";
}
document.getElementById("run").addEventListener("click", async () => {
  const status = document.getElementById("status");
  status.textContent = "running…";
  const body = new URLSearchParams({query: document.getElementById("query").value});
  try {
    const response = await fetch("/sparql", {method: "POST", body,
      headers: {"Accept": "application/sparql-results+json, text/turtle;q=0.9"}});
    const type = response.headers.get("Content-Type") || "";
    status.textContent = response.ok ? "" : response.status + " " + response.statusText;
    if (response.headers.get("X-Kg-Truncated")) status.textContent += " (truncated)";
    show(type.includes("json") && response.ok ? await response.json() : await response.text());
  } catch (error) {
    status.textContent = String(error);
  }
});
</script></body></html>
"""


# The page may only run its own inline code and talk to this server.
QUERY_PAGE_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'"
)


def query_page(title: str) -> str:
    """The query page: a text area, the named queries as examples, results as a table."""
    examples = [
        {
            "name": query.name,
            "description": query.description,
            "params": [f"?{p.name} ({p.kind})" for p in query.params],
            "text": query.text,
        }
        for query in named_queries().values()
    ]
    return _QUERY_PAGE.replace("__TITLE__", html.escape(title)).replace(
        "__EXAMPLES__", _script_json(examples)
    )


# --- HTTP ---------------------------------------------------------------------------------------


class KgServer(ThreadingHTTPServer):
    """The HTTP server: routes requests to the query pool and serves the two pages."""

    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        graph_path: Path,
        store: ox.Store,
        config: ServerConfig,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.graph_path = graph_path
        self.config = config
        self.log = log
        self._view: bytes | None = None
        self._view_lock = threading.Lock()
        try:
            super().__init__(address, _Handler)
        except OSError as error:
            raise KgError(f"cannot listen on {address[0]}:{address[1]}: {error.strerror}") from None
        # Workers load the same snapshot of the graph, even if the file changes meanwhile.
        self._tmp = tempfile.TemporaryDirectory(prefix="kg-serve-")
        self.data_path = Path(self._tmp.name) / "graph.nq"
        store.dump(output=str(self.data_path), format=ox.RdfFormat.N_QUADS)
        try:
            self.pool = QueryPool(self.data_path, config)
        except BaseException:
            super().server_close()
            self._tmp.cleanup()
            raise

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else str(host)
        return f"http://[{name}]:{port}/" if ":" in name else f"http://{name}:{port}/"

    def view(self) -> bytes:
        """The graph view, rendered once on first request."""
        with self._view_lock:
            if self._view is None:
                from rdflib import Graph

                from .graph.rdf import bind_prefixes
                from .viz import render_html

                quads = ox.parse(path=str(self.data_path), format=ox.RdfFormat.N_QUADS)
                triples = {ox.Triple(q.subject, q.predicate, q.object) for q in quads}
                data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
                graph = bind_prefixes(Graph()).parse(data=data, format="nt")
                self._view = render_html(graph, title=self.graph_path.name).encode("utf-8")
            return self._view

    def server_close(self) -> None:
        super().server_close()
        # Also called by the base class when binding fails, before the pool exists.
        if hasattr(self, "pool"):
            self.pool.close()
            self._tmp.cleanup()


class _Handler(BaseHTTPRequestHandler):
    server: KgServer
    server_version = "kg-sparql"

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.log is not None:
            self.server.log(f"{self.address_string()} {format % args}")

    def _send(
        self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status: int, message: str, extra: dict[str, str] | None = None) -> None:
        reply = _text(status, message)
        self._send(reply.status, reply.body, reply.content_type, extra)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        url = urlsplit(self.path)
        if url.path == "/":
            self._send(HTTPStatus.OK, self.server.view(), "text/html; charset=utf-8")
        elif url.path == "/query":
            page = query_page(self.server.graph_path.name).encode("utf-8")
            csp = {"Content-Security-Policy": QUERY_PAGE_CSP}
            self._send(HTTPStatus.OK, page, "text/html; charset=utf-8", csp)
        elif url.path == "/sparql":
            self._sparql(parse_qs(url.query, keep_blank_values=True))
        else:
            self._error(HTTPStatus.NOT_FOUND, f"no page {url.path} (try /, /query or /sparql)")

    do_HEAD = do_GET

    def do_POST(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        if url.path != "/sparql":
            self._error(
                HTTPStatus.METHOD_NOT_ALLOWED, "POST goes to /sparql", {"Allow": "GET, HEAD"}
            )
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self._error(HTTPStatus.BAD_REQUEST, "bad Content-Length")
            return
        if length > MAX_BODY:
            self._error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"request body over {MAX_BODY} bytes")
            return
        body = self.rfile.read(length).decode("utf-8", errors="replace")
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = parse_qs(url.query, keep_blank_values=True)
        if content_type == "application/sparql-update":
            self._refuse_update()
        elif content_type == "application/sparql-query":
            params["query"] = [body]
            self._sparql(params)
        elif content_type == "application/x-www-form-urlencoded":
            for name, values in parse_qs(body, keep_blank_values=True).items():
                params.setdefault(name, []).extend(values)
            self._sparql(params)
        else:
            self._error(
                HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                "send application/sparql-query or an application/x-www-form-urlencoded form",
            )

    def _refuse_method(self) -> None:
        self._error(
            HTTPStatus.METHOD_NOT_ALLOWED,
            "this endpoint is read-only",
            {"Allow": "GET, HEAD, POST"},
        )

    do_PUT = do_DELETE = do_PATCH = _refuse_method

    def _refuse_update(self) -> None:
        self._error(
            HTTPStatus.FORBIDDEN, "SPARQL UPDATE is not allowed: this endpoint is read-only"
        )

    def _sparql(self, params: dict[str, list[str]]) -> None:
        if "update" in params:
            self._refuse_update()
            return
        queries = params.get("query", [])
        if len(queries) != 1 or not queries[0].strip():
            self._error(HTTPStatus.BAD_REQUEST, "give exactly one 'query' parameter (see /query)")
            return
        if "default-graph-uri" in params or "named-graph-uri" in params:
            self._error(
                HTTPStatus.BAD_REQUEST, "dataset parameters are not supported; use FROM/GRAPH"
            )
            return
        sparql = queries[0]
        if is_update(sparql):
            self._refuse_update()
            return
        fmt = params["format"][0] if params.get("format") else None
        reply = self.server.pool.run(sparql, self.headers.get("Accept"), fmt)
        extra = {"X-Kg-Truncated": "true"} if reply.truncated else {}
        self._send(reply.status, reply.body, reply.content_type, extra)


def make_server(
    graph_path: str | Path,
    host: str = "127.0.0.1",
    port: int = 7878,
    *,
    config: ServerConfig | None = None,
    log: Callable[[str], None] | None = None,
) -> KgServer:
    """Load the graph and bind the server (``port=0`` picks a free port); call ``serve_forever``."""
    config = config or ServerConfig()
    if config.timeout <= 0 or config.limit <= 0 or config.workers <= 0:
        raise UsageError("timeout, limit and workers must be positive")
    path = Path(graph_path)
    return KgServer((host, port), path, load_store(path), config, log)


LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def serve(
    graph_path: str | Path,
    host: str = "127.0.0.1",
    port: int = 7878,
    *,
    config: ServerConfig | None = None,
    log: Callable[[str], None] = print,
) -> None:
    """Serve ``graph_path`` until interrupted (Ctrl-C)."""
    server = make_server(graph_path, host, port, config=config, log=log)
    if host not in LOOPBACK:
        log(f"warning: listening on {host}, reachable from other machines")
    log(f"serving {graph_path} at {server.url} (SPARQL endpoint {server.url}sparql); Ctrl-C stops")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__" and sys.argv[1:2] == ["--worker"]:
    _worker_main(sys.argv[2], int(sys.argv[3]))
