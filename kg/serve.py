"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint over a built graph, with the graph view.

Routes: ``/sparql`` (GET ``?query=``, POST form or ``application/sparql-query``), ``/`` (the HTML
view of :func:`kg.viz.render_html`) and ``/query`` (a small query page with the named queries as
examples). SPARQL UPDATE is refused with 403 whichever way it is sent.

Queries run in worker processes, each holding its own pyoxigraph store loaded from the graph. A
query that outlives the timeout gets a 503 and its worker is killed and replaced, so a runaway
query cannot keep the machine busy; the result limit caps the rows (or triples) returned.

The endpoint defends its host: a query is checked before it runs (size, nesting depth, no
``SERVICE`` unless allowed: the server would otherwise send requests anywhere for its clients);
the Host header must name the bound address (or a name allowed), against DNS rebinding, and a
cross-origin request is refused unless ``cors`` names its origin; each worker has a memory cap,
and a crashed worker is reported (500) and replaced. There is one worker process more than the
queries allowed to be *slow* (running past ``ServerConfig.slow`` seconds) at once, so quick
queries always find a worker; waiting requests are bounded and served in turn by client.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
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
from .templates import Markup, render_template

__all__ = [
    "KgServer",
    "ServerConfig",
    "check_query",
    "host_allowed",
    "make_server",
    "negotiate",
    "serve",
]

MAX_BODY = 1 << 20  # bytes of query text accepted in a POST
MAX_QUERY = 100_000  # characters of one query
MAX_DEPTH = 64  # nesting of {}, () and [] in one query
BACKLOG = 128  # connections waiting to be accepted


@dataclass(frozen=True)
class ServerConfig:
    """Limits and openings of the endpoint.

    ``timeout``: seconds a request may take (waiting included); ``limit``: rows (or triples) per
    answer; ``workers``: slow queries run at once (there is one worker process more);
    ``memory``: megabytes a worker may allocate beyond its loaded graph; ``queue``: requests
    waiting for a worker; ``slow``: seconds after which a running query counts as slow;
    ``allow_service``: run ``SERVICE`` (federated) queries; ``allow_hosts``: host names the
    Host header may give besides the bound address; ``cors``: the one origin allowed to call
    the endpoint from a browser.
    """

    timeout: float = 10.0
    limit: int = 10_000
    workers: int = 2
    memory: int = 2048
    queue: int = 64
    slow: float = 1.0
    allow_service: bool = False
    allow_hosts: tuple[str, ...] = ()
    cors: str | None = None


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


# --- checks before a query runs ----------------------------------------------------------------

# SPARQL's lexical pieces that may hold brackets or keywords without being syntax (comments,
# long and short strings, IRIs), then names (keywords, variables, prefixed names) and brackets.
_LEXEMES = re.compile(
    r"(?P<skip>#[^\n]*"
    r'|"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>)'
    r"|(?P<name>[\w?$:.\-\u00b7]+)|(?P<open>[{(\[])|(?P<close>[})\]])"
)


def check_query(sparql: str, *, allow_service: bool = False) -> str | None:
    """Why ``sparql`` must not run (a 400), or ``None``: too long, nested too deeply (the
    parser would exhaust its stack) or calling ``SERVICE`` (the server would send requests to
    any host for its client) when not allowed.

    >>> check_query("SELECT * WHERE { ?service <http://e/SERVICE> 'SERVICE' }  # SERVICE")
    >>> check_query("SELECT * { SERVICE <http://127.0.0.1/> { ?s ?p ?o } }")
    'SERVICE (federated query) is not allowed on this endpoint'
    >>> check_query("{" * 100 + "}" * 100)
    'query nested more than 64 deep'
    """
    if len(sparql) > MAX_QUERY:
        return f"query longer than {MAX_QUERY} characters"
    depth = 0
    for match in _LEXEMES.finditer(sparql):
        kind = match.lastgroup
        if kind == "open":
            depth += 1
            if depth > MAX_DEPTH:
                return f"query nested more than {MAX_DEPTH} deep"
        elif kind == "close":
            depth -= 1
        elif kind == "name" and not allow_service and match.group().upper() == "SERVICE":
            return "SERVICE (federated query) is not allowed on this endpoint"
    return None


