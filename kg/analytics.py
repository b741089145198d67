"""Graph analytics on the NetworkX view of a kg graph: statistics, centrality and chains of facts.

The view is read back from the RDF (:func:`rdf_to_networkx`), so it works on any graph ``kg build``
wrote: one node per typed entity, one edge per asserted relation, each with its evidence.

>>> from rdflib import Graph
>>> g = Graph().parse(data=EXAMPLE_TURTLE, format="turtle")
>>> view = rdf_to_networkx(g)
>>> sorted(view.nodes)
['org/odoo', 'org/proximus', 'person/fabien-pinckaers']
>>> [hop.relation for hop in fact_path(view, "fabien pinckaers", "PROXIMUS")]
['ceoOf', 'partnerOf']
"""

from __future__ import annotations

import difflib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import networkx as nx
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import PROV, SDO, SKOS
from rdflib.term import Node

from .errors import KgError
from .graph.rdf import load_graph
from .namespace import ATTRIBUTES, KG, RELATIONS, RES
from .naming import match_key

__all__ = [
    "ENTITY_TYPES",
    "FactHop",
    "GraphStats",
    "fact_path",
    "find_entity",
    "format_path",
    "format_stats",
    "graph_stats",
    "path_report",
    "rdf_to_networkx",
    "stats_report",
]

ENTITY_TYPES = ("Person", "Organization", "Place")

EXAMPLE_TURTLE = """
@prefix kg: <https://w3id.org/kg-news/ontology#> .
@prefix res: <https://w3id.org/kg-news/resource/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
res:person\\/fabien-pinckaers a kg:Person ; rdfs:label "Fabien Pinckaers"@fr ;
    kg:ceoOf res:org\\/odoo .
res:org\\/odoo a kg:Organization ; rdfs:label "Odoo"@fr ; kg:partnerOf res:org\\/proximus .
res:org\\/proximus a kg:Organization ; rdfs:label "Proximus"@fr .
"""


def _node_id(iri: Node) -> str:
    """Entity id (``"org/ovh"``) of an IRI minted by kg; other IRIs are kept whole."""
    text = str(iri)
    return text[len(str(RES)) :] if text.startswith(str(RES)) else text


def _kg(name: str) -> URIRef:
    return KG._NS[name]


def _number(value: object) -> int | float:
    if isinstance(value, int):
        return value
    if isinstance(value, (float, Decimal)):
        number = float(value)
        return int(number) if number.is_integer() else number
    text = str(value)
    return int(text) if text.lstrip("-").isdigit() else float(text)


def _statements(graph: Graph) -> dict[tuple[URIRef, URIRef, URIRef], list[tuple[float, str, str]]]:
    """(subject, predicate, object) → [(confidence, sentence, source)] of asserted statements."""
    sources = {
        doc: str(graph.value(doc, KG.sourceFile) or _node_id(doc))
        for doc in graph.subjects(RDF.type, SDO.NewsArticle)
    }
    found: dict[tuple[URIRef, URIRef, URIRef], list[tuple[float, str, str]]] = defaultdict(list)
    for statement in graph.subjects(RDF.type, RDF.Statement):
        modality = graph.value(statement, KG.modality)
        if modality is not None and str(modality) != "asserted":
            continue
        key = (
            graph.value(statement, RDF.subject),
            graph.value(statement, RDF.predicate),
            graph.value(statement, RDF.object),
        )
        confidence = graph.value(statement, KG.confidence)
        doc = graph.value(statement, PROV.wasDerivedFrom)
        found[key].append(  # type: ignore[index]
            (
                float(confidence.toPython()) if isinstance(confidence, Literal) else 0.0,
                str(graph.value(statement, KG.evidence) or ""),
                sources.get(doc, "") if doc is not None else "",
            )
        )
    return found


