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

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal as TypingLiteral
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from .errors import GraphParseError, InputError, UsageError
from .namespace import KG, RES
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
    "bind_values",
    "serialize_results",
]

QUERIES_DIR = Path(__file__).resolve().parent / "queries"

Source = str | Path | Graph | ox.Store
Cell = URIRef | BNode | Literal | None

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

_PREFIXES = {
    "kg": str(KG._NS),
    "res": str(RES),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "https://schema.org/",
    "owl": "http://www.w3.org/2002/07/owl#",
}
_XSD_STRING = _PREFIXES["xsd"] + "string"
_RDF_LANG_STRING = _PREFIXES["rdf"] + "langString"


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

    def param(self, name: str) -> QueryParam:
        for param in self.params:
            if param.name == name:
                return param
        known = ", ".join(p.name for p in self.params) or "none"
        raise UsageError(f"query {self.name!r} has no parameter {name!r} (parameters: {known})")


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


@dataclass
class QueryResult:
    """What a query returned: solutions (``SELECT``), a boolean (``ASK``) or a graph
    (``CONSTRUCT``, ``DESCRIBE``).

    ``rows`` hold rdflib terms (``None`` where a variable is unbound); ``truncated`` says the
    result limit cut the solutions or triples short.
    """

    kind: TypingLiteral["select", "ask", "graph"]
    vars: list[str] = field(default_factory=list)
    rows: list[tuple[Cell, ...]] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None
    truncated: bool = False

    def __len__(self) -> int:
        if self.kind == "graph":
            return len(self.graph) if self.graph is not None else 0
        return len(self.rows) if self.kind == "select" else 1

    def records(self) -> list[dict[str, object]]:
        """Solutions as dicts of Python values (numbers, dates, strings), e.g. for pandas."""
        return [
            {
                var: (
                    cell.toPython()
                    if isinstance(cell, Literal)
                    else cell
                    if cell is None
                    else str(cell)
                )
                for var, cell in zip(self.vars, row, strict=True)
            }
            for row in self.rows
        ]


_UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)
_PROLOGUE = re.compile(
    r"""\s*(?:\#[^\n]*\n?|PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)""", re.IGNORECASE
)


