"""``kg export``: a built graph in the formats other tools read.

RDF formats (Turtle, N-Triples, N-Quads, TriG, JSON-LD) come from :mod:`kg.graph.serialize`; GraphML
and GEXF (Gephi, Cytoscape, yEd) and CSV (spreadsheets) from the NetworkX view of
:func:`kg.analytics.rdf_to_networkx`. Every file is written atomically.

>>> sorted(EXPORTERS)
['csv', 'gexf', 'graphml', 'jsonld', 'nq', 'nt', 'trig', 'ttl']
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
from rdflib import Graph

from .analytics import rdf_to_networkx
from .errors import UsageError
from .graph.rdf import load_graph
from .graph.serialize import serialize
from .io import write_bytes_atomic

__all__ = ["EXPORTERS", "Exporter", "export", "write_csv", "write_gexf", "write_graphml"]


@dataclass(frozen=True)
class Exporter:
    """One export format: its default file suffix and the function writing it.

    ``write(graph, path)`` returns the files it wrote; for ``csv`` the path is a folder.
    """

    name: str
    suffix: str
    description: str
    write: Callable[[Graph, Path], list[Path]]


def _rdf_writer(fmt: str) -> Callable[[Graph, Path], list[Path]]:
    def write(graph: Graph, path: Path) -> list[Path]:
        write_bytes_atomic(path, serialize(graph, fmt))
        return [path]

    return write


def _network_bytes(writer: Callable[[nx.Graph, io.BytesIO], None], graph: Graph) -> bytes:
    buffer = io.BytesIO()
    writer(rdf_to_networkx(graph), buffer)
    return buffer.getvalue()


def write_graphml(graph: Graph, path: Path) -> list[Path]:
    """GraphML of the NetworkX view (node and edge attributes typed as GraphML keys)."""
    write_bytes_atomic(path, _network_bytes(nx.write_graphml, graph))
    return [path]


def write_gexf(graph: Graph, path: Path) -> list[Path]:
    """GEXF 1.2 of the NetworkX view, for Gephi."""
    write_bytes_atomic(path, _network_bytes(nx.write_gexf, graph))
    return [path]


_NODE_COLUMNS = ["id", "label", "type", "aliases", "iri"]
_EDGE_COLUMNS = ["source", "target", "relation", "confidence", "evidence", "sources"]


def _csv_bytes(header: list[str], rows: list[dict[str, object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def write_csv(graph: Graph, folder: Path) -> list[Path]:
    """``nodes.csv`` (an entity per row, a column per attribute) and ``edges.csv`` in ``folder``."""
    view = rdf_to_networkx(graph)
    extra = sorted({k for _, data in view.nodes(data=True) for k in data} - set(_NODE_COLUMNS))
    nodes = [{"id": node, **data} for node, data in view.nodes(data=True)]
    edges = [{"source": s, "target": t, **data} for s, t, data in view.edges(data=True)]
    paths = [folder / "nodes.csv", folder / "edges.csv"]
    write_bytes_atomic(paths[0], _csv_bytes(_NODE_COLUMNS + extra, nodes))
    write_bytes_atomic(paths[1], _csv_bytes(_EDGE_COLUMNS, edges))
    return paths


# One name table: a new format is one writer function and one line here.
EXPORTERS: dict[str, Exporter] = {
    e.name: e
    for e in [
        Exporter("ttl", ".ttl", "Turtle", _rdf_writer("turtle")),
        Exporter("nt", ".nt", "N-Triples (sorted lines)", _rdf_writer("nt")),
        Exporter("nq", ".nq", "N-Quads, one named graph per article", _rdf_writer("nquads")),
        Exporter("trig", ".trig", "TriG, one named graph per article", _rdf_writer("trig")),
        Exporter("jsonld", ".jsonld", "JSON-LD with kg's context", _rdf_writer("jsonld")),
        Exporter("graphml", ".graphml", "GraphML (yEd, Cytoscape, NetworkX)", write_graphml),
        Exporter("gexf", ".gexf", "GEXF (Gephi)", write_gexf),
        Exporter("csv", "", "nodes.csv and edges.csv in a folder", write_csv),
    ]
}


def export(graph_path: str | Path, fmt: str, out: str | Path | None = None) -> list[Path]:
    """Write the graph file ``graph_path`` in format ``fmt`` to ``out``; return the files written.

    Without ``out``, the output goes beside the input: ``graph.gexf``, or the folder ``graph-csv``.
    """
    exporter = EXPORTERS.get(fmt)
    if exporter is None:
        raise UsageError(f"unknown export format {fmt!r} (expected one of: {', '.join(EXPORTERS)})")
    source = Path(graph_path)
    if out is None:
        stem = source.with_suffix("")
        target = Path(f"{stem}-csv") if fmt == "csv" else stem.with_suffix(exporter.suffix)
    else:
        target = Path(out)
    if target.resolve() == source.resolve():
        raise UsageError(f"{target}: the output would overwrite the input graph")
    if fmt == "csv" and target.exists() and not target.is_dir():
        raise UsageError(f"{target}: csv export writes a folder, but this is a file")
    return exporter.write(load_graph(source), target)
