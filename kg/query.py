"""SPARQL over a kg graph: named queries, parameters, results and their serialisations.

rdflib builds the graph; queries run on a pyoxigraph store, which is much faster on large graphs
and is the same engine ``kg serve`` uses, so a query answers the same on the command line and over
HTTP.

Named queries are the files of ``kg/queries/*.rq``. Their first comment line describes them; lines
such as ``# param org: Organization - only this organisation`` declare parameters. A parameter is a
variable of the query that :func:`run_query` binds before evaluation (SPARQL substitution, the
pyoxigraph equivalent of rdflib's ``initBindings``), never text pasted into the query. Entity
parameters are given as names and matched against labels and aliases ignoring case and accents.

>>> query = get_named_query("ceos")
>>> query.name, [p.name for p in query.params]
('ceos', ['person', 'org'])
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any
from typing import Literal as TypingLiteral

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from .errors import GraphParseError, InputError, UsageError
from .namespace import KG
from .naming import match_key

__all__ = [
    "GRAPH_FORMATS",
    "answer_query",
    "QUERIES_DIR",
    "RESULT_FORMATS",
    "NamedQuery",
    "QueryParam",
    "QueryResult",
    "format_results",
    "get_named_query",
    "is_update",
    "list_queries",
    "load_store",
    "named_queries",
    "parse_params",
    "read_query",
    "resolve_params",
    "run_query",
    "serialize_results",
]

QUERIES_DIR = Path(__file__).resolve().parent / "queries"

Source = str | Path | Graph | ox.Store
XSD = "http://www.w3.org/2001/XMLSchema#"

_RDF_FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".n3": ox.RdfFormat.N3,
}


# -------------------------------------------------------------------------------------------------
# Loading


def load_store(source: Source) -> ox.Store:
    """An in-memory pyoxigraph store holding ``source`` (a graph file, an rdflib graph or a store).

    A file that is not valid RDF raises :class:`~kg.errors.GraphParseError` naming its line.

    >>> from rdflib import Graph, URIRef
    >>> g = Graph()
    >>> _ = g.add((URIRef("http://e/a"), URIRef("http://e/p"), URIRef("http://e/b")))
    >>> len(load_store(g))
    1
    """
    if isinstance(source, ox.Store):
        return source
    store = ox.Store()
    if isinstance(source, Graph):
        # N-Quads keeps the named graphs of a Dataset; a plain Graph gives N-Triples-like lines.
        context_aware = getattr(source, "context_aware", False)
        data = source.serialize(format="nquads" if context_aware else "nt", encoding="utf-8")
        store.load(data, format=ox.RdfFormat.N_QUADS if context_aware else ox.RdfFormat.N_TRIPLES)
        return store
    path = Path(source)
    if not path.is_file():
        raise InputError(f"{path}: no such graph file")
    rdf_format = _RDF_FORMATS.get(path.suffix.lower(), ox.RdfFormat.TURTLE)
    try:
        store.load(path=str(path), format=rdf_format)
    except SyntaxError as error:
        raise GraphParseError(f"{path}: not a valid RDF graph: {_syntax_message(error)}") from None
    except (ValueError, OSError) as error:
        raise InputError(f"{path}: cannot read graph: {_one_line(str(error))}") from None
    return store


def _one_line(text: str, limit: int = 300) -> str:
    return " ".join(text.split())[:limit]


_SPARQL_ERROR = re.compile(r"error at (\d+):(\d+): expected (?:one of )?(.*)", re.DOTALL)
# The parser's character classes: ['A' ..= 'Z' | '\u{00C0}'..='\u{00D6}' ...].
_CHAR_CLASS = re.compile(r"\[(?:'[^']*'|[^\]'])*\]")


def describe_sparql_error(message: str, query: str, shift: int = 0) -> str:
    """Where a SPARQL query is wrong, in the user's lines, without the parser's character classes.

    ``shift`` is the number of lines kg put before the query (default prefixes).

    >>> describe_sparql_error("error at 1:9: expected one of \\"(\\", [\\'a\\' ..= \\'z\\'], DISTINCT", "")
    'line 1, column 9: expected "(" or DISTINCT'
    >>> describe_sparql_error("error at 3:9: expected one of Prefix not found, [\\'%\\']",
    ...                       "PREFIX a: <http://e/>\\nSELECT ?s\\nWHERE { ?s foo:bar a:b }", 1)
    'line 2, column 9: unknown prefix foo:'
    """
    match = _SPARQL_ERROR.match(message.strip())
    if not match:
        return _one_line(message)
    line, column = int(match.group(1)) - shift, int(match.group(2))
    where = f"line {line}, column {column}"
    expected = [
        item.strip()
        for item in _CHAR_CLASS.sub("", match.group(3)).split(", ")
        if item.strip() and item.strip() != "[_]"
    ]
    if "Prefix not found" in expected:
        declared = {p.lower() for p in re.findall(r"(?im)^\s*PREFIX\s+([\w.-]*):", query)}
        declared |= set(DEFAULT_PREFIXES)
        used = re.findall(r"(?<![\w<#/?$:])([A-Za-z][\w.-]*):", _without_iris_and_strings(query))
        unknown = sorted({p for p in used if p.lower() not in declared}, key=used.index)
        return f"{where}: unknown prefix {', '.join(f'{p}:' for p in unknown) or '(undeclared)'}"
    if not expected:
        return f"{where}: unexpected character or end of query"
    if len(expected) > 8:
        return f"{where}: expected one of {', '.join(expected[:8])}, ..."
    listed = " or ".join(
        [", ".join(expected[:-1]), expected[-1]] if len(expected) > 1 else expected
    )
    return f"{where}: expected {listed}"


def _syntax_message(error: SyntaxError) -> str:
    message = _one_line(str(error.msg if error.msg else error))
    if error.lineno and "line" not in message:
        message = f"line {error.lineno}, column {error.offset}: {message}"
    return message


def _without_iris_and_strings(query: str) -> str:
    return re.sub(r"<[^<>\s]*>|\"[^\"\n]*\"|'[^'\n]*'|#[^\n]*", " ", query)


# -------------------------------------------------------------------------------------------------
# Named queries


@dataclass(frozen=True)
class QueryParam:
    """A parameter of a named query: the variable it binds and what kind of value it takes.

    ``kind`` is an entity type (``Person``, ``Organization``, ``Place``), ``Entity`` (any of them),
    ``Document`` (an article, by file name, id or headline) or ``Literal``.
    """

    name: str
    kind: str
    required: bool = False
    help: str = ""


@dataclass(frozen=True)
class NamedQuery:
    """One ``kg/queries/*.rq`` file."""

    name: str
    path: Path
    description: str
    params: tuple[QueryParam, ...] = ()

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    def with_values(self, bindings: Mapping[str, Node | Term | str]) -> str:
        """The query's text with ``bindings`` also given as a ``VALUES`` row opening its
        ``WHERE`` group. Bind them by ``substitutions`` too (:func:`run_query`): they bind the
        variable everywhere, but Oxigraph joins them last, after reading every statement of
        the graph (seconds on a million triples); from a leading ``VALUES`` row its planner
        starts at the given entity or article (milliseconds).

        >>> query = get_named_query("facts")
        >>> "VALUES (?doc) { (<http://e/d>) }" in query.with_values({"doc": URIRef("http://e/d")})
        True
        """
        terms = [(name, _term(value)) for name, value in bindings.items()]
        if not terms or not all(isinstance(t, ox.NamedNode | ox.Literal) for _, t in terms):
            return self.text  # VALUES takes no blank node
        names = " ".join(f"?{name}" for name, _ in terms)
        row = f"VALUES ({names}) {{ ({' '.join(str(term) for _, term in terms)}) }}"
        return _WHERE.sub(lambda where: f"{where[0]}\n  {row}", self.text, count=1)

    def param(self, name: str) -> QueryParam:
        for param in self.params:
            if param.name == name:
                return param
        known = ", ".join(p.name for p in self.params) or "none"
        raise UsageError(f"query {self.name!r} has no parameter {name!r} (parameters: {known})")


_WHERE = re.compile(r"^WHERE\s*\{", re.MULTILINE)
_PARAM_LINE = re.compile(
    r"^#\s*param\s+(?P<name>\w+)\s*:\s*(?P<kind>\w+)(?P<required>\s+required)?\s*(?:-\s*(?P<help>.*))?$"
)
PARAM_KINDS = frozenset({"Person", "Organization", "Place", "Entity", "Document", "Literal"})


def _parse_header(name: str, path: Path) -> NamedQuery:
    description = ""
    params: list[QueryParam] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        match = _PARAM_LINE.match(line.strip())
        if match:
            if match["kind"] not in PARAM_KINDS:
                raise ValueError(f"{path}: unknown parameter kind {match['kind']!r}")
            params.append(
                QueryParam(
                    match["name"], match["kind"], bool(match["required"]), match["help"] or ""
                )
            )
        elif not description:
            description = line.lstrip("#").strip()
    return NamedQuery(name=name, path=path, description=description, params=tuple(params))


def named_queries(directory: Path = QUERIES_DIR) -> dict[str, NamedQuery]:
    """The named queries shipped with kg, by name (the file name without ``.rq``)."""
    return {p.stem: _parse_header(p.stem, p) for p in sorted(directory.glob("*.rq"))}


def get_named_query(name: str) -> NamedQuery:
    """The named query ``name``; :class:`~kg.errors.UsageError` lists the known names otherwise."""
    queries = named_queries()
    if name not in queries:
        raise UsageError(f"no named query {name!r} (known: {', '.join(queries)})")
    return queries[name]


def list_queries() -> str:
    """One line per named query: its name, parameters and description (``kg query --list``)."""
    queries = named_queries()
    width = max((len(n) for n in queries), default=0)
    lines = []
    for query in queries.values():
        params = " ".join(
            f"{p.name}=<{p.kind}>" if p.required else f"[{p.name}=<{p.kind}>]" for p in query.params
        )
        lines.append(
            f"{query.name:<{width}}  {query.description}" + (f"  {params}" if params else "")
        )
    return "\n".join(lines)


def read_query(text: str | None, file: Path | None, name: str | None = None) -> str:
    """The query text from exactly one of: the text itself, a file, or a named query.

    >>> read_query("ASK {}", None)
    'ASK {}'
    """
    given = [x for x in (text, file, name) if x is not None]
    if len(given) != 1:
        raise UsageError("give exactly one query: SPARQL text, --file or --name")
    if name is not None:
        return get_named_query(name).text
    if file is not None:
        if not file.is_file():
            raise UsageError(f"{file}: no such query file")
        return file.read_text(encoding="utf-8")
    assert text is not None
    return text


# -------------------------------------------------------------------------------------------------
# Parameters


def parse_params(pairs: Iterable[str]) -> dict[str, str]:
    """Turn ``["org=Odoo", "doc=a.txt"]`` into a dict.

    >>> parse_params(["org=Odoo", "q=a=b"])
    {'org': 'Odoo', 'q': 'a=b'}
    """
    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--param {pair!r}: expected NAME=VALUE")
        params[name.strip()] = value.strip()
    return params


_ENTITY_LABELS = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX kg: <https://w3id.org/kg-news/ontology#>
SELECT ?entity ?class ?label ?main WHERE {
  VALUES ?class { kg:Person kg:Organization kg:Place }
  ?entity a ?class .
  { ?entity rdfs:label ?label BIND(true AS ?main) }
  UNION { ?entity skos:prefLabel|skos:altLabel ?label BIND(false AS ?main) }
}"""

_DOCUMENT_KEYS = """
PREFIX schema: <https://schema.org/>
PREFIX kg: <https://w3id.org/kg-news/ontology#>
SELECT ?doc ?key WHERE {
  ?doc a schema:NewsArticle .
  { ?doc kg:sourceFile ?key } UNION { ?doc schema:headline ?key }
}"""


def _select(store: ox.Store, sparql: str) -> ox.QuerySolutions:
    solutions = store.query(sparql, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    return solutions


def _find_entities(store: ox.Store, name: str, kind: str) -> list[URIRef]:
    """Entities of ``kind`` whose label (preferred) or alias matches ``name``."""
    wanted = match_key(name)
    main: set[str] = set()
    alias: set[str] = set()
    for row in _select(store, _ENTITY_LABELS):
        if kind != "Entity" and row["class"].value != str(KG[kind]):
            continue
        if match_key(row["label"].value) == wanted:
            (main if row["main"].value == "true" else alias).add(row["entity"].value)
    return [URIRef(iri) for iri in sorted(main or alias)]


def _find_documents(store: ox.Store, name: str) -> list[URIRef]:
    """Articles whose file name (with or without extension), IRI or headline matches ``name``."""
    wanted = match_key(name)
    found = set()
    for row in _select(store, _DOCUMENT_KEYS):
        iri, key = row["doc"].value, row["key"].value
        keys = {match_key(key), match_key(Path(key).stem), match_key(iri.rsplit("/", 1)[-1])}
        if wanted in keys:
            found.add(iri)
    return [URIRef(iri) for iri in sorted(found)]


def _is_iri(value: str) -> bool:
    return bool(re.match(r"^<?[a-zA-Z][a-zA-Z0-9+.-]*://\S+>?$", value))


def resolve_params(
    store: ox.Store, query: NamedQuery | None, values: Mapping[str, str]
) -> dict[str, Node]:
    """Bindings for the named ``query`` from user-given strings (``{"org": "Odoo"}``).

    Names of entities and articles become their IRIs; a name matching nothing, or several things,
    is a :class:`~kg.errors.UsageError`. For a query that is not named, every value is bound as a
    plain literal (or an IRI when it looks like one).
    """
    bindings: dict[str, Node] = {}
    if query is not None:
        missing = [p.name for p in query.params if p.required and p.name not in values]
        if missing:
            usage = " ".join(f"--param {m}=…" for m in missing)
            raise UsageError(f"query {query.name!r} needs {usage}")
    for name, value in values.items():
        kind = query.param(name).kind if query is not None else "Literal"
        if _is_iri(value):
            bindings[name] = URIRef(value.strip("<>"))
        elif kind == "Literal":
            bindings[name] = Literal(value)
        else:
            found = (
                _find_documents(store, value)
                if kind == "Document"
                else _find_entities(store, value, kind)
            )
            what = "article" if kind == "Document" else kind.lower()
            if not found:
                raise UsageError(f"--param {name}: no {what} named {value!r} in the graph")
            if len(found) > 1:
                options = ", ".join(f"<{iri}>" for iri in found[:5])
                raise UsageError(
                    f"--param {name}: {value!r} names several: {options}; give the IRI"
                )
            bindings[name] = found[0]
    return bindings


# -------------------------------------------------------------------------------------------------
# Running


Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Cell = Term | None


@dataclass
class QueryResult:
    """What a query returned, as pyoxigraph gave it: solutions (``SELECT``), a boolean
    (``ASK``) or triples (``CONSTRUCT``, ``DESCRIBE``).

    ``rows`` hold pyoxigraph terms (``None`` where a variable is unbound), read from the
    solutions when first asked for; :func:`serialize_results` writes the solutions with
    pyoxigraph's own serialisers. ``truncated`` says the result limit cut them short.
    """

    kind: TypingLiteral["select", "ask", "graph"]
    vars: list[str] = field(default_factory=list)
    boolean: bool | None = None
    truncated: bool = False
    answer: Any = None  # the pyoxigraph result, unread
    rerun: Callable[[], Any] | None = None  # the same query again, its answer unread
    _rows: list[tuple[Cell, ...]] | None = None
    _triples: list[ox.Triple] | None = None

    @property
    def rows(self) -> list[tuple[Cell, ...]]:
        if self._rows is None:
            self._rows = [tuple(solution[v] for v in self.vars) for solution in self._take()]
        return self._rows

    @property
    def triples(self) -> list[ox.Triple]:
        if self._triples is None:
            self._triples = list(self._take())
        return self._triples

    def _take(self) -> Any:
        answer, self.answer = self.answer, None
        if answer is None and self.rerun is not None:
            answer = self.rerun()
        return answer if answer is not None else ()

    def unread(self) -> Any:
        """The pyoxigraph answer, not yet read (the query is run again if it was)."""
        answer, self.answer = self.answer, None
        if answer is None and self.rerun is not None:
            answer = self.rerun()
        return answer

    def __len__(self) -> int:
        if self.kind == "graph":
            return len(self.triples)
        return len(self.rows) if self.kind == "select" else 1

    def records(self) -> list[dict[str, object]]:
        """Solutions as dicts of Python values (numbers, strings), e.g. for pandas."""
        return [
            {var: _python(cell) for var, cell in zip(self.vars, row, strict=True)}
            for row in self.rows
        ]


_NUMBERS: dict[str, Callable[[str], object]] = {
    XSD + "integer": int,
    XSD + "int": int,
    XSD + "long": int,
    XSD + "decimal": Decimal,
    XSD + "double": float,
    XSD + "float": float,
    XSD + "boolean": lambda text: text == "true",
}


def _python(cell: Cell) -> object:
    """A literal as a Python value (numbers and booleans; others as text), an IRI as text.

    >>> _python(ox.Literal("3", datatype=ox.NamedNode(XSD + "integer"))), _python(None)
    (3, None)
    """
    if cell is None:
        return None
    if isinstance(cell, ox.Literal):
        convert = _NUMBERS.get(cell.datatype.value)
        if convert is not None:
            try:
                return convert(cell.value)
            except (ValueError, ArithmeticError):
                return cell.value
    return cell.value if isinstance(cell, ox.NamedNode | ox.BlankNode | ox.Literal) else str(cell)


_UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)


_PROLOGUE = re.compile(
    r"""\s*(?:\#[^\n]*\n?|PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)""", re.IGNORECASE
)


def is_update(sparql: str) -> bool:
    """Whether ``sparql`` is a SPARQL Update request rather than a query (its first keyword
    after the prologue; it is never run, not even on an empty store: ``LOAD`` would fetch).

    >>> is_update("PREFIX ex: <http://e/> # add\\nINSERT DATA { ex:a ex:b ex:c }")
    True
    >>> is_update("SELECT * WHERE { ?s ?p ?o }")
    False
    """
    position = 0
    while True:
        match = _PROLOGUE.match(sparql, position)
        if not match or match.end() == position:
            break
        position = match.end()
    word = re.match(r"\s*([A-Za-z]+)", sparql[position:])
    return word is not None and word.group(1).upper() in _UPDATE_KEYWORDS


# Prefixes a query may use without declaring them (pyoxigraph's ``prefixes=``), as rdflib's
# SPARQL engine allows for its bound namespaces (and kg's README examples do).
DEFAULT_PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "https://schema.org/",
    "kg": "https://w3id.org/kg-news/ontology#",
    "res": "https://w3id.org/kg-news/resource/",
}


def _term(value: Node | Term | str) -> Term:
    """A value to bind, as a pyoxigraph term: rdflib terms are converted, text is a literal."""
    if isinstance(value, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple):
        return value
    if isinstance(value, URIRef):
        return ox.NamedNode(str(value))
    if isinstance(value, BNode):
        return ox.BlankNode(str(value))
    if isinstance(value, Literal):
        if value.language:
            return ox.Literal(str(value), language=value.language)
        if value.datatype:
            return ox.Literal(str(value), datatype=ox.NamedNode(str(value.datatype)))
        return ox.Literal(str(value))
    return ox.Literal(str(value))


def run_query(
    source: Source,
    sparql: str,
    *,
    bindings: Mapping[str, Node | Term | str] | None = None,
    limit: int | None = None,
) -> QueryResult:
    """Run a read-only SPARQL query over ``source`` (a graph file, an rdflib graph or a store).

    ``bindings`` maps variable names to values bound before evaluation (pyoxigraph's
    ``substitutions``: the variables must be in the query's projection); ``limit`` caps the
    solutions (or triples) kept, setting ``truncated``. The default graph is the union of all
    graphs, so a TriG file with one graph per article answers like the Turtle file.

    >>> from rdflib import Graph, URIRef
    >>> g = Graph()
    >>> _ = g.add((URIRef("http://e/a"), URIRef("http://e/p"), URIRef("http://e/b")))
    >>> run_query(g, "SELECT ?o WHERE { ?s ?p ?o }").rows
    [(<NamedNode value=http://e/b>,)]
    >>> run_query(g, "ASK { ?s ?p <http://e/c> }").boolean
    False
    """
    store = load_store(source)
    substitutions = {ox.Variable(k): _term(v) for k, v in (bindings or {}).items()}

    execute = partial(_execute, store, sparql, substitutions)
    answer = execute()
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult(kind="ask", boolean=bool(answer))
    kind: TypingLiteral["select", "graph"] = (
        "graph" if isinstance(answer, ox.QueryTriples) else "select"
    )
    variables = [v.value for v in answer.variables] if kind == "select" else []
    result = QueryResult(kind=kind, vars=variables, answer=answer, rerun=execute)
    if limit is not None:
        items = list(islice(result.unread(), limit + 1))
        result.truncated = len(items) > limit
        if kind == "select":
            result._rows = [tuple(s[v] for v in variables) for s in items[:limit]]
        else:
            result._triples = items[:limit]
    return result


def _execute(store: ox.Store, sparql: str, substitutions: dict[ox.Variable, Any]) -> Any:
    """pyoxigraph's answer to ``sparql``; its errors become kg's one-line errors."""
    try:
        return store.query(
            sparql,
            use_default_graph_as_union=True,
            prefixes=DEFAULT_PREFIXES,
            substitutions=substitutions or None,
        )
    except SyntaxError as error:
        if is_update(sparql):
            raise UsageError(
                "this is a SPARQL UPDATE request; kg only runs read-only queries"
            ) from None
        message = describe_sparql_error(str(error), sparql, 0)
        raise UsageError(f"invalid SPARQL query: {message}") from None
    except RuntimeError as error:  # a substitution the query cannot take
        name = re.search(r"variable \?(\w+)", str(error))
        what = (
            f"--param {name[1]}: the query has no variable ?{name[1]} in its SELECT"
            if name
            else _one_line(str(error))
        )
        raise UsageError(what) from None
    except OSError as error:  # evaluation errors (e.g. a SERVICE call) surface as OSError
        raise InputError(f"query failed: {_one_line(str(error))}") from None


# -------------------------------------------------------------------------------------------------
# Serialising


def _compact(cell: Cell) -> str:
    """Short form for tables: prefixed IRIs, bare literal values."""
    if cell is None:
        return ""
    if isinstance(cell, ox.NamedNode):
        iri = cell.value
        for prefix, namespace in DEFAULT_PREFIXES.items():
            if iri.startswith(namespace) and len(iri) > len(namespace):
                return f"{prefix}:{iri[len(namespace) :]}"
        return f"<{iri}>"
    if isinstance(cell, ox.BlankNode):
        return f"_:{cell.value}"
    return cell.value if isinstance(cell, ox.Literal) else str(cell)


def _results_table(result: QueryResult, max_width: int = 80) -> str:
    if result.kind == "ask":
        return "true" if result.boolean else "false"
    header = list(result.vars)
    body = [[_clip(_compact(cell), max_width) for cell in row] for row in result.rows]
    widths = [max([len(h), *(len(r[i]) for r in body)]) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in body:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    count = len(result.rows)
    lines.append(
        f"({count} row{'s' if count != 1 else ''}{', truncated' if result.truncated else ''})"
    )
    return "\n".join(lines)


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


# Name → pyoxigraph format of solutions and booleans (the table is kg's, for terminals).
RESULT_FORMATS: dict[str, ox.QueryResultsFormat | None] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "table": None,
}

# Name → pyoxigraph format of CONSTRUCT and DESCRIBE results.
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
# What each terminal format means for a graph result.
_GRAPH_ALIASES = {"table": "turtle", "json": "jsonld", "csv": "nt", "tsv": "nt", "xml": "rdfxml"}


def serialize_results(result: QueryResult, fmt: str) -> tuple[bytes, str]:
    """Serialise ``result`` in the format ``fmt`` (a key of :data:`RESULT_FORMATS` or
    :data:`GRAPH_FORMATS`) with pyoxigraph's serialisers; returns the bytes and their media type.

    >>> serialize_results(QueryResult(kind="ask", boolean=True), "json")
    (b'{"head":{},"boolean":true}', 'application/sparql-results+json')
    """
    if result.kind == "graph":
        name = _GRAPH_ALIASES.get(fmt, fmt)
        if name not in GRAPH_FORMATS:
            raise UsageError(
                f"unknown format {fmt!r} for a graph result (use {', '.join(GRAPH_FORMATS)})"
            )
        rdf_format = GRAPH_FORMATS[name]
        if result.truncated or result._triples is not None:
            data = ox.serialize(result.triples, format=rdf_format, prefixes=DEFAULT_PREFIXES)
        else:
            data = result.unread().serialize(format=rdf_format)
        return data or b"", rdf_format.media_type
    if fmt not in RESULT_FORMATS:
        raise UsageError(f"unknown format {fmt!r} (use {', '.join(RESULT_FORMATS)})")
    results_format = RESULT_FORMATS[fmt]
    if results_format is None:
        return _results_table(result).encode("utf-8"), "text/plain"
    if result.kind == "ask":
        data = _boolean(bool(result.boolean), results_format)
    elif result.truncated or result._rows is not None:
        data = _limited(result, results_format)
    else:
        data = result.unread().serialize(format=results_format)
    return data, results_format.media_type


def _boolean(value: bool, results_format: ox.QueryResultsFormat) -> bytes:
    """An ``ASK`` answer serialised by pyoxigraph."""
    answer = ox.Store().query("ASK {}" if value else "ASK { FILTER(false) }")
    assert isinstance(answer, ox.QueryBoolean)
    return answer.serialize(format=results_format) or b""


def _limited(result: QueryResult, results_format: ox.QueryResultsFormat) -> bytes:
    """Solutions already read (cut at the limit) serialised by pyoxigraph: they are given back
    to it as the ``VALUES`` of a query, bound by its substitutions, one row per solution."""
    if not result.vars:
        return _solutions(ox.Store(), "SELECT * {}", results_format)
    store = ox.Store()
    for number, row in enumerate(result.rows):
        row_node = ox.NamedNode(f"urn:kg:row:{number:09d}")
        for var, cell in zip(result.vars, row, strict=True):
            if cell is not None:
                store.add(ox.Quad(row_node, ox.NamedNode(f"urn:kg:var:{var}"), cell))
        store.add(ox.Quad(row_node, ox.NamedNode("urn:kg:row"), ox.Literal(str(number))))
    columns = " ".join(f"?{v}" for v in result.vars)
    # Its own variables start with "_": no name of the user's query ("?n", "?row") is taken.
    optionals = " ".join(f"OPTIONAL {{ ?_row <urn:kg:var:{v}> ?{v} }}" for v in result.vars)
    query = f"SELECT {columns} WHERE {{ ?_row <urn:kg:row> ?_n {optionals} }} ORDER BY ?_row"
    return _solutions(store, query, results_format)


def _solutions(store: ox.Store, query: str, results_format: ox.QueryResultsFormat) -> bytes:
    answer = store.query(query)
    assert isinstance(answer, ox.QuerySolutions)
    return answer.serialize(format=results_format) or b""


def format_results(result: QueryResult, fmt: str = "table") -> str:
    """Text of ``result`` for a terminal: ``table`` (aligned columns), ``csv``, ``tsv``, ``json``
    or ``xml``.

    >>> print(format_results(QueryResult(kind="select", vars=["name"], _rows=[(ox.Literal("OVH"),)])))
    name
    ----
    OVH
    (1 row)

    ``tsv`` is for spreadsheets and shell tools: plain values like ``csv`` (``Ovalis``, not the
    SPARQL TSV syntax ``"Ovalis"@fr`` that the endpoint serves), tabs and newlines in a value
    written ``\\t`` and ``\\n``.

    >>> print(format_results(QueryResult(kind="select", vars=["org"], _rows=[(ox.Literal("OVH", language="fr"),)]), "tsv"))
    org
    OVH
    """
    if fmt == "tsv" and result.kind != "ask":
        return _plain_tsv(result)
    data, _ = serialize_results(result, fmt)
    return data.decode("utf-8").rstrip("\n")


def _plain(value: object) -> str:
    """A term as a spreadsheet shows it: the literal's text, the IRI itself, nothing for unbound."""
    if value is None:
        return ""
    return str(getattr(value, "value", value))


def _plain_tsv(result: QueryResult) -> str:
    def cell(value: Cell) -> str:
        return _plain(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")

    lines = ["\t".join(result.vars)]
    lines += ["\t".join(cell(value) for value in row) for row in result.rows]
    return "\n".join(lines)


def answer_query(
    graph: Source,
    *,
    text: str | None = None,
    file: Path | None = None,
    name: str | None = None,
    params: Iterable[str] = (),
    fmt: str = "table",
) -> str:
    """Everything ``kg query`` does: read the query, bind ``NAME=VALUE`` parameters, run, format."""
    sparql = read_query(text, file, name)
    store = load_store(graph)
    named = get_named_query(name) if name is not None else None
    bindings = resolve_params(store, named, parse_params(params))
    if named is not None:
        sparql = named.with_values(bindings)
    return format_results(run_query(store, sparql, bindings=bindings), fmt)
