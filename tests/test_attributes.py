"""kg/extract/attributes.py: figures read over masked sentences, given to their company."""

from __future__ import annotations

from kg.extract.attributes import Around, match_attributes
from kg.extract.lexicon import default_lexicon
from kg.extract.mentions import Slot
from kg.extract.relations import mask_sentence
from kg.records import Quantity


def attributes(nlp, text, slots):
    """(company, property, quantity) of every attribute read in ``text`` as one sentence."""
    lexicon = default_lexicon()
    sentence = mask_sentence(text, 0, len(text), slots)
    return {
        (m.subject.name, m.property, m.value)
        for m in match_attributes(nlp(text), sentence, lexicon.attributes, lexicon)
    }


def test_revenue_in_words_and_currency(nlp):
    text = "Quantix réalise un chiffre d'affaires de 12 millions d'euros."
    assert attributes(nlp, text, [Slot(0, 7, "Organization", "Quantix")]) == {
        ("Quantix", "revenue", Quantity(12_000_000.0, "EUR"))
    }


def test_a_fronted_founding_year_goes_to_the_company_after_it(nlp):
    text = "Créée en 2015 à Nantes, la société Quantix recrute."
    slots = [Slot(16, 22, "Place", "Nantes"), Slot(35, 42, "Organization", "Quantix")]
    assert attributes(nlp, text, slots) == {("Quantix", "foundingYear", Quantity(2015.0, "year"))}


def test_employees_skip_an_apposition(nlp):
    text = "Quantix, filiale de Varnel, emploie 85 salariés."
    slots = [Slot(0, 7, "Organization", "Quantix"), Slot(20, 26, "Organization", "Varnel")]
    assert attributes(nlp, text, slots) == {("Quantix", "employees", Quantity(85.0, None))}


def test_a_raise_with_an_implicit_currency_is_in_euros(nlp):
    text = "Quantix boucle une levée de 5 millions auprès de ses actionnaires."
    assert attributes(nlp, text, [Slot(0, 7, "Organization", "Quantix")]) == {
        ("Quantix", "fundsRaised", Quantity(5_000_000.0, "EUR"))
    }


def test_a_negated_or_planned_figure_is_not_read(nlp):
    slots = [Slot(0, 7, "Organization", "Quantix")]
    assert attributes(nlp, "Quantix n'emploie pas 85 salariés.", slots) == set()
    assert attributes(nlp, "Quantix pourrait employer 85 salariés.", slots) == set()


def test_no_company_no_attribute(nlp):
    assert attributes(nlp, "Le secteur emploie 85 salariés.", []) == set()


def test_a_multiplier_read_as_a_name_is_unmasked(nlp):
    text = "Quantix réalise un chiffre d'affaires de 2,3 Mrds € en 2021."
    slots = [Slot(0, 7, "Organization", "Quantix"), Slot(45, 49, "Place", "Mrds")]
    assert attributes(nlp, text, slots) == {
        ("Quantix", "revenue", Quantity(2_300_000_000.0, "EUR"))
    }


def test_a_relative_clause_has_its_own_tense(nlp):
    text = "Anne Roy dirigera l'entreprise Quantix, qui emploie 85 salariés."
    slots = [Slot(0, 8, "Person", "Anne Roy"), Slot(31, 38, "Organization", "Quantix")]
    assert attributes(nlp, text, slots) == {("Quantix", "employees", Quantity(85.0, None))}


def test_a_founder_named_after_par_is_no_subject(nlp):
    text = "Quantix, fondée par Varnel en 2014, recrute."
    slots = [Slot(0, 7, "Organization", "Quantix"), Slot(20, 26, "Organization", "Varnel")]
    assert attributes(nlp, text, slots) == {("Quantix", "foundingYear", Quantity(2014.0, "year"))}


def test_a_first_person_figure_goes_to_the_topic(nlp):
    lexicon = default_lexicon()
    text = (
        "« Nous employons 40 salariés et réalisons un chiffre d'affaires de 5 millions d'euros »."
    )
    sentence = mask_sentence(text, 0, len(text), [])
    topic = Slot(0, 0, "Organization", "Quantix", via="topic")
    found = {
        (m.subject.name, m.property, m.value.value)
        for m in match_attributes(nlp(text), sentence, lexicon.attributes, lexicon, Around(topic))
    }
    assert found == {("Quantix", "revenue", 5_000_000.0), ("Quantix", "employees", 40.0)}
