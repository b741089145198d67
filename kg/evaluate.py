"""``kg eval``: score a built graph against hand-made gold (format in ``eval/README.md``).

The scoring reads only what the Turtle says plainly — typed nodes with labels, direct relation
triples, attribute values — so it scores any graph that keeps the contract, not just kg's.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from .errors import InputError, UsageError
from .graph.rdf import load_graph
from .namespace import ATTRIBUTES, RELATIONS
from .naming import match_key, strip_accents

__all__ = [
    "DocumentScore",
    "EvalReport",
    "GraphView",
    "evaluate",
    "format_report",
    "node_label",
    "read_graph",
    "relation_key",
    "satisfies",
    "score",
    "spaced_key",
]

_TYPES = {"Person", "Organization", "Place"}
_VALUE_PROPERTIES = {"value", "amount"}
_BROADER = {"ceoOf": ("worksFor",), "founderOf": ("worksFor",), "headquarteredIn": ("locatedIn",)}


def local_name(iri: object) -> str:
    """Local name of an IRI.

    >>> local_name("https://w3id.org/kg-news/ontology#ceoOf"), local_name("https://schema.org/value")
    ('ceoOf', 'value')
    """
    return re.split(r"[#/]", str(iri))[-1]


@dataclass
class Score:
    """Counts and derived precision / recall / F1."""

    found: int = 0
    wrong: int = 0
    gold: int = 0

    @property
    def precision(self) -> float:
        return self.found / (self.found + self.wrong) if self.found + self.wrong else 0.0

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float]:
        return {
            **asdict(self),
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass
class EvalReport:
    """Everything ``kg eval`` prints."""

    overall: Score = field(default_factory=Score)
    per_relation: dict[str, Score] = field(default_factory=dict)
    tiers: dict[str, Score] = field(default_factory=dict)
    entities: Score = field(default_factory=Score)  # typed nodes: found = right, wrong = junk
    entity_recall: Score = field(default_factory=Score)  # required gold entities found
    entity_errors: list[str] = field(default_factory=list)
    entities_missed: list[str] = field(default_factory=list)
    attributes: Score = field(default_factory=Score)
    attributes_missed: list[str] = field(default_factory=list)
    traps: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "overall": self.overall.as_dict(),
            "per_relation": {k: v.as_dict() for k, v in sorted(self.per_relation.items())},
            "tiers": {k: v.as_dict() for k, v in sorted(self.tiers.items())},
            "entities": {
                "precision": round(self.entities.precision, 4),
                "recall": round(self.entity_recall.recall, 4),
                "nodes_right": self.entities.found,
                "nodes_wrong": self.entities.wrong,
                "required_found": self.entity_recall.found,
                "required": self.entity_recall.gold,
            },
            "attributes": self.attributes.as_dict(),
            "traps": self.traps,
            "missed": self.missed,
            "wrong": self.wrong,
            "entity_errors": self.entity_errors,
            "entities_missed": self.entities_missed,
            "attributes_missed": self.attributes_missed,
        }


@dataclass
class GraphView:
    """What the scoring reads of a graph: typed nodes, their labels, relations, attribute values."""

    types: dict[URIRef, str]
    labels: dict[URIRef, set[str]]
    relations: list[tuple[Any, str, Any]]
    values: dict[tuple[URIRef, str], list[float]]


def read_graph(graph: Graph) -> GraphView:
    """The :class:`GraphView` of ``graph``."""
    types: dict[URIRef, str] = {}
    for node, cls in graph.subject_objects(RDF.type):
        if isinstance(node, URIRef) and local_name(cls) in _TYPES:
            types[node] = local_name(cls)
    labels: dict[URIRef, set[str]] = defaultdict(set)
    for predicate in (RDFS.label, SKOS.prefLabel, SKOS.altLabel):
        for node, label in graph.subject_objects(predicate):
            if node in types:
                labels[node].add(str(label))  # type: ignore[index]
    relations = [
        (s, local_name(p), o)
        for s, p, o in graph
        if local_name(p) in RELATIONS and s in types and o in types
    ]
    values: dict[tuple[URIRef, str], list[float]] = defaultdict(list)
    for s, p, o in graph:
        name = local_name(p)
        if name not in ATTRIBUTES or s not in types:
            continue
        if isinstance(o, Literal):
            number = _number(o)
            if number is not None:
                values[(s, name)].append(number)  # type: ignore[index]
        else:
            for vp, vo in graph.predicate_objects(o):
                if local_name(vp) in _VALUE_PROPERTIES and isinstance(vo, Literal):
                    number = _number(vo)
                    if number is not None:
                        values[(s, name)].append(number)  # type: ignore[index]
    return GraphView(types, labels, relations, values)


@dataclass
class DocumentScore:
    """One gold document once scored: which in-scope node names which gold entities, and what
    was left missed (gold relations) or wrong (graph relations), for ``kg eval --explain``."""

    gold: dict[str, Any]
    matched: dict[URIRef, set[str]]
    missed: list[dict[str, Any]] = field(default_factory=list)
    wrong: list[tuple[URIRef, str, URIRef]] = field(default_factory=list)


def _number(literal: Literal) -> float | None:
    try:
        return (
            float(str(literal)[:4])
            if str(literal.datatype).endswith("gYear")
            else float(str(literal))
        )
    except ValueError:
        return None


def spaced_key(text: str) -> str:
    """Like :func:`match_key` but punctuation becomes a space, so "d'Arthur" still holds "arthur"."""
    return " ".join(re.sub(r"[^\w\s]", " ", strip_accents(text).lower()).split())


def _in_text(label: str, text_keys: tuple[str, str]) -> bool:
    """Does a label occur in a document (as whole words, either way of dropping punctuation)?"""
    return any(
        key and f" {key} " in f" {text} "
        for key, text in ((match_key(label), text_keys[0]), (spaced_key(label), text_keys[1]))
    )


def _load_gold(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such gold file") from None
    except json.JSONDecodeError as error:
        raise InputError(f"{path}: invalid JSON at line {error.lineno}: {error.msg}") from None


def _texts_dir(gold_path: Path, texts_dir: Path | None) -> Path:
    if texts_dir is not None:
        return texts_dir
    for candidate in (
        gold_path.parent.parent.parent / "seeds",
        gold_path.parent.parent / "seeds",
        Path("seeds"),
    ):
        if candidate.is_dir():
            return candidate
    raise UsageError("cannot find the gold documents' texts: pass --seeds FOLDER")


def evaluate(
    graph: Graph | str | Path, gold_paths: list[Path], *, texts_dir: Path | None = None
) -> EvalReport:
    """Score ``graph`` against every gold file; counts add up over the files."""
    view = read_graph(graph if isinstance(graph, Graph) else load_graph(graph))
    return score(view, gold_paths, texts_dir=texts_dir)[0]


def score(
    view: GraphView, gold_paths: list[Path], *, texts_dir: Path | None = None
) -> tuple[EvalReport, list[DocumentScore]]:
    """The report of :func:`evaluate`, and what each gold document left missed or wrong."""
    if not gold_paths:
        raise UsageError("give at least one gold file")
    report = EvalReport()
    for name in RELATIONS:
        report.per_relation[name] = Score()
    for tier in ("explicit", "inferred"):
        report.tiers[tier] = Score()
    scores = []
    for gold_path in map(Path, gold_paths):
        gold = _load_gold(gold_path)
        text_path = _texts_dir(gold_path, texts_dir) / gold["document"]
        if not text_path.is_file():
            raise InputError(f"{text_path}: gold document text not found (use --seeds)")
        text = text_path.read_text(encoding="utf-8")
        scores.append(_score_document(view, gold, (match_key(text), spaced_key(text)), report))
    return report, scores


def satisfies(found: str, gold: str) -> bool:
    """Does a graph relation named ``found`` state a gold relation named ``gold``?

    >>> satisfies("ceoOf", "worksFor"), satisfies("worksFor", "ceoOf"), satisfies("acquired", "acquired")
    (True, False, True)
    """
    return found == gold or gold in _BROADER.get(found, ())


def relation_key(s: str, p: str, o: str) -> tuple[str, str, str]:
    """The key of a gold relation: ``partnerOf`` is symmetric, so its sides are sorted.

    >>> relation_key("b", "partnerOf", "a"), relation_key("b", "ceoOf", "a")
    (('a', 'partnerOf', 'b'), ('b', 'ceoOf', 'a'))
    """
    return (min(s, o), p, max(s, o)) if p == "partnerOf" else (s, p, o)


def _gold_keys(gold: dict[str, Any], part: str) -> dict[tuple[str, str, str], dict[str, Any]]:
    return {relation_key(r["subject"], r["predicate"], r["object"]): r for r in gold.get(part, [])}


def _score_document(
    view: GraphView, gold: dict[str, Any], text_keys: tuple[str, str], report: EvalReport
) -> DocumentScore:
    name_index: dict[str, set[str]] = defaultdict(set)
    for entity in gold.get("entities", []):
        for name in entity["names"]:
            name_index[match_key(name)].add(entity["id"])
    in_scope = {
        node
        for node, labels in view.labels.items()
        if any(_in_text(label, text_keys) for label in labels)
    }
    matched: dict[URIRef, set[str]] = {
        node: set().union(*(name_index.get(match_key(label), set()) for label in view.labels[node]))
        for node in sorted(in_scope)
    }
    document = DocumentScore(gold, matched)
    _score_entities(view, document, report)
    _score_relations(view, document, report)
    _score_attributes(view, document, report)
    return document


def _score_entities(view: GraphView, document: DocumentScore, report: EvalReport) -> None:
    gold = document.gold
    gold_entities = {e["id"]: e for e in gold.get("entities", [])}
    found_entities: set[str] = set()
    for node, ids in document.matched.items():
        ok = [
            g
            for g in ids
            if gold_entities[g]["type"] == view.types[node] or gold_entities[g].get("any_type")
        ]
        if ok:
            report.entities.found += 1
            found_entities.update(ok)
        else:
            report.entities.wrong += 1
            label = sorted(view.labels[node])[0]
            report.entity_errors.append(f"{gold['document']}: {label} ({view.types[node]})")
    required = [e for e in gold_entities.values() if not e.get("optional")]
    report.entities_missed += [
        f"{gold['document']}: {e['names'][0]} ({e['type']})"
        for e in required
        if e["id"] not in found_entities
    ]
    report.entity_recall.found += sum(1 for e in required if e["id"] in found_entities)
    report.entity_recall.gold += len(required)


def _excused(p: str, candidates: set[tuple[str, str, str]], gold: dict[str, Any]) -> bool:
    """Is a graph relation whose gold keys would be ``candidates`` neither found nor an error?
    (``acceptable``, or a broader relation duplicating a narrower one, see eval/README.)"""
    gold_relations, acceptable = _gold_keys(gold, "relations"), _gold_keys(gold, "acceptable")
    if candidates & set(acceptable):
        return True
    narrower = {"worksFor": ("ceoOf", "founderOf"), "locatedIn": ("headquarteredIn",)}.get(p, ())
    allowed = set(gold_relations) | (set(acceptable) if p == "worksFor" else set())
    return any(relation_key(s, q, o) in allowed for s, _, o in candidates for q in narrower)


def _score_relations(view: GraphView, document: DocumentScore, report: EvalReport) -> None:
    gold, matched = document.gold, document.matched
    gold_relations, traps = _gold_keys(gold, "relations"), _gold_keys(gold, "traps")
    found: set[tuple[str, str, str]] = set()
    for s, p, o in sorted(view.relations):
        if s not in matched or o not in matched:
            continue
        candidates = {relation_key(gs, p, go) for gs in matched[s] for go in matched[o]}
        # The narrower relation states the broader one: a CEO or founder works for the company,
        # a headquarters is a location.
        broader = {
            relation_key(gs, q, go)
            for gs in matched[s]
            for go in matched[o]
            for q in _BROADER.get(p, ())
        }
        hits = (candidates | broader) & set(gold_relations)
        if hits:
            found |= hits
            continue
        if _excused(p, candidates, gold):
            continue
        description = f"{gold['document']}: {node_label(view, s)} {p} {node_label(view, o)}"
        report.per_relation.setdefault(p, Score()).wrong += 1
        report.overall.wrong += 1
        report.wrong.append(description)
        document.wrong.append((s, p, o))
        if candidates & set(traps):
            report.traps.append(description)
    for k, relation in gold_relations.items():
        predicate = relation["predicate"]
        tier = relation.get("tier", "explicit")
        report.per_relation.setdefault(predicate, Score()).gold += 1
        report.tiers.setdefault(tier, Score()).gold += 1
        report.overall.gold += 1
        if k in found:
            report.per_relation[predicate].found += 1
            report.tiers[tier].found += 1
            report.overall.found += 1
        else:
            document.missed.append(relation)
            report.missed.append(
                f"{gold['document']}: {relation['subject']} {predicate} {relation['object']} [{tier}]"
            )


def _score_attributes(view: GraphView, document: DocumentScore, report: EvalReport) -> None:
    gold = document.gold
    for attribute in gold.get("attributes", []):
        report.attributes.gold += 1
        nodes = [n for n, ids in document.matched.items() if attribute["subject"] in ids]
        values = [v for n in nodes for v in view.values.get((n, attribute["property"]), [])]
        target = float(attribute["value"])
        if any(abs(v - target) <= 0.02 * abs(target) for v in values):
            report.attributes.found += 1
        else:
            report.attributes_missed.append(
                f"{gold['document']}: {attribute['subject']} {attribute['property']} {attribute['value']}"
            )


def node_label(view: GraphView, node: URIRef) -> str:
    """The shortest label of a node, preferring a name to an acronym."""
    labels = view.labels.get(node) or {local_name(node)}
    return min(labels, key=lambda label: (label.isupper(), len(label), label))


def _pct(value: float) -> str:
    return f"{value:6.1%}"


def format_report(report: EvalReport, fmt: str = "text") -> str:
    """The report as text (tables and lists) or JSON."""
    entity_recall = report.entity_recall
    if fmt == "json":
        data = report.as_dict()
        return json.dumps(data, ensure_ascii=False, indent=2)
    if fmt != "text":
        raise UsageError(f"unknown format {fmt!r}: use text or json")
    lines = [f"{'relation':<16} {'P':>7} {'R':>7} {'F1':>7} {'found':>6} {'wrong':>6} {'gold':>5}"]
    for name, score in sorted(report.per_relation.items()):
        if score.gold or score.wrong or score.found:
            lines.append(
                f"{name:<16} {_pct(score.precision)} {_pct(score.recall)} {_pct(score.f1)} "
                f"{score.found:>6} {score.wrong:>6} {score.gold:>5}"
            )
    o = report.overall
    lines.append(
        f"{'overall':<16} {_pct(o.precision)} {_pct(o.recall)} {_pct(o.f1)} {o.found:>6} {o.wrong:>6} {o.gold:>5}"
    )
    lines.append("")
    for tier, score in sorted(report.tiers.items()):
        lines.append(f"recall {tier:<9} {_pct(score.recall)}  ({score.found}/{score.gold})")
    lines.append(
        f"entities         precision {_pct(report.entities.precision)}  recall {_pct(entity_recall.recall)}"
        f"  ({entity_recall.found}/{entity_recall.gold} required found, {report.entities.wrong} wrong)"
    )
    lines.append(
        f"attributes       recall {_pct(report.attributes.recall)}  ({report.attributes.found}/{report.attributes.gold})"
    )
    lines.append(f"traps produced   {len(report.traps)}")
    for title, items in (
        ("traps", report.traps),
        ("missed relations", report.missed),
        ("wrong relations", report.wrong),
        ("wrong entities", report.entity_errors),
        ("missed entities", report.entities_missed),
        ("missed attributes", report.attributes_missed),
    ):
        if items:
            lines.append(f"\n{title}:")
            lines += [f"  - {item}" for item in items]
    return "\n".join(lines)
