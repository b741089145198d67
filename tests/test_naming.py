"""IRI minting (``kg.naming``): any name, however hostile, gives a valid and stable IRI."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from kg.namespace import RES
from kg.naming import document_iri, entity_id, entity_iri, hashed_iri, match_key, slugify

# RFC 3986 unreserved characters, lower-case ASCII only as slugify promises.
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
ENTITY_TYPES = st.sampled_from(["Person", "Organization", "Place", "Event"])

# Names with everything that breaks naive IRI minting: markup, quotes, spaces, controls,
# accents, emoji, right-to-left text, surrogate-free arbitrary code points.
HOSTILE = st.one_of(
    st.text(max_size=80),
    st.sampled_from(
        [
            "",
            " ",
            "<script>alert(1)</script>",
            '"><img src=x onerror=alert(1)>',
            "OVH > Scaleway",
            "a\nb\tc\x00d",
            "Société Générale",
            "L'Écrin",
            "d’OVH",
            "#1 du cloud",
            "100%",
            "http://evil.example/?q=1&r=2",
            "ﷺ﷽",
            "😀🚀",
            "אבג",
            "..",
            "/",
            "-",
            "x" * 500,
        ]
    ),
)


def round_trips_as_ntriples(iri: URIRef) -> bool:
    """Whether ``iri`` survives serialisation and parsing as N-Triples unchanged."""
    graph = Graph()
    graph.add((iri, RDFS.label, Literal("x")))
    parsed = Graph().parse(data=graph.serialize(format="nt"), format="nt")
    return set(parsed.subjects()) == {iri}


@given(HOSTILE)
def test_slug_uses_only_unreserved_characters(name: str) -> None:
    slug = slugify(name)
    assert SLUG.fullmatch(slug), slug
    assert len(slug) <= 60


@given(HOSTILE)
def test_slug_is_stable(name: str) -> None:
    assert slugify(name) == slugify(name)


@given(ENTITY_TYPES, HOSTILE)
def test_entity_iri_is_valid(entity_type: str, name: str) -> None:
    identifier = entity_id(entity_type, name)
    kind, slug = identifier.split("/")
    assert kind in {"person", "org", "place", "thing"} and SLUG.fullmatch(slug)
    iri = entity_iri(identifier)
    assert str(iri).startswith(str(RES))
    assert round_trips_as_ntriples(iri)


@given(HOSTILE)
def test_document_iri_is_valid(doc_id: str) -> None:
    iri = document_iri(doc_id)
    assert SLUG.fullmatch(str(iri).removeprefix(str(RES) + "doc/"))
    assert round_trips_as_ntriples(iri)


@given(st.text(max_size=40), st.integers(), st.floats(allow_nan=False))
def test_hashed_iri_is_valid(kind_text: str, number: int, value: float) -> None:
    iri = hashed_iri("stmt", kind_text, number, value)
    assert round_trips_as_ntriples(iri)
    assert iri == hashed_iri("stmt", kind_text, number, value)


@given(ENTITY_TYPES, HOSTILE)
def test_iri_round_trips_through_turtle(entity_type: str, name: str) -> None:
    iri = entity_iri(entity_id(entity_type, name))
    graph = Graph()
    graph.add((iri, RDFS.label, Literal(name.replace("\x00", ""), lang="fr")))
    parsed = Graph().parse(data=graph.serialize(format="turtle"), format="turtle")
    assert set(parsed.subjects()) == {iri}


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Showroomprivé.com", "showroomprive-com"),
        ("OVH Group", "ovh-group"),
        ("  Société  Générale ", "societe-generale"),
        ("<b>OVH</b>", "b-ovh-b"),
    ],
)
def test_slug_examples(name: str, slug: str) -> None:
    assert slugify(name) == slug


def test_names_without_letters_get_distinct_hashed_slugs() -> None:
    assert slugify("!!!") != slugify("???")
    assert slugify("!!!").startswith("x-")


@given(st.text(max_size=40))
def test_match_key_is_idempotent(name: str) -> None:
    assert match_key(match_key(name)) == match_key(name)


def test_distinct_document_ids_get_distinct_iris() -> None:
    assert document_iri("a/b.txt") != document_iri("a-b.txt")
    assert document_iri("x" * 200 + "1") != document_iri("x" * 200 + "2")
