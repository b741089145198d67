"""Relation patterns over masked sentences.

Each sentence is rewritten with its entity references replaced by slot tokens
(``"⟨0:P⟩, CEO du groupe ⟨1:O⟩, a fait le déplacement."``); the patterns of ``patterns.toml``
are regular expressions over that text, so one pattern covers every name, description or
pronoun in that position.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property

from spacy.tokens import Doc, Token

from ..errors import InputError
from ..records import Modality
from .lexicon import Lexicon, RelationPattern, school_regex
from .mentions import Slot, country_unit_parent
from .modality import modality_of
from .prefilter import fold, pattern_set

__all__ = ["MaskedSentence", "RelationMatch", "mask_sentence", "match_relations"]

# What may stand before a listed name: "le fonds X", "la banque publique Y", or just "le ".
_LIST_HEAD = (
    r"(?:(?:le|la|les|l['’])\s*(?:(?-i:[a-zà-ÿ][\w-]*)(?:\s+(?-i:[a-zà-ÿ][\w'’-]*)){0,3}\s+)?)?"
)
_COORDINATION = re.compile(
    # A share or a note in brackets does not end a list: "A (30 %), B (20 %) et C".
    r"(?P<note>\s*\((?:[^()⟨⟩]|⟨\d+:[POLDR]⟩){1,60}\))?"
    # An apposition that ends on a place does not end the list: "A, basé au Luxembourg, et B".
    r"(?:\s*,\s*(?-i:[a-zà-ÿ])[^⟨⟩,.;]{0,30}⟨\d+:[LDR]⟩(?=\s*,))?"
    # So does one saying who made or owns the name: "A, créée par B, et C".
    r"(?:\s*,\s*(?:créée?s?|fondée?s?|détenue?s?|contrôlée?s?|filiale)\s+[^⟨⟩,.;]{0,20}⟨\d+:[POLDR]⟩(?=\s*,))?"
    r"(?:(?P<comma>\s*,\s*)(?P<prep>(?:avec|à|du|des|de|d['’]|par|chez|auprès\s+de|auprès\s+d['’])\s*)?"
    r"|\s*,?\s+(?:(?:et|ou|ainsi\s+que)\s+|ainsi\s+qu['’]\s*)"
    r"(?:(?:maintenant|aussi|surtout|enfin|notamment|également|puis|encore)\s+)?"
    # "détenue à 60 % par A et à 20 % par B": a share before the repeated preposition.
    r"(?:à\s+\d+(?:[,.]\d+)?\s*%\s+)?"
    # "en Pologne et au Maroc": a place's preposition repeated.
    r"(?P<prep2>(?:avec|à|au|aux|en|du|des|de|d['’]|par|chez|auprès\s+de|auprès\s+d['’])\s*)?)"
    + _LIST_HEAD
    + r"⟨(?P<index>\d+):(?P<code>[POLDR])⟩"
)
_LIST_GOES_ON = re.compile(
    r"(?:\s*\((?:[^()⟨⟩]|⟨\d+:[POLDR]⟩){1,60}\))?"
    r"\s*(?:,|\bet\b|\bou\b)\s*(?:(?:encore|avec|à|du|des|de|d['’]|par)\s*)?" + _LIST_HEAD + "⟨"
)
# How much a fact is trusted, by how its subject and object were read.
_DIRECTNESS = {
    "name": 1.0,
    "initials": 1.0,
    "demonym": 1.0,
    "region-demonym": 1.0,
    "speaker": 0.95,
    "we": 0.9,
    "description": 0.85,
    "pronoun": 0.85,
    "topic": 0.85,
}
# A colon after a digit is a slot token's ("⟨3:O⟩"), not punctuation.
_CLAUSE_BREAK = re.compile(r"[;()«»\"“”]|(?<!\d):|\s[-–—]\s|,\s*(?:mais|tandis|alors|car)\b")


@dataclass
class MaskedSentence:
    """A sentence with its slots replaced by tokens, and the way back to document offsets."""

    start: int
    end: int
    text: str
    masked: str
    slots: list[Slot]
    # (masked_start, original_start, length) for every stretch of copied text
    _copies: list[tuple[int, int, int]]

    def to_original(self, position: int) -> int:
        """Document offset of a position in the masked text (slot tokens map to their slot)."""
        best = self.start
        for masked_start, original_start, length in self._copies:
            if masked_start <= position <= masked_start + length:
                return original_start + (position - masked_start)
            if masked_start <= position:
                best = original_start + length
        return best

    @cached_property
    def folded(self) -> str | None:
        """The masked text folded for the patterns' prefilters (:func:`.prefilter.fold`)."""
        return fold(self.masked)

    def slot(self, index: str | int) -> Slot:
        return self.slots[int(index)]


