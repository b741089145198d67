"""kg/resolve.py: one entity per real-world thing."""

from __future__ import annotations

import copy

import pytest
from kb_samples import sample_kb, sentence

from kg.config import Config
from kg.extract import Extractor
from kg.nlp import parse
from kg.pipeline import knowledge_base_from_texts
from kg.records import (
    Attribute,
    Document,
    Evidence,
    Extraction,
    Fact,
    KnowledgeBase,
    Mention,
    Relation,
)
from kg.resolve import Resolver, merge, name_key, resolve, split_by_document


def mention(text, kind, doc="d1"):
    return Mention(text, kind, doc, 0, len(text))


def extraction(doc_id, mentions, facts=(), aliases=()):
    return Extraction(
        Document(doc_id, doc_id, "", ""), list(mentions), list(facts), [], list(aliases)
    )


def test_group_and_legal_words_merge():
    kb = resolve(
        [
            extraction(
                "d1", [mention("groupe OVH", "Organization"), mention("OVH", "Organization")]
            ),
            extraction(
                "d2",
                [
                    mention("OVH Group", "Organization", "d2"),
                    mention("d'OVH", "Organization", "d2"),
                ],
            ),
        ]
    )
    orgs = [e for e in kb.entities.values() if e.type == "Organization"]
    assert len(orgs) == 1 and orgs[0].label == "OVH" and orgs[0].documents == {"d1", "d2"}


def test_case_and_accents_merge_persons():
    assert name_key("GILLES BERTIN", "Person") == name_key("Gilles Bertin", "Person")
    kb = resolve(
        [extraction("d1", [mention("GILLES BERTIN", "Person"), mention("Gilles Bertin", "Person")])]
    )
    assert [e.label for e in kb.entities.values()] == ["Gilles Bertin"]


def test_type_by_majority_and_aliases():
    kb = resolve(
        [
            extraction(
                "d1",
                [
                    mention("Odoo", "Organization"),
                    mention("Odoo", "Organization"),
                    mention("Odoo", "Place"),
                    mention("Fabien Pinckaers", "Person"),
                ],
                aliases=[("F.P.", "Fabien Pinckaers")],
            ),
        ]
    )
    types = {e.label: e.type for e in kb.entities.values()}
    assert types == {"Odoo": "Organization", "Fabien Pinckaers": "Person"}
    assert "F.P." in kb.entities["person/fabien-pinckaers"].aliases


def test_facts_are_typed_checked_and_thresholded():
    person, org, place = (
        mention("Anne Roy", "Person"),
        mention("Lumio", "Organization"),
        mention("Lyon", "Place"),
    )
    strong = Evidence("d1", "s", 0, 1, 0.9, "r")
    weak = Evidence("d1", "s", 0, 1, 0.3, "r")
    kb = resolve(
        [
            extraction(
                "d1",
                [person, org, place],
                [
                    Fact(person, "ceoOf", org, strong),
                    Fact(place, "ceoOf", person, strong),  # breaks ceoOf's domain and range
                    Fact(org, "headquarteredIn", place, weak),  # below the threshold
                ],
            )
        ],
        threshold=0.5,
    )
    assert [(r.subject, r.predicate, r.object) for r in kb.relations] == [
        ("person/anne-roy", "ceoOf", "org/lumio")
    ]


def test_partner_of_is_stored_once_whatever_the_direction():
    a, b = mention("Lumio", "Organization"), mention("Brevia", "Organization")
    ev = Evidence("d1", "s", 0, 1, 0.9, "r")
    kb = resolve(
        [extraction("d1", [a, b], [Fact(a, "partnerOf", b, ev), Fact(b, "partnerOf", a, ev)])]
    )
    assert len(kb.relations) == 1 and len(kb.relations[0].evidence) == 1


# ------------------------------------------------------------------ fragments and merge

TEXTS = [
    "Laurent Allard, CEO du groupe OVH, était à Rennes. "
    "OVH lève 250 millions d'euros auprès de KKR et TCV. OVH a racheté VMware vCloud Air.",
    "La start-up Qonto, basée à Paris, ouvre un bureau à Londres. "
    "Son fondateur Alexandre Prot vise le Royaume-Uni. Qonto a noué un partenariat avec OVH.",
    "OVH Group, basé à Roubaix, affiche un chiffre d'affaires de 500 millions d'euros. "
    "KKR a investi dans OVH. Octave Klaba, fondateur d'OVH, emploie 2 000 salariés.",
]


@pytest.fixture(scope="module")
def text_extractions(nlp) -> list[Extraction]:
    extractor = Extractor.from_config(Config.default(), nlp)
    documents = [Document(f"text-{i}", f"text-{i}", "", t) for i, t in enumerate(TEXTS)]
    return [extractor(d, doc) for d, doc in parse(nlp, documents)]


@pytest.fixture(scope="module")
def texts_kb(nlp) -> KnowledgeBase:
    return knowledge_base_from_texts(TEXTS)


def _relation_key(relation: Relation) -> tuple[str, str, str, str]:
    return (relation.subject, relation.predicate, relation.object, relation.modality)


def _attribute_key(attribute: Attribute) -> tuple[str, str, float, str]:
    value = attribute.value
    return (attribute.subject, attribute.property, value.value, value.unit or "")


def _assert_same_kb(merged: KnowledgeBase, kb: KnowledgeBase) -> None:
    """Equal documents, entities (documents sets included), relations (evidence in order) and
    attributes; relations and attributes compared in merge's order (sorted by key)."""
    assert merged.documents == sorted(kb.documents, key=lambda d: d.id)
    assert merged.entities == kb.entities
    assert list(merged.entities) == sorted(kb.entities)
    assert merged.relations == sorted(kb.relations, key=_relation_key)
    assert merged.attributes == sorted(kb.attributes, key=_attribute_key)


