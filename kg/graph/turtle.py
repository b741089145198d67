"""Turtle written block by block, with pyoxigraph's serialiser.

A build's ``graph.ttl`` is a prefix header followed by *blocks*: the build activity, the
entities, then one block per article holding what was read there (see
:func:`kg.graph.rdf.article_triples`). Each block is the Turtle of its triples in sorted order,
so the file is the same whatever order facts were found in, and a block can be cached and
reused as long as its triples do not change. A triple that two articles support is written in
both blocks: Turtle describes a set of triples, so the file still parses to one graph.

rdflib's own Turtle serialiser is pure Python and about ten times slower on large graphs; its
terms are turned into N-Triples here (one line per triple, which is also the sort key) and
handed to pyoxigraph.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.term import Node

from ..io import atomic_open

__all__ = [
    "ntriples_block",
    "ntriples_line",
    "ntriples_string",
    "ntriples_term",
    "turtle_block",
    "turtle_chunk",
    "turtle_chunks",
    "turtle_header",
    "write_turtle",
]

Triple = tuple[Node, Node, Node]

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def ntriples_term(node: Node) -> str:
    """An IRI or a literal in N-Triples.

    >>> from rdflib import XSD
    >>> ntriples_term(URIRef("urn:x")), ntriples_term(Literal("1999", datatype=XSD.gYear))
    ('<urn:x>', '"1999"^^<http://www.w3.org/2001/XMLSchema#gYear>')
    """
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        text = ntriples_string(node)
        language = node.language
        if language:
            return f"{text}@{language}"
        datatype = node.datatype
        if datatype is not None:
            return f"{text}^^<{datatype}>"
        return text
    raise TypeError(f"kg graphs have no blank nodes or variables: {node!r}")


def ntriples_string(text: str) -> str:
    """``text`` as a quoted N-Triples string (a plain literal).

    >>> print(ntriples_string('dit "non"'))
    "dit \\"non\\""
    """
    # Most texts need no escape, and four scans for a character cost less than translate.
    if "\\" in text or '"' in text or "\n" in text or "\r" in text:
        text = text.translate(_ESCAPES)
    return f'"{text}"'


def ntriples_line(triple: Triple) -> str:
    """One triple as an N-Triples line.

    >>> from rdflib import RDFS
    >>> ntriples_line((URIRef("urn:x"), RDFS.label, Literal('dit "non"', lang="fr")))
    '<urn:x> <http://www.w3.org/2000/01/rdf-schema#label> "dit \\\\"non\\\\""@fr .\\n'
    """
    subject, predicate, obj = triple
    if type(subject) is URIRef and type(predicate) is URIRef:  # all of kg's: half the calls
        return f"<{subject}> <{predicate}> {ntriples_term(obj)} .\n"
    return f"{ntriples_term(subject)} {ntriples_term(predicate)} {ntriples_term(obj)} .\n"


def turtle_header(prefixes: dict[str, str]) -> str:
    """The ``@prefix`` lines of a file.

    >>> turtle_header({"kg": "https://w3id.org/kg-news/ontology#"})
    '@prefix kg: <https://w3id.org/kg-news/ontology#> .\\n'
    """
    return "".join(f"@prefix {name}: <{iri}> .\n" for name, iri in sorted(prefixes.items()))


def turtle_block(triples: Iterable[Triple], prefixes: dict[str, str]) -> str:
    """The triples as Turtle statements using ``prefixes`` (not declared: the header does),
    sorted and without duplicates.

    >>> from rdflib import RDFS
    >>> print(turtle_block([(URIRef("urn:x"), RDFS.label, Literal("X"))], {"rdfs": str(RDFS)}), end="")
    <urn:x> rdfs:label "X" .
    """
    return ntriples_block({ntriples_line(t) for t in triples}, prefixes)


def ntriples_block(lines: Iterable[str], prefixes: dict[str, str]) -> str:
    """:func:`turtle_block` of triples already written as N-Triples lines.

    >>> ntriples_block(["<urn:x> <urn:p> <urn:y> .\\n"] * 2, {"ex": "urn:"})
    'ex:x ex:p ex:y .\\n'
    """
    ordered = sorted(set(lines))
    if not ordered:
        return ""
    parsed = ox.parse("".join(ordered).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    text = (ox.serialize(parsed, format=ox.RdfFormat.TURTLE, prefixes=prefixes) or b"").decode()
    return "".join(
        line for line in text.splitlines(keepends=True) if not line.startswith("@prefix")
    )


def turtle_chunks(prefixes: dict[str, str], blocks: Iterable[tuple[str, str]]) -> Iterator[str]:
    """The text of a Turtle file, piece by piece: the prefix header, then each non-empty
    ``(title, block)`` pair as a ``# title`` comment line followed by the block.

    >>> "".join(turtle_chunks({}, [("build", "<urn:a> <urn:b> <urn:c> .\\n"), ("empty", "")]))
    '\\n# build\\n<urn:a> <urn:b> <urn:c> .\\n'
    """
    yield turtle_header(prefixes)
    for title, block in blocks:
        yield turtle_chunk(title, block)


def turtle_chunk(title: str, block: str) -> str:
    """A block under its ``# title`` comment line ("" for an empty block).

    >>> turtle_chunk("article a.txt", "<urn:a> <urn:b> <urn:c> .\\n")
    '\\n# article a.txt\\n<urn:a> <urn:b> <urn:c> .\\n'
    """
    return f"\n# {' '.join(title.split())}\n{block}" if block else ""


def write_turtle(
    path: str | Path, prefixes: dict[str, str], blocks: Iterable[tuple[str, str]]
) -> None:
    """Write :func:`turtle_chunks` to ``path`` atomically, streaming (blocks may come from a
    generator, so a large graph is never one string in memory)."""
    with atomic_open(path, "w") as handle:
        for chunk in turtle_chunks(prefixes, blocks):
            handle.write(chunk)