def mask_sentence(text: str, start: int, end: int, slots: Sequence[Slot]) -> MaskedSentence:
    """Mask the slots that lie inside ``text[start:end]`` (overlaps: the earliest, longest wins).

    >>> s = mask_sentence("Anne Roy dirige Lumio.", 0, 22, [Slot(0, 8, "Person", "Anne Roy"),
    ...                   Slot(16, 21, "Organization", "Lumio")])
    >>> s.masked
    '⟨0:P⟩ dirige ⟨1:O⟩.'
    """
    inside = sorted(
        (s for s in slots if start <= s.start and s.end <= end), key=lambda s: (s.start, -s.end)
    )
    kept: list[Slot] = []
    for slot in inside:
        if kept and slot.start < kept[-1].end:
            continue
        kept.append(slot)
    pieces: list[str] = []
    copies: list[tuple[int, int, int]] = []
    cursor, length = start, 0
    for index, slot in enumerate(kept):
        chunk = text[cursor : slot.start]
        copies.append((length, cursor, len(chunk)))
        pieces.append(chunk)
        length += len(chunk)
        token = f"⟨{index}:{slot.code}⟩"
        pieces.append(token)
        length += len(token)
        cursor = slot.end
    copies.append((length, cursor, end - cursor))
    pieces.append(text[cursor:end])
    return MaskedSentence(start, end, text[start:end], "".join(pieces), kept, copies)


@dataclass(frozen=True)
class RelationMatch:
    """One relation read in a sentence."""

    subject: Slot
    predicate: str
    object: Slot | None  # None: a title with no organization yet ("les CEO X et Y")
    pattern: RelationPattern
    confidence: float
    modality: Modality
    sentence: MaskedSentence


@dataclass(frozen=True)
class DocumentContext:
    """What a pattern may refer to beyond its own slots."""

    topic: Slot | None
    speaker_at: Callable[[int], Slot | None]
    person_at: Callable[[int], Slot | None]
    first_person_turn: Callable[[MaskedSentence], bool]
    next_person: Callable[[int], Slot | None] = lambda position: None
    # The target of the deal the previous sentences state (``object = "deal"``), if any.
    deal_at: Callable[[int], Slot | None] = lambda position: None


def _expand_coordination(
    sentence: MaskedSentence, first: Slot, end: int, codes: str
) -> list[tuple[Slot, int]]:
    """``first`` plus the slots coordinated after it: "avec Belfius, avec Doktr et avec Odoo".

    A bare comma coordinates only inside a list that goes on ("Telvia, Marinéo et Nexolia") or
    after a bracketed share ("A (60 %), B (40 %)"); in "Après avoir racheté Ludiwave, Ubiplay
    s'est associé…" it closes a clause.
    """
    found = [(first, end)]
    position = end
    while True:
        match = _COORDINATION.match(sentence.masked, position)
        if not match or match.group("code") not in codes:
            break
        # A bracketed share or note makes a list: "A (60 %), B (40 %)."
        bare_comma = match.group("comma") and not match.group("prep") and not match.group("note")
        if bare_comma and not _LIST_GOES_ON.match(sentence.masked, match.end()):
            break
        found.append((sentence.slot(match.group("index")), match.end()))
        position = match.end()
    return found


def _is_school(slot: Slot, school_regex: re.Pattern[str]) -> bool:
    return any(school_regex.search(name) for name in (slot.name, *slot.aliases))