def host_allowed(host: str | None, port: int, names: frozenset[str], any_ip: bool) -> bool:
    """Whether a request's Host header names this server: one of ``names`` (lower case) with no
    port or ``port``, or, when the server listens on every address (``any_ip``), an IP address
    with ``port``. A name not given cannot be a DNS rebinding attacker's domain.

    >>> names = frozenset({"127.0.0.1", "localhost"})
    >>> [host_allowed(h, 80, names, False) for h in ("localhost:80", "127.0.0.1", "evil.example")]
    [True, True, False]
    >>> host_allowed("[::1]:80", 80, frozenset(), True), host_allowed(None, 80, names, False)
    (True, False)
    """
    if not host:
        return False
    match = re.fullmatch(r"(\[[^\]]*\]|[^:\[\]]*)(?::(\d{1,5}))?", host.strip().lower())
    if match is None:
        return False
    name, given = match.group(1).strip("[]"), match.group(2)
    if given is not None and int(given) != port:
        return False
    if name in names:
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return any_ip


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
    except RuntimeError as error:  # e.g. "The custom function <…> is not supported"
        return _text(HTTPStatus.BAD_REQUEST, f"cannot evaluate the query: {error}")
    chosen = negotiate(accept, result.kind, fmt)
    if chosen is None:
        offered = _GRAPH_TYPES if result.kind == "graph" else _RESULT_TYPES
        return _text(HTTPStatus.NOT_ACCEPTABLE, "acceptable types: " + ", ".join(offered))
    body, media_type = serialize_results(result, chosen)
    return Answer(HTTPStatus.OK, body, f"{media_type}; charset=utf-8", result.truncated)


def _cap_memory(megabytes: int) -> None:
    """Let this process allocate at most ``megabytes`` more (address space), dump no core."""
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            used = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return  # no /proc: no cap
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = used + megabytes * 2**20
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _worker_main(data_path: str, limit: int, memory: int) -> None:
    """Body of a worker process: load the store, cap memory, then answer (query, accept,
    format) requests.

    Requests and answers are pickled tuples on stdin/stdout; anything printed goes to stderr.
    """
    requests = Connection(os.dup(sys.stdin.fileno()), writable=False)
    replies = Connection(os.dup(sys.stdout.fileno()), readable=False)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server stops its workers itself
    store = ox.Store()
    store.load(path=data_path, format=ox.RdfFormat.N_QUADS)
    _cap_memory(memory)
    replies.send("ready")
    while True:
        try:
            sparql, accept, fmt = requests.recv()
        except (EOFError, OSError):
            return
        try:
            reply = answer(store, sparql, accept, fmt, limit)
        except Exception as error:  # a worker must answer, whatever went wrong
            reply = _text(HTTPStatus.INTERNAL_SERVER_ERROR, f"query failed: {error!r}")
        replies.send((reply.status, reply.body, reply.content_type, reply.truncated))


class _Worker:
    """A ``python -m kg.serve --worker`` process; a subprocess, not multiprocessing, so that it
    never re-imports the caller's main module."""

    def __init__(self, data_path: Path, limit: int, memory: int) -> None:
        command = [
            sys.executable, "-m", "kg.serve", "--worker", str(data_path), str(limit), str(memory)
        ]  # fmt: skip
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

    def crash(self) -> str:
        """How the process ended, once it has: 'killed by SIGSEGV', 'exit status 1'."""
        try:
            code = self.process.wait(5)
        except subprocess.TimeoutExpired:
            return "no answer"
        if code < 0:
            try:
                return f"killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"killed by signal {-code}"
        return f"exit status {code}"

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(10)
        self.requests.close()
        self.replies.close()


class _Crashed(Exception):
    """The worker process died while running a query."""


class _Stopped(Exception):
    """The query was stopped (too slow): the message says why."""


