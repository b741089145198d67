"""kg's own extraction test set (issue 4): ``tests/data/extraction_cases.toml``.

Each case is a short French news text about invented companies; it is built on its own into a
:class:`~kg.records.KnowledgeBase` and checked for expected facts, trap facts that must not be
asserted (negation, modality, another company in the sentence), normalised attributes, entity
types and entity merging. The file's format is described in its header.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from kg.namespace import ATTRIBUTES, MONEY_ATTRIBUTES, RELATIONS, SYMMETRIC_RELATIONS
from kg.naming import match_key
from kg.records import ENTITY_TYPES, KnowledgeBase

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

CASES_PATH = Path(__file__).parent / "data" / "extraction_cases.toml"
GOLD_DIR = Path(__file__).resolve().parent.parent / "eval" / "gold"

MIN_CASES = 40
MIN_CASES_PER_RELATION = 3
REQUIRED_TAGS = ("negation", "modality", "coreference")
MONEY_TOLERANCE = 0.02
KNOWN_KEYS = frozenset(
    {
        "id",
        "tags",
        "text",
        "facts",
        "absent",
        "attributes",
        "absent_attributes",
        "entities",
        "same",
        "distinct",
        "not_entities",
    }
)

Triple = tuple[str, str, str]


def load_cases(path: Path = CASES_PATH) -> list[dict[str, Any]]:
    """The ``[[case]]`` tables of the test-set file."""
    with path.open("rb") as handle:
        return list(tomllib.load(handle)["case"])


CASES = load_cases()


# --------------------------------------------------------------------------- matching helpers


def entity_ids(kb: KnowledgeBase, name: str) -> set[str]:
    """Ids of the entities whose label or one of whose aliases has the match key of ``name``."""
    key = match_key(name)
    return {
        entity.id
        for entity in kb.entities.values()
        if key in {match_key(form) for form in (entity.label, *entity.aliases)}
    }


def labelled_ids(kb: KnowledgeBase, name: str) -> set[str]:
    """Ids of the entities whose label (not alias) has the match key of ``name``."""
    key = match_key(name)
    return {entity.id for entity in kb.entities.values() if match_key(entity.label) == key}


def asserted_pairs(kb: KnowledgeBase, predicate: str) -> set[tuple[str, str]]:
    """(subject, object) ids of asserted ``predicate`` relations, both ways when symmetric."""
    pairs = {
        (r.subject, r.object)
        for r in kb.relations
        if r.predicate == predicate and r.modality == "asserted"
    }
    if predicate in SYMMETRIC_RELATIONS:
        pairs |= {(o, s) for s, o in pairs}
    return pairs


def has_fact(kb: KnowledgeBase, triple: Triple) -> bool:
    """Whether the graph asserts ``(subject, predicate, object)`` given as surface names."""
    subject, predicate, obj = triple
    pairs = asserted_pairs(kb, predicate)
    return any((s, o) in pairs for s in entity_ids(kb, subject) for o in entity_ids(kb, obj))


def attribute_values(kb: KnowledgeBase, name: str, prop: str) -> list[float]:
    """Values of ``prop`` for the entities named ``name``."""
    ids = entity_ids(kb, name)
    return [a.value.value for a in kb.attributes if a.subject in ids and a.property == prop]


def value_matches(prop: str, expected: float, actual: float) -> bool:
    """Money within 2 %; head counts and years must be exact.

    >>> value_matches("revenue", 250e6, 252e6), value_matches("foundingYear", 2012, 2013)
    (True, False)
    """
    if prop in MONEY_ATTRIBUTES:
        return abs(actual - expected) <= MONEY_TOLERANCE * abs(expected)
    return actual == expected


def describe(kb: KnowledgeBase) -> str:
    """What was extracted, for failure messages."""

    def label(entity_id: str) -> str:
        entity = kb.entities.get(entity_id)
        return entity.label if entity else f"<{entity_id}>"

    lines = ["entities:"]
    for entity in sorted(kb.entities.values(), key=lambda e: e.id):
        aliases = f"  aliases={sorted(entity.aliases)}" if entity.aliases else ""
        lines.append(f"  {entity.type:<12} {entity.label!r}{aliases}")
    lines.append("relations:")
    for relation in kb.relations:
        lines.append(
            f"  {label(relation.subject)} -{relation.predicate}-> {label(relation.object)}"
            f"  [{relation.modality}, {relation.confidence:.2f}]"
        )
    lines.append("attributes:")
    for attribute in kb.attributes:
        lines.append(
            f"  {label(attribute.subject)} {attribute.property} = {attribute.value.value:g}"
        )
    return "\n".join(lines)


def check_case(kb: KnowledgeBase, case: dict[str, Any]) -> list[str]:
    """Every way ``kb`` falls short of ``case``, as readable lines (empty when it passes)."""
    errors: list[str] = []
    for triple in case.get("facts", []):
        if not has_fact(kb, tuple(triple)):
            errors.append(f"missing fact {triple}")
    for triple in case.get("absent", []):
        if has_fact(kb, tuple(triple)):
            errors.append(f"trap fact asserted {triple}")
    for name, prop, expected in case.get("attributes", []):
        values = attribute_values(kb, name, prop)
        if not any(value_matches(prop, expected, v) for v in values):
            errors.append(f"attribute {name!r} {prop} = {expected:g}: found {values or 'nothing'}")
    for name, prop in case.get("absent_attributes", []):
        values = attribute_values(kb, name, prop)
        if values:
            errors.append(f"unexpected attribute {name!r} {prop} = {values}")
    for name, entity_type in case.get("entities", []):
        types = sorted(kb.entities[i].type for i in entity_ids(kb, name))
        if entity_type not in types:
            errors.append(f"no {entity_type} entity named {name!r} (found types {types})")
    for names in case.get("same", []):
        resolved = {name: entity_ids(kb, name) for name in names}
        unresolved = [name for name, ids in resolved.items() if not ids]
        merged = set().union(*resolved.values())
        if unresolved or len(merged) != 1:
            errors.append(
                f"{names} should be one entity: unresolved {unresolved}, entities {sorted(merged)}"
            )
    for names in case.get("distinct", []):
        resolved = {name: entity_ids(kb, name) for name in names}
        unresolved = [name for name, ids in resolved.items() if not ids]
        flat = [i for ids in resolved.values() for i in ids]
        if unresolved or len(flat) != len(set(flat)):
            errors.append(f"{names} should be distinct entities: {resolved}")
    for name in case.get("not_entities", []):
        junk = labelled_ids(kb, name)
        if junk:
            errors.append(f"junk entity {name!r}: {sorted(junk)}")
    return errors


# ------------------------------------------------------------------------------------- tests


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_extraction_case(case: dict[str, Any]) -> None:
    from kg.pipeline import knowledge_base_from_texts

    kb = knowledge_base_from_texts([case["text"]])
    errors = check_case(kb, case)
    assert not errors, (
        f"case {case['id']!r}\ntext: {case['text']}\n"
        + "\n".join(f"- {e}" for e in errors)
        + "\n\nextracted "
        + describe(kb)
    )


def test_case_file_is_well_formed() -> None:
    ids = [case.get("id") for case in CASES]
    assert all(isinstance(i, str) and i for i in ids), "every case needs an id"
    duplicates = [i for i, n in Counter(ids).items() if n > 1]
    assert not duplicates, f"duplicate case ids: {duplicates}"
    for case in CASES:
        where = f"case {case['id']!r}"
        assert not set(case) - KNOWN_KEYS, f"{where}: unknown keys {set(case) - KNOWN_KEYS}"
        assert isinstance(case.get("text"), str) and case["text"].strip(), f"{where}: no text"
        for field in ("facts", "absent"):
            for triple in case.get(field, []):
                assert len(triple) == 3 and triple[1] in RELATIONS, f"{where}: bad {field} {triple}"
        for _name, prop, value in case.get("attributes", []):
            assert prop in ATTRIBUTES and isinstance(value, (int, float)), f"{where}: {prop}"
        for _name, prop in case.get("absent_attributes", []):
            assert prop in ATTRIBUTES, f"{where}: {prop}"
        for _name, entity_type in case.get("entities", []):
            assert entity_type in ENTITY_TYPES, f"{where}: type {entity_type}"
        overlap = {tuple(t) for t in case.get("facts", [])} & {
            tuple(t) for t in case.get("absent", [])
        }
        assert not overlap, f"{where}: both expected and absent: {overlap}"
        expects_something = any(
            case.get(field)
            for field in ("facts", "absent", "attributes", "absent_attributes", "entities")
            + ("same", "distinct", "not_entities")
        )
        assert expects_something, f"{where}: checks nothing"


def test_case_file_coverage() -> None:
    assert len(CASES) >= MIN_CASES
    per_relation = Counter(predicate for case in CASES for _, predicate, _ in case.get("facts", []))
    thin = {r: per_relation[r] for r in RELATIONS if per_relation[r] < MIN_CASES_PER_RELATION}
    assert not thin, f"relations with fewer than {MIN_CASES_PER_RELATION} expected facts: {thin}"
    tags = Counter(tag for case in CASES for tag in case.get("tags", []))
    missing = [tag for tag in REQUIRED_TAGS if tags[tag] < 3]
    assert not missing, f"too few cases tagged {missing}"
    for case in CASES:
        if {"negation", "modality"} & set(case.get("tags", [])):
            assert case.get("absent"), f"{case['id']!r}: negation/modality case without a trap"


def seed_names() -> set[str]:
    """Match keys of the people and organisations of the seed articles' gold files."""
    names: set[str] = set()
    for path in sorted(GOLD_DIR.glob("*.json")):
        for entity in json.loads(path.read_text(encoding="utf-8")).get("entities", []):
            if entity.get("type") in {"Person", "Organization"}:
                names.update(match_key(name) for name in entity.get("names", []))
    return names


def test_cases_do_not_name_seed_entities() -> None:
    names = seed_names()
    assert names, f"no gold entities found under {GOLD_DIR}"
    for case in CASES:
        text = f" {match_key(case['text'])} "
        found = sorted(name for name in names if re.search(rf"\b{re.escape(name)}\b", text))
        assert not found, f"case {case['id']!r} names seed entities {found}"
