"""kg/extract/relations.py: masked sentences and the relation patterns read over them."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from kg.errors import InputError
from kg.extract.lexicon import default_lexicon
from kg.extract.mentions import Slot
from kg.extract.relations import (
    COLLECTORS,
    DocumentContext,
    check_collectors,
    clause_modality,
    mask_sentence,
    match_relations,
    register_collector,
)
from kg.extract.stages import State, run_stages
from kg.records import Document

NO_CONTEXT = DocumentContext(None, lambda p: None, lambda p: None, lambda s: False)


def test_mask_sentence_replaces_slots_by_tokens_and_maps_back():
    text = "Intro. Anne Roy, PDG de Varnel, signe."
    slots = [Slot(7, 15, "Person", "Anne Roy"), Slot(24, 30, "Organization", "Varnel")]
    sentence = mask_sentence(text, 7, len(text), slots)
    assert sentence.masked == "⟨0:P⟩, PDG de ⟨1:O⟩, signe."
    assert sentence.text == "Anne Roy, PDG de Varnel, signe."
    assert sentence.slot("1") == slots[1]
    assert sentence.to_original(sentence.masked.index("PDG")) == text.index("PDG")


def test_mask_sentence_keeps_the_earliest_longest_of_overlapping_slots():
    slots = [
        Slot(0, 13, "Organization", "Varnel Europe"),
        Slot(0, 6, "Organization", "Varnel"),
        Slot(7, 13, "Place", "Europe"),
    ]
    assert mask_sentence("Varnel Europe recrute.", 0, 22, slots).masked == "⟨0:O⟩ recrute."


def matches(nlp, text):
    """(subject, predicate, object, modality, pattern) of every relation the stages read."""
    state = run_stages(State(_document(text), nlp(text), default_lexicon()))
    return [
        (
            m.subject.name,
            m.predicate,
            m.object.name if m.object else None,
            m.modality,
            m.pattern.name,
        )
        for m in state.matches
    ]


def _document(text):
    return Document("d", "d.txt", "", text)


def test_a_verb_pattern_and_an_apposition(nlp):
    assert matches(
        nlp,
        "Le groupe Varnel a racheté la société Quantix. Sophie Marchal dirige Varnel depuis 2019.",
    ) == [
        ("Varnel", "acquired", "Quantix", "asserted", "acquire-verb"),
        ("Sophie Marchal", "ceoOf", "Varnel", "asserted", "ceo-verb"),
    ]


def test_negated_and_planned_relations_keep_their_modality(nlp):
    assert matches(nlp, "Varnel n'a pas racheté Quantix. Le groupe pourrait racheter Delvo.") == [
        ("Varnel", "acquired", "Quantix", "negated", "acquire-verb"),
        ("Varnel", "acquired", "Delvo", "planned", "acquire-verb"),
    ]


def test_match_relations_over_one_masked_sentence(nlp):
    text = "Varnel investit dans Quantix."
    doc = nlp(text)
    slots = [Slot(0, 6, "Organization", "Varnel"), Slot(21, 28, "Organization", "Quantix")]
    sentence = mask_sentence(text, 0, len(text), slots)
    lexicon = default_lexicon()
    found = list(match_relations(doc, sentence, lexicon.relations, lexicon, NO_CONTEXT))
    assert [(m.subject.name, m.predicate, m.object.name) for m in found] == [
        ("Varnel", "investedIn", "Quantix")
    ]
    assert found[0].confidence == found[0].pattern.confidence  # both sides named


def test_a_description_lowers_confidence(nlp):
    text = "Le groupe investit dans Quantix."
    slots = [
        Slot(0, 9, "Organization", "Varnel", via="description"),
        Slot(24, 31, "Organization", "Quantix"),
    ]
    sentence = mask_sentence(text, 0, len(text), slots)
    lexicon = default_lexicon()
    (found,) = match_relations(nlp(text), sentence, lexicon.relations, lexicon, NO_CONTEXT)
    assert found.confidence == pytest.approx(found.pattern.confidence * 0.85)


def test_clause_modality_reads_the_clause_of_the_match(nlp):
    text = "Varnel pourrait racheter Quantix, mais Delvo a racheté Brenix."
    slots = [
        Slot(0, 6, "Organization", "Varnel"),
        Slot(25, 32, "Organization", "Quantix"),
        Slot(39, 44, "Organization", "Delvo"),
        Slot(55, 61, "Organization", "Brenix"),
    ]
    sentence = mask_sentence(text, 0, len(text), slots)
    masked, lexicon = sentence.masked, default_lexicon()
    first = masked.index("⟨0"), masked.index("⟨1") + 5
    second = masked.index("⟨2"), masked.index("⟨3") + 5
    assert clause_modality(nlp(text), sentence, *first, lexicon) == "planned"
    assert clause_modality(nlp(text), sentence, *second, lexicon) == "asserted"


def test_a_registered_collector_is_a_known_collect_kind():
    pattern = replace(default_lexicon().relations[0], collect="test_nobody")
    with pytest.raises(InputError, match="unknown collect 'test_nobody'"):
        check_collectors([pattern])

    @register_collector("test_nobody")
    def _nobody(sentence, match):
        return "subject", []

    try:
        assert COLLECTORS["test_nobody"] is _nobody
        check_collectors([pattern])
    finally:
        del COLLECTORS["test_nobody"]


def test_agents_within_collects_every_person_and_organization_of_the_match():
    text = "Ses investisseurs, Anne Roy et Orbis, ont remis au pot à Lyon."
    slots = [
        Slot(19, 27, "Person", "Anne Roy"),
        Slot(31, 36, "Organization", "Orbis"),
        Slot(57, 61, "Place", "Lyon"),
    ]
    sentence = mask_sentence(text, 0, len(text), slots)
    match = re.search(r"investisseurs.*remis au pot", sentence.masked)
    role, collected = COLLECTORS["agents_within"](sentence, match)
    assert role == "subject"
    assert [s.name for s in collected] == ["Anne Roy", "Orbis"]


def test_an_agent_list_mixes_persons_and_organizations_and_skips_brackets(nlp):
    found = matches(
        nlp,
        "Les actionnaires historiques Paul Verdier (Verdier Invest) et Ostrale Développement "
        "conservent une participation dans Biolume.",
    )
    invested = {(s, o) for s, p, o, modality, _ in found if p == "investedIn"}
    assert invested == {("Paul Verdier", "Biolume"), ("Ostrale Développement", "Biolume")}


def test_group_in_brackets_reads_the_original_words():
    text = "Tolmeca (groupe Varnier) recrute. Tolmeca (Varnier) recrute."
    slots = [
        Slot(0, 7, "Organization", "Tolmeca"),
        Slot(9, 23, "Organization", "Varnier"),
        Slot(34, 41, "Organization", "Tolmeca"),
        Slot(43, 50, "Organization", "Varnier"),
    ]
    collect = COLLECTORS["group_in_brackets"]
    first = mask_sentence(text, 0, 33, slots)
    second = mask_sentence(text, 34, len(text), slots)
    bracket = r"⟨\d+:O⟩\s*\(\s*⟨\d+:O⟩\s*\)"
    assert [s.name for s in collect(first, re.search(bracket, first.masked))[1]] == ["Varnier"]
    assert collect(second, re.search(bracket, second.masked))[1] == []
