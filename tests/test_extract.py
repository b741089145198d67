"""Unit behaviour of kg/extract on short French sentences (invented companies and people)."""

from __future__ import annotations

import pytest

from kg.extract import sentence_bounds
from kg.extract.lexicon import compile_pattern, default_lexicon, load_lexicon
from kg.extract.numbers import find_amounts, parse_amount


def facts(kb, modality="asserted"):
    """(subject label, predicate, object label) of every relation with that modality."""
    label = {e.id: e.label for e in kb.entities.values()}
    return {
        (label[r.subject], r.predicate, label[r.object])
        for r in kb.relations
        if r.modality == modality
    }


def attributes(kb):
    label = {e.id: e.label for e in kb.entities.values()}
    return {(label[a.subject], a.property, a.value.value) for a in kb.attributes}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Marie Dubois, PDG de Lumina, a présenté mardi les résultats.",
            ("Marie Dubois", "ceoOf", "Lumina"),
        ),
        (
            "Le directeur général de Nexolia, Paul Garnier, a confirmé l'information.",
            ("Paul Garnier", "ceoOf", "Nexolia"),
        ),
        (
            "Claire Fontaine, cofondatrice de Brevia, était présente.",
            ("Claire Fontaine", "founderOf", "Brevia"),
        ),
        ("En 2012, Hugo Lemaire a fondé Kardia à Nantes.", ("Hugo Lemaire", "founderOf", "Kardia")),
        (
            "Nexolia signe un partenariat avec Verdane pour ses clients industriels.",
            ("Nexolia", "partnerOf", "Verdane"),
        ),
        ("Le fonds Alto Capital investit dans Brevia.", ("Alto Capital", "investedIn", "Brevia")),
        (
            "Kardia lève 12 millions d'euros auprès de Serena Ventures.",
            ("Serena Ventures", "investedIn", "Kardia"),
        ),
        (
            "Le groupe Varenne rachète Nexolia pour 40 millions d'euros.",
            ("Varenne", "acquired", "Nexolia"),
        ),
        (
            "Lumina, basée à Lyon, recrute cinquante ingénieurs.",
            ("Lumina", "headquarteredIn", "Lyon"),
        ),
        (
            "Brevia ouvre un bureau à Lille pour servir le nord de l'Europe.",
            ("Brevia", "locatedIn", "Lille"),
        ),
        (
            "Sophie Marchal, directrice marketing de Lumina, présente la gamme.",
            ("Sophie Marchal", "worksFor", "Lumina"),
        ),
        (
            "Verdane, client de Nexolia depuis 2019, renouvelle son contrat.",
            ("Verdane", "clientOf", "Nexolia"),
        ),
        (
            "Kardia Services, filiale du groupe Varenne, se développe en Belgique.",
            ("Kardia Services", "subsidiaryOf", "Varenne"),
        ),
        (
            "Thomas Girard, diplômé de HEC, dirige désormais la stratégie.",
            ("Thomas Girard", "alumnusOf", "HEC"),
        ),
    ],
)
def test_each_relation_from_one_sentence(kb_from_texts, text, expected):
    found = facts(kb_from_texts([text]))
    assert expected in found, f"{expected} not in {found}"


@pytest.mark.parametrize(
    ("text", "tempting", "modality"),
    [
        (
            "Pas sûr qu'il ait des regrets : Paul Garnier n'a pas investi dans Brevia.",
            ("Paul Garnier", "investedIn", "Brevia"),
            "negated",
        ),
        (
            "Le groupe Varenne n'a jamais racheté Nexolia.",
            ("Varenne", "acquired", "Nexolia"),
            "negated",
        ),
        (
            "Le groupe Varenne pourrait racheter Nexolia d'ici à la fin de l'année.",
            ("Varenne", "acquired", "Nexolia"),
            "planned",
        ),
        (
            "Alto Capital va investir dans Brevia l'an prochain.",
            ("Alto Capital", "investedIn", "Brevia"),
            "planned",
        ),
    ],
)
def test_negated_and_planned_facts_are_not_asserted(kb_from_texts, text, tempting, modality):
    kb = kb_from_texts([text])
    assert tempting not in facts(kb)
    assert tempting in facts(kb, modality)


def test_another_company_in_the_sentence_is_not_confused(kb_from_texts):
    kb = kb_from_texts(
        ["Marie Dubois, PDG de Lumina, a rencontré le patron de Verdane, Luc Perrin."]
    )
    found = facts(kb)
    assert ("Marie Dubois", "ceoOf", "Lumina") in found
    assert ("Luc Perrin", "ceoOf", "Verdane") in found
    assert ("Marie Dubois", "ceoOf", "Verdane") not in found


def test_description_refers_back_to_the_company(kb_from_texts):
    kb = kb_from_texts(
        ["Nexolia a été fondée en 2015 à Nantes. La start-up a été rachetée par le groupe Varenne."]
    )
    assert ("Varenne", "acquired", "Nexolia") in facts(kb)
    assert ("Nexolia", "foundingYear", 2015.0) in attributes(kb)


def test_pronoun_refers_to_the_previous_subject(kb_from_texts):
    kb = kb_from_texts(["Sylvain Moreau dirige Nexolia depuis 2018. Il a aussi cofondé Brevia."])
    assert {
        ("Sylvain Moreau", "ceoOf", "Nexolia"),
        ("Sylvain Moreau", "founderOf", "Brevia"),
    } <= facts(kb)


