"""kg/extract/coref.py: descriptions, pronouns, interview turns and salience."""

from __future__ import annotations

from kg.extract.coref import (
    Turn,
    find_descriptions,
    find_pronouns,
    find_turns,
    first_person,
    organization_kinds,
    resolve_references,
    salient,
    topic,
    turn_at,
    we_slots,
)
from kg.extract.lexicon import default_lexicon
from kg.extract.mentions import Slot, find_named_slots

VARNEL = Slot(0, 6, "Organization", "Varnel")
QUANTIX = Slot(30, 37, "Organization", "Quantix")
ANNE = Slot(50, 58, "Person", "Anne Roy")


def test_topic_is_the_most_named_organization():
    assert topic([VARNEL, QUANTIX, Slot(70, 77, "Organization", "Quantix"), ANNE]) == QUANTIX
    assert topic([VARNEL, QUANTIX]) == VARNEL  # a tie: the first named
    assert topic([ANNE]) is None
    assert topic([VARNEL, ANNE], "Person") == ANNE


def test_salient_weighs_recency_against_mentions():
    later = Slot(500, 507, "Organization", "Quantix")
    assert salient([VARNEL, VARNEL, later], "Organization", 600, 590) == later
    assert salient([VARNEL, VARNEL, VARNEL, later], "Organization", 600, 590) == VARNEL
    assert salient([VARNEL, later], "Organization", 600, 590, exclude={"quantix"}) == VARNEL
    assert salient([VARNEL], "Person", 600, 590) is None


def test_descriptions_and_pronouns_are_found_apart_from_names(nlp):
    text = (
        "Kestrel annonce un partenariat. Le groupe vise l'Asie. Il faut aller vite. Elle recrute."
    )
    doc = nlp(text)
    named = find_named_slots(doc, default_lexicon())
    descriptions = find_descriptions(doc, named, default_lexicon())
    assert [(text[d.start : d.end], d.type, d.via) for d in descriptions] == [
        ("Le groupe", "Organization", "description")
    ]
    # "Il faut" is impersonal: no pronoun.
    assert [(text[p.start : p.end], p.via) for p in find_pronouns(doc)] == [("Elle", "pronoun")]


def test_a_description_before_a_name_heads_it(nlp):
    doc = nlp("Le groupe Varnel recrute. Il vise l'Asie.")
    named = find_named_slots(doc, default_lexicon())
    assert find_descriptions(doc, named, default_lexicon()) == []


def test_references_take_the_name_they_refer_to():
    text = "Varnel a racheté Quantix. Le groupe vise l'Asie. Anne Roy dirige la start-up. Elle…"
    named = [
        Slot(0, 6, "Organization", "Varnel"),
        Slot(17, 24, "Organization", "Quantix"),
        Slot(49, 57, "Person", "Anne Roy"),
    ]
    references = [
        Slot(26, 35, "Organization", "", via="description"),
        Slot(65, 76, "Organization", "", via="description"),
        Slot(78, 82, "Person", "", via="pronoun"),
    ]
    resolved = resolve_references(text, named, references, [0, 26, 49, 78])
    assert [(r.start, r.type, r.name, r.via) for r in resolved] == [
        (26, "Organization", "Varnel", "description"),
        (65, "Organization", "Varnel", "description"),
        (78, "Person", "Anne Roy", "pronoun"),
    ]


def test_an_apposition_refers_to_the_name_before_it():
    text = "Varnel, le leader du secteur, recrute. Quantix aussi."
    named = [Slot(0, 6, "Organization", "Varnel"), Slot(39, 46, "Organization", "Quantix")]
    references = [Slot(8, 17, "Organization", "", via="description")]
    assert [r.name for r in resolve_references(text, named, references, [0, 39])] == ["Varnel"]


def test_interview_turns_and_first_person():
    text = "Entretien avec Julien Morvan.\nJ.M. : Chez Kestrel, nous exportons."
    slots = [
        Slot(15, 28, "Person", "Julien Morvan"),
        Slot(30, 34, "Person", "Julien Morvan", via="initials"),
    ]
    turns = find_turns(text, slots)
    assert turns == [Turn(30, len(text), "Julien Morvan")]
    assert turn_at(turns, 40) == turns[0]
    assert turn_at(turns, 10) is None
    assert first_person("Chez Kestrel, nous exportons.")
    assert not first_person("Kestrel exporte.")


def test_we_stands_for_the_speakers_organization():
    text = "J.M. : Chez Kestrel, nous exportons notre savoir-faire."
    turns = [Turn(0, len(text), "Julien Morvan")]
    assert [
        (text[s.start : s.end], s.name, s.via)
        for s in we_slots(text, turns, {"Julien Morvan": "Kestrel"})
    ] == [("nous", "Kestrel", "we"), ("notre", "Kestrel", "we")]
    assert we_slots(text, turns, {}) == []


