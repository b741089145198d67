"""Check a kg graph against the SHACL shapes in ``ontology/shapes.ttl`` (pyshacl).

The ontology is passed as pyshacl's ontology graph so that class hierarchies are known, but no
inference runs: a Place used as the subject of ``kg:ceoOf`` must be reported, not re-typed as a
Person by ``rdfs:domain``. Each :class:`Violation` prints as one readable line.

pyshacl checks the core shapes; each SPARQL-based constraint (``sh:sparql``) runs *once* over
the whole graph, its focus nodes read from the results, rather than once per focus node as
pyshacl does (which parses the query again each time: nine tenths of the check on 100 articles).
Those queries run on a pyoxigraph copy of the graph: rdflib's engine, evaluating the filters
in Python, took half of a default ``kg build``.
:func:`validate_pieces` checks a graph piece by piece and keeps each piece's violations in a
cache, so a rebuild checks only the pieces that changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import astuple, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, Node, URIRef
from rdflib.namespace import SH

from .errors import KgError
from .graph.rdf import Triple, bind_prefixes
from .namespace import ONTOLOGY_DIR, ontology_files

__all__ = [
    "GraphInvalid",
    "Violation",
    "load_ontology",
    "load_shapes",
    "shapes_version",
    "validate",
    "validate_pieces",
]

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


@dataclass(frozen=True)
class _SparqlConstraint:
    """One ``sh:sparql`` constraint: its query over all focus nodes, and its targets."""

    query: str
    classes: frozenset[Node]
    message: str


@lru_cache(maxsize=4)
def _split_shapes(shapes: Graph) -> tuple[Graph, tuple[_SparqlConstraint, ...]]:
    """``shapes`` without its SPARQL-based constraints, and those constraints, rewritten to
    run once: ``$this`` becomes a variable that the results bind."""
    core = Graph()
    for triple in shapes:
        core.add(triple)
    for prefix, namespace in shapes.namespace_manager.namespaces():
        core.bind(prefix, namespace)
    constraints = []
    for shape, constraint in list(shapes.subject_objects(SH.sparql)):
        core.remove((shape, SH.sparql, constraint))
        prologue = "".join(
            f"PREFIX {shapes.value(d, SH.prefix)}: <{shapes.value(d, SH.namespace)}>\n"
            for source in shapes.objects(constraint, SH.prefixes)
            for d in shapes.objects(source, SH.declare)
        )
        select = str(shapes.value(constraint, SH.select)).replace("$this", "?this")
        classes = frozenset(_subclasses(set(shapes.objects(shape, SH.targetClass))))
        message = shapes.value(constraint, SH.message)
        constraints.append(
            _SparqlConstraint(prologue + select, classes, str(message or "constraint not met"))
        )
    return core, tuple(sorted(constraints, key=lambda c: c.query))


def _subclasses(classes: set[Node]) -> set[Node]:
    """``classes`` and their subclasses in the ontology (SHACL's ``sh:targetClass``)."""
    found, todo = set(classes), list(classes)
    while todo:
        for sub in _ontology().subjects(RDFS.subClassOf, todo.pop()):
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    return found


Row = tuple[Node | None, Node | None, Node | None]


def _sparql_violations(
    graph: Graph, constraint: _SparqlConstraint, rows: Iterable[Row]
) -> list[Violation]:
    """The violations of one SPARQL-based constraint, from the ``(this, path, value)`` rows of
    its query over ``graph``."""
    violations = []
    for this, path, value in rows:
        if this is None or not any((this, RDF.type, c) in graph for c in constraint.classes):
            continue
        text = constraint.message
        if value is not None and value != this:
            text += f" (value: {_describe(graph, value)})"
        violations.append(
            Violation(
                focus=_describe(graph, this),
                path=_short(graph, path) if path is not None else "-",
                message=text,
                focus_node=str(this),
            )
        )
    return violations


def _rdflib_rows(graph: Graph, query: str) -> Iterator[Row]:
    """The ``(this, path, value)`` rows of ``query`` run by rdflib over ``graph``."""
    for row in graph.query(query):
        yield row.get("this"), row.get("path"), row.get("value")  # type: ignore[union-attr]


OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal
_XSD_STRING = ox.NamedNode(str(XSD.string))


@dataclass(frozen=True)
class _OxigraphCopy:
    """A graph in a pyoxigraph store, and the graph's own form of each literal the store holds.

    oxigraph keeps typed literals as values: ``"250000000.0"^^xsd:decimal`` reads back as
    ``"250000000"``; ``literals`` gives the graph's literal back, so that a violation names a
    value as the graph writes it.
    """

    store: ox.Store
    literals: dict[ox.Literal, Literal]

    def rows(self, query: str) -> Iterator[Row]:
        """The ``(this, path, value)`` rows of ``query``, as rdflib terms."""
        solutions = self.store.query(query)
        assert isinstance(solutions, ox.QuerySolutions)  # an sh:select query
        for solution in solutions:
            this, path, value = (self._rdflib(solution[n]) for n in ("this", "path", "value"))
            yield this, path, value

    def _rdflib(self, term: OxTerm | None) -> Node | None:
        if term is None:
            return None
        if isinstance(term, ox.NamedNode):
            return URIRef(term.value)
        if isinstance(term, ox.BlankNode):
            return BNode(term.value)
        if term in self.literals:
            return self.literals[term]
        # A literal the query made (BIND, an aggregate), not one of the graph.
        if term.language:
            return Literal(term.value, lang=term.language)
        plain = term.datatype == _XSD_STRING
        return Literal(term.value, datatype=None if plain else URIRef(term.datatype.value))


def _oxigraph_copy(graph: Graph) -> _OxigraphCopy | None:
    """``graph`` in an in-memory pyoxigraph store, or None when the store would hold two of
    its literals as one (``"01"`` and ``"1"`` as xsd:integer): a query would then join where
    rdflib does not."""
    terms: dict[Node, OxTerm] = {}

    def term(node: Node) -> OxTerm:
        found = terms.get(node)  # nodes repeat: converting each once halves the load
        if found is None:
            found = terms[node] = _oxigraph_term(node)
        return found

    store = ox.Store()
    # An rdflib graph's subjects and predicates are IRIs or blank nodes (no literal).
    store.extend(ox.Quad(term(s), term(p), term(o)) for s, p, o in graph)  # type: ignore[arg-type]
    literals = _stored_literals([(n, t) for n, t in terms.items() if isinstance(n, Literal)])
    return _OxigraphCopy(store, literals) if literals is not None else None


def _stored_literals(literals: list[tuple[Literal, OxTerm]]) -> dict[ox.Literal, Literal] | None:
    """What a store reads back for each ``(literal, its pyoxigraph term)``, mapped to the
    literal; None when it reads two back as one.

    >>> one = Literal("1.0", datatype=XSD.decimal)
    >>> [(k.value, str(v)) for k, v in _stored_literals([(one, _oxigraph_term(one))]).items()]
    [('1', '1.0')]
    """
    scratch = ox.Store()
    index = ox.NamedNode("urn:kg:index")
    scratch.extend(
        ox.Quad(ox.NamedNode(f"urn:kg:{i}"), index, term) for i, (_, term) in enumerate(literals)
    )
    stored: dict[ox.Literal, Literal] = {}
    for quad in scratch:
        assert isinstance(quad.object, ox.Literal)
        stored[quad.object] = literals[int(quad.subject.value[len("urn:kg:") :])][0]
    return stored if len(stored) == len(literals) else None


def _oxigraph_term(node: Node) -> OxTerm:
    """An rdflib term as a pyoxigraph one.

    >>> _oxigraph_term(Literal("Roubaix", lang="fr"))
    <Literal value=Roubaix language=fr>
    """
    if isinstance(node, URIRef):
        return ox.NamedNode(node)
    if isinstance(node, BNode):
        return ox.BlankNode(node)
    if isinstance(node, Literal):
        if node.language:
            return ox.Literal(node, language=node.language)
        if node.datatype is not None:
            return ox.Literal(node, datatype=ox.NamedNode(node.datatype))
        return ox.Literal(node)
    raise TypeError(f"not an RDF term of a graph: {node!r}")


def validate(
    graph: Graph, *, shapes: Graph | None = None, holds_ontology: bool = False
) -> list[Violation]:
    """Validate ``graph`` and return its violations, sorted (empty when the graph conforms).

    pyshacl reads class hierarchies from the data: it checks a copy of ``graph`` with the
    ontology added, or ``graph`` itself when ``holds_ontology`` says it has the ontology already.

    >>> from kg.graph.rdf import to_rdf
    >>> from kg.records import KnowledgeBase
    >>> validate(to_rdf(KnowledgeBase()))
    []
    """
    from pyshacl import validate as shacl_validate

    core, constraints = _split_shapes(shapes if shapes is not None else _shapes())
    _conforms, results, _text = shacl_validate(
        graph,
        shacl_graph=core,
        ont_graph=None if holds_ontology else _ontology(),
        inference="none",
        advanced=True,
        allow_warnings=True,
        inplace=holds_ontology,
    )
    assert isinstance(results, Graph)
    found = {_violation(graph, results, result) for result in _results(results)}
    copy = _oxigraph_copy(graph) if constraints else None
    for constraint in constraints:
        rows = copy.rows(constraint.query) if copy else _rdflib_rows(graph, constraint.query)
        found.update(_sparql_violations(graph, constraint, rows))
    return sorted(found)


class _Cache(Protocol):
    def get(self, key: str) -> str | None: ...

    def put(self, key: str, text: str) -> None: ...


def validate_pieces(
    pieces: Iterable[tuple[str, Callable[[], Iterable[Triple]]]], cache: _Cache | None = None
) -> list[Violation]:
    """The violations of a graph made of ``pieces``, each ``(key, make_triples)``, checked only
    where ``cache`` does not know a piece's ``key`` already (salted with the shapes and the
    ontology). The pieces to check are checked together, in one graph (one pyshacl run costs
    much more than the triples it reads), and each violation is kept with every piece that
    holds its focus node. Sorted, each once.

    A piece must hold what its shapes look at: the triples of its nodes and the types and
    labels of the nodes they point to (see :func:`kg.outputs.validation_pieces`).

    >>> from kg.graph.rdf import to_rdf
    >>> from kg.records import KnowledgeBase
    >>> validate_pieces([("empty", lambda: to_rdf(KnowledgeBase()))])
    []
    """
    found: set[Violation] = set()
    todo: list[tuple[str, list[Triple]]] = []
    for key, make in pieces:
        key = f"shacl-{shapes_version()}-{key}"
        known = cache.get(key) if cache is not None else None
        if known is None:
            todo.append((key, list(make())))
        else:
            found.update(Violation(*fields) for fields in json.loads(known))
    if todo:
        # The ontology goes in first, so that pyshacl need not copy the whole graph to add it.
        union = bind_prefixes(Graph())
        union.addN((s, p, o, union) for s, p, o in _ontology())
        for _, triples in todo:
            union.addN((s, p, o, union) for s, p, o in triples)
        violations = validate(union, holds_ontology=True)
        found.update(violations)
        for key, triples in todo:
            nodes = {str(n) for s, _, o in triples for n in (s, o)}
            own = [astuple(v) for v in violations if v.focus_node in nodes]
            if cache is not None:
                cache.put(key, json.dumps(own, ensure_ascii=False))
    return sorted(found)


@lru_cache(maxsize=1)
def shapes_version() -> str:
    """A short hash of the shapes, the ontology and this module: what a check depends on."""
    digest = hashlib.sha256()
    for path in sorted([SHAPES_FILE, *ontology_files()]) + [Path(__file__)]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


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
