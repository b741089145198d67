"""Coreference without a downloaded model: descriptions, pronouns, interview speakers, salience.

French news refers back to a company with a definite description ("le groupe", "l'hébergeur
roubaisien", "cette pépite"), to a person with "il"/"elle" or "le fondateur", and interviews
give each answer to a speaker named in capitals or by initials ("G.B."). Each reference becomes a
:class:`~kg.extract.mentions.Slot` carrying the name it resolves to, so relation patterns treat
"le groupe" exactly like the company's name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from spacy.tokens import Doc

from ..naming import match_key, org_key
from ..nlp import doc_text
from .lexicon import Lexicon, _alternation
from .mentions import Slot

__all__ = [
    "Turn",
    "find_descriptions",
    "find_pronouns",
    "find_turns",
    "first_person",
    "salient",
    "topic",
]

_FIRST_PERSON = re.compile(r"(?:^|[\s«\"“(])(?:je|j['’]|moi|nous|notre|nos|on)\b", re.IGNORECASE)
_WE = re.compile(r"(?<![\w-])(?:nous|notre|nos|on)(?![\w'’-])", re.IGNORECASE)
_IMPERSONAL = re.compile(
    r"\s*(?:y\b|n['’]y\b|faut|fallait|faudra|s['’]agit|semble|paraît|reste|suffit|importe|"
    r"est\s+(?:vrai|clair|possible|temps|important|difficile|nécessaire|évident|probable)|"
    r"n['’]empêche|pleut|était\s+une\s+fois)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Turn:
    """A stretch of an interview where ``speaker`` (a person's name) is talking."""

    start: int
    end: int
    speaker: str


def key_of(slot: Slot) -> str:
    """Identity key of the entity a slot names."""
    return org_key(slot.name) if slot.type == "Organization" else match_key(slot.name)


def salient(
    slots: Sequence[Slot],
    entity_type: str,
    position: int,
    sentence_start: int,
    exclude: set[str] | None = None,
    openers: frozenset[int] = frozenset(),
) -> Slot | None:
    """The most salient named entity of a type before ``position``: mentions so far, plus a bonus
    for being mentioned in the current or previous stretch of text (the last 400 characters).

    >>> a = Slot(0, 3, "Organization", "OVH"); b = Slot(500, 506, "Organization", "Medria")
    >>> salient([a, a, b], "Organization", 600, 590).name  # Medria is recent
    'Medria'
    >>> salient([a, a, a, b], "Organization", 600, 590).name  # OVH is named more
    'OVH'
    """
    scores: dict[str, float] = {}
    latest: dict[str, Slot] = {}
    for slot in slots:
        if slot.type != entity_type or not slot.is_named or slot.start >= position:
            continue
        key = key_of(slot)
        if exclude and key in exclude:
            continue
        recency = 1.5 if slot.start >= min(sentence_start, position - 400) else 0.0
        if slot.start in openers:  # the subject of its sentence is the likelier antecedent
            recency += 0.5
        scores[key] = scores.get(key, 0.0) + 1.0
        scores[key + "\0recent"] = max(scores.get(key + "\0recent", 0.0), recency)
        latest[key] = slot
    if not latest:
        return None
    # The document's overall focus counts too: a company named throughout outweighs a name
    # dropped once in the previous sentence.
    totals: dict[str, int] = {}
    for slot in slots:
        if slot.type == entity_type and slot.is_named:
            totals[key_of(slot)] = totals.get(key_of(slot), 0) + 1
    best = max(
        latest,
        key=lambda k: (
            scores[k] + scores[k + "\0recent"] + min(2.0, 0.25 * totals[k]),
            latest[k].start,
        ),
    )
    return latest[best]


def topic(slots: Sequence[Slot], entity_type: str = "Organization") -> Slot | None:
    """The document's most mentioned entity of a type (first mentioned wins a tie)."""
    counts: dict[str, int] = {}
    first: dict[str, Slot] = {}
    for slot in slots:
        if slot.type == entity_type and slot.is_named:
            key = key_of(slot)
            counts[key] = counts.get(key, 0) + 1
            first.setdefault(key, slot)
    if not counts:
        return None
    best = max(counts, key=lambda k: (counts[k], -first[k].start))
    return first[best]


def find_turns(text: str, slots: Sequence[Slot]) -> list[Turn]:
    """Interview turns: each starts where a person's capitalised name or initials open an answer."""
    markers = []
    for slot in slots:
        if slot.type != "Person":
            continue
        raw = text[slot.start : slot.end]
        opens_answer = re.match(r"\s*[.:]?\s", text[slot.end : slot.end + 3]) is not None
        is_marker = slot.via == "initials" or (raw.isupper() and " " in raw)
        before = text[max(0, slot.start - 3) : slot.start]
        if (
            is_marker
            and opens_answer
            and (slot.start == 0 or re.search(r"[.!?»\"”\n]\s*$", before))
        ):
            markers.append(slot)
    turns = []
    for i, marker in enumerate(markers):
        end = markers[i + 1].start if i + 1 < len(markers) else len(text)
        turns.append(Turn(marker.start, end, marker.name))
    return turns


def turn_at(turns: Sequence[Turn], position: int) -> Turn | None:
    """The turn holding a character position, if any."""
    for turn in turns:
        if turn.start <= position < turn.end:
            return turn
    return None


def first_person(sentence: str) -> bool:
    """Does the sentence speak in the first person?

    >>> first_person("Chez Odoo, on a créé 2.000 emplois."), first_person("Odoo recrute.")
    (True, False)
    """
    return _FIRST_PERSON.search(sentence) is not None


def find_descriptions(doc: Doc, slots: Sequence[Slot], lexicon: Lexicon) -> list[Slot]:
    """Definite descriptions that refer back to a named organization or person.

    A description directly followed by a name ("le groupe OVH") or by "de <name>" ("le patron
    d'Odoo") is not a reference; one that follows a name after a comma is an apposition of it.
    """
    text = doc_text(doc)
    found: list[Slot] = []
    for entity_type, words in (
        ("Organization", lexicon.org_descriptors),
        ("Person", lexicon.person_descriptors),
    ):
        key = f"descriptions:{entity_type}"
        if key not in lexicon.compiled:
            lexicon.compiled[key] = re.compile(
                r"(?<![\w'’])(?:(?<=\bdu\s)|(?<=\bau\s)|l['’]\s*|le\s+|la\s+|ce\s+|cet\s+|cette\s+|son\s+|sa\s+|notre\s+)"
                r"(?:(?:jeune|petite?|grande?|nouve(?:au|l|lle)|célèbre|fameuse?|même)\s+)?"
                + _alternation(words)
                + r"(?![\w'’-])",
                re.IGNORECASE,
            )
        regex = lexicon.compiled[key]
        for match in regex.finditer(text):
            start, end = match.span()
            if any(s.start < end and start < s.end for s in list(slots) + found):
                continue
            if _heads_a_name(doc, slots, end, entity_type):
                continue
            if entity_type == "Person" and _apposition_of_person(text, slots, start):
                continue  # "Paul Roy, son président fondateur": the name is right there
            if entity_type == "Person" and re.match(r"\s+(?:du|des|de|d['’])", text[end:]):
                continue  # "il est le président du directoire de X": a title, read by the patterns
            found.append(Slot(start, end, entity_type, "", via="description"))
    return found


def _apposition_of_person(text: str, slots: Sequence[Slot], start: int) -> bool:
    """Does a person's name and a comma come right before ``start``?"""
    return any(s.type == "Person" and re.fullmatch(r"\s*,\s*", text[s.end : start]) for s in slots)


def _heads_a_name(doc: Doc, slots: Sequence[Slot], end: int, entity_type: str) -> bool:
    """Is the description the head of a name that follows it ("le groupe OVH", "l'éditeur
    vannetais d'applis mobiles Urbans", "le patron d'Odoo") rather than a reference back?"""
    following = next((s for s in slots if end <= s.start <= end + 80 and s.type != "Demonym"), None)
    if following is None:
        return False
    between = re.sub(r"(?<=\d)[.,](?=\d)", "", doc_text(doc)[end : following.start])
    if re.fullmatch(r"\s*(?:de\s+la|de\s+l['’]|du|des|de|d['’])\s*", between):
        return True
    # "la dirigeante fondatrice de X": a title of several words heads the name too.
    if entity_type == "Person" and re.fullmatch(
        r"(?:\s+(?:et\s+)?[a-zà-ÿ-]+){1,3}\s+(?:de\s+la|de\s+l['’]|du|des|de|d['’])\s*", between
    ):
        return True
    if entity_type != "Organization" or re.search(r"[.,;:!?()«»]", between):
        return False
    span = doc.char_span(end, following.start, alignment_mode="expand")
    return span is None or not any(t.pos_ in {"VERB", "AUX"} for t in span)


def find_pronouns(doc: Doc) -> list[Slot]:
    """Subject pronouns "il"/"elle" that may refer to a person or organization."""
    found = []
    text = doc_text(doc)
    for token in doc:
        if token.lower_ not in {"il", "elle"}:
            continue
        rest = text[token.idx + len(token.text) : token.idx + len(token.text) + 40]
        if _IMPERSONAL.match(rest):
            continue
        found.append(Slot(token.idx, token.idx + len(token.text), "Person", "", via="pronoun"))
    return found


def resolve_references(
    text: str,
    named: Sequence[Slot],
    references: Sequence[Slot],
    sentence_starts: Sequence[int],
) -> list[Slot]:
    """Give each description or pronoun the name it refers to; drop those that refer to nothing."""
    openers = frozenset(
        min((s.start for s in named if start <= s.start < end), default=-1)
        for start, end in zip(sentence_starts, [*sentence_starts[1:], len(text)], strict=True)
    )
    resolved: list[Slot] = []
    for ref in references:
        sentence_start = max((s for s in sentence_starts if s <= ref.start), default=0)
        antecedent: Slot | None
        if ref.via == "pronoun":
            antecedent = _pronoun_antecedent(named, resolved, ref, sentence_start, sentence_starts)
        else:
            before = text[max(0, ref.start - 4) : ref.start]
            previous = max(
                (s for s in named if s.end <= ref.start), key=lambda s: s.end, default=None
            )
            if (
                previous is not None
                and previous.type == ref.type
                and re.fullmatch(r"\s*,\s*", before)
                and text[previous.end : ref.start].strip() == ","
            ):
                antecedent = previous  # apposition: "Teleperformance, le leader mondial"
            else:
                # Two descriptions in one sentence ("L'opérateur … dans la start-up") name two
                # different things: the later one skips what the earlier ones resolved to.
                as_object = re.search(
                    r"\b(?:dans|chez|avec|à|au\s+capital\s+de)\s*$",
                    text[max(0, ref.start - 20) : ref.start],
                )
                taken = {
                    key_of(r)
                    for r in resolved
                    if as_object
                    and r.via == "description"
                    and r.start >= sentence_start
                    and r.type == ref.type
                }
                antecedent = salient(
                    named, ref.type, ref.start, sentence_start, exclude=taken, openers=openers
                )
        if antecedent is not None:
            resolved.append(
                replace(ref, type=antecedent.type, name=antecedent.name, aliases=antecedent.aliases)
            )
    return resolved


def _pronoun_antecedent(
    named: Sequence[Slot],
    resolved: Sequence[Slot],
    ref: Slot,
    sentence_start: int,
    sentence_starts: Sequence[int],
) -> Slot | None:
    """The subject of the current sentence before the pronoun, else of the previous sentence."""
    candidates = sorted([*named, *resolved], key=lambda s: s.start)
    agents = [s for s in candidates if s.type in {"Person", "Organization"} and s.end <= ref.start]
    same = [s for s in agents if s.start >= sentence_start]
    if same:
        return same[0]
    previous_start = max((s for s in sentence_starts if s < sentence_start), default=None)
    if previous_start is None:
        return None
    previous = [s for s in agents if previous_start <= s.start < sentence_start]
    return previous[0] if previous else None


def we_slots(text: str, turns: Sequence[Turn], affiliation: dict[str, str]) -> list[Slot]:
    """ "nous", "notre", "on" inside a turn, standing for the speaker's organization."""
    found = []
    for turn in turns:
        organization = affiliation.get(turn.speaker)
        if not organization:
            continue
        for match in _WE.finditer(text, turn.start, turn.end):
            found.append(Slot(match.start(), match.end(), "Organization", organization, via="we"))
    return found