def is_update(sparql: str) -> bool:
    """Whether ``sparql`` is a SPARQL Update request rather than a query.

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


def _to_rdflib(term: object) -> Cell:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype in (_XSD_STRING, _RDF_LANG_STRING):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    return Literal(str(term))  # RDF-star quoted triples: shown as text


# Lexical pieces that may hold braces or keywords which are not syntax: comments, strings, IRIs.
_SKIP = re.compile(
    "|".join(
        [
            r"#[^\n]*",  # comment
            r'"""(?:[^\\]|\\.)*?"""',  # long strings
            r"'''(?:[^\\]|\\.)*?'''",
            r'"(?:[^"\\\n]|\\.)*"',  # short strings
            r"'(?:[^'\\\n]|\\.)*'",
            r"<[^<>\"{}|^`\\\s]*>",  # IRI (a lone '<' is the less-than operator)
        ]
    )
)
_BAD_IRI = re.compile(r"[<>\"{}|^`\\\s]")
_TOKEN = re.compile(r"[{}]|[A-Za-z_]+|[?$][A-Za-z0-9_]+")


def _tokens(sparql: str) -> Iterator[tuple[str, int]]:
    """Braces, words and variables of a query with their offsets, outside comments/strings/IRIs."""
    position = 0
    while position < len(sparql):
        skip = _SKIP.match(sparql, position)
        if skip:
            position = skip.end()
            continue
        token = _TOKEN.match(sparql, position)
        if token:
            yield token.group(), token.start()
            position = token.end()
        else:
            position += 1


def bind_values(sparql: str, bindings: Mapping[str, Node]) -> str:
    """``sparql`` with one ``VALUES`` block binding each variable, first in its ``WHERE`` group.

    The values are written as N-Triples terms, so no value can change the query's structure.

    >>> print(bind_values("SELECT ?n WHERE { ?o rdfs:label ?n }", {"o": URIRef("http://e/Odoo")}))
    SELECT ?n WHERE { VALUES ?o { <http://e/Odoo> } ?o rdfs:label ?n }
    """
    tokens = list(_tokens(sparql))
    used = {t[1:] for t, _ in tokens if t[0] in "?$"}
    for name in bindings:
        if name not in used:
            raise UsageError(f"--param {name}: the query has no variable ?{name}")
    words = [t.upper() for t, _ in tokens]
    depth, start = 0, None
    after_where = "WHERE" not in words
    for (token, offset), word in zip(tokens, words, strict=True):
        if token == "{":
            if depth == 0 and after_where:
                start = offset + 1
                break
            depth += 1
        elif token == "}":
            depth -= 1
        elif word == "WHERE" and depth == 0:
            after_where = True
    if start is None:
        raise UsageError("cannot bind parameters: the query has no WHERE clause")
    for name, term in bindings.items():
        if isinstance(term, URIRef) and _BAD_IRI.search(term):
            raise UsageError(f"--param {name}: {str(term)!r} is not a valid IRI")
    block = " ".join(f"VALUES ?{name} {{ {_term_nt(term)} }}" for name, term in bindings.items())
    return f"{sparql[:start]} {block}{sparql[start:]}"


# Prefixes a query may use without declaring them, as rdflib's SPARQL engine allows for its bound
# namespaces (and kg's README examples do).
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


def with_default_prefixes(sparql: str) -> str:
    """Declare the usual prefixes the query uses but does not declare.

    >>> with_default_prefixes("SELECT ?l WHERE { ?s rdfs:label ?l }").splitlines()[0]
    'PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>'
    """
    declared = {m.lower() for m in re.findall(r"(?im)^\s*PREFIX\s+([\w-]*):", sparql)}
    missing = [
        f"PREFIX {name}: <{iri}>"
        for name, iri in DEFAULT_PREFIXES.items()
        if name not in declared and re.search(rf"(?<![\w<#/]){name}:", sparql)
    ]
    return "\n".join([*missing, sparql]) if missing else sparql


def run_query(
    source: Source,
    sparql: str,
    *,
    bindings: Mapping[str, Node | str] | None = None,
    limit: int | None = None,
) -> QueryResult:
    """Run a read-only SPARQL query over ``source`` (a graph file, an rdflib graph or a store).

    ``bindings`` maps variable names to values bound before evaluation; ``limit`` caps the solutions
    (or triples) kept, setting ``truncated``. The default graph is the union of all graphs, so a
    TriG file with one graph per article answers like the Turtle file.

    >>> from rdflib import Graph, URIRef
    >>> g = Graph()
    >>> _ = g.add((URIRef("http://e/a"), URIRef("http://e/p"), URIRef("http://e/b")))
    >>> run_query(g, "SELECT ?o WHERE { ?s ?p ?o }").rows
    [(rdflib.term.URIRef('http://e/b'),)]
    >>> run_query(g, "ASK { ?s ?p <http://e/c> }").boolean
    False
    """
    if is_update(sparql):
        raise UsageError("this is a SPARQL UPDATE request; kg only runs read-only queries")
    store = load_store(source)
    text = sparql
    sparql = with_default_prefixes(sparql)
    if bindings:
        sparql = bind_values(
            sparql, {k: v if isinstance(v, Node) else Literal(v) for k, v in bindings.items()}
        )
    try:
        answer = store.query(sparql, use_default_graph_as_union=True)
    except SyntaxError as error:
        shift = sparql.count("\n") - text.count("\n")  # lines of prefixes (and VALUES) added
        message = describe_sparql_error(str(error), text, shift)
        raise UsageError(f"invalid SPARQL query: {message}") from None
    except OSError as error:  # evaluation errors (e.g. a SERVICE call) surface as OSError
        raise InputError(f"query failed: {_one_line(str(error))}") from None
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult(kind="ask", boolean=bool(answer))
    if isinstance(answer, ox.QueryTriples):
        graph = _bound(Graph())
        truncated = False
        for count, triple in enumerate(answer):
            if limit is not None and count >= limit:
                truncated = True
                break
            graph.add(
                (
                    _to_rdflib(triple.subject),
                    _to_rdflib(triple.predicate),
                    _to_rdflib(triple.object),
                )  # type: ignore[arg-type]
            )
        return QueryResult(kind="graph", graph=graph, truncated=truncated)
    variables = [v.value for v in answer.variables]
    rows: list[tuple[Cell, ...]] = []
    truncated = False
    for solution in answer:
        if limit is not None and len(rows) >= limit:
            truncated = True
            break
        rows.append(tuple(_to_rdflib(solution[v]) for v in variables))
    return QueryResult(kind="select", vars=variables, rows=rows, truncated=truncated)


def _bound(graph: Graph) -> Graph:
    for prefix, iri in _PREFIXES.items():
        graph.bind(prefix, iri)
    return graph


# -------------------------------------------------------------------------------------------------
# Serialising


def _plain(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, BNode):
        return f"_:{cell}"
    return str(cell)


def _compact(cell: Cell) -> str:
    """Short form for tables: prefixed IRIs, bare literal values."""
    if isinstance(cell, URIRef):
        for prefix, iri in _PREFIXES.items():
            if cell.startswith(iri) and len(cell) > len(iri):
                return f"{prefix}:{cell[len(iri) :]}"
        return f"<{cell}>"
    return _plain(cell)


def _escape_nt(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )


def _term_nt(cell: Cell | Node) -> str:
    """N-Triples syntax of a term (used by TSV results)."""
    if cell is None:
        return ""
    if isinstance(cell, URIRef):
        return f"<{cell}>"
    if isinstance(cell, BNode):
        return f"_:{cell}"
    if not isinstance(cell, Literal):
        raise TypeError(f"not an RDF term: {cell!r}")
    text = f'"{_escape_nt(str(cell))}"'
    if cell.language:
        return f"{text}@{cell.language}"
    if cell.datatype:
        return f"{text}^^<{cell.datatype}>"
    return text


def _term_json(cell: URIRef | BNode | Literal) -> dict[str, str]:
    if isinstance(cell, URIRef):
        return {"type": "uri", "value": str(cell)}
    if isinstance(cell, BNode):
        return {"type": "bnode", "value": str(cell)}
    term = {"type": "literal", "value": str(cell)}
    if cell.language:
        term["xml:lang"] = cell.language
    elif cell.datatype:
        term["datatype"] = str(cell.datatype)
    return term


def _results_json(result: QueryResult) -> str:
    if result.kind == "ask":
        return json.dumps({"head": {}, "boolean": result.boolean})
    bindings = [
        {var: _term_json(c) for var, c in zip(result.vars, row, strict=True) if c is not None}
        for row in result.rows
    ]
    document = {"head": {"vars": result.vars}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, indent=1)


def _term_xml(cell: URIRef | BNode | Literal) -> str:
    if isinstance(cell, URIRef):
        return f"<uri>{xml_escape(str(cell))}</uri>"
    if isinstance(cell, BNode):
        return f"<bnode>{xml_escape(str(cell))}</bnode>"
    if cell.language:
        return f"<literal xml:lang={quoteattr(cell.language)}>{xml_escape(str(cell))}</literal>"
    if cell.datatype:
        return (
            f"<literal datatype={quoteattr(str(cell.datatype))}>{xml_escape(str(cell))}</literal>"
        )
    return f"<literal>{xml_escape(str(cell))}</literal>"


def _results_xml(result: QueryResult) -> str:
    lines = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">']
    if result.kind == "ask":
        lines += ["<head/>", f"<boolean>{'true' if result.boolean else 'false'}</boolean>"]
    else:
        lines.append(
            "<head>" + "".join(f"<variable name={quoteattr(v)}/>" for v in result.vars) + "</head>"
        )
        lines.append("<results>")
        for row in result.rows:
            cells = "".join(
                f"<binding name={quoteattr(var)}>{_term_xml(cell)}</binding>"
                for var, cell in zip(result.vars, row, strict=True)
                if cell is not None
            )
            lines.append(f"<result>{cells}</result>")
        lines.append("</results>")
    lines.append("</sparql>")
    return "\n".join(lines) + "\n"


def _results_csv(result: QueryResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # CRLF, as the SPARQL CSV format says
    if result.kind == "ask":
        writer.writerow(["boolean"])
        writer.writerow(["true" if result.boolean else "false"])
    else:
        writer.writerow(result.vars)
        writer.writerows([_plain(cell) for cell in row] for row in result.rows)
    return buffer.getvalue()


def _results_tsv(result: QueryResult) -> str:
    if result.kind == "ask":
        return f"?boolean\n{'true' if result.boolean else 'false'}\n"
    lines = ["\t".join(f"?{v}" for v in result.vars)]
    lines += ["\t".join(_term_nt(cell) for cell in row) for row in result.rows]
    return "\n".join(lines) + "\n"


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


# Name → (media type, serialiser) for solutions and booleans; the table is for terminals only.
RESULT_FORMATS: dict[str, tuple[str, Callable[[QueryResult], str]]] = {
    "json": ("application/sparql-results+json", _results_json),
    "xml": ("application/sparql-results+xml", _results_xml),
    "csv": ("text/csv", _results_csv),
    "tsv": ("text/tab-separated-values", _results_tsv),
    "table": ("text/plain", _results_table),
}

# Name → (media type, rdflib serializer) for CONSTRUCT and DESCRIBE results.
GRAPH_FORMATS: dict[str, tuple[str, str]] = {
    "turtle": ("text/turtle", "turtle"),
    "nt": ("application/n-triples", "nt"),
    "jsonld": ("application/ld+json", "json-ld"),
    "rdfxml": ("application/rdf+xml", "xml"),
}
# What each terminal format means for a graph result.
_GRAPH_ALIASES = {"table": "turtle", "json": "jsonld", "csv": "nt", "tsv": "nt", "xml": "rdfxml"}


def serialize_results(result: QueryResult, fmt: str) -> tuple[bytes, str]:
    """Serialise ``result`` in the format ``fmt`` (a key of :data:`RESULT_FORMATS` or
    :data:`GRAPH_FORMATS`); returns the bytes and their media type.

    >>> serialize_results(QueryResult(kind="ask", boolean=True), "json")
    (b'{"head": {}, "boolean": true}', 'application/sparql-results+json')
    """
    if result.kind == "graph":
        assert result.graph is not None
        name = _GRAPH_ALIASES.get(fmt, fmt)
        if name not in GRAPH_FORMATS:
            raise UsageError(
                f"unknown format {fmt!r} for a graph result (use {', '.join(GRAPH_FORMATS)})"
            )
        media_type, rdflib_format = GRAPH_FORMATS[name]
        return result.graph.serialize(format=rdflib_format, encoding="utf-8"), media_type
    if fmt not in RESULT_FORMATS:
        raise UsageError(f"unknown format {fmt!r} (use {', '.join(RESULT_FORMATS)})")
    media_type, writer = RESULT_FORMATS[fmt]
    return writer(result).encode("utf-8"), media_type


def format_results(result: QueryResult, fmt: str = "table") -> str:
    """Text of ``result`` for a terminal: ``table`` (aligned columns), ``csv``, ``tsv``, ``json``
    or ``xml``.

    >>> from rdflib import Literal
    >>> print(format_results(QueryResult(kind="select", vars=["name"], rows=[(Literal("OVH"),)])))
    name
    ----
    OVH
    (1 row)

    ``tsv`` is for spreadsheets and shell tools: plain values like ``csv`` (``Eiffage``, not the
    SPARQL TSV syntax ``"Eiffage"@fr`` that the endpoint serves), tabs and newlines in a value
    written ``\\t`` and ``\\n``.

    >>> print(format_results(QueryResult(kind="select", vars=["org"], rows=[(Literal("OVH", lang="fr"),)]), "tsv"))
    org
    OVH
    """
    if fmt == "tsv" and result.kind != "ask":
        return _plain_tsv(result)
    data, _ = serialize_results(result, fmt)
    return data.decode("utf-8").rstrip("\n")


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
    return format_results(run_query(store, sparql, bindings=bindings), fmt)
