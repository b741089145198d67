"""Numeric attributes: revenue, employees, valuation, founding year, funds raised, investment."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc

from ..records import Quantity
from .lexicon import AttributePattern, Lexicon
from .mentions import Slot
from .modality import cue_regex, modality_of
from .numbers import find_amounts
from .prefilter import pattern_set
from .relations import _DIRECTNESS, MaskedSentence, _clause_start, _verbs_between, mask_sentence

__all__ = ["AttributeMatch", "Around", "match_attributes"]

_ORG_SLOT = re.compile(r"⟨(\d+):O⟩")
# A closed parenthesis: "Codexa (groupe Telvia)" says nothing of whom a later figure describes.
_PARENTHESIS = re.compile(r"\([^()]*\)")
# Between a figure and a slot: an agent ("fondée par ⟨O⟩") or a target ("investi 2 M€ dans
# ⟨O⟩"), so the slot is not the figure's owner.
_NOT_OWNER = re.compile(r"\b(?:par|dans|chez|auprès)\b")
_AGENT = re.compile(r"\bpar\b")
# A relative clause or a parenthesis opens a clause of its own.
_RELATIVE = re.compile(r",\s*(?:qui|dont|laquelle|lequel)\b|\(")
# A slot whose text is a multiplier or a currency: "2,3 Mrds €" with "Mrds" read as a name.
_UNIT_NAME = re.compile(
    r"(?:mrds?|mds?|md|mio|[mk][€$£]|m?chf|millions?|milliards?|eur|usd)\.?", re.I
)
_OWNER_AFTER = re.compile(r"\s+(?:de\s+la\s+|de\s+l['’]\s*|du\s+|de\s+|d['’]\s*)⟨(\d+):O⟩")
# An unnamed company the clause turns to ("rachète une PME qui emploie …", "une start-up fondée
# en 2008"), unless it describes the slot before it ("⟨O⟩, une PME de 20 salariés").
_UNNAMED_COMPANY = re.compile(
    r"\b(?:une?|d['’]une?)\s+(?:petite\s+|jeune\s+)?(?:start-?\s?up|société|entreprise|PME|PMI|"
    r"firme|pépite|jeune\s+pousse|usine)\b",
    re.I,
)
# What a merger makes ("la nouvelle entité, forte de 2.000 salariés"): none of the firms named.
_COMBINED = re.compile(
    r"\b(?:la\s+(?:nouvelle|future)\s+entité|le\s+(?:nouvel|futur)\s+ensemble)\b", re.I
)
_APPOSED = re.compile(r"\s*(?:,|\(|est\s|était\s|devient\s|reste\s)\s*(?:une?|d['’]une?)\s")
# A headcount at the start ("fondée avec 3 salariés", "a démarré avec deux employés"): history.
_STARTED_WITH = re.compile(
    r"\b(?:fondée?s?|créée?s?|lancée?s?|démarré|commencé|débuté|née?s?)\s*,?\s+avec\s+"
    r"(?:seulement\s+|à\s+peine\s+|tout\s+juste\s+)?$",
    re.I,
)
_FIRST_PERSON = re.compile(r"\b(?:nous|notre|nos)\b", re.I)
_COPULA_OPENING = re.compile(r"\s*(?:c['’]est|il\s+s['’]agit|ce\s+sont)\b", re.I)
_EACH = re.compile(r"\bchacune?\b", re.I)
_PERSON_SLOT = re.compile(r"⟨(\d+):P⟩")
_POSSESSIVE = re.compile(r"\b(?:son|sa|ses|leur|leurs)\b", re.I)
_PERSON_OWNER = re.compile(r"\s+(?:de\s+|d['’]\s*)⟨\d+:P⟩")
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
    if pattern.value is not None:
        return Quantity(pattern.value, pattern.unit)
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


def _nearest_before(before: str) -> tuple[re.Match[str] | None, str]:
    """The last organization slot of ``before``, appositions and parentheses skipped: in
    "Codexa, filiale de Telvia, emploie 60 personnes" or "Codexa (groupe Telvia) emploie…" the
    number is Codexa's; a comma-bounded stretch that opens on another name is a list. Also
    returns ``before`` with them skipped."""
    before = _PARENTHESIS.sub(lambda m: " " * len(m.group(0)), before)
    before = re.sub(r"(⟨\d+:O⟩)\s*,(?!\s*⟨)[^,]*,", r"\1", before)
    preceding = list(_ORG_SLOT.finditer(before))
    return (preceding[-1] if preceding else None), before


def _subject(sentence: MaskedSentence, position: int, end: int, follow: bool = True) -> Slot | None:
    """The organization a number describes: the one whose parenthesis holds it; in a phrase that
    opens the sentence ("Fondée en 2014 par …, la société X"), the first one after it; else the
    nearest one before it, unless the clause has since turned to an unnamed company ("X rachète
    une PME qui emploie 20 personnes"); else the first one after it in the sentence that is no
    agent ("fondée en 2011 par une ingénieure de l'⟨O⟩") and no target ("a investi 2 M€ dans
    ⟨O⟩"); not after it with ``follow`` false (an investor is named before what it pays)."""
    before = sentence.masked[:position]
    inside = re.search(r"⟨(\d+):O⟩\s*\([^()]*$", before)
    if inside:
        return sentence.slot(inside.group(1))
    if not before.strip() and _FRONTED.match(sentence.masked, position):
        after = _AFTER_FRONTED.search(sentence.masked, position)
        if after:
            return sentence.slot(after.group(1))
    preceding, skipped = _nearest_before(before)
    if preceding:
        between = skipped[preceding.end() :]
        if _UNNAMED_COMPANY.search(between) and not _APPOSED.match(between):
            return None
        if _COMBINED.search(between):
            return None
        return sentence.slot(preceding.group(1))
    if _UNNAMED_COMPANY.search(before):
        return None
    following = _ORG_SLOT.search(sentence.masked, end) if follow else None
    if following and _COMBINED.search(sentence.masked, 0, following.start()):
        return None
    if following and not _NOT_OWNER.search(sentence.masked, position, following.start()):
        return sentence.slot(following.group(1))
    return None


def _own_slot(
    pattern: AttributePattern, match: re.Match[str], sentence: MaskedSentence
) -> Slot | None:
    """The organization the pattern itself names: its subject slot, an organization inside the
    match that is not an agent ("fondée par ⟨O⟩"), or the one right after the figure ("le
    millier de salariés de Sorvel")."""
    if "s" in pattern.regex.groupindex and match.group("s"):
        return sentence.slot(match.group("s"))
    masked = sentence.masked
    for inside in _ORG_SLOT.finditer(masked, match.start(), match.end()):
        if not _AGENT.search(masked, match.start(), inside.start()):
            return sentence.slot(inside.group(1))
    owner = _OWNER_AFTER.match(masked, match.end())
    return sentence.slot(owner.group(1)) if owner else None


def _asserted(
    doc: Doc,
    sentence: MaskedSentence,
    match: re.Match[str],
    pattern: AttributePattern,
    lexicon: Lexicon,
) -> bool:
    """Whether the figure is stated as a fact. A relative clause or a parenthesis is its own
    clause ("X dirige l'entreprise Y, qui emploie 50 personnes": the tense of "dirige" does not
    count); targets and forecasts ("misaient sur 80 millions") are no facts."""
    if not pattern.modality:
        return True
    start = match.start()
    clause = max(_clause_start(sentence.masked, start), start - 80)
    relative = list(_RELATIVE.finditer(sentence.masked, clause, start))
    if relative:
        clause = relative[-1].start()
    masked, end = sentence.masked, match.end()
    if cue_regex(tuple(lexicon.figure_hedges)).search(masked, clause, end):
        return False
    negation = masked[max(clause, start - 25) : end]
    if modality_of(negation, [], lexicon.negation_cues, []) == "negated":
        return False
    verbs = _verbs_between(doc, sentence.to_original(clause), sentence.to_original(end))
    return modality_of(masked[clause:end], verbs, [], lexicon.modality_cues) == "asserted"


def _without_units(doc: Doc, sentence: MaskedSentence) -> MaskedSentence:
    """The sentence masked again without the slots that are in fact a multiplier or currency
    ("2,3 Mrds €" where "Mrds" was read as a name)."""
    text, offset = sentence.text, sentence.start
    kept = [
        s
        for s in sentence.slots
        if not _UNIT_NAME.fullmatch(text[s.start - offset : s.end - offset])
    ]
    if len(kept) == len(sentence.slots):
        return sentence
    return mask_sentence(doc.text, sentence.start, sentence.end, kept)


@dataclass(frozen=True)
class Around:
    """What a sentence's figures may refer to beyond the organizations it names: the document's
    ``topic``, the first organization of the ``previous`` sentence, the organization each
    person heads (``heads``: name → slot, from the relations read), the ``buyer`` of the deal
    the sentence and the two before it read (see :func:`~.stages.deal_buyer`)."""

    topic: Slot | None = None
    previous: Slot | None = None
    heads: Mapping[str, Slot] = field(default_factory=dict)
    buyer: Slot | None = None


def match_attributes(
    doc: Doc,
    sentence: MaskedSentence,
    patterns: Sequence[AttributePattern],
    lexicon: Lexicon,
    around: Around | None = None,
) -> Iterator[AttributeMatch]:
    """Every attribute the patterns read in one masked sentence (asserted ones only); a figure
    with no organization of its own may refer to one ``around`` it (see :func:`_implicit`)."""
    sentence = _without_units(doc, sentence)
    # Only the patterns whose words the sentence holds (see :mod:`.prefilter`).
    for pattern in pattern_set(patterns).candidates(sentence.folded):
        for match in pattern.regex.finditer(sentence.masked):
            quantity = _quantity(pattern, match, sentence.masked)
            if quantity is None:
                continue
            if _PERSON_OWNER.match(sentence.masked, match.end()):
                continue  # "les salariés de ⟨P⟩": a name read as a person's, owner unknown
            if pattern.property == "employees" and _STARTED_WITH.search(
                sentence.masked, max(0, match.start() - 60), match.start()
            ):
                continue
            if pattern.subject == "buyer":
                # "La transaction est évaluée à 96 M$": the price of the deal just read.
                subject = (around or Around()).buyer
                if subject is not None and _asserted(doc, sentence, match, pattern, lexicon):
                    yield AttributeMatch(
                        subject, pattern.property, quantity, pattern, pattern.confidence, sentence
                    )
                continue
            subject = (
                _own_slot(pattern, match, sentence)
                or _subject(sentence, match.start(), match.end(), pattern.property != "investment")
                or _implicit(sentence, match, around or Around())
            )
            if subject is None or not _asserted(doc, sentence, match, pattern, lexicon):
                continue
            for each in _each(sentence, subject, match):
                confidence = pattern.confidence * _DIRECTNESS[each.via]
                yield AttributeMatch(
                    each, pattern.property, quantity, pattern, confidence, sentence
                )


def _implicit(sentence: MaskedSentence, match: re.Match[str], around: Around) -> Slot | None:
    """The organization of a figure the sentence names none for: the topic's when said in the
    first person in a sentence that names no organization ("« Nos ventes ont atteint
    4 millions l'an dernier », glisse sa fondatrice"); the previous sentence's first one in a
    sentence that opens on "C'est …" ("X ne vous dit rien ? C'est une PME fondée en 1990");
    under a possessive, the one the person named before it heads ("⟨P⟩ doit tout à ses
    collaborateurs (62 aujourd'hui)"). Never one the sentence names elsewhere ("fondée en 2008
    par un chercheur de ⟨topic⟩")."""
    masked, position = sentence.masked, match.start()
    if _ORG_SLOT.search(masked, 0, position):
        return None
    person = list(_PERSON_SLOT.finditer(masked, 0, position))
    candidate = None
    if _FIRST_PERSON.search(masked, 0, position) and not _ORG_SLOT.search(masked):
        candidate = around.topic
    elif _COPULA_OPENING.match(masked):
        candidate = around.previous
    elif person and _POSSESSIVE.search(match.group(0)):
        candidate = around.heads.get(sentence.slot(person[-1].group(1)).name)
    if candidate is None or any(s.name == candidate.name for s in sentence.slots):
        return None
    return candidate


def _each(sentence: MaskedSentence, subject: Slot, match: re.Match[str]) -> list[Slot]:
    """``subject`` and, when the figure is each one's ("A et B investissent chacun 5 M€"), the
    organizations listed with it."""
    masked = sentence.masked
    if not _EACH.search(masked, match.start(), match.end()) or subject not in sentence.slots:
        return [subject]
    token = f"⟨{sentence.slots.index(subject)}:O⟩"
    at = masked.find(token)
    listed = re.search(r"(?:⟨\d+:O⟩\s*(?:,|\bet\b)\s*)+$", masked[:at])
    after = re.match(r"(?:\s*(?:,|\bet\b)\s*⟨\d+:O⟩)+", masked[at + len(token) :])
    chain = (listed.group(0) if listed else "") + token + (after.group(0) if after else "")
    return [sentence.slot(index) for index in _ORG_SLOT.findall(chain)]
