"""``kg push``: upload a graph to a triple store through the SPARQL 1.1 Graph Store HTTP Protocol.

The endpoint is the store's Graph Store Protocol URL, for example ``http://localhost:7879/store``
(Oxigraph), ``http://localhost:3030/DATASET/data`` (Fuseki) or
``http://localhost:7200/repositories/REPO/rdf-graphs/service`` (GraphDB). The graph goes to the
named graph ``?graph=IRI`` when one is given, else to the default graph (``?default``), as
N-Triples. ``PUT`` replaces that graph; ``append=True`` uses ``POST``, which adds to it.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import pyoxigraph as ox

from .errors import KgError, UsageError
from .query import load_store

__all__ = ["PushResult", "graph_store_url", "push"]


@dataclass(frozen=True)
class PushResult:
    """What was sent where, and the store's reply."""

    url: str
    method: str
    triples: int
    status: int


def graph_store_url(endpoint: str, graph: str | None = None) -> str:
    """The Graph Store Protocol URL of the default graph or of the named graph ``graph``.

    >>> graph_store_url("http://localhost:7879/store")
    'http://localhost:7879/store?default'
    >>> graph_store_url("http://localhost:7879/store", "https://example.org/g")
    'http://localhost:7879/store?graph=https%3A%2F%2Fexample.org%2Fg'
    """
    parts = urlsplit(endpoint.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{endpoint!r} is not an http(s) URL of a graph store")
    try:
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise UsageError(f"{endpoint!r} has an invalid port") from None
    if graph is not None:
        target = urlsplit(graph)
        if not target.scheme or any(c in graph for c in ' <>"{}|^`\\'):
            raise UsageError(f"--graph {graph!r} is not an absolute IRI")
        selector = urlencode({"graph": graph})
    else:
        selector = "default"
    query = f"{parts.query}&{selector}" if parts.query else selector
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def _reason(error: urllib.error.URLError) -> str:
    reason = error.reason
    return getattr(reason, "strerror", None) or str(reason)


def push(
    graph_path: str | Path,
    endpoint: str,
    graph: str | None = None,
    *,
    append: bool = False,
    timeout: float = 60.0,
) -> PushResult:
    """Upload the graph file ``graph_path`` to the graph store at ``endpoint``.

    A server that is down, refuses the upload or times out raises a one-line
    :class:`~kg.errors.KgError`; a malformed URL raises :class:`~kg.errors.UsageError`.
    """
    url = graph_store_url(endpoint, graph)
    store = load_store(graph_path)
    # The union of all graphs of the file goes into the one target graph.
    quads = (ox.Quad(q.subject, q.predicate, q.object) for q in store)
    body = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
    method = "POST" if append else "PUT"
    request = urllib.request.Request(
        url,
        data=body,
        method=method,
        headers={"Content-Type": "application/n-triples; charset=utf-8"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        detail = " ".join(error.read(500).decode("utf-8", "replace").split())
        message = f"{url}: the store refused the upload: HTTP {error.code} {error.reason}"
        raise KgError(message + (f": {detail[:200]}" if detail else "")) from None
    except urllib.error.URLError as error:
        raise KgError(f"{url}: cannot reach the graph store: {_reason(error)}") from None
    except (TimeoutError, OSError) as error:
        raise KgError(f"{url}: no answer from the graph store: {error}") from None
    return PushResult(url=url, method=method, triples=len(store), status=status)
