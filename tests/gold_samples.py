"""Small hand-made graphs and gold files for the scoring tests (kg/evaluate.py, kg/explain.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rdflib import RDF, RDFS, Graph, Literal, Namespace

from kg.namespace import KG

EX = Namespace("http://example.org/")
# Anne Roy, Lumio, Brevia and Nantes: the nodes of every graph here, by IRI: (type, label).
NODES = {
    EX.anne: ("Person", "Anne Roy"),
    EX.lumio: ("Organization", "Lumio"),
    EX.brevia: ("Organization", "Brevia"),
    EX.nantes: ("Place", "Nantes"),
}


def labelled_graph(*triples: Any, nodes: dict[Any, tuple[str, str]] = NODES) -> Graph:
    """A graph of ``nodes`` (typed and labelled as kg writes them) and ``triples``."""
    graph = Graph()
    for node, (kind, label) in nodes.items():
        graph.add((node, RDF.type, KG[kind]))
        graph.add((node, RDFS.label, Literal(label, lang="fr")))
    for triple in triples:
        graph.add(triple)
    return graph


def write_gold(folder: Path, gold: dict[str, Any], text: str) -> Path:
    """Write the article ``a.txt`` and its gold ``a.json`` into ``folder``; return the gold's path."""
    (folder / "a.txt").write_text(text, encoding="utf-8")
    path = folder / "a.json"
    path.write_text(json.dumps(gold), encoding="utf-8")
    return path
