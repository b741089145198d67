"""Check a kg graph against the SHACL shapes in ``ontology/shapes.ttl`` (pyshacl).

The ontology is passed as pyshacl's ontology graph so that class hierarchies are known, but no
inference runs: a Place used as the subject of ``kg:ceoOf`` must be reported, not re-typed as a
Person by ``rdfs:domain``. Each :class:`Violation` prints as one readable line.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rdflib import RDF, RDFS, Graph, Literal, Node, URIRef
from rdflib.namespace import SH

from .errors import KgError
from .namespace import ONTOLOGY_DIR, ontology_files

__all__ = ["GraphInvalid", "Violation", "load_ontology", "load_shapes", "validate"]

SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"


@dataclass(frozen=True, order=True)
class Violation:
    """One SHACL result: what is wrong, where.

    >>> str(Violation("Roubaix", "kg:ceoOf", "only a Person can be the subject of ceoOf"))
    'Roubaix — kg:ceoOf — only a Person can be the subject of ceoOf'
    """

    focus: str
    path: str
    message: str
    severity: str = "Violation"
    focus_node: str = ""

    def __str__(self) -> str:
        return f"{self.focus} — {self.path} — {self.message}"


@lru_cache(maxsize=1)
def _ontology() -> Graph:
    graph = Graph()
    for path in ontology_files():
        graph.parse(path, format="turtle")
    return graph


@lru_cache(maxsize=1)
def _shapes() -> Graph:
    return Graph().parse(SHAPES_FILE, format="turtle")


def load_ontology() -> Graph:
    """The ontology graph (``kg.ttl`` and any other ``ontology/*.ttl`` but the shapes), a copy."""
    copy = Graph()
    for triple in _ontology():
        copy.add(triple)
    return copy


def load_shapes() -> Graph:
    """The SHACL shapes graph."""
    return _shapes()


def validate(graph: Graph, *, shapes: Graph | None = None) -> list[Violation]:
    """Validate ``graph`` and return its violations, sorted (empty when the graph conforms).

    >>> from kg.graph.rdf import to_rdf
    >>> from kg.records import KnowledgeBase
    >>> validate(to_rdf(KnowledgeBase()))
    []
    """
    from pyshacl import validate as shacl_validate

    _conforms, results, _text = shacl_validate(
        graph,
        shacl_graph=shapes if shapes is not None else _shapes(),
        ont_graph=_ontology(),
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    assert isinstance(results, Graph)
    return sorted(_violation(graph, results, result) for result in _results(results))


def _results(results: Graph) -> list[Node]:
    return list(results.subjects(RDF.type, SH.ValidationResult))


def _violation(data: Graph, results: Graph, result: Node) -> Violation:
    focus = results.value(result, SH.focusNode)
    path = results.value(result, SH.resultPath)
    if path is None:
        # Node-level checks (a domain constraint) name the relation through their target.
        shape = results.value(result, SH.sourceShape)
        path = _shapes().value(shape, SH.targetSubjectsOf) if shape is not None else None
    message = results.value(result, SH.resultMessage)
    value = results.value(result, SH.value)
    text = str(message) if message is not None else "constraint not met"
    if value is not None and value != focus:
        text += f" (value: {_describe(data, value)})"
    severity = results.value(result, SH.resultSeverity)
    return Violation(
        focus=_describe(data, focus) if focus is not None else "?",
        path=_short(data, path) if path is not None else "-",
        message=text,
        severity=_short(data, severity).rsplit(":", 1)[-1] if severity is not None else "Violation",
        focus_node=str(focus) if focus is not None else "",
    )


def _describe(graph: Graph, node: Node) -> str:
    """A node's label when it has one, else its short name."""
    if isinstance(node, Literal):
        return repr(str(node))
    label = graph.value(node, RDFS.label)
    return str(label) if label is not None else _short(graph, node)


def _short(graph: Graph, node: Node) -> str:
    """``kg:ceoOf`` rather than the full IRI, using the graph's prefixes.

    >>> from kg.graph.rdf import bind_prefixes
    >>> _short(bind_prefixes(Graph()), URIRef("https://w3id.org/kg-news/resource/stmt/ab12"))
    'res:stmt/ab12'
    """
    if not isinstance(node, URIRef):
        return str(node)
    text = str(node)
    matches = [
        (len(str(namespace)), prefix, text[len(str(namespace)) :])
        for prefix, namespace in graph.namespace_manager.namespaces()
        if prefix and text.startswith(str(namespace))
    ]
    if not matches:
        return f"<{text}>"
    _, prefix, local = max(matches)
    return f"{prefix}:{local}"


class GraphInvalid(KgError):
    """The graph breaks at least one shape; ``kg validate`` has printed the violations."""
