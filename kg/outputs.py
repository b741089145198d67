"""Write a build's files: ``graph.ttl``, ``graph.graphml`` and ``graph.html``, each atomically."""

from __future__ import annotations

import io
from pathlib import Path

import networkx as nx
from rdflib import Graph

from .io import write_bytes_atomic, write_text_atomic
from .viz import render_html


def write_outputs(rdf: Graph, network: nx.MultiDiGraph, out_dir: Path) -> dict[str, Path]:
    """Write the three outputs of a build and return their paths by name.

    Every output is rendered before any is written, so a failure while rendering leaves the
    previous build's files all untouched; each file is then replaced atomically.
    """
    # rdflib's Turtle serializer sorts subjects, predicates and objects, so equal graphs give
    # byte-identical files whatever the insertion order (tests/test_determinism.py checks it).
    turtle = rdf.serialize(format="turtle")
    buffer = io.BytesIO()
    nx.write_graphml(network, buffer)
    page = render_html(rdf)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "turtle": out_dir / "graph.ttl",
        "graphml": out_dir / "graph.graphml",
        "html": out_dir / "graph.html",
    }
    write_text_atomic(paths["turtle"], turtle)
    write_bytes_atomic(paths["graphml"], buffer.getvalue())
    write_text_atomic(paths["html"], page)
    return paths