class QueryPool:
    """Worker processes running queries with a hard timeout: a late worker is killed, replaced.

    There are ``workers + 1`` processes and at most ``workers`` slow queries at once (running
    past ``slow`` seconds): one more turns slow is stopped (503), so a quick query always finds a
    process. At most ``queue`` requests wait for a process, served in turn by client.
    """

    def __init__(self, data_path: Path, config: ServerConfig) -> None:
        self._data_path = data_path
        self._config = config
        self._lock = threading.Condition()
        self._idle: list[_Worker] = []
        self._all: set[_Worker] = set()
        self._waiting: dict[str, deque[object]] = {}  # client → tickets; first key's turn
        self._queued = 0
        self._slow = 0
        self._closed = False
        workers = [self._spawn() for _ in range(max(1, config.workers) + 1)]
        try:
            for worker in workers:
                worker.wait_ready(60)
        except KgError:
            for worker in workers:
                worker.stop()
            raise
        self._idle.extend(workers)
        self._all.update(workers)

    def _spawn(self) -> _Worker:
        return _Worker(self._data_path, self._config.limit, self._config.memory)

    def _replace(self, worker: _Worker) -> None:
        worker.stop()
        with self._lock:
            self._all.discard(worker)
            if self._closed:
                return
        fresh = self._spawn()
        try:
            fresh.wait_ready(60)
        except KgError:
            return
        with self._lock:
            if self._closed:
                fresh.stop()
                return
            self._all.add(fresh)
            self._idle.append(fresh)
            self._lock.notify_all()

    def _acquire(self, client: str, deadline: float) -> _Worker | Answer:
        """An idle worker when it is this client's turn, or the 503 saying why there is none."""
        ticket = object()
        with self._lock:
            if self._queued >= self._config.queue:
                return _text(HTTPStatus.SERVICE_UNAVAILABLE, "too many queries waiting; try again")
            self._waiting.setdefault(client, deque()).append(ticket)
            self._queued += 1
            try:
                while not self._closed:
                    first = next(iter(self._waiting.values()))
                    if self._idle and first[0] is ticket:
                        turns = self._waiting.pop(client)  # the client's turn goes last
                        turns.popleft()
                        if turns:
                            self._waiting[client] = turns
                        return self._idle.pop()
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        break
                    self._lock.wait(remaining)
                turns = self._waiting.get(client, deque())
                if ticket in turns:
                    turns.remove(ticket)
                    if not turns:
                        del self._waiting[client]
                return _text(
                    HTTPStatus.SERVICE_UNAVAILABLE, "all query workers are busy; try again"
                )
            finally:
                self._queued -= 1
                self._lock.notify_all()

    def _release(self, worker: _Worker) -> None:
        with self._lock:
            if self._closed:
                worker.stop()
                return
            self._idle.append(worker)
            self._lock.notify_all()

    def _await(self, worker: _Worker, started: float, deadline: float) -> Answer:
        """The worker's answer; raises :class:`_Stopped` at the deadline or when the query
        turns slow while ``workers`` queries already are, :class:`_Crashed` if the worker dies."""
        slow = False
        try:
            while True:
                now = time.monotonic()
                if now >= deadline:
                    raise _Stopped(f"query stopped after the {self._config.timeout:g} s timeout")
                if not slow and now - started >= self._config.slow:
                    with self._lock:
                        if self._slow >= max(1, self._config.workers):
                            raise _Stopped(
                                f"query stopped: {self._slow} slow queries already running; "
                                "try again later"
                            )
                        self._slow += 1
                        slow = True
                until = deadline if slow else min(deadline, started + self._config.slow)
                try:
                    if worker.replies.poll(max(0.0, until - now)):
                        status, body, content_type, truncated = worker.replies.recv()
                        return Answer(status, body, content_type, truncated)
                except (EOFError, OSError):
                    raise _Crashed(worker.crash()) from None
        finally:
            if slow:
                with self._lock:
                    self._slow -= 1

    def run(self, sparql: str, accept: str | None, fmt: str | None, client: str = "") -> Answer:
        """Run one query for ``client`` (its address: waiting requests are served in turn by
        client) within the timeout, waiting for a worker included."""
        deadline = time.monotonic() + self._config.timeout
        worker = self._acquire(client, deadline)
        if isinstance(worker, Answer):
            return worker
        try:
            worker.requests.send((sparql, accept, fmt))
            reply = self._await(worker, time.monotonic(), deadline)
        except _Stopped as stopped:
            reply = _text(HTTPStatus.SERVICE_UNAVAILABLE, str(stopped))
        except (_Crashed, OSError) as error:
            reason = str(error) if isinstance(error, _Crashed) else worker.crash()
            reply = _text(HTTPStatus.INTERNAL_SERVER_ERROR, f"query failed (worker {reason})")
        else:
            self._release(worker)
            return reply
        threading.Thread(target=self._replace, args=(worker,), daemon=True).start()
        return reply

    def close(self) -> None:
        """Stop every worker, busy or idle."""
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
            self._idle.clear()
            self._lock.notify_all()
        for worker in workers:
            with contextlib.suppress(OSError, subprocess.TimeoutExpired):
                worker.stop()


# --- pages --------------------------------------------------------------------------------------


def _script_json(data: object) -> str:
    # '<' escaped so no string in the data can close the script element.
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


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
    return render_template("query.html", title=title, examples=Markup(_script_json(examples)))


