"""Entity resolution: one entity per real-world thing, within and across documents.

Names are merged by a normalised key (case, accents, punctuation, elisions, legal and group
words: "OVH", "OVH Group", "groupe OVH", "d'OVH" are one), by the aliases the extractor learnt
(initials, acronyms, first names), and typed by majority across all mentions.

Resolution runs in two steps so that a corpus never has to sit in memory: a :class:`Resolver`
first *reads* every extraction (it keeps the surface forms and type votes of names, not the
documents), then turns each extraction into its *fragment*: a one-document
:class:`~kg.records.KnowledgeBase` whose facts point at the resolved entity ids. :func:`merge`
unions fragments into the knowledge base of the corpus; :func:`resolve` does all three.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache

from .config import Config
from .namespace import SIGNATURES, SYMMETRIC_RELATIONS
from .naming import entity_id, match_key, org_key, strip_legal_words
from .records import (
    ENTITY_TYPES,
    Attribute,
    Entity,
    Evidence,
    Extraction,
    KnowledgeBase,
    Mention,
    Relation,
)

__all__ = ["Resolver", "merge", "name_key", "resolve", "split_by_document"]


def name_key(name: str, entity_type: str) -> str:
    """Key under which two names of the same type are the same entity.

    >>> name_key("groupe OVH", "Organization") == name_key("OVH Group", "Organization")
    True
    >>> name_key("GILLES BERTIN", "Person") == name_key("Gilles Bertin", "Person")
    True
    """
    if entity_type == "Place":  # "New-York" is New York
        return match_key(name.replace("-", " "))
    return org_key(name) if entity_type == "Organization" else match_key(name)


_TYPE_ORDER: dict[str, int] = {t: i for i, t in enumerate(ENTITY_TYPES)}


def _label_score(name: str) -> tuple[int, int, int]:
    """Prefer a mixed-case, capitalised, frequent form: "Showroomprivé.com" over "showroomprivé.com"."""
    return (int(not name.isupper() or len(name) <= 5), int(name[:1].isupper()), -len(name))


class Resolver:
    """Decides, from all the names of a corpus, which entity each mention stands for.

    >>> from kg.records import Document
    >>> doc = Document("d1", "d1.txt", "", "OVH Group recrute. OVH grandit.")
    >>> names = [Mention("OVH Group", "Organization", "d1", 0, 9), Mention("OVH", "Organization", "d1", 19, 22)]
    >>> resolver = Resolver()
    >>> resolver.read(Extraction(doc, mentions=names))
    >>> sorted(resolver.fragment(Extraction(doc, mentions=names)).entities)
    ['org/ovh']
    """

    def __init__(self, threshold: float = Config.threshold) -> None:
        self.threshold = threshold  # evidence below it is dropped, and facts left without any
        self._forms: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        self._type_votes: dict[str, Counter[str]] = defaultdict(Counter)
        # (alias, full name, type of the full name's mention): resolved once all votes are in.
        self._alias_pairs: set[tuple[str, str, str]] = set()
        self._aliases: dict[tuple[str, str], set[str]] | None = None
        self._entities: dict[tuple[str, str], Entity] = {}
        self._keys: dict[tuple[str, str], tuple[str, str]] = {}
        # Company keys that another document's alias joins to a key ("Office régional de
        # l'habitat" named ORH in one article, in full only in the next).
        self._joined: dict[tuple[str, str], tuple[str, str]] | None = None

    # --- reading ---------------------------------------------------------------------

    def read(self, extraction: Extraction) -> None:
        """Count the names of one document (call for every document before :meth:`fragment`)."""
        for mention in extraction.mentions:
            key = name_key(mention.text, mention.type)
            self._forms[(mention.type, key)][mention.text] += 1
            if mention.via in {"name", "initials"}:
                self._type_votes[org_key(mention.text)][mention.type] += 1
        if extraction.aliases:
            types = {m.text: m.type for m in extraction.mentions}
            for fact in extraction.facts:
                types.setdefault(fact.subject.text, fact.subject.type)
                types.setdefault(fact.object.text, fact.object.type)
            self._alias_pairs.update(
                (alias, name, types[name]) for alias, name in extraction.aliases if name in types
            )
        self._aliases = None  # keys and descriptions depend on every document read
        self._joined = None
        self._entities.clear()
        self._keys.clear()

    def entity_key(self, text: str, mention_type: str) -> tuple[str, str]:
        """(type, key) of the entity a name stands for: its type is the majority vote."""
        found = self._keys.get((text, mention_type))
        if found is None:
            votes = self._type_votes.get(org_key(text))
            # A tie goes to the type named first in ENTITY_TYPES, whatever the reading order.
            entity_type = (
                min(votes, key=lambda t: (-votes[t], _TYPE_ORDER.get(t, len(_TYPE_ORDER)), t))
                if votes
                else mention_type
            )
            found = (entity_type, name_key(text, entity_type))
            found = self._keys[(text, mention_type)] = self._joined_keys().get(found, found)
        return found

    def _joined_keys(self) -> dict[tuple[str, str], tuple[str, str]]:
        """Company keys joined by the aliases of the corpus, each mapped to the key named most
        often in its group. Only aliases of several words or acronyms join: a one-word alias
        ("l'Office") may mean another company elsewhere."""
        if self._joined is not None:
            return self._joined
        self._joined = {}
        parent: dict[tuple[str, str], tuple[str, str]] = {}

        def root(key: tuple[str, str]) -> tuple[str, str]:
            while parent.get(key, key) != key:
                key = parent[key]
            return key

        pairs = [
            (
                ("Organization", name_key(alias, "Organization")),
                ("Organization", name_key(name, "Organization")),
            )
            for alias, name, mention_type in sorted(self._alias_pairs)
            if mention_type == "Organization" and (len(alias.split()) >= 2 or alias.isupper())
        ]
        # "Lyon-Bron" and "Lyon Bron" differ only by a hyphen.
        spaced: dict[str, tuple[str, str]] = {}
        for key in sorted(k for k in self._forms if k[0] == "Organization"):
            first = spaced.setdefault(key[1].replace(" ", ""), key)
            if first != key:
                pairs.append((first, key))
        for one, other in pairs:
            a, b = root(one), root(other)
            if a != b:
                weight = {k: (sum(self._forms.get(k, Counter()).values()), k[1]) for k in (a, b)}
                low, high = sorted((a, b), key=lambda k: weight[k])
                parent[low] = high
        self._joined = {key: root(key) for key in parent}
        return self._joined

    def describe(self, entity_type: str, key: str, text: str) -> Entity:
        """The entity of (type, key), labelled by its most frequent form (``text`` when the
        corpus has no form of that type). Its ``documents`` are left empty."""
        found = self._entities.get((entity_type, key))
        if found is not None:
            return found
        if self._aliases is None:
            self._aliases = defaultdict(set)
            for alias, name, mention_type in sorted(self._alias_pairs):
                self._aliases[self.entity_key(name, mention_type)].add(alias)
        forms = self._forms.get((entity_type, key)) or Counter({text: 1})
        label = min(forms, key=lambda f: (-forms[f], *(-x for x in _label_score(f)), f))
        names = set(forms) | self._aliases.get((entity_type, key), set())
        if entity_type == "Organization":  # "groupe Altaris" is also found as "Altaris"
            names |= {short for short in map(strip_legal_words, forms) if _names_alone(short)}
        entity = Entity(
            entity_id(entity_type, key),
            entity_type,  # type: ignore[arg-type]
            label,
            names,
            mention_count=sum(forms.values()),
        )
        self._entities[(entity_type, key)] = entity
        return entity

    # --- fragments -------------------------------------------------------------------

    def fragment(self, extraction: Extraction) -> KnowledgeBase:
        """The facts of one document between resolved entities, as a one-document knowledge
        base; each entity it names lists this document only."""
        doc_id = extraction.document.id
        entities: dict[str, Entity] = {}

        def entity_for(mention: Mention) -> str:
            entity_type, key = self.entity_key(mention.text, mention.type)
            ident = entity_id(entity_type, key)
            if ident not in entities:
                entities[ident] = replace(
                    self.describe(entity_type, key, mention.text), documents={doc_id}
                )
            return ident

        for mention in extraction.mentions:
            entity_for(mention)
        relations: dict[tuple[str, str, str, str], list[Evidence]] = defaultdict(list)
        for fact in extraction.facts:
            if fact.evidence.confidence < self.threshold:
                continue
            subject, obj = entity_for(fact.subject), entity_for(fact.object)
            if subject == obj or not _fits(
                fact.predicate, entities[subject].type, entities[obj].type
            ):
                continue
            if fact.predicate in SYMMETRIC_RELATIONS:
                subject, obj = sorted((subject, obj))
            relations[(subject, fact.predicate, obj, fact.modality)].append(fact.evidence)
        attributes: list[Attribute] = []
        for found in extraction.attributes:
            if found.evidence.confidence < self.threshold:
                continue
            subject = entity_for(found.subject)
            if entities[subject].type == "Organization":
                attributes.append(Attribute(subject, found.property, found.value, [found.evidence]))
        fragment = KnowledgeBase([extraction.document], dict(sorted(entities.items())))
        fragment.relations = _relations(relations)
        fragment.attributes = _attributes(attributes)
        return fragment


def merge(fragments: Iterable[KnowledgeBase]) -> KnowledgeBase:
    """One knowledge base from fragments: entities united (their documents too), a relation's
    evidence gathered from every fragment that states it, attribute values likewise."""
    kb = KnowledgeBase()
    relations: dict[tuple[str, str, str, str], list[Evidence]] = defaultdict(list)
    attributes: list[Attribute] = []
    for fragment in fragments:
        kb.documents += fragment.documents
        for ident, entity in fragment.entities.items():
            found = kb.entities.get(ident)
            if found is None:
                kb.entities[ident] = replace(
                    entity, aliases=set(entity.aliases), documents=set(entity.documents)
                )
            else:
                found.documents |= entity.documents
        for relation in fragment.relations:
            key = (relation.subject, relation.predicate, relation.object, relation.modality)
            relations[key] += relation.evidence
        attributes += fragment.attributes
    kb.entities = dict(sorted(kb.entities.items()))
    kb.relations = _relations(relations)
    kb.attributes = _attributes(attributes)
    return kb


def split_by_document(kb: KnowledgeBase) -> list[KnowledgeBase]:
    """The one-document fragments whose :func:`merge` is ``kb`` (documents in id order): each
    holds its document, the entities naming it or named by its facts, and the relations and
    attributes with the evidence read in it.

    >>> from kg.records import Document
    >>> kb = KnowledgeBase([Document("b", "b", "", ""), Document("a", "a", "", "")])
    >>> [f.documents[0].id for f in split_by_document(kb)]
    ['a', 'b']
    """
    fragments = {d.id: KnowledgeBase([d]) for d in sorted(kb.documents, key=lambda d: d.id)}

    def named(fragment: KnowledgeBase, ident: str) -> None:
        if ident not in fragment.entities and ident in kb.entities:
            entity = kb.entities[ident]
            fragment.entities[ident] = replace(
                entity, documents=entity.documents & {fragment.documents[0].id}
            )

    for entity in kb.entities.values():
        for doc_id in entity.documents:
            if doc_id in fragments:
                named(fragments[doc_id], entity.id)
    for relation in kb.relations:
        for doc_id, evidence in _by_document(relation.evidence).items():
            if doc_id in fragments:
                fragment = fragments[doc_id]
                fragment.relations.append(replace(relation, evidence=evidence))
                named(fragment, relation.subject)
                named(fragment, relation.object)
    for attribute in kb.attributes:
        for doc_id, evidence in _by_document(attribute.evidence).items():
            if doc_id in fragments:
                fragments[doc_id].attributes.append(replace(attribute, evidence=evidence))
                named(fragments[doc_id], attribute.subject)
    for fragment in fragments.values():
        fragment.entities = dict(sorted(fragment.entities.items()))
    return list(fragments.values())


def _by_document(evidence: Iterable[Evidence]) -> dict[str, list[Evidence]]:
    split: dict[str, list[Evidence]] = defaultdict(list)
    for item in evidence:
        split[item.doc_id].append(item)
    return split


def resolve(
    extractions: Iterable[Extraction], threshold: float = Config.threshold
) -> KnowledgeBase:
    """Merge the extractions of all documents into one :class:`KnowledgeBase`.

    Evidence below ``threshold`` confidence is dropped, and with it any fact left without evidence.
    """
    extractions = list(extractions)
    resolver = Resolver(threshold)
    for extraction in extractions:
        resolver.read(extraction)
    return merge(resolver.fragment(extraction) for extraction in extractions)


def _relations(grouped: dict[tuple[str, str, str, str], list[Evidence]]) -> list[Relation]:
    return [
        Relation(s, p, o, sorted(set(ev), key=lambda e: (e.doc_id, e.start, e.rule)), modality)  # type: ignore[arg-type]
        for (s, p, o, modality), ev in sorted(grouped.items())
    ]


def _attributes(found: Iterable[Attribute]) -> list[Attribute]:
    """One attribute per (entity, property, value), its evidence gathered and sorted."""
    grouped: dict[tuple[str, str, float, str], list[Evidence]] = defaultdict(list)
    values = {}
    for attribute in found:
        key = (
            attribute.subject,
            attribute.property,
            attribute.value.value,
            attribute.value.unit or "",
        )
        grouped[key] += attribute.evidence
        values[key] = attribute.value
    return [
        Attribute(s, p, values[key], sorted(set(ev), key=lambda e: (e.doc_id, e.start, e.rule)))
        for key, ev in sorted(grouped.items())
        for s, p, _, _ in [key]
    ]


def _names_alone(short: str) -> bool:
    """Can a company name stripped of its legal words stand alone? "Altaris" (of "groupe
    Altaris") can; "Partners" (of "Ardena Partners") is only a company word.

    >>> _names_alone("Altaris"), _names_alone("Partners"), _names_alone("")
    (True, False, False)
    """
    return bool(short) and short.lower() not in _company_words()


@lru_cache(maxsize=1)
def _company_words() -> frozenset[str]:
    # Imported here: a build with nothing to redo must not load the extractor (nor spaCy).
    from .extract.lexicon import packaged_words

    return packaged_words().typing_words("organization_suffixes")


def _fits(predicate: str, subject_type: str, object_type: str) -> bool:
    domain, range_ = SIGNATURES.get(predicate, (frozenset(), frozenset()))
    return (not domain or subject_type in domain) and (not range_ or object_type in range_)
