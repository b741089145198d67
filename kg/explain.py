"""``kg eval --explain``: the pipeline stage at which each missed and each wrong fact went astray.

A **missed** gold relation (s, p, o) gets the first stage that applies:

1. *not merged* — the relation is in the graph between name variants of s and o ("Norvel" for
   "Norvel Automobiles SA": one label holds the other's words) that were not merged with the gold name;
2. *entity not found* — no node of the document names s (or o); with extraction records, a mention
   of that name with another type makes it *wrong type* instead;
3. *wrong type* — nodes name it, none with the gold type;
4. *not merged* — two or more nodes of the gold type name it;
5. *blocked by modality* — the graph holds an ``rdf:Statement`` of the fact, or an extraction record
   the fact, with a modality other than ``asserted``;
6. *below threshold* — the records hold the fact, asserted, but every evidence's confidence is
   below the build's threshold;
7. *wrong entity attached* — the graph (or a record) holds p from s to another object, or from
   another subject to o, in that document;
8. *no pattern matched* — none of these.

A **wrong** graph relation is a *trap* (a gold trap: its ``why``), *wrong entity attached* (one
side names no gold entity, or the gold gives one side that relation with another partner),
*wrong type* (a side names a gold entity of another type) or *no such fact*.

Extraction records are the per-article :class:`~kg.records.Extraction` pickles a build keeps in
``OUT/.kg-cache/<pipeline version>/`` (see :mod:`kg.cache`); without them, stages 5-7 read the
graph only. Like the cache itself, read them only from an output folder you trust.
"""

from __future__ import annotations

import json
import pickle
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rdflib import RDF, Graph, URIRef
from rdflib.namespace import PROV

from .cache import CACHE_DIR, RENDERED_DIR
from .config import Config
from .errors import UsageError
from .evaluate import (
    DocumentScore,
    EvalReport,
    GraphView,
    format_report,
    local_name,
    node_label,
    read_graph,
    relation_key,
    satisfies,
    score,
    spaced_key,
)
from .graph.rdf import load_graph
from .namespace import KG, RELATIONS
from .naming import match_key
from .records import Extraction, Fact

__all__ = [
    "ERROR_STAGES",
    "MISS_STAGES",
    "Explained",
    "Explanation",
    "explain",
    "find_records",
    "format_explained",
    "load_records",
]

MISS_STAGES = (
    "entity not found",
    "wrong type",
    "not merged",
    "blocked by modality",
    "below threshold",
    "wrong entity attached",
    "no pattern matched",
)
ERROR_STAGES = ("trap", "wrong entity attached", "wrong type", "no such fact")
_ROLES = ("subject", "object")
NodeTriple = tuple[URIRef, str, URIRef]


@dataclass(frozen=True)
class Explanation:
    """One missed (gold ids) or wrong (graph labels) relation and the stage it went astray at."""

    kind: str  # "missed" or "wrong"
    document: str
    subject: str
    predicate: str
    object: str
    stage: str
    detail: str = ""

    def __str__(self) -> str:
        detail = f" — {self.detail}" if self.detail else ""
        return f"{self.document}: {self.subject} {self.predicate} {self.object}{detail}"


@dataclass
class Explained:
    """An :class:`~kg.evaluate.EvalReport` with one :class:`Explanation` per missed or wrong fact."""

    report: EvalReport
    explanations: list[Explanation] = field(default_factory=list)
    records: str | None = None  # the folder the extraction records were read from

    def by_stage(self, kind: str) -> dict[str, Counter[str]]:
        """Counts of ``kind`` ("missed" or "wrong") per stage, then per relation ("" = all)."""
        stages = MISS_STAGES if kind == "missed" else ERROR_STAGES
        table: dict[str, Counter[str]] = {stage: Counter() for stage in stages}
        for item in self.explanations:
            if item.kind == kind:
                table[item.stage].update({"": 1, item.predicate: 1})
        return table


@dataclass(frozen=True)
class _Statement:
    subject: URIRef
    predicate: str
    object: URIRef
    modality: str
    source: str  # the article's file, "" when the graph does not say


# --- extraction records ---------------------------------------------------------------