# --- HTTP ---------------------------------------------------------------------------------------


def _host_names(
    bound: str | bytes | bytearray, allowed: tuple[str, ...]
) -> tuple[frozenset[str], bool]:
    """The names a Host header may give for a server bound to ``bound``, and whether any IP
    address may be given (bound to every address).

    >>> sorted(_host_names("127.0.0.1", ("kg.example",))[0]), _host_names("0.0.0.0", ())[1]
    (['127.0.0.1', 'kg.example', 'localhost'], True)
    """
    address = bound.decode() if isinstance(bound, (bytes, bytearray)) else str(bound)
    names = {address.lower(), *(name.lower() for name in allowed)}
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return frozenset(names), False
    if ip.is_loopback:
        names.add("localhost")
    return frozenset(names), ip.is_unspecified


class KgServer(ThreadingHTTPServer):
    """The HTTP server: routes requests to the query pool and serves the two pages."""

    daemon_threads = True
    request_queue_size = BACKLOG

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
        self.host_names, self.any_ip = _host_names(self.server_address[0], config.allow_hosts)
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

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away is one line in the log; anything else keeps its traceback."""
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            if self.log is not None:
                self.log(f"{client_address[0]} disconnected: {error.__class__.__name__}")
        else:
            super().handle_error(request, client_address)

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
        if self._cors:
            self.send_header("Access-Control-Allow-Origin", self._cors)
            self.send_header("Vary", "Origin")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status: int, message: str, extra: dict[str, str] | None = None) -> None:
        reply = _text(status, message)
        self._send(reply.status, reply.body, reply.content_type, extra)

    _cors: str | None = None  # the origin a CORS header names in the answer

    def _admitted(self) -> bool:
        """Check the Host header (against DNS rebinding) and the Origin (cross-origin requests
        only from ``--cors``); answer 403 and return False when either is foreign."""
        self._cors = None
        server = self.server
        host = self.headers.get("Host")
        port = server.server_address[1]
        if not host_allowed(host, port, server.host_names, server.any_ip):
            self._error(
                HTTPStatus.FORBIDDEN,
                f"Host {host!r} is not this server's address (see --allow-host)",
            )
            return False
        origin = self.headers.get("Origin")
        if origin is None or origin.lower() in {
            f"http://{host}".lower(),
            f"https://{host}".lower(),
        }:
            return True
        if server.config.cors is not None and origin == server.config.cors:
            self._cors = origin
            return True
        self._error(HTTPStatus.FORBIDDEN, f"cross-origin request from {origin!r} (see --cors)")
        return False

    def do_OPTIONS(self) -> None:  # noqa: N802
        if not self._admitted():
            return
        extra = {"Allow": "GET, HEAD, POST, OPTIONS"}
        if self._cors:
            extra |= {
                "Access-Control-Allow-Methods": "GET, HEAD, POST",
                "Access-Control-Allow-Headers": "Accept, Content-Type",
                "Access-Control-Max-Age": "600",
            }
        self._send(HTTPStatus.NO_CONTENT, b"", "text/plain; charset=utf-8", extra)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if not self._admitted():
            return
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
        if not self._admitted():
            return
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
        refused = check_query(sparql, allow_service=self.server.config.allow_service)
        if refused:
            self._error(HTTPStatus.BAD_REQUEST, refused)
            return
        fmt = params["format"][0] if params.get("format") else None
        reply = self.server.pool.run(
            sparql, self.headers.get("Accept"), fmt, client=self.client_address[0]
        )
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
    numbers = (config.timeout, config.limit, config.workers, config.memory, config.queue)
    if min(numbers) <= 0 or config.slow <= 0:
        raise UsageError("timeout, limit, workers, memory, queue and slow must be positive")
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
    """Serve ``graph_path`` until interrupted (Ctrl-C or SIGTERM: workers stopped, temporary
    files removed)."""
    server = make_server(graph_path, host, port, config=config, log=log)
    if host not in LOOPBACK:
        log(f"warning: listening on {host}, reachable from other machines")
    if server.config.allow_service:
        log("warning: SERVICE allowed: clients can make this server send requests to any host")
    log(f"serving {graph_path} at {server.url} (SPARQL endpoint {server.url}sparql); Ctrl-C stops")
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        log("stopping")
    finally:
        server.server_close()
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM stops the server like Ctrl-C."""
    raise KeyboardInterrupt


if __name__ == "__main__" and sys.argv[1:2] == ["--worker"]:
    _worker_main(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