def _verbs_between(doc: Doc, start: int, end: int) -> list[Token]:
    """Verbs in a stretch of text, names excluded (the tagger reads "Tessera" as a future verb)."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return []
    return [
        t
        for t in span
        if t.pos_ in {"VERB", "AUX"} and not t.ent_type_ and not t.text[:1].isupper()
    ]


def _clause_start(masked: str, position: int) -> int:
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(masked, 0, position)]
    return max(breaks, default=0)


def clause_modality(
    doc: Doc,
    sentence: MaskedSentence,
    start: int,
    end: int,
    lexicon: Lexicon,
    tense: bool = True,
    own_clause: bool = False,
) -> Modality:
    """Modality of what ``masked[start:end]`` states: negation is read in the match and just
    before it; hedges ("des rumeurs évoquent", "pourrait") back to the start of the clause (or,
    with ``own_clause``, from ``start`` only); with ``tense``, a future or conditional verb makes
    the statement planned."""
    clause_from = start if own_clause else max(_clause_start(sentence.masked, start), start - 80)
    negation_from = max(clause_from, start - 25)
    verbs = (
        _verbs_between(doc, sentence.to_original(clause_from), sentence.to_original(end))
        if tense
        else []
    )
    if modality_of(sentence.masked[negation_from:end], [], lexicon.negation_cues, []) == "negated":
        return "negated"
    return modality_of(sentence.masked[clause_from:end], verbs, [], lexicon.modality_cues)


def match_relations(
    doc: Doc,
    sentence: MaskedSentence,
    patterns: Sequence[RelationPattern],
    lexicon: Lexicon,
    context: DocumentContext,
) -> Iterator[RelationMatch]:
    """Every relation the patterns read in one masked sentence (give many sentences the same
    :class:`~.prefilter.PatternSet`, as :meth:`.Lexicon.pattern_set` keeps, to index the
    patterns once)."""
    school = school_regex(lexicon)
    named = sentence.masked.count("⟨")
    if not named:
        return  # every pattern needs a slot (``slots_needed``)
    # Only the patterns whose words the sentence holds: cheaper than regexes that cannot match.
    for pattern in pattern_set(patterns).candidates(sentence.folded):
        if named < pattern.slots_needed:
            continue
        if pattern.requires == "first_person" and not context.first_person_turn(sentence):
            continue
        for match in pattern.regex.finditer(sentence.masked):
            subjects, objects = _roles(pattern, match, sentence, context)
            if not subjects or (not objects and pattern.object != "role"):
                continue
            if pattern.coordinate:
                subjects, objects = _coordinated(match, sentence, subjects, objects)
            modality = _modality(pattern, match, doc, sentence, lexicon)
            targets: list[Slot | None] = [*objects] or [None]
            for subject in subjects:
                for obj in targets:
                    if _kept(pattern, doc, subject, obj, school):
                        confidence = (
                            pattern.confidence
                            * _DIRECTNESS[subject.via]
                            * _DIRECTNESS[obj.via if obj else "name"]
                        )
                        yield RelationMatch(
                            subject, pattern.predicate, obj, pattern, confidence, modality, sentence
                        )
                        for region in _regions_after(sentence, obj, pattern.predicate):
                            yield RelationMatch(
                                subject,
                                "locatedIn",
                                region,
                                pattern,
                                confidence,
                                modality,
                                sentence,
                            )


# A place's region right after it: "à Vierzon (Cher)", "à Bourgoin, en Isère".
_REGION_AFTER = re.compile(
    r"\s*(?:\(\s*|,\s*(?:en|dans\s+(?:le|la|les|l['’])|au|aux)\s*)⟨(\d+):L⟩(?!\s*[,:]?\s*⟨\d+:[LP]⟩)"
)


def _regions_after(sentence: MaskedSentence, place: Slot | None, predicate: str) -> list[Slot]:
    """The region that follows a site's town, which the company is located in too.

    >>> slots = [Slot(0, 4, "Organization", "Varn"), Slot(0, 1, "Place", "Caen"),
    ...          Slot(0, 1, "Place", "Normandie")]
    >>> m = MaskedSentence(0, 1, "", "⟨0:O⟩ a une usine à ⟨1:L⟩ (⟨2:L⟩).", slots, [])
    >>> [s.name for s in _regions_after(m, slots[1], "locatedIn")]
    ['Normandie']
    """
    if predicate not in ("locatedIn", "headquarteredIn") or place is None or place.type != "Place":
        return []
    index = next((i for i, s in enumerate(sentence.slots) if s is place), None)
    position = sentence.masked.find(f"⟨{index}:L⟩") if index is not None else -1
    if position < 0:
        return []
    found = _REGION_AFTER.match(sentence.masked, position + len(f"⟨{index}:L⟩"))
    return [sentence.slot(found.group(1))] if found else []


# How a pattern's ``collect`` key fills a role from the slots around its match: (role, slots).
# Add a kind with :func:`register_collector`; a pattern file then names it in ``collect``.
Collector = Callable[[MaskedSentence, "re.Match[str]"], tuple[str, list[Slot]]]
COLLECTORS: dict[str, Collector] = {
    "subject": lambda sentence, m: ("subject", _slots_after(sentence, m.end(), "O")),
    "object": lambda sentence, m: ("object", _slots_after(sentence, m.end(), "O")),
    "object_before": lambda sentence, m: ("object", _slots_before(sentence, m.start(), "O")),
    "subject_before": lambda sentence, m: ("subject", _slots_before(sentence, m.start(), "O")),
    "persons_within": lambda sentence, m: (
        "subject",
        _slots_within(sentence, m.start(), m.end(), "P"),
    ),
    "places_within": lambda sentence, m: (
        "object",
        _slots_within(sentence, m.start(), m.end(), "L"),
    ),
    # "Ses investisseurs historiques, A et le fonds B, ont remis au pot": every person or
    # organization inside the match is a subject.
    "agents_within": lambda sentence, m: (
        "subject",
        _slots_within(sentence, m.start(), m.end(), "PO"),
    ),
    "site_places": lambda sentence, m: site_places(sentence, m),
}


# A site and the places it names: "l'usine d'A (B)", "les installations situées à A et C".
_SITE_PLACES = re.compile(
    r"\b(?:usines?|sites?|entrepôts?|installations|ateliers?|centres?\s+de\s+(?:distribution|production)"
    r"|laboratoires?)\s+(?:(?:localisée?s?|située?s?|implantée?s?)\s+)?(?:de\s+|d['’]\s*|à\s+)"
    r"((?:⟨\d+:L⟩(?:\s*\(\s*⟨\d+:L⟩\s*\))?(?:\s*,\s*|\s+et\s+(?:à\s+)?)?)+)",
    re.IGNORECASE,
)


def site_places(sentence: MaskedSentence, match: re.Match[str]) -> tuple[str, list[Slot]]:
    """The places of the sites a match names ("l'usine d'A (B)", "les sites de A et C"), as
    objects: a collector (``collect = "site_places"``)."""
    found = []
    for site in _SITE_PLACES.finditer(sentence.masked, match.start(), match.end()):
        found += [sentence.slot(i) for i in re.findall(r"⟨(\d+):L⟩", site.group(1))]
    return "object", found


def register_collector(name: str) -> Callable[[Collector], Collector]:
    """Register a ``collect`` kind for relation patterns.

    >>> @register_collector("people_after")
    ... def _people_after(sentence, match):
    ...     return "subject", _slots_after(sentence, match.end(), "P")
    >>> "people_after" in COLLECTORS
    True
    """

    def register(function: Collector) -> Collector:
        COLLECTORS[name] = function
        return function

    return register


_GROUP_IN_BRACKETS = re.compile(r"\(\s*(?:groupe|holding|filiale)\b", re.IGNORECASE)


@register_collector("group_in_brackets")
def _group_in_brackets(sentence: MaskedSentence, match: re.Match[str]) -> tuple[str, list[Slot]]:
    """The organization in brackets after a name when the brackets say it is a group: "Tolmeca
    (groupe Varnier)"; the masked text may have taken "groupe" into the slot, so the words are
    read in the original sentence. "Tolmeca (Lyon)" or "Tolmeca (Varnier)" give nothing."""
    start = sentence.to_original(match.start()) - sentence.start
    end = sentence.to_original(match.end()) - sentence.start
    if not _GROUP_IN_BRACKETS.search(sentence.text[start:end]):
        return "object", []
    bracket = sentence.masked.index("(", match.start(), match.end())
    return "object", _slots_within(sentence, bracket, match.end(), "O")[-1:]


@register_collector("country_parent")
def _country_parent(sentence: MaskedSentence, match: re.Match[str]) -> tuple[str, list[Slot]]:
    """The parent a country unit is named after, when the sentence names it too: "Vexia …
    Vexia Belgium" (the subject is the match's ``s`` group)."""
    parent = country_unit_parent(sentence.slot(match.group("s")).name)
    found = [s for s in sentence.slots if s.type == "Organization" and s.name == parent]
    return "object", found[:1]


