"""kg/extract/mentions.py: named slots from spaCy's entities, cleaned and completed by rules."""

from __future__ import annotations

import pytest

from kg.extract.lexicon import default_lexicon
from kg.extract.mentions import ORGANIZATION_RULES, Slot, find_named_slots, initials_of


def named(nlp, text):
    """(text as written, type, name, via, aliases) of every named slot of ``text``."""
    return [
        (text[s.start : s.end], s.type, s.name, s.via, s.aliases)
        for s in find_named_slots(nlp(text), default_lexicon())
    ]


def test_people_organizations_and_places_in_text_order(nlp):
    text = (
        "Le groupe Varnel a racheté la société Quantix. Sophie Marchal dirige Varnel depuis 2019."
    )
    assert named(nlp, text) == [
        ("Varnel", "Organization", "Varnel", "name", ()),
        ("Quantix", "Organization", "Quantix", "name", ()),
        ("Sophie Marchal", "Person", "Sophie Marchal", "name", ()),
        ("Varnel", "Organization", "Varnel", "name", ()),
    ]


def test_a_domain_name_is_a_company(nlp):
    text = "Le site Brindelo.com a doublé ses ventes. Sa fondatrice, Anne Rivet, vise l'Europe."
    assert named(nlp, text)[0] == ("Brindelo.com", "Organization", "Brindelo.com", "name", ())


def test_a_demonym_is_a_slot_of_its_place(nlp):
    text = "L'éditeur rennais Tavelo recrute. Tavelo emploie déjà 30 personnes."
    assert named(nlp, text) == [
        ("rennais", "Demonym", "Rennes", "demonym", ("rennais",)),
        ("Tavelo", "Organization", "Tavelo", "name", ()),
        ("Tavelo", "Organization", "Tavelo", "name", ()),
    ]


def test_a_surname_alone_is_the_person_named_in_full(nlp):
    text = "Marc Delorme rejoint Kestrel. Delorme était auparavant chez Orvia."
    assert named(nlp, text)[2] == ("Delorme", "Person", "Marc Delorme", "name", ("Delorme",))


def test_interview_initials_are_the_interviewee(nlp):
    text = (
        "Entretien avec Julien Morvan, PDG de Kestrel.\n"
        "J.M. : Nous avons signé avec Orvia. Chez Kestrel, on croit à l'export."
    )
    assert named(nlp, text) == [
        ("Julien Morvan", "Person", "Julien Morvan", "name", ()),
        ("Kestrel", "Organization", "Kestrel", "name", ()),
        ("J.M. ", "Person", "Julien Morvan", "initials", ("J.M.",)),
        ("Orvia", "Organization", "Orvia", "name", ()),
        ("Kestrel", "Organization", "Kestrel", "name", ()),
    ]


@pytest.mark.parametrize(
    ("name", "initials"), [("Julien Morvan", "JM"), ("Anne-Sophie Rivet", "ASR")]
)
def test_initials_of(name, initials):
    assert initials_of(name) == initials


@pytest.mark.parametrize(
    ("slot", "code", "is_named"),
    [
        (Slot(0, 6, "Person", "Anne Roy"), "P", True),
        (Slot(0, 6, "Organization", "Varnel", via="description"), "O", False),
        (Slot(0, 6, "Place", "Lyon"), "L", True),
        (Slot(0, 7, "Demonym", "Rennes", via="demonym"), "D", False),
        (Slot(0, 7, "Demonym", "Bretagne", via="region-demonym"), "R", False),
        (Slot(0, 4, "Person", "Julien Morvan", via="initials"), "P", True),
    ],
)
def test_slot_code_and_is_named(slot, code, is_named):
    assert (slot.code, slot.is_named) == (code, is_named)


def test_organization_rules_are_one_function_each():
    assert [rule.__name__ for rule in ORGANIZATION_RULES] == [
        "_domain_names",
        "_defined_acronyms",
        "_context_companies",
        "_chez_names",
        "_expanded_acronyms",
        "_family_names",
        "_states",
        "_headed_names",
        "_bracketed_affiliations",
    ]


def test_short_form_after_unit_word_is_the_parent() -> None:
    """ "Orvane Capital, la branche … d'Orvane": the short form names the parent, not the arm."""
    from kg.extract.mentions import _merge_short_forms

    text = "Orvane Capital, la branche d'investissement d'Orvane, et Orvane Capital encore."
    slots = [
        Slot(0, 14, "Organization", "Orvane Capital"),
        Slot(46, 52, "Organization", "Orvane"),
    ]
    assert text[46:52] == "Orvane"
    assert [s.name for s in _merge_short_forms(slots, text)] == ["Orvane Capital", "Orvane"]
    plain = "Orvane Capital investit. Orvane annonce."
    other = [Slot(0, 14, "Organization", "Orvane Capital"), Slot(25, 31, "Organization", "Orvane")]
    assert [s.name for s in _merge_short_forms(other, plain)] == ["Orvane Capital"] * 2


def test_university_contraction_is_its_full_name() -> None:
    """ "UVarenne" beside "Université de Varenne" is the same institution."""
    from kg.extract.mentions import _merge_short_forms

    slots = [
        Slot(0, 21, "Organization", "Université de Varenne"),
        Slot(30, 38, "Organization", "UVarenne"),
        Slot(40, 46, "Organization", "UNamur"),
    ]
    assert [s.name for s in _merge_short_forms(slots)] == ["Université de Varenne"] * 2 + ["UNamur"]


def test_country_unit_is_not_its_parent() -> None:
    """ "Varnet Belgium" is a unit of "Varnet", not a longer name of it."""
    from kg.extract.mentions import _merge_short_forms, country_unit_parent

    slots = [Slot(0, 14, "Organization", "Varnet Belgium"), Slot(20, 26, "Organization", "Varnet")]
    assert [s.name for s in _merge_short_forms(slots)] == ["Varnet Belgium", "Varnet"]
    assert country_unit_parent("Varnet France") == "Varnet"
    assert country_unit_parent("Varnet Industries") is None


def test_acronym_after_an_article_is_an_institution(nlp) -> None:
    """ "le CNRS" is an institution even though the model knows the word; "PARIS" alone is not."""
    from kg.extract.mentions import _acronym_company

    text = "Varnet collabore avec le CNRS depuis PARIS."
    doc = nlp(text)
    cnrs = Slot(text.index("CNRS"), text.index("CNRS") + 4, "Place", "CNRS")
    paris = Slot(text.index("PARIS"), text.index("PARIS") + 5, "Place", "PARIS")
    assert _acronym_company(doc, text, cnrs)
    assert not _acronym_company(doc, text, paris)