def rdf_to_networkx(graph: Graph) -> nx.MultiDiGraph:
    """The NetworkX view of a kg RDF graph.

    Parameters
    ----------
    graph : rdflib.Graph
        A graph in the shape ``kg build`` writes (see :mod:`kg.graph.rdf`).

    Returns
    -------
    networkx.MultiDiGraph
        Nodes keyed by entity id (``"org/ovh"``) with ``label``, ``type``, ``aliases``
        (``|``-joined), ``iri`` and one attribute per numeric fact (``revenue``,
        ``revenue_unit``, …). One edge per asserted relation, keyed by relation name, with
        ``relation``, ``confidence`` (the best statement's), ``evidence`` (sentences, best
        first, `` | ``-joined) and ``sources`` (article files, ``|``-joined). The graph
        attribute ``documents`` counts the articles.

    Examples
    --------
    >>> from rdflib import Graph
    >>> view = rdf_to_networkx(Graph().parse(data=EXAMPLE_TURTLE, format="turtle"))
    >>> view.nodes["org/odoo"]["label"], view.nodes["org/odoo"]["type"]
    ('Odoo', 'Organization')
    >>> list(view.edges(keys=True))[0]
    ('person/fabien-pinckaers', 'org/odoo', 'ceoOf')
    """
    view = nx.MultiDiGraph()
    view.graph["documents"] = len(set(graph.subjects(RDF.type, SDO.NewsArticle)))
    entities = _add_entities(view, graph)
    _add_attributes(view, graph, entities)
    _add_relations(view, graph, entities)
    return view


def _add_entities(view: nx.MultiDiGraph, graph: Graph) -> dict[URIRef, str]:
    """Add a node per typed entity of ``graph``; return their ids by IRI."""
    entities: dict[URIRef, str] = {}
    for entity_type in ENTITY_TYPES:
        for node in sorted(graph.subjects(RDF.type, _kg(entity_type)), key=str):
            if not isinstance(node, URIRef) or node in entities:
                continue
            label = graph.value(node, RDFS.label) or graph.value(node, SKOS.prefLabel) or node
            aliases = sorted({str(a) for a in graph.objects(node, SKOS.altLabel)} - {str(label)})
            entities[node] = _node_id(node)
            view.add_node(
                entities[node],
                label=str(label),
                type=entity_type,
                aliases="|".join(aliases),
                iri=str(node),
            )
    return entities


def _add_attributes(view: nx.MultiDiGraph, graph: Graph, entities: dict[URIRef, str]) -> None:
    """Set each entity's numeric facts (and their currencies) on its node."""
    for node, node_id in entities.items():
        for attribute in ATTRIBUTES:
            for value in graph.objects(node, _kg(attribute)):
                amount = graph.value(value, SDO.value)
                literal = amount if amount is not None else value
                if not isinstance(literal, Literal):
                    continue
                view.nodes[node_id][attribute] = _number(literal.toPython())
                currency = graph.value(value, SDO.currency)
                if currency is not None:
                    view.nodes[node_id][f"{attribute}_unit"] = str(currency)


def _add_relations(view: nx.MultiDiGraph, graph: Graph, entities: dict[URIRef, str]) -> None:
    """Add an edge per asserted relation between two entities, with its evidence."""
    statements = _statements(graph)
    for relation in RELATIONS:
        predicate = _kg(relation)
        for subject, obj in sorted(graph.subject_objects(predicate)):
            if subject not in entities or obj not in entities:
                continue
            support = sorted(statements.get((subject, predicate, obj), []), reverse=True)  # type: ignore[arg-type]
            sentences = list(dict.fromkeys(s for _, s, _ in support if s))
            view.add_edge(
                entities[subject],  # type: ignore[index]
                entities[obj],  # type: ignore[index]
                key=relation,
                relation=relation,
                confidence=round(support[0][0], 3) if support else 1.0,
                evidence=" | ".join(sentences),
                sources="|".join(sorted({d for _, _, d in support if d})),
            )


@dataclass
class GraphStats:
    """Figures of a graph, as printed by ``kg stats``."""

    documents: int
    entities: int
    facts: int
    entities_by_type: dict[str, int] = field(default_factory=dict)
    facts_by_relation: dict[str, int] = field(default_factory=dict)
    top_degree: list[tuple[str, int]] = field(default_factory=list)
    top_pagerank: list[tuple[str, float]] = field(default_factory=list)
    components: list[int] = field(default_factory=list)