def check_collectors(patterns: Sequence[RelationPattern]) -> None:
    """Refuse, before any text is read, a pattern whose ``collect`` names no registered kind."""
    for pattern in patterns:
        if pattern.collect and pattern.collect not in COLLECTORS:
            raise InputError(
                f"relation pattern {pattern.name!r}: unknown collect {pattern.collect!r} "
                f"(known: {', '.join(sorted(COLLECTORS))})"
            )


def _roles(
    pattern: RelationPattern,
    match: re.Match[str],
    sentence: MaskedSentence,
    context: DocumentContext,
) -> tuple[list[Slot], list[Slot]]:
    """The subjects and objects a match names: its slot groups, the document's topic or speaker
    (``subject``/``object`` keys), or the slots a collector gathers (``collect``)."""
    slots = {
        role: [sentence.slot(match.group(group))]
        if group in pattern.regex.groupindex and match.group(group) is not None
        else []
        for role, group in (("subject", "s"), ("object", "o"))
    }
    for role, key in (("subject", pattern.subject), ("object", pattern.object)):
        virtual = _virtual_slot(key, context, sentence, match.start())
        if virtual is not None:
            slots[role] = [virtual]
    if pattern.collect:
        role, collected = COLLECTORS[pattern.collect](sentence, match)
        slots[role] = collected
    elif pattern.subject is None and slots["subject"]:
        outer = _outer_subject(sentence, match)
        slots["subject"] = [outer] if outer is not None else slots["subject"]
    return slots["subject"], slots["object"]


