"""kg/graph/turtle.py: N-Triples lines, sorted Turtle blocks, the file's header and chunks."""

from __future__ import annotations

import random

import pytest
from kb_samples import SOFTWARE, sample_kb
from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.namespace import SDO

from kg.graph.rdf import PREFIXES, decimal_literal, triples
from kg.graph.turtle import (
    ntriples_line,
    turtle_block,
    turtle_chunk,
    turtle_chunks,
    turtle_header,
    write_turtle,
)
from kg.namespace import KG, RES

X = RES["org/x"]


def _parse(text: str, prefixes: dict[str, str] = PREFIXES) -> set:
    return set(Graph().parse(data=turtle_header(prefixes) + text, format="turtle"))


def test_ntriples_line_escapes_quotes_backslashes_and_newlines() -> None:
    text = 'il a dit "oui"\\ puis\nnon\r'
    line = ntriples_line((URIRef("urn:x"), RDFS.label, Literal(text, lang="fr")))
    assert line == (
        "<urn:x> <http://www.w3.org/2000/01/rdf-schema#label> "
        '"il a dit \\"oui\\"\\\\ puis\\nnon\\r"@fr .\n'
    )
    assert line.count("\n") == 1
    assert set(Graph().parse(data=line, format="nt")) == {
        (URIRef("urn:x"), RDFS.label, Literal(text, lang="fr"))
    }


def test_ntriples_line_writes_datatypes_and_refuses_blank_nodes() -> None:
    assert ntriples_line((X, KG.employees, Literal(12))) == (
        f'<{X}> <{KG.employees}> "12"^^<{XSD.integer}> .\n'
    )
    with pytest.raises(TypeError):
        ntriples_line((BNode(), RDF.type, KG.Organization))


LITERALS = [
    Literal("Qonto à Londres", lang="fr"),  # language
    decimal_literal(250_000_000.0),  # xsd:decimal, integral
    decimal_literal(0.85),
    decimal_literal(-0.12574),
    Literal(2000),  # xsd:integer
    Literal(-3),
    Literal("1999", datatype=XSD.gYear),
    Literal("2016-07-01", datatype=XSD.date),
    Literal("https://exemple.fr/a?b=1&c=2", datatype=XSD.anyURI),
    Literal("plain"),  # no datatype, no language
    Literal(""),
    Literal('guillemets " et \\ et\nligne\tonglet'),
]


@pytest.mark.parametrize("literal", LITERALS, ids=lambda lit: lit.n3())
def test_literal_kinds_round_trip(literal: Literal) -> None:
    triple = (X, SDO.value, literal)
    block = turtle_block([triple], PREFIXES)
    (parsed,) = _parse(block)
    assert parsed == triple
    assert (parsed[2].datatype, parsed[2].language) == (literal.datatype, literal.language)
    assert str(parsed[2]) == str(literal)


@pytest.fixture(scope="module")
def sample_triples() -> list:
    return list(triples(sample_kb(), software=SOFTWARE))


def test_block_parses_to_exactly_the_triples(sample_triples: list) -> None:
    block = turtle_block(sample_triples, PREFIXES)
    assert _parse(block) == set(sample_triples)


def test_block_is_sorted_whatever_the_input_order(sample_triples: list) -> None:
    block = turtle_block(sample_triples, PREFIXES)
    shuffled = list(sample_triples)
    random.Random(7).shuffle(shuffled)
    assert turtle_block(shuffled, PREFIXES) == block
    assert turtle_block(reversed(sample_triples), PREFIXES) == block
    assert turtle_block(sample_triples + sample_triples[:20], PREFIXES) == block  # duplicates
    # Subjects come in the order of their N-Triples lines.
    subjects = [line for line in block.splitlines() if line and not line[0].isspace()]
    expanded = [s.split(" ", 1)[0] for s in subjects]
    iris = [PREFIXES[p] + local for p, local in (e.split(":", 1) for e in expanded)]
    assert iris == sorted(iris) and len(iris) == len(set(iris))


def test_block_has_no_prefix_lines_and_uses_the_kinds_prefixes(sample_triples: list) -> None:
    block = turtle_block(sample_triples, PREFIXES)
    lines = block.splitlines()
    assert not [line for line in lines if line.lstrip().lower().startswith(("@prefix", "prefix"))]
    assert "organization:ovh a kg:Organization" in block
    assert "\\/" not in block and "res:" not in block
    assert "<https://w3id.org/kg-news/" not in block  # every kg IRI has a prefixed name


def test_empty_block_and_unknown_prefixes() -> None:
    assert turtle_block([], PREFIXES) == ""
    triple = (URIRef("urn:a"), SDO.name, Literal("A"))
    block = turtle_block([triple], {})
    assert block == '<urn:a> <https://schema.org/name> "A" .\n'
    assert _parse(block, {}) == {triple}


def test_header_chunks_and_file(tmp_path) -> None:
    assert turtle_header({"b": "urn:b#", "a": "urn:a#"}) == (
        "@prefix a: <urn:a#> .\n@prefix b: <urn:b#> .\n"
    )
    assert turtle_chunk("article a\nb.txt", "x\n") == "\n# article a b.txt\nx\n"
    assert turtle_chunk("entities", "") == ""
    one = turtle_block([(X, RDF.type, KG.Organization)], PREFIXES)
    two = turtle_block([(X, RDFS.label, Literal("X", lang="fr"))], PREFIXES)
    blocks = [("build", one), ("empty", ""), ("article a.txt", two)]
    text = "".join(turtle_chunks(PREFIXES, blocks))
    assert text == turtle_header(PREFIXES) + f"\n# build\n{one}\n# article a.txt\n{two}"
    path = tmp_path / "graph.ttl"
    write_turtle(path, PREFIXES, iter(blocks))
    assert path.read_text(encoding="utf-8") == text
    assert set(Graph().parse(path, format="turtle")) == {
        (X, RDF.type, KG.Organization),
        (X, RDFS.label, Literal("X", lang="fr")),
    }