def test_split_by_document_then_merge_gives_the_sample_back() -> None:
    kb = sample_kb()
    # One relation read in both articles: its evidence is split, then gathered in order.
    qonto = kb.documents[1]
    kb.relations[0].evidence.append(sentence(qonto, "Son fondateur"))
    kb.entities["person/laurent-allard"].documents.add("qonto")
    fragments = split_by_document(kb)
    assert [f.documents for f in fragments] == [[d] for d in kb.documents]
    for fragment in fragments:
        doc_id = fragment.documents[0].id
        assert all(e.documents <= {doc_id} for e in fragment.entities.values())
        assert all(ev.doc_id == doc_id for r in fragment.relations for ev in r.evidence)
    # Named by the Qonto article's partnership only: in its fragment, not among its documents.
    assert fragments[1].entities["org/ovh"].documents == set()
    _assert_same_kb(merge(fragments), kb)
    (ceo,) = [r for r in merge(fragments).relations if r.predicate == "ceoOf"]
    assert [ev.doc_id for ev in ceo.evidence] == ["ovh", "qonto"]


def test_split_by_document_then_merge_gives_a_resolved_kb_back(texts_kb: KnowledgeBase) -> None:
    kb = texts_kb
    assert len(kb.documents) == 3 and len(kb.relations) >= 5 and kb.attributes
    assert any(len({ev.doc_id for ev in r.evidence}) > 1 for r in kb.relations)
    before = copy.deepcopy(kb)
    merged = merge(split_by_document(kb))
    assert merged == kb  # resolve's order is merge's order: equal as they are
    assert kb == before  # splitting changed nothing of kb


def test_resolve_does_not_depend_on_the_order_of_extractions(
    text_extractions: list[Extraction],
) -> None:
    hand_made = [
        extraction(
            "d1",
            [mention("groupe Lumio", "Organization"), mention("Anne Roy", "Person")],
            [
                Fact(
                    mention("Anne Roy", "Person"),
                    "ceoOf",
                    mention("groupe Lumio", "Organization"),
                    Evidence("d1", "s", 0, 1, 0.9, "r"),
                )
            ],
            aliases=[("A.R.", "Anne Roy")],
        ),
        extraction(
            "d2",
            [
                mention("Lumio", "Organization", "d2"),
                mention("Lumio", "Organization", "d2"),
                mention("ANNE ROY", "Person", "d2"),
            ],
            [
                Fact(
                    mention("ANNE ROY", "Person", "d2"),
                    "ceoOf",
                    mention("Lumio", "Organization", "d2"),
                    Evidence("d2", "t", 5, 9, 0.8, "r"),
                )
            ],
        ),
    ]
    for extractions in (text_extractions, hand_made):
        forward = resolve(extractions)
        backward = resolve(list(reversed(extractions)))
        assert backward.documents == list(reversed(forward.documents))
        assert list(backward.entities.items()) == list(forward.entities.items())
        assert backward.relations == forward.relations
        assert backward.attributes == forward.attributes
    assert [len(r.evidence) for r in resolve(hand_made).relations] == [2]


def test_resolve_ties_do_not_depend_on_the_order_of_extractions() -> None:
    one = extraction("d1", [mention("Societe Lumio", "Organization"), mention("Brevia", "Place")])
    two = extraction(
        "d2",
        [mention("Société Lumio", "Organization", "d2"), mention("Brevia", "Organization", "d2")],
    )
    forward, backward = resolve([one, two]), resolve([two, one])
    assert list(backward.entities.items()) == list(forward.entities.items())


def test_type_is_the_majority_of_all_documents_even_for_early_aliases() -> None:
    def named(text: str, kind: str, doc: str) -> Mention:
        return Mention(text, kind, doc, 0, len(text))  # type: ignore[arg-type]

    # The first article misreads both names; the alias pairs are learnt there only.
    early = extraction(
        "d1",
        [named("OVH Group", "Place", "d1"), named("Fabien Pinckaers", "Organization", "d1")],
        aliases=[("OVH", "OVH Group"), ("OVHcloud", "OVH Group"), ("F.P.", "Fabien Pinckaers")],
    )
    later = [
        extraction(
            doc,
            [
                named("OVH Group", "Organization", doc),
                named("OVH", "Organization", doc),
                named("Fabien Pinckaers", "Person", doc),
            ],
        )
        for doc in ("d2", "d3")
    ]
    for extractions in ([early, *later], [*later, early]):
        kb = resolve(extractions)
        assert sorted(kb.entities) == ["org/ovh", "person/fabien-pinckaers"]
        ovh, fabien = kb.entities["org/ovh"], kb.entities["person/fabien-pinckaers"]
        assert (ovh.type, ovh.label, ovh.documents) == ("Organization", "OVH", {"d1", "d2", "d3"})
        assert {"OVH", "OVH Group", "OVHcloud"} <= ovh.aliases
        assert (fabien.type, fabien.documents) == ("Person", {"d1", "d2", "d3"})
        assert "F.P." in fabien.aliases

    resolver = Resolver()
    for item in (early, *later):
        resolver.read(item)
    fragment = resolver.fragment(early)
    assert {i: (e.type, e.documents) for i, e in fragment.entities.items()} == {
        "org/ovh": ("Organization", {"d1"}),
        "person/fabien-pinckaers": ("Person", {"d1"}),
    }
    assert "OVHcloud" in fragment.entities["org/ovh"].aliases