def graph_stats(view: nx.MultiDiGraph, top: int = 10) -> GraphStats:
    """Counts, the most connected entities and the connected components of a view.

    Parameters
    ----------
    view : networkx.MultiDiGraph
        From :func:`rdf_to_networkx`.
    top : int
        How many entities to rank by degree and by PageRank.

    Returns
    -------
    GraphStats
        Ranked entities are given by label; ``components`` are the sizes of the weakly connected
        components, largest first.

    Examples
    --------
    >>> from rdflib import Graph
    >>> stats = graph_stats(rdf_to_networkx(Graph().parse(data=EXAMPLE_TURTLE, format="turtle")))
    >>> stats.entities_by_type, stats.components
    ({'Organization': 2, 'Person': 1}, [3])
    >>> stats.top_degree[0]
    ('Odoo', 2)
    """
    label = {node: data.get("label", node) for node, data in view.nodes(data=True)}
    types = Counter(data.get("type", "?") for _, data in view.nodes(data=True))
    relations = Counter(
        data.get("relation", key) for _, _, key, data in view.edges(keys=True, data=True)
    )
    degree = sorted(view.degree(), key=lambda item: (-item[1], label[item[0]]))
    ranks = nx.pagerank(view) if view.number_of_nodes() else {}
    pagerank = sorted(ranks.items(), key=lambda item: (-item[1], label[item[0]]))
    components = sorted((len(c) for c in nx.weakly_connected_components(view)), reverse=True)
    return GraphStats(
        documents=int(view.graph.get("documents", 0)),
        entities=view.number_of_nodes(),
        facts=view.number_of_edges(),
        entities_by_type=dict(sorted(types.items())),
        facts_by_relation=dict(sorted(relations.items(), key=lambda item: (-item[1], item[0]))),
        top_degree=[(label[n], d) for n, d in degree[:top] if d > 0],
        top_pagerank=[(label[n], round(r, 4)) for n, r in pagerank[:top]],
        components=components,
    )


def format_stats(stats: GraphStats) -> str:
    """Plain-text report of :class:`GraphStats`."""

    def counts(items: dict[str, int]) -> str:
        return ", ".join(f"{name} {count}" for name, count in items.items()) or "none"

    lines = [
        f"documents: {stats.documents}",
        f"entities:  {stats.entities} ({counts(stats.entities_by_type)})",
        f"facts:     {stats.facts} ({counts(stats.facts_by_relation)})",
    ]
    sizes = stats.components
    singletons = sum(1 for size in sizes if size == 1)
    lines.append(
        f"components: {len(sizes)} (largest {sizes[0] if sizes else 0} entities, "
        f"{singletons} isolated)"
    )
    lines.append("top entities by degree:")
    lines += [f"  {degree:>4}  {name}" for name, degree in stats.top_degree] or ["  none"]
    lines.append("top entities by PageRank:")
    lines += [f"  {rank:.4f}  {name}" for name, rank in stats.top_pagerank] or ["  none"]
    return "\n".join(lines)


def find_entity(view: nx.MultiDiGraph, name: str) -> str:
    """The node whose label (or, failing that, an alias or its id) matches ``name``.

    Matching ignores case, accents and punctuation (:func:`kg.naming.match_key`). An unknown or
    ambiguous name raises :class:`~kg.errors.KgError` with suggestions.

    Examples
    --------
    >>> from rdflib import Graph
    >>> find_entity(rdf_to_networkx(Graph().parse(data=EXAMPLE_TURTLE, format="turtle")), "ODOO")
    'org/odoo'
    """
    if name in view:
        return name
    key = match_key(name)
    by_label = [n for n, d in view.nodes(data=True) if match_key(d.get("label", "")) == key]
    by_alias = [
        n
        for n, d in view.nodes(data=True)
        if key in {match_key(a) for a in str(d.get("aliases", "")).split("|") if a}
    ]
    found = by_label or by_alias
    if len(found) == 1:
        return found[0]
    if found:
        raise KgError(f"{name!r} names several entities: {', '.join(sorted(found))}; give one id")
    labels = {match_key(d.get("label", "")): d.get("label", n) for n, d in view.nodes(data=True)}
    close = difflib.get_close_matches(key, list(labels), n=3)
    hint = f" (did you mean {', '.join(repr(labels[c]) for c in close)}?)" if close else ""
    raise KgError(f"no entity named {name!r} in the graph{hint}")