def find_records(graph_path: Path | None, cache: Path | None = None) -> Path | None:
    """The folder of extraction pickles to read: ``cache`` (a version folder, or a cache root
    whose newest version folder is taken), else ``GRAPH.parent/.kg-cache``; ``None`` if none.

    >>> find_records(Path("/nonexistent/graph.ttl")) is None
    True
    """
    root = cache if cache is not None else graph_path.parent / CACHE_DIR if graph_path else None
    if root is None or not root.is_dir():
        if cache is not None:
            raise UsageError(f"{cache}: no such cache folder")
        return None
    if any(root.glob("*.pkl")):
        return root
    versions = [d for d in root.iterdir() if d.is_dir() and d.name != RENDERED_DIR]
    versions = [d for d in versions if any(d.glob("*.pkl"))]
    return max(versions, key=lambda d: d.stat().st_mtime) if versions else None


def load_records(folder: Path) -> dict[str, Extraction]:
    """The extractions in ``folder``, by document id and by file name (unreadable ones skipped)."""
    records: dict[str, Extraction] = {}
    for path in sorted(folder.glob("*.pkl")):
        try:
            with path.open("rb") as handle:
                extraction = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
            continue
        if isinstance(extraction, Extraction):
            records[Path(extraction.document.path).name] = extraction
            records[extraction.document.id] = extraction
    return records


# --- one gold document -----------------------------------------------------------------


@dataclass
class _Document:
    """What the stages of one gold document read."""

    view: GraphView
    score: DocumentScore
    relations: set[NodeTriple]
    statements: list[_Statement]
    extraction: Extraction | None
    threshold: float

    def __post_init__(self) -> None:
        entities = self.score.gold.get("entities", [])
        self.entities = {e["id"]: e for e in entities}
        self.keys = {e["id"]: {match_key(n) for n in e["names"]} for e in entities}

    def nodes(self, gid: str, *, typed: bool = False) -> list[URIRef]:
        """In-scope nodes a label of which is a name of gold entity ``gid`` (of its type)."""
        found = [n for n, ids in self.score.matched.items() if gid in ids]
        return [n for n in found if self.type_ok(gid, n)] if typed else found

    def type_ok(self, gid: str, node: URIRef) -> bool:
        entity = self.entities[gid]
        return bool(entity.get("any_type")) or entity["type"] == self.view.types[node]

    def variants(self, gid: str) -> list[URIRef]:
        """In-scope nodes of the gold type that name no gold entity, one label of which holds a
        name of ``gid`` as whole words or is held by one ("Norvel" / "Norvel Automobiles SA")."""
        names = [_words(n) for n in self.entities[gid]["names"]]
        return [
            node
            for node, ids in self.score.matched.items()
            if not ids
            and self.type_ok(gid, node)
            and any(
                _overlap(_words(label), name) for label in self.view.labels[node] for name in names
            )
        ]

    def is_gold(self, fact: Fact) -> bool:
        """Does an extracted fact state a gold relation or an acceptable one?"""
        ids = [
            {gid for gid, keys in self.keys.items() if match_key(m.text) in keys}
            for m in (fact.subject, fact.object)
        ]
        relations = self.score.gold.get("relations", []) + self.score.gold.get("acceptable", [])
        return any(
            r["subject"] in ids[0]
            and r["object"] in ids[1]
            and satisfies(fact.predicate, r["predicate"])
            for r in relations
        )

    def facts(self, gold: dict[str, Any]) -> list[Fact]:
        """The records' facts stating ``gold`` (by the names of its two sides)."""
        if self.extraction is None:
            return []
        s, o = self.keys[gold["subject"]], self.keys[gold["object"]]
        return [f for f in self.extraction.facts if _states(f, gold["predicate"], s, o)]


def _words(text: str) -> str:
    return f" {spaced_key(text)} "


def _overlap(a: str, b: str) -> bool:
    """Does one padded word string hold the other (the shorter of 3 letters or more)?

    >>> _overlap(" psa ", " psa peugeot citroen "), _overlap(" le ", " le groupe ")
    (True, False)
    """
    short, long = sorted((a, b), key=len)
    return len(short.strip()) >= 3 and short in long


def _states(fact: Fact, predicate: str, subjects: set[str], objects: set[str]) -> bool:
    if not satisfies(fact.predicate, predicate):
        return False
    s, o = match_key(fact.subject.text), match_key(fact.object.text)
    return (s in subjects and o in objects) or (
        predicate == "partnerOf" and s in objects and o in subjects
    )