# "⟨0:O⟩, filiale du groupe " right before a subject: it lies inside the apposition of slot 0.
_OPENS_APPOSITION = re.compile(
    r"⟨(\d+):([POLDR])⟩\s*,\s*(?:[^,.;:!?⟨⟩«»()\"]*[^\W\d_][^,.;:!?⟨⟩«»()\"]*)$"
)
_CLOSES_APPOSITION = re.compile(r"[^,.;:!?⟨⟩«»()\"]*,")
# An apposition says what its name is to another ("filiale du groupe", "qui a racheté"), unlike
# a bare head noun ("le fonds Y, son partenaire").
_LINKS = re.compile(
    r"\b(?:de|du|des|d['’]|qui|que|qu['’]|dont|à|au|aux|chez|pour|avec|par)(?![\w-])", re.I
)
_FINITE = re.compile(
    r"\b(?:a|ont|est|sont|était|étaient|sera|seront|avait|avaient|va|vont|fut)(?![\w'’-])"
)
_RELATIVE = re.compile(
    r"\s*(?:qui|dont|que|qu['’]|lequel|laquelle|lesquels|lesquelles)(?![\w-])", re.I
)
# A name after a preposition is no subject: "Pour le groupe X, Y, son partenaire, a investi".
_AFTER_PREPOSITION = re.compile(
    r"(?:^|[\s,(])(?:pour|selon|chez|avec|d['’]après|de|du|des|d['’]|dans|au|aux|à|par|sur|comme|en|"
    r"contre|vers|entre)\s*(?:(?:le|la|les|l['’])\s*)?(?:[\w-]+\s+){0,2}$",
    re.I,
)


def _outer_subject(sentence: MaskedSentence, match: re.Match[str]) -> Slot | None:
    """The name an apposition holding the subject is about, when the verb follows the
    apposition: in "X, filiale du groupe Y, rachète Z" (or "X, client de Y, investit"), X acts.

    >>> slots = [Slot(0, 1, "Organization", "X"), Slot(0, 1, "Organization", "Y"),
    ...          Slot(0, 1, "Organization", "Z")]
    >>> m = MaskedSentence(0, 1, "", "⟨0:O⟩, filiale de ⟨1:O⟩, rachète ⟨2:O⟩.", slots, [])
    >>> _outer_subject(m, re.search(r"⟨(?P<s>\\d+):O⟩, rachète ⟨(?P<o>\\d+):O⟩", m.masked)).name
    'X'
    """
    groups = match.re.groupindex
    if "s" not in groups or "o" not in groups or match.group("o") is None:
        return None
    if match.start("s") > match.start("o"):
        return None  # the subject follows its object: not a sentence subject
    token_start = sentence.masked.rfind("⟨", 0, match.start("s"))
    token_end = sentence.masked.find("⟩", match.end("s")) + 1
    opened = _OPENS_APPOSITION.search(sentence.masked, 0, token_start)
    subject = sentence.slot(match.group("s"))
    if opened is None or not _CLOSES_APPOSITION.match(sentence.masked, token_end):
        return None
    inside = sentence.masked[opened.start() : token_start].split(",", 1)[-1]
    if not _LINKS.search(inside) or _AFTER_PREPOSITION.search(sentence.masked, 0, opened.start()):
        return None
    if _FINITE.search(inside) and not _RELATIVE.match(inside):
        return None  # "X, a été vendue à Y, un groupe …": the sentence's own verb, no apposition
    outer = sentence.slot(opened.group(1))
    return outer if outer.type == subject.type and outer is not subject else None


