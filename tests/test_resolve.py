"""kg/resolve.py: one entity per real-world thing."""

from __future__ import annotations

from kg.records import Document, Evidence, Extraction, Fact, Mention
from kg.resolve import name_key, resolve


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
    assert name_key("GUILLAUME BOUTIN", "Person") == name_key("Guillaume Boutin", "Person")
    kb = resolve(
        [
            extraction(
                "d1", [mention("GUILLAUME BOUTIN", "Person"), mention("Guillaume Boutin", "Person")]
            )
        ]
    )
    assert [e.label for e in kb.entities.values()] == ["Guillaume Boutin"]


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