@dataclass(frozen=True)
class FactHop:
    """One fact along a path: ``subject relation object``, with the sentence that states it."""

    subject: str
    relation: str
    object: str
    evidence: str
    sources: str
    confidence: float


def _best_edge(view: nx.MultiDiGraph, a: str, b: str) -> FactHop:
    candidates = [(a, b, key, data) for key, data in view.get_edge_data(a, b, default={}).items()]
    candidates += [(b, a, key, data) for key, data in view.get_edge_data(b, a, default={}).items()]
    subject, obj, key, data = max(candidates, key=lambda c: (c[3].get("confidence", 0.0), c[2]))
    return FactHop(
        subject=view.nodes[subject].get("label", subject),
        relation=data.get("relation", key),
        object=view.nodes[obj].get("label", obj),
        evidence=str(data.get("evidence", "")).split(" | ")[0],
        sources=str(data.get("sources", "")),
        confidence=float(data.get("confidence", 0.0)),
    )


def fact_path(view: nx.MultiDiGraph, source: str, target: str) -> list[FactHop]:
    """The shortest chain of facts linking two entities, whatever the direction of each fact.

    Parameters
    ----------
    view : networkx.MultiDiGraph
        From :func:`rdf_to_networkx`.
    source, target : str
        Entity names (labels or aliases, matched as in :func:`find_entity`) or ids.

    Returns
    -------
    list of FactHop
        One hop per fact, in order from ``source`` to ``target``; between two entities linked by
        several facts, the most confident one is shown.

    Raises
    ------
    KgError
        When a name is unknown or no chain links the two entities.

    Examples
    --------
    >>> from rdflib import Graph
    >>> view = rdf_to_networkx(Graph().parse(data=EXAMPLE_TURTLE, format="turtle"))
    >>> hop = fact_path(view, "Proximus", "Odoo")[0]
    >>> hop.subject, hop.relation, hop.object
    ('Odoo', 'partnerOf', 'Proximus')
    """
    start, end = find_entity(view, source), find_entity(view, target)
    try:
        nodes = nx.shortest_path(view.to_undirected(as_view=True), start, end)
    except nx.NetworkXNoPath:
        raise KgError(f"no chain of facts links {source!r} and {target!r}") from None
    return [_best_edge(view, a, b) for a, b in zip(nodes[:-1], nodes[1:], strict=True)]


def format_path(hops: Iterable[FactHop]) -> str:
    """Plain-text chain: one numbered line per fact, its evidence sentence and source beneath."""
    lines = []
    for number, hop in enumerate(hops, start=1):
        lines.append(f"{number}. {hop.subject} --{hop.relation}--> {hop.object}")
        if hop.evidence:
            source = f" ({hop.sources.replace('|', ', ')})" if hop.sources else ""
            lines.append(f"   « {hop.evidence} »{source}")
    return "\n".join(lines) if lines else "(same entity)"


def stats_report(graph_path: str | Path, top: int = 10) -> str:
    """``kg stats``: the report of :func:`format_stats` for a graph file."""
    return format_stats(graph_stats(rdf_to_networkx(load_graph(graph_path)), top=top))


def path_report(graph_path: str | Path, source: str, target: str) -> str:
    """``kg path``: the chain of facts between two entities of a graph file."""
    view = rdf_to_networkx(load_graph(graph_path))
    hops = fact_path(view, source, target)
    start, end = (view.nodes[find_entity(view, name)]["label"] for name in (source, target))
    plural = "s" if len(hops) != 1 else ""
    return f"{start} … {end}: {len(hops)} fact{plural}\n" + format_path(hops)
