"""kg/extract/prefilter.py: the words a regex requires, derived from the regex itself."""

from __future__ import annotations

import random
import re

import pytest

from kg.extract.lexicon import compile_pattern, default_lexicon
from kg.extract.prefilter import (
    AnyRegex,
    PatternSet,
    WordIndex,
    fold,
    may_contain,
    required_words,
    with_first_look_ahead,
)


def words(pattern: str, flags: int = re.IGNORECASE) -> tuple[tuple[str, ...], ...]:
    return required_words(re.compile(pattern, flags))


def test_an_alternation_of_trigger_words_requires_one_of_them():
    assert words(r"⟨\d+:P⟩ (?:dirige|préside|a pris la tête de) ⟨\d+:O⟩") == (
        ("dirige", "préside", "a pris la tête de"),
        (":p⟩ ",),
        (":o⟩",),
    )


def test_words_containing_a_shorter_required_word_are_dropped():
    assert words(r"(?:dirigeait|dirige|dirigera) ⟨\d+:O⟩")[0] == ("dirige",)


def test_an_optional_group_requires_nothing():
    assert words(r"⟨\d+:P⟩(?:,? fondateur de)? rachète") == ((" rachète",), (":p⟩",))
    assert words(r"(?:fondateur|créateur)?\s*de\s+\w+") == ()


def test_a_branch_with_an_option_without_words_requires_nothing():
    assert words(r"\w+ (?:rachète|\d+) \w+") == ()


def test_a_regex_with_no_literal_word_is_never_filtered():
    assert words(r"\w+\s+\d{4}") == ()
    assert may_contain(fold("rien à voir"), ()) is True


def test_classes_look_arounds_and_short_words_are_not_requirements():
    assert words(r"[Rr]achète (?=Lumio)(?<!ex-)de") == (("achète ",),)
    assert words(r"a (?:un|le) b") == ()


def test_a_repeat_requires_its_body_at_least_once():
    assert words(r"(?:cède\s+)+à") == (("cède",),)
    assert words(r"(?:cède\s+){0,2}à") == ()


def test_case_is_folded_as_re_compares_it():
    requirements = words(r"dirige ⟨\d+:O⟩")
    assert may_contain(fold("⟨0:P⟩ DIRIGE ⟨1:O⟩"), requirements)
    assert not may_contain(fold("⟨0:P⟩ quitte ⟨1:O⟩"), requirements)
    # re equates "s" and "ſ" ignoring case: such a text is not folded, never filtered.
    assert fold("ſ") is None and may_contain(fold("⟨0:P⟩ ſiège ⟨1:O⟩"), words("siège"))
    # "İ".lower() is two characters where re reads one "i": not folded either.
    assert fold("DİRİGE") is None


def test_case_sensitive_scopes_are_still_required():
    assert words(r"(?-i:Groupe) \w+") == (("groupe",),)


def test_a_pattern_of_the_packaged_lexicon_never_loses_a_match():
    """For every packaged pattern and sentences built around the words it requires (and
    texts that match it), the prefilter keeps every sentence its regex matches."""
    lexicon = default_lexicon()
    rng = random.Random(7)
    pieces = ["⟨0:P⟩", "⟨1:O⟩", "⟨2:L⟩", "⟨3:D⟩", " , ", " de ", " le groupe ", " a été "]
    for pattern in [*lexicon.relations, *lexicon.attributes]:
        vocabulary = [w for group in pattern.requirements for w in group] + pieces
        for _ in range(40):
            text = "".join(rng.choice(vocabulary) for _ in range(rng.randint(2, 9)))
            text = text.upper() if rng.random() < 0.2 else text
            if pattern.regex.search(text):
                assert may_contain(fold(text), pattern.requirements), (pattern.name, text)


def test_the_word_index_keeps_exactly_the_patterns_may_contain_keeps():
    """The index of a pattern set (user patterns included) answers as testing each pattern's
    requirements in turn would, in the patterns' order."""
    lexicon = default_lexicon()
    user = [compile_pattern(r"{S:ORG} (?:s'allie|fusionne) avec {O:ORG}", {})]
    patterns = PatternSet([*lexicon.relations, *lexicon.attributes])
    few = PatternSet(lexicon.relations[:4])  # few words: looked for directly
    words = [w for p in patterns for g in p.requirements for w in g] + ["ſ", " ", "⟨0:P⟩", "de"]
    rng = random.Random(11)
    for _ in range(2000):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 12)))
        folded = fold(text.upper() if rng.random() < 0.2 else text)
        for indexed in (patterns, few):
            kept = [p for p in indexed if may_contain(folded, p.requirements)]
            assert indexed.candidates(folded) == kept, text
    index = WordIndex([required_words(r) for r in user] + [(("de",), ("dirige",)), ()])
    assert index.candidates(fold("⟨0:O⟩ FUSIONNE avec ⟨1:O⟩")) == [0, 2]
    assert index.candidates(fold("Anne dirige, DE fait")) == [1, 2]
    assert index.candidates(None) == [0, 1, 2]


