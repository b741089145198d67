"""Choose the part of a knowledge base the graph view shows.

A browser draws a few hundred nodes comfortably, not thousands: like Neo4j Browser, the view of
a large build shows only the most connected entities, and :func:`view_notice` says so on the page.
"""

from __future__ import annotations

from dataclasses import replace

from ..records import KnowledgeBase
from .format import format_count

__all__ = ["select_view", "view_notice"]


def select_view(kb: KnowledgeBase, max_nodes: int) -> KnowledgeBase:
    """The part of kb the view shows: the max_nodes most connected entities and what links them.

    Entities are ranked by degree (the number of distinct relations, of any modality, they take
    part in), then by ``mention_count`` descending, then by id; the first ``max_nodes`` are kept,
    in kb order. Kept are the relations between two kept entities, the attributes of kept
    entities and the documents (in kb order) that their evidence or the kept entities cite; each
    kept entity is a copy whose ``documents`` are limited to those. ``kb`` is never modified.
    When kb has at most ``max_nodes`` entities, or ``max_nodes <= 0``, kb itself is returned.

    >>> from kg.records import Entity, Relation
    >>> kb = KnowledgeBase(
    ...     entities={i: Entity(i, "Organization", i) for i in ("org/a", "org/b", "org/c")},
    ...     relations=[Relation("org/a", "partnerOf", "org/b")],
    ... )
    >>> view = select_view(kb, 2)
    >>> list(view.entities), len(view.relations)
    (['org/a', 'org/b'], 1)
    >>> select_view(kb, 0) is kb
    True
    """
    if max_nodes <= 0 or len(kb.entities) <= max_nodes:
        return kb
    degree = dict.fromkeys(kb.entities, 0)
    seen: set[tuple[str, str, str, str]] = set()
    for relation in kb.relations:
        key = (relation.subject, relation.predicate, relation.object, relation.modality)
        if key in seen:
            continue
        seen.add(key)
        for end in {relation.subject, relation.object}:  # a self-loop counts once
            if end in degree:
                degree[end] += 1
    ranked = sorted(kb.entities.values(), key=lambda e: (-degree[e.id], -e.mention_count, e.id))
    kept = {entity.id for entity in ranked[:max_nodes]}
    relations = [r for r in kb.relations if r.subject in kept and r.object in kept]
    attributes = [a for a in kb.attributes if a.subject in kept]
    cited: set[str] = set()
    for evidence_list in [r.evidence for r in relations] + [a.evidence for a in attributes]:
        cited.update(evidence.doc_id for evidence in evidence_list)
    for entity_id in kept:
        cited.update(kb.entities[entity_id].documents)
    documents = [document for document in kb.documents if document.id in cited]
    document_ids = {document.id for document in documents}
    entities = {
        entity_id: replace(
            entity, aliases=set(entity.aliases), documents=entity.documents & document_ids
        )
        for entity_id, entity in kb.entities.items()
        if entity_id in kept
    }
    return KnowledgeBase(
        documents=documents, entities=entities, relations=relations, attributes=attributes
    )


def view_notice(shown: int, total: int) -> str | None:
    """The line that tells a reader the view is partial; None when it shows every entity.

    >>> view_notice(300, 2793) == "300 entités les plus reliées affichées sur 2\\u202f793"
    True
    >>> view_notice(12, 12) is None
    True
    """
    if shown >= total:
        return None
    if shown == 1:
        return f"1 entité la plus reliée affichée sur {format_count(total)}"
    return f"{format_count(shown)} entités les plus reliées affichées sur {format_count(total)}"