def _holds(relations: set[NodeTriple], s: URIRef, predicate: str, o: URIRef) -> str | None:
    """The name of a relation of ``relations`` from s to o that states ``predicate``, if any."""
    for found in (p for p in RELATIONS if satisfies(p, predicate)):
        if (s, found, o) in relations or (predicate == "partnerOf" and (o, found, s) in relations):
            return found
    return None


# --- why a gold relation was missed ------------------------------------------------------

_Stage = tuple[str, str] | None


def _on_variants(doc: _Document, gold: dict[str, Any]) -> _Stage:
    subjects, objects = doc.nodes(gold["subject"]), doc.nodes(gold["object"])
    s_variants, o_variants = doc.variants(gold["subject"]), doc.variants(gold["object"])
    for s in subjects + s_variants:
        for o in objects + o_variants:
            found = (s in s_variants or o in o_variants) and _holds(
                doc.relations, s, gold["predicate"], o
            )
            if found:
                view = doc.view
                return "not merged", f"found as {node_label(view, s)} {found} {node_label(view, o)}"
    return None


def _entity_missing(doc: _Document, gold: dict[str, Any]) -> _Stage:
    for role in _ROLES:
        gid = gold[role]
        if doc.nodes(gid):
            continue
        entity = doc.entities[gid]
        where = f"{role} {entity['names'][0]} ({entity['type']})"
        variants = sorted(node_label(doc.view, n) for n in doc.variants(gid))
        near = f" (variants: {', '.join(variants)})" if variants else ""
        if doc.extraction is None:
            return "entity not found", f"{where}: no node{near}"
        mentions = [m for m in doc.extraction.mentions if match_key(m.text) in doc.keys[gid]]
        types = sorted({m.type for m in mentions})
        if types and entity["type"] not in types and not entity.get("any_type"):
            return "wrong type", f"{where}: mentioned as {', '.join(types)}"
        return "entity not found", f"{where}: {'no node' if mentions else 'no mention'}{near}"
    return None


def _wrong_type(doc: _Document, gold: dict[str, Any]) -> _Stage:
    for role in _ROLES:
        gid = gold[role]
        if not doc.nodes(gid, typed=True):
            types = sorted({doc.view.types[n] for n in doc.nodes(gid)})
            entity = doc.entities[gid]
            return (
                "wrong type",
                f"{role} {entity['names'][0]} is {', '.join(types)}, gold {entity['type']}",
            )
    return None


def _duplicated(doc: _Document, gold: dict[str, Any]) -> _Stage:
    for role in _ROLES:
        nodes = doc.nodes(gold[role], typed=True)
        if len(nodes) > 1:
            labels = ", ".join(sorted(node_label(doc.view, n) for n in nodes))
            return "not merged", f"{role} is {len(nodes)} nodes: {labels}"
    return None


def _modality(doc: _Document, gold: dict[str, Any]) -> _Stage:
    subjects = set(doc.nodes(gold["subject"], typed=True))
    objects = set(doc.nodes(gold["object"], typed=True))
    symmetric = gold["predicate"] == "partnerOf"
    for st in doc.statements:
        ends = {(st.subject, st.object)} | ({(st.object, st.subject)} if symmetric else set())
        if (
            st.modality != "asserted"
            and satisfies(st.predicate, gold["predicate"])
            and any(s in subjects and o in objects for s, o in ends)
        ):
            return "blocked by modality", f"{st.modality} in the graph"
    hedged = sorted({f.modality for f in doc.facts(gold)} - {"asserted"})
    if hedged:
        return "blocked by modality", f"{', '.join(hedged)} in the extraction"
    return None


def _threshold(doc: _Document, gold: dict[str, Any]) -> _Stage:
    asserted = [f for f in doc.facts(gold) if f.modality == "asserted"]
    if not asserted:
        return None
    best = max(f.evidence.confidence for f in asserted)
    if best < doc.threshold:
        return "below threshold", f"best confidence {best:.2f} < {doc.threshold}"
    return None