@pytest.mark.parametrize(
    "sentence",
    [
        "⟨0:P⟩, PDG de ⟨1:O⟩, a signé un accord avec ⟨2:O⟩.",
        "⟨0:O⟩ a racheté ⟨1:O⟩ pour 20 millions d'euros.",
        "⟨0:O⟩, basée à ⟨1:L⟩, emploie 120 salariés.",
        "Fondée en 2012 par ⟨0:P⟩, ⟨1:O⟩ est une filiale de ⟨2:O⟩.",
    ],
)
def test_every_pattern_that_matches_a_sentence_passes_its_prefilter(sentence):
    for pattern in default_lexicon().relations:
        if pattern.regex.search(sentence):
            assert may_contain(fold(sentence), pattern.requirements), pattern.name


def test_the_requirements_are_derived_for_user_patterns_too():
    regex = compile_pattern(r"{S:ORG} (?:s'allie|fusionne) avec {O:ORG}", {})
    assert ("s'allie", "fusionne") in required_words(regex)


def test_any_regex_answers_as_the_alternation_does():
    cues = [r"(?:PDG|DG)s?\s+de\s+$", r"\bchez\s+$", r"^\s+rachète\b", r"\d\s*%\s+de\s+$"]
    alternation = re.compile("|".join(f"(?:{c})" for c in cues), re.IGNORECASE)
    matcher = AnyRegex.of(cues, re.IGNORECASE)
    assert [len(r) for _, r in matcher.parts] == [2, 1, 1, 1]  # ("dg",), ("de",) for the first
    for text in ["le DG de ", "travaille chez ", " rachète X", "20 % de ", "à Lyon ", "", "chez"]:
        assert (matcher.search(text) is None) == (alternation.search(text) is None), text


def test_any_regex_keeps_back_references_in_one_alternation():
    matcher = AnyRegex.of([r"(\w+) \1", r"chez"], re.IGNORECASE)
    assert len(matcher.parts) == 1 and matcher.search("bla bla")


def test_the_first_look_ahead_changes_no_match():
    """Every packaged pattern finds the same matches (spans and groups) with its look-ahead for
    first characters as without it, on texts built from its words, slots and odd case pairs."""
    lexicon = default_lexicon()
    rng = random.Random(5)
    pieces = ["⟨0:P⟩", "⟨1:O⟩", "⟨2:L⟩", " , ", " de ", " en 2012 ", " 20 millions d'euros ", "ſ"]
    assert sum(bool(p.regex.look_ahead) for p in lexicon.relations) > 100  # (all LazyRegex)
    for pattern in [*lexicon.relations, *lexicon.attributes]:
        plain = re.compile(pattern.regex.pattern, re.IGNORECASE)
        vocabulary = [w for group in pattern.requirements for w in group] + pieces
        for _ in range(30):
            text = "".join(rng.choice(vocabulary) for _ in range(rng.randint(2, 9)))
            text = text.upper() if rng.random() < 0.2 else text
            expected = [(m.span(), m.groups()) for m in plain.finditer(text)]
            assert [(m.span(), m.groups()) for m in pattern.regex.finditer(text)] == expected


@pytest.mark.parametrize(
    ("pattern", "flags", "wrapped"),
    [
        (r"(?:fondée?|créée?)\s+en", re.I, True),
        (r"a?b", 0, True),
        (r"(?<=x)ab|\d", 0, True),
        (r".a", 0, False),  # any character
        (r"[^a]b", 0, False),  # a negated class
        (r"(?i:a)b", 0, False),  # case ignored in a scope only
        (r"(?:x|)", 0, False),  # may match the empty string
        (r"(?i)abc", 0, False),  # global flags stay first
    ],
)
def test_the_first_look_ahead_is_added_only_where_it_is_known(pattern, flags, wrapped):
    regex = with_first_look_ahead(re.compile(pattern, flags))
    assert (regex.pattern != pattern) is wrapped
