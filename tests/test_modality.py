"""kg/extract/modality.py: negation, hedges and future or conditional verbs."""

from __future__ import annotations

import random
import re

import pytest

from kg.extract.lexicon import default_lexicon
from kg.extract.modality import cue_regex, modality_of

NEGATION = ["ne pas", "dément"]
HEDGES = ["pourrait", "envisage"]


@pytest.mark.parametrize(
    ("clause", "found"),
    [
        ("Varnel n'a pas racheté", True),
        ("Varnel ne l'a finalement pas racheté", True),  # "pas" within three words of "ne"
        ("Varnel n'a jusqu'ici jamais vraiment pas", False),  # more than three words apart
        ("pas de rachat", False),
    ],
)
def test_ne_pas_is_ne_then_pas_within_three_words(clause, found):
    assert bool(cue_regex(("ne pas",)).search(clause)) is found


def test_a_cue_is_a_whole_word():
    assert cue_regex(("va",)).search("Varnel va racheter")
    assert not cue_regex(("va",)).search("Varnel valorise Quantix")
    assert not cue_regex(()).search("tout")


@pytest.mark.parametrize(
    ("clause", "modality"),
    [
        ("Varnel a racheté Quantix", "asserted"),
        ("Varnel n'a pas racheté Quantix", "negated"),
        ("Varnel dément avoir racheté Quantix", "negated"),
        ("Varnel pourrait racheter Quantix", "planned"),
        ("Varnel n'envisage pas de racheter Quantix", "negated"),  # negation first
    ],
)
def test_modality_of_cues(clause, modality):
    assert modality_of(clause, [], NEGATION, HEDGES) == modality


@pytest.mark.parametrize(
    ("text", "modality"),
    [
        ("Varnel rachètera Quantix.", "planned"),  # future
        ("Varnel rachèterait Quantix.", "planned"),  # conditional
        ("Varnel rachète Quantix.", "asserted"),
    ],
)
def test_a_future_or_conditional_verb_is_planned(nlp, text, modality):
    verbs = [t for t in nlp(text) if t.pos_ in {"VERB", "AUX"}]
    assert modality_of(text, verbs, NEGATION, HEDGES) == modality


@pytest.mark.parametrize(
    ("clause", "expected"),
    [
        ("la société va rester basée à", "asserted"),
        ("le siège restera à", "asserted"),
        ("le groupe pourrait rester installé à", "planned"),
        ("la société va déménager à", "planned"),
        ("il ne va pas rester à", "negated"),
    ],
)
def test_a_continuing_state_is_no_plan(clause, expected):
    assert modality_of(clause, [], ["ne pas"], ["va", "pourrait"]) == expected


def _without_look_ahead(cues: list[str]) -> re.Pattern[str]:
    """The cue regex as it was before the first-letter look-ahead: the reference."""
    negated, plain = [], []
    for words in (cue.split() for cue in cues):
        if len(words) == 2 and words[0] in {"ne", "n'"}:
            negated.append(re.escape(words[1]))
        else:
            plain.append(r"\s+".join(map(re.escape, words)))
    parts = []
    if negated:
        parts.append(r"\b(?:ne\s+|n['’]\s*)(?:[\w'’-]+\s+){0,3}?(?:" + "|".join(negated) + r")\b")
    if plain:
        parts.append(r"(?<![\w-])(?:" + "|".join(plain) + r")(?![\w-])(?!\s+(?:oublier|compter)\b)")
    return re.compile("|".join(parts) or "(?!)", re.IGNORECASE)


def test_the_first_letter_look_ahead_changes_no_answer():
    """The cue regex answers as it did without its look-ahead for the cues' first letters,
    case and odd case pairs ("ſ" for "s", the Kelvin sign for "k") included."""
    lexicon = default_lexicon()
    rng = random.Random(3)
    for cues in (lexicon.modality_cues, lexicon.negation_cues, lexicon.figure_hedges, ["", "si"]):
        reference = _without_look_ahead(cues)
        pieces = [*cues, " ", "-", "ſans", "\u212aeep", "X", "é", "À", " oublier"]
        for _ in range(400):
            text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 8)))
            text = text.upper() if rng.random() < 0.3 else text
            found = cue_regex(tuple(cues)).search(text)
            assert bool(found) == bool(reference.search(text)), (cues[:3], text)
