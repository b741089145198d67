"""Entity resolution: one entity per real-world thing, within and across documents.

Names are merged by a normalised key (case, accents, punctuation, elisions, legal and group
words: "OVH", "OVH Group", "groupe OVH", "d'OVH" are one), by the aliases the extractor learnt
(initials, acronyms, first names), and typed by majority across all mentions.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from .namespace import SIGNATURES, SYMMETRIC_RELATIONS
from .naming import entity_id, match_key, org_key, strip_legal_words
from .records import Attribute, Entity, Evidence, Extraction, KnowledgeBase, Mention, Relation

__all__ = ["name_key", "resolve"]


def name_key(name: str, entity_type: str) -> str:
    """Key under which two names of the same type are the same entity.

    >>> name_key("groupe OVH", "Organization") == name_key("OVH Group", "Organization")
    True
    >>> name_key("GUILLAUME BOUTIN", "Person") == name_key("Guillaume Boutin", "Person")
    True
    """
    return org_key(name) if entity_type == "Organization" else match_key(name)


def _label_score(name: str) -> tuple[int, int, int]:
    """Prefer a mixed-case, capitalised, frequent form: "Showroomprivé.com" over "showroomprivé.com"."""
    return (int(not name.isupper() or len(name) <= 5), int(name[:1].isupper()), -len(name))


class _Registry:
    """Collects surface forms per (type, key) and decides types and labels."""

    def __init__(self) -> None:
        self.forms: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        self.type_votes: dict[str, Counter[str]] = defaultdict(Counter)
        self.documents: dict[tuple[str, str], set[str]] = defaultdict(set)

    def add(self, mention: Mention, weight: int = 1) -> None:
        key = name_key(mention.text, mention.type)
        self.forms[(mention.type, key)][mention.text] += weight
        if mention.via in {"name", "initials"}:
            self.type_votes[org_key(mention.text)][mention.type] += weight
        self.documents[(mention.type, key)].add(mention.doc_id)

    def entity_type(self, mention: Mention) -> str:
        votes = self.type_votes.get(org_key(mention.text))
        return votes.most_common(1)[0][0] if votes else mention.type

    def resolve(self, mention: Mention) -> tuple[str, str]:
        entity_type = self.entity_type(mention)
        return entity_type, name_key(mention.text, entity_type)


def resolve(extractions: Iterable[Extraction], threshold: float = 0.0) -> KnowledgeBase:
    """Merge the extractions of all documents into one :class:`KnowledgeBase`.

    Evidence below ``threshold`` confidence is dropped, and with it any fact left without evidence.
    """
    extractions = list(extractions)
    registry = _Registry()
    aliases: dict[tuple[str, str], set[str]] = defaultdict(set)
    for extraction in extractions:
        for mention in extraction.mentions:
            registry.add(mention)
        by_name = {m.text: m for m in extraction.mentions}
        for fact in extraction.facts:
            by_name.setdefault(fact.subject.text, fact.subject)
            by_name.setdefault(fact.object.text, fact.object)
        for alias, name in extraction.aliases:
            if name in by_name:
                aliases[registry.resolve(by_name[name])].add(alias)

    kb = KnowledgeBase(documents=[e.document for e in extractions])

    def entity_for(mention: Mention) -> str:
        entity_type, key = registry.resolve(
            Mention(mention.text, mention.type, mention.doc_id, 0, 0)
        )
        ident = entity_id(entity_type, key)
        if ident not in kb.entities:
            forms = registry.forms.get((entity_type, key)) or Counter({mention.text: 1})
            label = max(forms, key=lambda f: (forms[f], *_label_score(f)))
            names = set(forms) | aliases[(entity_type, key)]
            if entity_type == "Organization":  # "groupe Altaris" is also found as "Altaris"
                names |= {short for short in map(strip_legal_words, forms) if short}
            kb.entities[ident] = Entity(ident, entity_type, label, names)  # type: ignore[arg-type]
            kb.entities[ident].documents |= registry.documents.get((entity_type, key), set())
            kb.entities[ident].mention_count = sum(forms.values())
        kb.entities[ident].documents.add(mention.doc_id)
        return ident

    for extraction in extractions:
        for mention in extraction.mentions:
            entity_for(mention)

    relations: dict[tuple[str, str, str, str], list[Evidence]] = defaultdict(list)
    for extraction in extractions:
        for fact in extraction.facts:
            if fact.evidence.confidence < threshold:
                continue
            subject, obj = entity_for(fact.subject), entity_for(fact.object)
            if subject == obj or not _fits(
                fact.predicate, kb.entities[subject].type, kb.entities[obj].type
            ):
                continue
            if fact.predicate in SYMMETRIC_RELATIONS:
                subject, obj = sorted((subject, obj))
            relations[(subject, fact.predicate, obj, fact.modality)].append(fact.evidence)
    kb.relations = [
        Relation(s, p, o, sorted(set(ev), key=lambda e: (e.doc_id, e.start, e.rule)), modality)  # type: ignore[arg-type]
        for (s, p, o, modality), ev in sorted(relations.items())
    ]

    attributes: dict[tuple[str, str, float, str | None], list[Evidence]] = defaultdict(list)
    units: dict[tuple[str, str, float, str | None], object] = {}
    for extraction in extractions:
        for attribute in extraction.attributes:
            if attribute.evidence.confidence < threshold:
                continue
            subject = entity_for(attribute.subject)
            if kb.entities[subject].type != "Organization":
                continue
            key = (subject, attribute.property, attribute.value.value, attribute.value.unit)
            attributes[key].append(attribute.evidence)
            units[key] = attribute.value
    kb.attributes = [
        Attribute(s, p, units[(s, p, v, u)], sorted(set(ev), key=lambda e: (e.doc_id, e.start)))  # type: ignore[arg-type]
        for (s, p, v, u), ev in sorted(
            attributes.items(),
            key=lambda item: (item[0][0], item[0][1], item[0][2], item[0][3] or ""),
        )
    ]
    kb.entities = dict(sorted(kb.entities.items()))
    return kb


def _fits(predicate: str, subject_type: str, object_type: str) -> bool:
    domain, range_ = SIGNATURES.get(predicate, (frozenset(), frozenset()))
    return (not domain or subject_type in domain) and (not range_ or object_type in range_)