def _coordinated(
    match: re.Match[str], sentence: MaskedSentence, subjects: list[Slot], objects: list[Slot]
) -> tuple[list[Slot], list[Slot]]:
    """Each role extended over the slots coordinated with it: "avec Belfius, avec Doktr et avec
    Odoo". A subject's list ends before its object: in "A, basé au Luxembourg, et B", B does not
    share A's seat."""
    groups = match.re.groupindex
    has = {g: g in groups and match.group(g) is not None for g in ("s", "o")}
    if objects and has["o"]:
        end = _token_end(sentence, match.end("o"))
        objects = [o for o, _ in _expand_coordination(sentence, objects[0], end, objects[0].code)]
    if subjects and has["s"]:
        limit = (
            match.start("o")
            if has["o"] and match.start("o") > match.start("s")
            else len(sentence.masked)
        )
        end = _token_end(sentence, match.end("s"))
        taken = {id(o) for o in objects}
        codes = _list_codes(match.re, subjects[0])
        subjects = [
            s
            for s, at in _expand_coordination(sentence, subjects[0], end, codes)
            if id(s) not in taken and at <= limit
        ]
    return subjects, objects


def _list_codes(regex: re.Pattern[str], first: Slot) -> str:
    """Slot codes a subject list may mix: persons and organizations together when the pattern's
    subject is an agent ("Michel Roy (Hexa) et la banque Nordis conservent une participation"),
    else the first subject's own."""
    agent = _AGENT_SUBJECT.search(regex.pattern) is not None
    return "PO" if agent and first.code in "PO" else first.code


_AGENT_SUBJECT = re.compile(r"\(\?P<s>\\d\+\):\[PO\]")


def _modality(
    pattern: RelationPattern,
    match: re.Match[str],
    doc: Doc,
    sentence: MaskedSentence,
    lexicon: Lexicon,
) -> Modality:
    """A fact stated by an apposition at the end of the match ("…, Y, l'actuel PDG") is read from
    its subject on (``modality_from``): a hedge earlier in the sentence is about something else.
    ``modality_from = "object"`` reads from the object on: "X va construire une usine, après
    celles d'A" says the earlier sites exist now."""
    group = {"subject": "s", "object": "o"}.get(pattern.modality_from or "", "")
    own_clause = bool(group) and group in pattern.regex.groupindex
    start = match.start(group) if own_clause else match.start()
    if pattern.predicate in _DEALS and _FAILED_AFTER.match(sentence.masked, match.end()):
        return "negated"  # "Le rachat de X par Y a échoué": the deal the match names fell through
    return clause_modality(doc, sentence, start, match.end(), lexicon, pattern.tense, own_clause)


_DEALS = frozenset({"acquired", "investedIn", "partnerOf"})
# What a deal named by a noun became, right after it: "… a échoué", "… a été abandonnée".
_FAILED_AFTER = re.compile(
    r"\s*(?:,[^,.;⟨⟩]{1,60},\s*)?(?:a|ont|avait|avaient)\s+(?:finalement\s+|depuis\s+)?"
    r"(?:échoué|capoté|avorté|(?:été\s+)?(?:abandonnée?s?|annulée?s?|rejetée?s?|bloquée?s?))\b"
    r"|\s*n['’](?:a|ont)\s+(?:finalement\s+)?pas\s+abouti",
)