def _attached_elsewhere(doc: _Document, gold: dict[str, Any]) -> _Stage:
    subjects, objects = set(doc.nodes(gold["subject"])), set(doc.nodes(gold["object"]))
    symmetric = gold["predicate"] == "partnerOf"
    for s, p, o in doc.score.wrong:  # graph relations that are no gold fact
        one_side = (s in subjects) != (o in objects) or (
            symmetric and (o in subjects) != (s in objects)
        )
        if satisfies(p, gold["predicate"]) and one_side:
            return (
                "wrong entity attached",
                f"found {node_label(doc.view, s)} {p} {node_label(doc.view, o)}",
            )
    if doc.extraction is None:
        return None
    s_keys, o_keys = doc.keys[gold["subject"]], doc.keys[gold["object"]]
    for fact in doc.extraction.facts:
        sides = match_key(fact.subject.text) in s_keys, match_key(fact.object.text) in o_keys
        if (
            satisfies(fact.predicate, gold["predicate"])
            and sides[0] != sides[1]
            and not doc.is_gold(fact)
        ):
            return (
                "wrong entity attached",
                f"extracted {fact.subject.text} {fact.predicate} {fact.object.text}",
            )
    return None


_MISS_CHECKS = (
    _on_variants,
    _entity_missing,
    _wrong_type,
    _duplicated,
    _modality,
    _threshold,
    _attached_elsewhere,
)


def explain_missed(doc: _Document, gold: dict[str, Any]) -> tuple[str, str]:
    """(stage, detail) of a missed gold relation: the first check of :data:`_MISS_CHECKS` that applies."""
    for check in _MISS_CHECKS:
        found = check(doc, gold)
        if found:
            return found
    return "no pattern matched", _other_relations(doc, gold)


def _other_relations(doc: _Document, gold: dict[str, Any]) -> str:
    """The relations the graph or the records hold between the two gold sides instead, if any."""
    subjects, objects = set(doc.nodes(gold["subject"])), set(doc.nodes(gold["object"]))
    held = {p for s, p, o in doc.relations if s in subjects and o in objects}
    if doc.extraction is not None:
        s_keys, o_keys = doc.keys[gold["subject"]], doc.keys[gold["object"]]
        held |= {
            f.predicate
            for f in doc.extraction.facts
            if match_key(f.subject.text) in s_keys and match_key(f.object.text) in o_keys
        }
    return f"holds {', '.join(sorted(held))} instead" if held else ""


# --- why a graph relation is wrong --------------------------------------------------------


def explain_wrong(doc: _Document, triple: NodeTriple) -> tuple[str, str]:
    """(stage, detail) of a graph relation counted as an error."""
    s, p, o = triple
    gold, matched = doc.score.gold, doc.score.matched
    keys = {relation_key(gs, p, go) for gs in matched[s] for go in matched[o]}
    for trap in gold.get("traps", []):
        if relation_key(trap["subject"], trap["predicate"], trap["object"]) in keys:
            return "trap", trap.get("why", "")
    for node in (s, o):
        if not matched[node]:
            return "wrong entity attached", f"{node_label(doc.view, node)} is no gold entity"
    for node in (s, o):
        if not any(doc.type_ok(gid, node) for gid in matched[node]):
            gid = sorted(matched[node])[0]
            return (
                "wrong type",
                f"{node_label(doc.view, node)} is {doc.view.types[node]}, gold {doc.entities[gid]['type']}",
            )
    relations = gold.get("relations", [])
    for r in relations:
        one_side = (r["subject"] in matched[s]) != (r["object"] in matched[o])
        if satisfies(p, r["predicate"]) and one_side:
            return "wrong entity attached", f"gold: {r['subject']} {p} {r['object']}"
    between = sorted(
        r["predicate"]
        for r in relations
        if r["subject"] in matched[s] and r["object"] in matched[o]
    )
    return "no such fact", f"gold: {', '.join(between)}" if between else ""


# --- the whole evaluation -----------------------------------------------------------------


def _statements(graph: Graph) -> list[_Statement]:
    """Every ``rdf:Statement`` of a relation, with its modality and the file of its article."""
    found = []
    for node in graph.subjects(RDF.type, RDF.Statement):
        predicate = local_name(graph.value(node, RDF.predicate))
        s, o = graph.value(node, RDF.subject), graph.value(node, RDF.object)
        if predicate not in RELATIONS or not isinstance(s, URIRef) or not isinstance(o, URIRef):
            continue
        article = graph.value(node, PROV.wasDerivedFrom)
        source = graph.value(article, KG.sourceFile) if article is not None else None
        modality = graph.value(node, KG.modality)
        found.append(_Statement(s, predicate, o, str(modality or "asserted"), str(source or "")))
    return found


