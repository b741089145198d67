"""Numeric attributes: revenue, employees, valuation, founding year, funds raised, investment."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from spacy.tokens import Doc

from ..records import Quantity
from .lexicon import AttributePattern, Lexicon
from .mentions import Slot
from .numbers import find_amounts
from .prefilter import may_contain
from .relations import _DIRECTNESS, MaskedSentence, clause_modality

__all__ = ["AttributeMatch", "match_attributes"]

_ORG_SLOT = re.compile(r"⟨(\d+):O⟩")
_OWNER_AFTER = re.compile(r"\s+(?:de\s+la\s+|de\s+l['’]\s*|du\s+|de\s+|d['’]\s*)⟨(\d+):O⟩")
# A sentence that opens on a participle ("Fondée en 2014 …", "Créée en 1995 …") and the company
# named after the comma that closes that phrase.
_FRONTED = re.compile(r"\s*(?:Co-?)?(?:[A-ZÉ][a-zé]+(?:ée?s?|ie?s?|ue?s?)|Née?s?)\b")
_AFTER_FRONTED = re.compile(
    r",\s*(?:(?:le|la|l['’]|les)\s*[\w-]+(?:\s+[a-zé][\w-]*){0,2}\s+)?⟨(\d+):O⟩"
)


@dataclass(frozen=True)
class AttributeMatch:
    """One attribute read in a sentence."""

    subject: Slot
    property: str
    value: Quantity
    pattern: AttributePattern
    confidence: float
    sentence: MaskedSentence


def _quantity(pattern: AttributePattern, match: re.Match[str], masked: str) -> Quantity | None:
    groups = pattern.regex.groupindex
    if "year" in groups and match.group("year"):
        return Quantity(float(match.group("year")), "year")
    if "amount" not in groups or match.group("amount") is None:
        return None
    found = [
        a
        for a in find_amounts(masked[match.start("amount") : match.start("amount") + 60])
        if a.start == 0
    ]
    if not found:
        return None
    amount = found[0]
    if pattern.money and not amount.is_money:
        # "une levée de 60 millions": a money figure with its currency left implicit takes the
        # currency of the sentence's other amounts, euros by default.
        if not amount.has_multiplier:
            return None
        units = [a.quantity.unit for a in find_amounts(masked) if a.quantity.unit]
        return Quantity(amount.quantity.value, units[0] if units else "EUR")
    if pattern.money is False:
        value = amount.quantity.value
        if amount.is_money or value < 1 or value > 5_000_000 or value != int(value):
            return None
    return amount.quantity


def _subject(sentence: MaskedSentence, position: int) -> Slot | None:
    """The organization a number describes: the one whose parenthesis holds it; in a phrase that
    opens the sentence ("Fondée en 2014 par …, la société X"), the first one after it; else the
    nearest one before it, else the first one after it in the sentence."""
    before = sentence.masked[:position]
    inside = re.search(r"⟨(\d+):O⟩\s*\([^()]*$", before)
    if inside:
        return sentence.slot(inside.group(1))
    if not before.strip() and _FRONTED.match(sentence.masked, position):
        after = _AFTER_FRONTED.search(sentence.masked, position)
        if after:
            return sentence.slot(after.group(1))
    # Skip appositions: in "Codexa, filiale de Telvia, emploie 60 personnes" the number is Codexa's;
    # a comma-bounded stretch that opens on another name is a list, not an apposition.
    before = re.sub(r"(⟨\d+:O⟩)\s*,(?!\s*⟨)[^,]*,", r"\1", before)
    preceding = list(_ORG_SLOT.finditer(before))
    if preceding:
        return sentence.slot(preceding[-1].group(1))
    following = _ORG_SLOT.search(sentence.masked, position)
    return sentence.slot(following.group(1)) if following else None


def match_attributes(
    doc: Doc, sentence: MaskedSentence, patterns: Sequence[AttributePattern], lexicon: Lexicon
) -> Iterator[AttributeMatch]:
    """Every attribute the patterns read in one masked sentence (asserted ones only)."""
    for pattern in patterns:
        if not may_contain(sentence.folded, pattern.requirements):
            continue  # the sentence lacks every word the pattern needs
        for match in pattern.regex.finditer(sentence.masked):
            quantity = _quantity(pattern, match, sentence.masked)
            if quantity is None:
                continue
            inside = _ORG_SLOT.search(sentence.masked, match.start(), match.end())
            # "le millier de salariés de Wanty": the company named right after the figure.
            owner = _OWNER_AFTER.match(sentence.masked, match.end())
            slot = inside or owner
            subject = sentence.slot(slot.group(1)) if slot else _subject(sentence, match.start())
            if subject is None:
                continue
            if clause_modality(doc, sentence, match.start(), match.end(), lexicon) != "asserted":
                continue
            confidence = pattern.confidence * _DIRECTNESS[subject.via]
            yield AttributeMatch(subject, pattern.property, quantity, pattern, confidence, sentence)