def _kept(
    pattern: RelationPattern,
    doc: Doc,
    subject: Slot,
    obj: Slot | None,
    school: re.Pattern[str],
) -> bool:
    """Whether a subject and object pair passes the pattern's checks: not one thing twice, a
    school for ``object_kind = "school"``, no verb between for ``no_verb_between``."""
    if obj is not None and obj.name == subject.name and obj.type == subject.type:
        return False
    if pattern.object_kind == "school" and (obj is None or not _is_school(obj, school)):
        return False
    if pattern.no_verb_between and obj is not None:
        lo, hi = sorted(
            (subject.end, obj.start) if subject.end <= obj.start else (obj.end, subject.start)
        )
        return not any(t.pos_ in {"VERB", "AUX"} for t in _tokens(doc, lo, hi))
    return True


def _token_end(sentence: MaskedSentence, position: int) -> int:
    """End of the slot token whose index ends at ``position`` ("⟨12:O⟩")."""
    return sentence.masked.index("⟩", position) + 1


def _tokens(doc: Doc, start: int, end: int) -> list[Token]:
    span = doc.char_span(start, end, alignment_mode="expand") if start < end else None
    return list(span) if span is not None else []


def _slots_after(sentence: MaskedSentence, position: int, codes: str) -> list[Slot]:
    return [
        sentence.slot(m.group(1))
        for m in re.finditer(r"⟨(\d+):([POLDR])⟩", sentence.masked[position:])
        if m.group(2) in codes
    ]


def _slots_within(sentence: MaskedSentence, start: int, end: int, codes: str) -> list[Slot]:
    """Slots of ``codes`` inside a match: the founders listed, appositions and all, in "Fondée
    par A, ingénieur, et B, docteur, la société X"."""
    return [
        sentence.slot(m.group(1))
        for m in re.finditer(r"⟨(\d+):([POLDR])⟩", sentence.masked[start:end])
        if m.group(2) in codes
    ]


def _slots_before(sentence: MaskedSentence, position: int, codes: str) -> list[Slot]:
    """Slots of ``codes`` in the clause that ends at ``position``: the list a verb is about
    ("A, B et C font partie du portefeuille de D")."""
    start = _clause_start(sentence.masked, position)
    return [
        sentence.slot(m.group(1))
        for m in re.finditer(r"⟨(\d+):([POLDR])⟩", sentence.masked[start:position])
        if m.group(2) in codes
    ]


def _possessor(sentence: MaskedSentence, position: int) -> Slot | None:
    """The company "son"/"sa" stands for: the last one named before it in the sentence ("chez
    Varlo : X … au profit de son directeur général Y"), else none (the caller takes the topic)."""
    named = [
        sentence.slot(m.group(1))
        for m in re.finditer(r"⟨(\d+):O⟩", sentence.masked[:position])
        if sentence.slot(m.group(1)).via == "name"
    ]
    if not named:
        return None
    last = named[-1]
    return Slot(last.start, last.end, last.type, last.name, via="topic", aliases=last.aliases)


def _virtual_slot(
    role: str | None, context: DocumentContext, sentence: MaskedSentence, position: int
) -> Slot | None:
    if role == "topic":
        return context.topic
    if role == "possessor":
        return _possessor(sentence, position) or context.topic
    if role == "speaker":
        return context.speaker_at(sentence.start)
    if role == "topic_person":
        return context.person_at(sentence.to_original(position))
    if role == "next_person":
        return context.next_person(sentence.end)
    if role == "deal":
        return context.deal_at(sentence.start) or context.topic
    return None


# The rest of a list of places after a match's place: "… d'A (VD) et de B (VD)", "de A, B et C".
_PLACE_LIST_TAIL = re.compile(
    r"(?:\s*\([^()⟨⟩]{1,12}\)|\s*⟨\d+:O⟩\s*\))?\s*(?:,|et|ou)\s*(?:de\s+|d['’]\s*|à\s+)?⟨(\d+):L⟩"
)


@register_collector("places_listed")
def _places_listed(sentence: MaskedSentence, match: re.Match[str]) -> tuple[str, list[Slot]]:
    """The match's place and the places listed right after it, as objects: "après celles de
    Monthey (VS) et de Martigny (VS)" gives Monthey and Martigny."""
    found = [sentence.slot(match.group("o"))]
    position = match.end()
    while tail := _PLACE_LIST_TAIL.match(sentence.masked, position):
        found.append(sentence.slot(tail.group(1)))
        position = tail.end()
    return "object", found