def explain(
    graph: Graph | str | Path,
    gold_paths: list[Path],
    *,
    texts_dir: Path | None = None,
    records: Path | None = None,
    threshold: float | None = None,
) -> Explained:
    """Score like :func:`~kg.evaluate.evaluate`, then give each missed and wrong fact its stage.

    ``records`` is a folder of extraction pickles (see :func:`find_records`); ``None`` reads the
    graph only. ``threshold`` is the build's ``--threshold`` (default: that of :class:`~kg.config.Config`).
    """
    threshold = Config().threshold if threshold is None else threshold
    rdf = graph if isinstance(graph, Graph) else load_graph(graph)
    view = read_graph(rdf)
    report, scores = score(view, gold_paths, texts_dir=texts_dir)
    extractions = load_records(records) if records is not None else {}
    statements, relations = _statements(rdf), set(view.relations)
    explained = Explained(report, records=str(records) if records is not None else None)
    for document in scores:
        name = document.gold["document"]
        own = [st for st in statements if st.source in {name, ""}]
        doc = _Document(view, document, relations, own, extractions.get(name), threshold)
        explained.explanations += _explain_document(doc)
    return explained


def _explain_document(doc: _Document) -> Iterable[Explanation]:
    name = doc.score.gold["document"]
    for gold in doc.score.missed:
        stage, detail = explain_missed(doc, gold)
        yield Explanation(
            "missed", name, gold["subject"], gold["predicate"], gold["object"], stage, detail
        )
    for s, p, o in doc.score.wrong:
        stage, detail = explain_wrong(doc, (s, p, o))
        labels = node_label(doc.view, s), node_label(doc.view, o)
        yield Explanation("wrong", name, labels[0], p, labels[1], stage, detail)


# --- output ------------------------------------------------------------------------------


def _stage_table(explained: Explained, kind: str, title: str) -> list[str]:
    table = explained.by_stage(kind)
    relations = [r for r in RELATIONS if any(counts[r] for counts in table.values())]
    width = max(len(s) for s in table)
    header = f"{title:<{width}} {'all':>5} " + " ".join(f"{r:>{len(r)}}" for r in relations)
    lines = [header.rstrip()]
    for stage, counts in table.items():
        cells = " ".join(f"{counts[r] or '':>{len(r)}}" for r in relations)
        lines.append(f"{stage:<{width}} {counts['']:>5} {cells}".rstrip())
    return lines


def format_explained(explained: Explained, fmt: str = "text") -> str:
    """The report of :func:`~kg.evaluate.format_report`, then the stage tables and every
    missed and wrong fact with its stage (text), or all of it as JSON (key ``explain``)."""
    if fmt == "json":
        data = explained.report.as_dict()
        data["explain"] = {
            "records": explained.records,
            "misses_by_stage": _json_table(explained, "missed"),
            "errors_by_stage": _json_table(explained, "wrong"),
            "missed": [asdict(e) for e in explained.explanations if e.kind == "missed"],
            "wrong": [asdict(e) for e in explained.explanations if e.kind == "wrong"],
        }
        return json.dumps(data, ensure_ascii=False, indent=2)
    lines = [format_report(explained.report, fmt), ""]
    lines.append(f"extraction records: {explained.records or 'none (stages read the graph only)'}")
    lines += ["", *_stage_table(explained, "missed", "misses by stage")]
    lines += ["", *_stage_table(explained, "wrong", "errors by stage")]
    for kind, title, stages in (
        ("missed", "missed relations by stage", MISS_STAGES),
        ("wrong", "wrong relations by stage", ERROR_STAGES),
    ):
        items = sorted(
            (e for e in explained.explanations if e.kind == kind),
            key=lambda e: stages.index(e.stage),
        )
        if items:
            lines += ["", f"{title}:", *(f"  - [{e.stage}] {e}" for e in items)]
    return "\n".join(lines)


def _json_table(explained: Explained, kind: str) -> dict[str, dict[str, int]]:
    return {
        stage: {"all": counts[""], **{r: counts[r] for r in RELATIONS if counts[r]}}
        for stage, counts in explained.by_stage(kind).items()
    }
