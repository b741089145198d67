"""Render the graph view as one self-contained HTML page.

The page is our template (``kg/templates/view.html``, with ``app.css`` and ``app.js`` of this
package) with
vis-network's script and stylesheet inlined from the installed pyvis package, and the data of
:func:`~kg.viz.data.view_data` embedded as JSON. Nothing is fetched from a network: a
Content-Security-Policy allows only the page's own inline scripts (by hash), its styles and
``data:`` images.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import pyvis

from ..graph.rdf import load_graph
from ..io import write_text_atomic
from ..templates import Markup, render_template
from .data import Triples, view_data
from .layout import force_layout

__all__ = [
    "LAYOUT_THRESHOLD",
    "render_html",
    "render_page",
    "script_json",
    "vis_assets",
    "write_view",
]

# Above this many nodes, positions are computed in Python and the browser's physics starts off.
LAYOUT_THRESHOLD = 1000
# Pixels per layout unit: keeps neighbours about one label apart.
_LAYOUT_SCALE = 90.0
_SOURCE_MAP = re.compile(r"\n//# sourceMappingURL=\S*\s*$")


def render_html(graph: Triples, title: str = "kg", *, notice: str | None = None) -> str:
    """The interactive view of an RDF graph (or of its :class:`~kg.viz.index.TripleIndex`), as
    a complete HTML document.

    ``notice``, when given, is shown as one line under the page's header (as text, escaped):
    say there that the view is partial (see :func:`~kg.viz.select.view_notice`).

    >>> from rdflib import Graph
    >>> page = render_html(Graph(), title="Vide")
    >>> page.startswith("<!DOCTYPE html>") and "<title>Vide</title>" in page
    True
    """
    return render_page(view_data(graph), title=title, notice=notice)


def write_view(
    graph_path: str | Path, out: str | Path | None = None, *, title: str | None = None
) -> Path:
    """Render an RDF file (any format :func:`~kg.graph.rdf.load_graph` reads) to an HTML file.

    ``out`` defaults to the graph's path with ``.html``; ``title`` to the graph's file name.
    Returns the path written.
    """
    source = Path(graph_path)
    target = Path(out) if out is not None else source.with_suffix(".html")
    page = render_html(load_graph(source), title=title if title is not None else source.name)
    write_text_atomic(target, page)
    return target


def render_page(
    data: dict[str, Any],
    *,
    title: str = "kg",
    notice: str | None = None,
    layout_threshold: int = LAYOUT_THRESHOLD,
) -> str:
    """Fill the template with already extracted view data (see :func:`~kg.viz.data.view_data`).

    ``notice`` (plain text, escaped here) becomes a line under the header; none when None.
    """
    if len(data["nodes"]) > layout_threshold:
        data = with_layout(data)
    vis_js, vis_css = vis_assets()
    app_js, app_css = _asset("app.js"), _asset("app.css")
    scripts = (vis_js, app_js)
    styles = (vis_css, app_css)
    for text in scripts:
        _check_embeddable(text, "script")
    for text in styles:
        _check_embeddable(text, "style")
    # Markup: checked above (assets), made safe for their element (data), or our own (policy).
    trusted = {
        "csp": content_security_policy(scripts, styles),
        "vis_css": vis_css,
        "app_css": app_css,
        "vis_js": vis_js,
        "app_js": app_js,
        "data": script_json(data),
    }
    values = {name: Markup(text) for name, text in trusted.items()}
    return render_template("view.html", title=title, notice=notice, **values)


def with_layout(data: dict[str, Any], *, seed: int = 0) -> dict[str, Any]:
    """A copy of ``data`` whose nodes carry fixed ``x``/``y`` pixel positions."""
    index = {node["id"]: i for i, node in enumerate(data["nodes"])}
    pairs = [(index[e["from"]], index[e["to"]]) for e in data["edges"] if e["asserted"]]
    positions = force_layout(len(index), pairs, seed=seed, scale=_LAYOUT_SCALE)
    nodes = [
        {**node, "x": int(round(float(x))), "y": int(round(float(y)))}
        for node, (x, y) in zip(data["nodes"], positions, strict=True)
    ]
    return {**data, "nodes": nodes, "layout": {"fixed": True}}


def script_json(data: object) -> str:
    """JSON safe inside a ``<script type="application/json">`` element.

    ``<``, ``>`` and ``&`` are escaped so that no text in the data can close the element or open
    a comment; JSON.parse reads the escapes back as the same characters.

    >>> script_json({"t": "</script><img src=x onerror=alert(1)>"})
    '{"t": "\\\\u003c/script\\\\u003e\\\\u003cimg src=x onerror=alert(1)\\\\u003e"}'
    """
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def content_security_policy(scripts: tuple[str, ...], styles: tuple[str, ...]) -> str:
    """A policy that lets the page run only its own inline code and load nothing from anywhere."""
    script_hashes = " ".join(f"'sha256-{_sha256(text)}'" for text in scripts)
    style_hashes = " ".join(f"'sha256-{_sha256(text)}'" for text in styles)
    return (
        "default-src 'none'; "
        f"script-src {script_hashes}; "
        # vis-network positions its own elements with style attributes.
        f"style-src {style_hashes}; "
        "style-src-attr 'unsafe-inline'; "
        "img-src data: blob:; font-src data:; connect-src 'none'; "
        "base-uri 'none'; form-action 'none'"
    )


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _check_embeddable(text: str, element: str) -> None:
    # An asset containing its own end tag would end the element early; refuse rather than break.
    if f"</{element}" in text.lower():
        raise ValueError(f"asset cannot be inlined: it contains '</{element}'")


@cache
def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def vis_assets() -> tuple[str, str]:
    """vis-network's script and stylesheet as shipped inside the installed pyvis package."""
    lib = Path(pyvis.__file__).resolve().parent / "lib"
    folder = lib / "vis-9.1.2"
    if not folder.is_dir():  # another pyvis release: take the vis build it ships
        folder = max(lib.glob("vis-*/vis-network.min.js"), key=lambda p: p.parent.name).parent
    script = (folder / "vis-network.min.js").read_text(encoding="utf-8")
    # The source map is not shipped; a browser's developer tools would only ask for it in vain.
    script = _SOURCE_MAP.sub("", script)
    return script, (folder / "vis-network.css").read_text(encoding="utf-8")