def test_a_description_skips_names_of_another_kind():
    text = "Le fonds Orvane Capital entre au capital d'Ilvo. Orvane Capital vise l'Asie. L'entreprise recrute."
    named = [
        Slot(9, 23, "Organization", "Orvane Capital"),
        Slot(42, 46, "Organization", "Ilvo"),
        Slot(48, 62, "Organization", "Orvane Capital"),
    ]
    references = [Slot(78, 91, "Organization", "", via="description")]
    lexicon = default_lexicon()
    assert organization_kinds(text, named, lexicon) == {"orvane capital": "investor"}
    resolved = resolve_references(text, named, references, [0, 48, 78], lexicon)
    assert [r.name for r in resolved] == ["Ilvo"]
    # without the lexicon, the most named company wins
    assert [r.name for r in resolve_references(text, named, references, [0, 48, 78])] == [
        "Orvane Capital"
    ]


def test_a_second_description_with_another_head_names_another_company():
    text = "Varnel rachète Quantix. « Nous allons relancer l'entreprise », dit Anne Roy, PDG du groupe."
    named = [
        Slot(0, 6, "Organization", "Varnel"),
        Slot(15, 22, "Organization", "Quantix"),
        Slot(67, 75, "Person", "Anne Roy"),
    ]
    references = [
        Slot(46, 59, "Organization", "", via="description"),
        Slot(84, 90, "Organization", "", via="description"),
    ]
    resolved = resolve_references(text, named, references, [0, 24])
    assert [r.name for r in resolved] == ["Varnel", "Quantix"]


def test_a_sentence_set_at_a_company_and_a_headline_subject():
    text = "Varnel rachète deux usines\nChez Quantix, le groupe résiste. Le groupe recrute."
    named = [Slot(0, 6, "Organization", "Varnel"), Slot(32, 39, "Organization", "Quantix")]
    references = [
        Slot(41, 50, "Organization", "", via="description"),
        Slot(60, 69, "Organization", "", via="description"),
    ]
    resolved = resolve_references(text, named, references, [0, 27, 60])
    assert [r.name for r in resolved] == ["Quantix", "Varnel"]


def test_a_pronoun_skips_a_name_a_preposition_introduces():
    text = "Anne Roy grandit à Dakar. Après Polytechnique, elle devient trader."
    named = [
        Slot(0, 8, "Person", "Anne Roy"),
        Slot(32, 45, "Organization", "Polytechnique"),
    ]
    references = [Slot(47, 51, "Person", "", via="pronoun")]
    assert [r.name for r in resolve_references(text, named, references, [0, 26])] == ["Anne Roy"]


def test_a_demonstrative_description_takes_up_the_name_its_noun_introduced():
    from kg.extract.coref import _introduced_as

    text = "Varn monte dans la coentreprise Lumo. Varn détient 20 % de cette coentreprise."
    named = [Slot(0, 4, "Organization", "Varn"), Slot(32, 36, "Organization", "Lumo")]
    found = _introduced_as(text, named, Slot(59, 77, "Organization", ""))
    assert found is not None and found.name == "Lumo"
    # "la coentreprise" (no demonstrative) is left to salience
    assert (
        _introduced_as("Varn. La coentreprise.", named[:1], Slot(6, 21, "Organization", "")) is None
    )


def test_the_holder_of_a_stake_is_not_the_company_it_is_held_in():
    from kg.extract.coref import _holders_before

    text = "La part de Varn dans cette coentreprise."
    varn = Slot(11, 15, "Organization", "Varn")
    assert _holders_before(text, [varn], Slot(21, 39, "Organization", ""), 0) == {"varn"}
    assert (
        _holders_before("Varn et la société.", [varn], Slot(8, 18, "Organization", ""), 0) == set()
    )


def test_the_latter_is_the_last_name_of_the_sentence_or_the_one_before():
    from kg.extract.coref import find_latter

    text = "Varn a racheté Kelt. Le patron de cette dernière part."
    named = [Slot(0, 4, "Organization", "Varn"), Slot(15, 19, "Organization", "Kelt")]
    assert [(s.name, s.type) for s in find_latter(text, named, [0, 21])] == [
        ("Kelt", "Organization")
    ]
    # a company named as a complement gives way to the person named with it
    text = "Il sera remplacé par Paul Roy, président de Kelt. Ce dernier part."
    named = [Slot(21, 29, "Person", "Paul Roy"), Slot(44, 48, "Organization", "Kelt")]
    assert [s.name for s in find_latter(text, named, [0, 50])] == ["Paul Roy"]
    # nothing named in the window: no antecedent
    assert find_latter("Kelt recrute. Puis rien. Ce dernier part.", named[1:], [0, 14, 25]) == []