def test_interview_initials_and_first_person(kb_from_texts):
    text = (
        "Entretien avec les CEO Clara Benhamou et Marc Olivier. Qui a eu l'idée ? "
        "CLARA BENHAMOU. Chez Lumio, nous cherchions un partenaire. "
        "M.O. Chez Datavia, on a tout de suite accepté."
    )
    kb = kb_from_texts([text])
    found = facts(kb)
    assert ("Clara Benhamou", "ceoOf", "Lumio") in found
    assert ("Marc Olivier", "ceoOf", "Datavia") in found
    aliases = {a for e in kb.entities.values() if e.label == "Marc Olivier" for a in e.aliases}
    assert "M.O." in aliases


def test_demonym_gives_the_seat(kb_from_texts):
    kb = kb_from_texts(["Le Nantais Kardia (35 salariés, CA : 3 M€) a signé avec Verdane."])
    assert ("Kardia", "headquarteredIn", "Nantes") in facts(kb)
    assert {("Kardia", "employees", 35.0), ("Kardia", "revenue", 3_000_000.0)} <= attributes(kb)


def test_attributes_are_normalised(kb_from_texts):
    kb = kb_from_texts(
        [
            "Brevia affiche un chiffre d'affaires de 250 millions d'euros. "
            "La société emploie 2.200 salariés et est valorisée à 1,5 milliard d'euros. "
            "Brevia a levé 14M€ l'an dernier."
        ]
    )
    found = attributes(kb)
    assert ("Brevia", "revenue", 250_000_000.0) in found
    assert ("Brevia", "employees", 2200.0) in found
    assert ("Brevia", "valuation", 1_500_000_000.0) in found
    assert ("Brevia", "fundsRaised", 14_000_000.0) in found


def test_entities_are_typed_and_junk_dropped(kb_from_texts):
    kb = kb_from_texts(["Objectif: croître. Voyez ce que fait Lumina à Genève avec Marie Dubois."])
    types = {e.label: e.type for e in kb.entities.values()}
    assert types.get("Lumina") == "Organization"
    assert types.get("Genève") == "Place"
    assert types.get("Marie Dubois") == "Person"
    assert "Objectif" not in types and "Voyez" not in types


def test_sentence_bounds_rejoin_lowercase_continuations(nlp):
    doc = nlp("Deux clients : Medora (4 M€) ; et Kavio (2 M€).\nTitre sans point")
    pieces = [doc.text[s:e] for s, e in sentence_bounds(doc)]
    assert pieces[-1] == "Titre sans point"
    assert any("Medora" in p and "Kavio" in p for p in pieces)


def test_amounts_in_french_formats():
    assert parse_amount("250 millions d'euros").value == 250_000_000
    assert parse_amount("14M€").value == 14_000_000
    assert parse_amount("plus de trois milliards d'euros").value == 3_000_000_000
    assert [a.quantity.value for a in find_amounts("2.200 employés et 3,5 millions")] == [
        2200,
        3_500_000,
    ]


def test_patterns_are_data_a_user_can_extend(tmp_path, kb_from_texts):
    extra = tmp_path / "mine.toml"
    extra.write_text(
        '[[relation]]\nname = "sponsor"\npredicate = "partnerOf"\n'
        'pattern = "{S:ORG} sponsorise {O:ORG}"\nconfidence = 0.9\n',
        encoding="utf-8",
    )
    lexicon = load_lexicon([extra])
    assert lexicon.relations[-1].name == "sponsor"
    assert len(lexicon.relations) == len(default_lexicon().relations) + 1


def test_bad_pattern_is_a_clear_error():
    from kg.errors import InputError

    with pytest.raises(InputError, match="unknown placeholder"):
        compile_pattern("{S:PER} {NOPE} {O:ORG}", {})


def test_a_registered_collector_is_a_new_pattern_kind(tmp_path, kb_from_texts):
    """One registered function plus a pattern that names it: every person named after "jury :"
    works for the organisation before it."""
    from kg.config import Config
    from kg.extract.relations import COLLECTORS, _slots_after, register_collector

    @register_collector("people_after")
    def people_after(sentence, match):
        return "subject", _slots_after(sentence, match.end(), "P")

    patterns = tmp_path / "jury.toml"
    patterns.write_text(
        '[[relation]]\nname = "jury-members"\npredicate = "worksFor"\n'
        'pattern = "{O:ORG}\\\\s+(?:réunit|annonce)\\\\s+son\\\\s+jury\\\\s*:"\n'
        'collect = "people_after"\nconfidence = 0.8\n',
        encoding="utf-8",
    )
    try:
        kb = kb_from_texts(
            ["Lumina annonce son jury : Marie Dubois et Paul Garnier."],
            Config(extra_patterns=(str(patterns),)),
        )
        assert {
            ("Marie Dubois", "worksFor", "Lumina"),
            ("Paul Garnier", "worksFor", "Lumina"),
        } <= facts(kb)
    finally:
        del COLLECTORS["people_after"]


def test_an_unknown_collect_kind_is_refused(tmp_path):
    from kg.config import Config
    from kg.errors import InputError
    from kg.extract import Extractor

    patterns = tmp_path / "bad.toml"
    patterns.write_text(
        '[[relation]]\nname = "bad"\npredicate = "worksFor"\npattern = "{S:PER}"\n'
        'collect = "nowhere"\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="unknown collect 'nowhere'"):
        Extractor.from_config(Config(extra_patterns=(str(patterns),)))
