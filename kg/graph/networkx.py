"""The knowledge base as a NetworkX ``MultiDiGraph``: one node per entity, one edge per relation."""

from __future__ import annotations

import networkx as nx

from ..records import KnowledgeBase

__all__ = ["to_networkx"]


def to_networkx(kb: KnowledgeBase) -> nx.MultiDiGraph:
    """Build the NetworkX view of the same facts as the RDF graph.

    Nodes are keyed by entity id (``"org/ovh"``) with ``label``, ``type``, ``aliases`` and one attribute per
    numeric fact; edges carry ``relation``, ``confidence``, ``evidence`` and ``sources``.
    Only asserted relations become edges.
    """
    graph = nx.MultiDiGraph()
    for entity in sorted(kb.entities.values(), key=lambda e: e.id):
        graph.add_node(
            entity.id,
            label=entity.label,
            type=entity.type,
            aliases="|".join(sorted(entity.aliases - {entity.label})),
        )
    for attribute in kb.attributes:
        node = graph.nodes[attribute.subject]
        node[attribute.property] = attribute.value.value
        if attribute.value.unit:
            node[f"{attribute.property}_unit"] = attribute.value.unit
    for relation in sorted(kb.relations, key=lambda r: (r.subject, r.predicate, r.object)):
        if relation.modality != "asserted":
            continue
        graph.add_edge(
            relation.subject,
            relation.object,
            key=relation.predicate,
            relation=relation.predicate,
            confidence=round(relation.confidence, 3),
            evidence=" | ".join(e.sentence for e in relation.evidence),
            sources="|".join(sorted({e.doc_id for e in relation.evidence})),
        )
    return graph
