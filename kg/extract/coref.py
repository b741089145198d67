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
from ..nlp import doc_text, tokens_in
from .lexicon import Lexicon, _alternation
from .mentions import Slot, content_initials

__all__ = [
    "Turn",
    "find_descriptions",
    "find_latter",
    "find_pronouns",
    "find_turns",
    "first_person",
    "organization_kinds",
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

# A name after one of these is a complement, not the subject a pronoun takes up.
_PREPOSITION_BEFORE = re.compile(
    r"\b(?:[Aa]près|[Aa]vant|[Cc]hez|[Dd]ans|[Pp]our|[Aa]vec|[Pp]ar|[Ss]ur|[Ee]ntre|[Dd]epuis|"
    r"[Vv]ers|[Ss]elon|[Dd]e|[Dd]u|[Dd]es|[Àà]|[Aa]u|[Aa]ux|d['’])\s*(?:l['’]\s*|la\s+|le\s+|les\s+)?"
    r"(?:(?-i:[a-zà-ÿ][\w-]*)\s+){0,2}$",
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
    focus: str | None = None,
) -> Slot | None:
    """The most salient named entity of a type before ``position``: mentions so far, plus a bonus
    for being mentioned in the current or previous stretch of text (the last 400 characters),
    and one for the headline's subject (``focus``).

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
    # The headline's subject (``focus``) is what the article is about.
    best = max(
        latest,
        key=lambda k: (
            scores[k] + scores[k + "\0recent"] + min(2.0, 0.25 * totals[k]) + (k == focus),
            latest[k].start,
        ),
    )
    return latest[best]


def topic(
    slots: Sequence[Slot], entity_type: str = "Organization", references: Sequence[Slot] = ()
) -> Slot | None:
    """The document's most mentioned entity of a type; in a tie, the one more descriptions and
    pronouns refer to ("la société", "elle"), then the first mentioned.

    >>> a, b = Slot(0, 4, "Organization", "Tech"), Slot(20, 25, "Organization", "Kibo")
    >>> topic([a, b]).name, topic([a, b], references=[Slot(30, 40, "Organization", "Kibo", via="description")]).name
    ('Tech', 'Kibo')
    >>> full, short = Slot(0, 20, "Organization", "CTN"), Slot(22, 25, "Organization", "CTN")
    >>> topic([full, short, b, Slot(40, 44, "Organization", "Kibo")]).name  # a name and its acronym
    'Kibo'
    """
    counts: dict[str, int] = {}
    first: dict[str, Slot] = {}
    last_end: dict[str, int] = {}
    for slot in slots:
        if slot.type == entity_type and slot.is_named:
            key = key_of(slot)
            # "Société nationale des transports du littoral (SNTL)": a name and its acronym are one mention
            if slot.start - last_end.get(key, -10) > 3:
                counts[key] = counts.get(key, 0) + 1
            last_end[key] = slot.end
            first.setdefault(key, slot)
    if not counts:
        return None
    # A name dropped once in the opening line ties with the company the article then calls
    # "la société" throughout: the references tell them apart.
    referred: dict[str, int] = {}
    for ref in references:  # descriptions: pronouns are too often a contract or a product
        if ref.type == entity_type and ref.name and ref.via == "description":
            referred[key_of(ref)] = referred.get(key_of(ref), 0) + 1
    best = max(counts, key=lambda k: (counts[k], referred.get(k, 0), -first[k].start))
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


# "la nouvelle entité" after a merger is the combined group, not one of the companies named.
_COMBINED = re.compile(r"\bnouvelle\s+entité\b", re.IGNORECASE)


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
            if _COMBINED.search(match.group(0)):
                continue  # "la nouvelle entité": what a merger makes, none of the firms named
            if entity_type == "Person" and any(
                s.type == "Person" and re.fullmatch(r"\s+", text[end : s.start] or "x")
                for s in slots
            ):
                continue  # "son directeur général Xavier Roy": a title before the name
            if entity_type == "Person" and _titled_apposition(text, slots, start, end):
                continue  # "Varlo annonce le départ de son CEO, Xavier Roy": the name is there
            if entity_type == "Person" and _apposition_of_person(text, slots, start):
                continue  # "Paul Roy, son président fondateur": the name is right there
            if entity_type == "Person" and re.match(
                r"\s+(?:du|des|de|d['’])", text[end:], re.IGNORECASE
            ):
                continue  # "il est le président du directoire de X": a title, read by the patterns
            found.append(Slot(start, end, entity_type, "", via="description"))
    return found


def _titled_apposition(text: str, slots: Sequence[Slot], start: int, end: int) -> bool:
    """Is the title followed by a comma and a person's name, with a company named earlier in
    the same sentence ("Varlo annonce le départ de son CEO, Xavier Roy")? The company gives
    "son" its owner, so the patterns read the title; alone ("Son patron, X, …") it stays a
    reference."""
    if not any(
        s.type == "Person" and re.fullmatch(r"\s*,\s*", text[end : s.start] or "x") for s in slots
    ):
        return False
    sentence_start = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start)) + 1
    return any(
        s.type == "Organization" and sentence_start <= s.start and s.end <= start for s in slots
    )


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


_PRONOUNS = frozenset({"il", "elle", "celui", "celle"})


def find_pronouns(doc: Doc) -> list[Slot]:
    """Subject pronouns "il"/"elle" (and "celui qui"/"celle qui") that may refer to a person or
    organization."""
    found = []
    text = doc_text(doc)
    for i in tokens_in(doc, _PRONOUNS):
        token = doc[i]
        following = doc[i + 1].lower_ if i + 1 < len(doc) else ""
        if token.lower_ in {"celui", "celle"} and following == "qui":
            # "celle qui dirigeait Ferval rejoint le conseil …": the person in focus
            found.append(Slot(token.idx, token.idx + len(token.text), "Person", "", via="pronoun"))
            continue
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
    lexicon: Lexicon | None = None,
) -> list[Slot]:
    """Give each description or pronoun the name it refers to; drop those that refer to nothing.
    With a ``lexicon``, a description of one kind ("l'entreprise") skips the names of another
    kind ("le fonds X")."""
    openers = frozenset(
        min((s.start for s in named if start <= s.start < end), default=-1)
        for start, end in zip(sentence_starts, [*sentence_starts[1:], len(text)], strict=True)
    )
    kinds = organization_kinds(text, named, lexicon) if lexicon else {}
    focus = _headline_subject(text, named, sentence_starts)
    resolved: list[Slot] = []
    for ref in references:
        sentence_start = max((s for s in sentence_starts if s <= ref.start), default=0)
        antecedent: Slot | None
        if ref.via == "pronoun":
            antecedent = _pronoun_antecedent(text, named, resolved, ref, sentence_starts)
        elif re.match(r"notre\b", text[ref.start : ref.end], re.IGNORECASE):
            antecedent = None  # "notre entreprise" in a quote: the speaker's, whoever that is
        elif _apposed_to_unknown_name(text, named, sentence_start, ref):
            antecedent = None  # "…, Dorn & Weller, la firme allemande": not ours
        elif (previous := _apposed_name(text, named, ref)) is not None:
            antecedent = previous  # apposition: "Teleperformance, le leader mondial"
        elif (frame := _framing_company(text, named, sentence_start, ref)) is not None:
            antecedent = frame
        elif (introduced := _introduced_as(text, named, ref)) is not None:
            antecedent = introduced
        elif (same := _same_origin(text, named, ref, lexicon)) is not None:
            antecedent = same
        elif (target := _bought_before(text, named, ref, sentence_start)) is not None:
            antecedent = target
        else:
            kind = _kind_of(text[ref.start : ref.end], lexicon)
            taken = (
                _taken(text, resolved, ref, sentence_start)
                | _holders_before(text, named, ref, sentence_start)
                | _not_the_persons(text, named, ref, sentence_start)
                | _buyer_before(text, named, ref, sentence_start)
                | {key for key, other in kinds.items() if kind and other != kind}
                # "la société" is never the school its founders come out of
                | {key for key, other in kinds.items() if other == "school" and kind != "school"}
            )
            antecedent = salient(named, ref.type, ref.start, sentence_start, taken, openers, focus)
            chain = _chained(text, named, resolved, ref, sentence_start, kinds)
            antecedent = chain if chain is not None and key_of(chain) not in taken else antecedent
        if antecedent is not None:
            resolved.append(
                replace(ref, type=antecedent.type, name=antecedent.name, aliases=antecedent.aliases)
            )
    return resolved


_LATTER = re.compile(r"\b(?:ce\s+dernier|cette\s+dernière)(?![\w-])", re.IGNORECASE)


def find_latter(text: str, named: Sequence[Slot], sentence_starts: Sequence[int]) -> list[Slot]:
    """ "ce dernier" / "cette dernière", resolved to the last person or organization named in
    that sentence or the one before; a company named as a complement ("président de Kelt. Ce
    dernier …") gives way to a person named there.

    >>> text = "Varn a racheté Kelt. Le patron de cette dernière part."
    >>> named = [Slot(0, 4, "Organization", "Varn"), Slot(15, 19, "Organization", "Kelt")]
    >>> [(s.name, s.via) for s in find_latter(text, named, [0, 21])]
    [('Kelt', 'description')]
    """
    found = []
    for match in _LATTER.finditer(text):
        starts = [s for s in sentence_starts if s <= match.start()][-2:] or [0]
        candidates = [
            s
            for s in named
            if s.type in {"Person", "Organization"}
            and starts[0] <= s.start
            and s.end <= match.start()
        ]
        if not candidates:
            continue
        antecedent = candidates[-1]
        if antecedent.type == "Organization" and _introduced_by_preposition(text, antecedent):
            people = [s for s in candidates if s.type == "Person"]
            antecedent = people[-1] if people else antecedent
        found.append(
            Slot(
                match.start(),
                match.end(),
                antecedent.type,
                antecedent.name,
                via="description",
                aliases=antecedent.aliases,
            )
        )
    return found


def _apposed_to_unknown_name(
    text: str, named: Sequence[Slot], sentence_start: int, ref: Slot
) -> bool:
    """Is the description in apposition with a capitalised name the mentions missed, before or
    after it ("sa société mère, Dorn & Weller, la firme …")?

    >>> _apposed_to_unknown_name("Il vend à Moor & Fils, la firme locale.", [], 0, Slot(22, 30, "Organization", ""))
    True
    """
    match = re.search(
        r"(?:,|\b(?:de|du|des|par|à|au|avec|chez))\s+"
        r"([A-ZÀ-Ý][\w'’-]*(?:\s+(?:&\s+|et\s+|de\s+)?[A-ZÀ-Ý][\w'’-]*)*)\s*,\s*$",
        text[sentence_start : ref.start],
    )
    after = re.match(
        r"\s*,\s*([A-ZÀ-Ý][\w'’-]*(?:\s+(?:&\s+|et\s+|de\s+)?[A-ZÀ-Ý][\w'’-]*)*)\s*[,.;(]",
        text[ref.end : ref.end + 80],
    )
    if re.match(r"(?:\s+[\w'’-]+){0,3}?\s+[\w-]+\.[a-z]{2,}\b", text[ref.end : ref.end + 80]):
        return True  # "le fonds lillois capital.nord": a name the mentions missed
    if after is not None:  # "sa société mère, Dorn & Weller, …": it names that one
        start, end = ref.end + after.start(1), ref.end + after.end(1)
        if not any(s.start < end and start < s.end for s in named):
            return True
    if match is None:
        return False
    start = sentence_start + match.start(1)
    return not any(s.start < ref.start and start < s.end for s in named)


def _framing_company(
    text: str, named: Sequence[Slot], sentence_start: int, ref: Slot
) -> Slot | None:
    """The company a sentence is set in ("Chez Varlo, …", "le cas chez Varlo : X, patron du
    groupe, …"): a description later in that sentence refers to it.

    >>> text = "Chez Varlo, le groupe recrute."
    >>> _framing_company(text, [Slot(5, 10, "Organization", "Varlo")], 0, Slot(12, 21, "Organization", "")).name
    'Varlo'
    """
    if ref.type != "Organization":
        return None
    frames = [
        s
        for s in named
        if s.type == "Organization"
        and sentence_start <= s.start
        and s.end <= ref.start
        and re.search(r"\b[Cc]hez\s+$", text[max(0, s.start - 8) : s.start])
    ]
    return frames[-1] if len(frames) == 1 else None


def _introduced_as(text: str, named: Sequence[Slot], ref: Slot) -> Slot | None:
    """The name a demonstrative description takes up by its noun: "cette coentreprise" is the
    last company introduced as "la coentreprise Greenvale", whatever is named more.

    >>> text = "Varn monte dans la coentreprise Lumo. Varn détient 20 % de cette coentreprise."
    >>> named = [Slot(0, 4, "Organization", "Varn"), Slot(32, 36, "Organization", "Lumo")]
    >>> _introduced_as(text, named, Slot(59, 77, "Organization", "")).name
    'Lumo'
    """
    words = text[ref.start : ref.end]
    if ref.type != "Organization" or not re.match(r"(?:ce|cet|cette)\s", words, re.IGNORECASE):
        return None
    head = re.escape(_head_noun(words))
    introduced = [
        s
        for s in named
        if s.type == "Organization"
        and s.end <= ref.start
        and re.search(
            rf"\b{head}(?:\s+(?-i:[a-zà-ÿ][\w-]*))?\s+$",
            text[max(0, s.start - 40) : s.start],
            re.IGNORECASE,
        )
    ]
    return introduced[-1] if introduced else None


_BEFORE_BOUGHT_NAME = re.compile(
    r"\b(?:acquiert|rachète|reprend|absorbe|a\s+acquis|a\s+racheté|a\s+repris|a\s+absorbé|"
    r"acquisition|rachat|reprise)\s+(?:de\s+|d['’]\s*)?(?:la|le|l['’]|les)?\s*"
    r"(?:(?-i:[a-zé][\w-]*)\s+){0,2}$",
    re.IGNORECASE,
)


def _bought_before(text: str, named: Sequence[Slot], ref: Slot, sentence_start: int) -> Slot | None:
    """The company bought in the previous sentence, for a demonstrative description ("Varn
    acquiert la société Kelt. Basée à Albi, cette PME …": the PME is Kelt, not its buyer).

    >>> text = "Varn acquiert la société Kelt. Cette PME emploie 50 personnes."
    >>> named = [Slot(0, 4, "Organization", "Varn"), Slot(25, 29, "Organization", "Kelt")]
    >>> _bought_before(text, named, Slot(31, 40, "Organization", ""), 31).name
    'Kelt'
    """
    if ref.type != "Organization" or not re.match(
        r"(?:ce|cet|cette)\s", text[ref.start : ref.end], re.IGNORECASE
    ):
        return None
    # Sentences by their full stops: the model does not always end one at "d'€."
    current = max(sentence_start, text.rfind(". ", 0, ref.start) + 2)
    stop = text.rfind(". ", 0, max(0, current - 2))
    before = [
        s
        for s in named
        if s.type == "Organization" and (stop + 2 if stop >= 0 else 0) <= s.start < current
    ]
    bought = [s for s in before if _BEFORE_BOUGHT_NAME.search(text[max(0, s.start - 60) : s.start])]
    return bought[-1] if bought else None


def _adjective_stem(word: str) -> str:
    """ "allemande" → "allemand", "françaises" → "françai", "canadienne" → "canadien"."""
    word = re.sub(r"(?:es|s)$", "", word.lower())
    return word[:-2] if word.endswith("nne") else word.removesuffix("e")


def _same_origin(
    text: str, named: Sequence[Slot], ref: Slot, lexicon: Lexicon | None
) -> Slot | None:
    """The one company introduced with the origin a description gives ("l'ETI allemande" is the
    company named "la PME allemande Brel" or "Brel, une entreprise allemande", not the French
    buyer named more often).

    >>> from .lexicon import default_lexicon
    >>> text = "Le groupe français Varn rachète Brel, une PME allemande. L'ETI allemande emploie 90 personnes."
    >>> named = [Slot(19, 23, "Organization", "Varn"), Slot(32, 36, "Organization", "Brel")]
    >>> _same_origin(text, named, Slot(57, 62, "Organization", ""), default_lexicon()).name
    'Brel'
    """
    if ref.type != "Organization" or lexicon is None:
        return None
    adjective = re.match(r"\s+([a-zà-ÿ]+)\b", text[ref.end : ref.end + 30])
    if adjective is None or adjective.group(1).lower() not in lexicon.demonym_words():
        return None
    word = rf"\b{re.escape(_adjective_stem(adjective.group(1)))}\w*"
    keys: dict[str, Slot] = {}
    for slot in (s for s in named if s.type == "Organization" and s.end <= ref.start):
        following = min((s.start for s in named if s.start >= slot.end), default=len(text))
        after = text[slot.end : min(following, ref.start, slot.end + 120)].split(".")[0]
        if re.search(rf"{word}\s+$", text[max(0, slot.start - 30) : slot.start], re.IGNORECASE) or (
            after.lstrip().startswith(",") and re.search(word, after, re.IGNORECASE)
        ):
            keys[key_of(slot)] = slot
    return next(iter(keys.values())) if len(keys) == 1 else None


_GENERIC_HEADS = frozenset({"société", "entreprise", "startup", "start-up", "pousse", "pme", "eti"})


def _chained(
    text: str,
    named: Sequence[Slot],
    resolved: Sequence[Slot],
    ref: Slot,
    sentence_start: int,
    kinds: dict[str, str],
) -> Slot | None:
    """What the last generic description ("la société", "l'entreprise") meant, when ``ref`` is
    one too, its sentence names no company and only investors or schools were named since:
    the article still speaks of the same company, not of the fund named last.

    >>> text = "La société Kibo lève 2 M€ auprès de Varn. La société recrute."
    >>> kibo, varn = Slot(11, 15, "Organization", "Kibo"), Slot(36, 40, "Organization", "Varn")
    >>> first = Slot(0, 10, "Organization", "Kibo", via="description")
    >>> _chained(text, [kibo, varn], [first], Slot(42, 52, "Organization", ""), 42, {"varn": "investor"}).name
    'Kibo'
    """
    if ref.type != "Organization" or _head_noun(text[ref.start : ref.end]) not in _GENERIC_HEADS:
        return None
    if any(s.type == "Organization" and sentence_start <= s.start < ref.start for s in named):
        return None  # a company named in the sentence is the likelier antecedent
    previous = [
        r
        for r in resolved
        if r.via == "description"
        and r.type == "Organization"
        and _head_noun(text[r.start : r.end]) in _GENERIC_HEADS
    ]
    if not previous:
        return None
    since = [
        s for s in named if s.type == "Organization" and previous[-1].end <= s.start < ref.start
    ]
    if any(
        kinds.get(key_of(s)) not in {"investor", "school"} and key_of(s) != key_of(previous[-1])
        for s in since
    ):
        return None
    return previous[-1]


def _apposed_name(text: str, named: Sequence[Slot], ref: Slot) -> Slot | None:
    """The name a description stands in apposition to: "Teleperformance, le leader mondial"."""
    previous = max((s for s in named if s.end <= ref.start), key=lambda s: s.end, default=None)
    if (
        previous is not None
        and previous.type == ref.type
        and text[previous.end : ref.start].strip() == ","
        and not _fronted_complement(text, previous)
    ):
        return previous
    return None


_FRONTED = re.compile(
    r"(?:issu|né|sorti|venu|incubé|accompagné|soutenu|financé|racheté|repris|détenu|fondé|"
    r"créé|lancé|hébergé|épaulé|aidé|conseillé|filiale|ancienne\s+filiale|cliente?|"
    r"partenaire|après|avant|comme)(?:e|s|es)?\b[^,.;:!?]*$",
    re.IGNORECASE,
)


def _fronted_complement(text: str, name: Slot) -> bool:
    """Does the name close a phrase fronted before its sentence's subject ("Issue de l'École
    X, la startup …", "Rachetée par Varn, la société …"), not a subject a description apposes?

    >>> _fronted_complement("Issue de l'Arvel, la startup", Slot(11, 16, "Organization", "Arvel"))
    True
    """
    stop = text.rfind(". ", 0, name.start)
    start = max(stop + 2 if stop >= 0 else 0, text.rfind("\n", 0, name.start) + 1)
    return _FRONTED.match(text[start : name.start].lstrip(' «"“(')) is not None


def _taken(text: str, resolved: Sequence[Slot], ref: Slot, sentence_start: int) -> set[str]:
    """What earlier descriptions of the sentence resolved to, when ``ref`` names another thing:
    after "dans", "chez", "avec" or a buying verb ("L'opérateur … racheter ce spécialiste"), or
    with another head noun than an earlier description that is neither the sentence's subject
    nor a complement of a noun ("relever l'entreprise …, a déclaré X, PDG du groupe")."""
    as_object = re.search(
        r"\b(?:dans|chez|avec|à|au\s+capital\s+de|rachet\w+|acquérir|reprendre|racheté|"
        r"rachat\s+de|acquisition\s+de|reprise\s+de)\s*$",
        text[max(0, ref.start - 25) : ref.start],
    )
    head = _head_noun(text[ref.start : ref.end])
    return {
        key_of(r)
        for r in resolved
        if r.via == "description"
        and r.start >= sentence_start
        and r.type == ref.type
        and (
            as_object
            or (
                _head_noun(text[r.start : r.end]) != head
                and not _opens_clause(text, sentence_start, r.start)
                and not re.search(r"\b(?:de|du|d['’]|des)\s*$", text[max(0, r.start - 6) : r.start])
                and not text[r.start : r.start + 3].lower().startswith("du ")
            )
        )
    }


_STAKE_IN = re.compile(
    r"\b(?:part|parts|participation|investissement|actions|titres)\s+(?:de\s+\d+(?:[,.]\d+)?\s*%\s+)?"
    r"(?:de\s+la|de\s+l['’]|du|des|de|d['’])\s*$"
)


def _holders_before(text: str, named: Sequence[Slot], ref: Slot, sentence_start: int) -> set[str]:
    """The holder of a stake a description is the company of: in "la part de Varn dans cette
    coentreprise", the coentreprise is not Varn.

    >>> text = "La part de Varn dans cette coentreprise."
    >>> _holders_before(text, [Slot(11, 15, "Organization", "Varn")], Slot(21, 39, "Organization", ""), 0)
    {'varn'}
    """
    if not re.search(r"\b(?:dans|au\s+capital\s+de)\s*$", text[max(0, ref.start - 20) : ref.start]):
        return set()
    return {
        key_of(s)
        for s in named
        if sentence_start <= s.start
        and s.end <= ref.start
        and _STAKE_IN.search(text[max(sentence_start, s.start - 40) : s.start])
    }


_BUYS_OBJECT = re.compile(
    r"\b(?:rachet\w*|racheté\w*|rachète\w*|acquérir|acquiert|acquis|reprendre|reprend|repris|"
    r"s['’]offrir|offert|absorber|absorbé|valoris\w*|"
    r"(?:rachat|acquisition|reprise)\s+(?:de\s+la|de\s+l['’]|du|de|d['’]))"
    r"(?:\s+(?:les\s+)?(?:actifs|activités|parts)\s+(?:de\s+la|de\s+l['’]|du|de|d['’]))?\s*$",
    re.IGNORECASE,
)


def _buyer_before(text: str, named: Sequence[Slot], ref: Slot, sentence_start: int) -> set[str]:
    """The company named last before a buying or valuing verb whose object a description is:
    the buyer does not buy itself ("Varn a payé 3 M€ pour s'offrir la start-up bretonne"), nor
    does a bidder value itself ("Varn, qui veut valoriser le spécialiste 2 Md€").

    >>> text = "Varn a payé 3 M€ pour s'offrir la start-up."
    >>> _buyer_before(text, [Slot(0, 4, "Organization", "Varn")], Slot(31, 43, "Organization", ""), 0)
    {'varn'}
    """
    window = text[max(0, ref.start - 40) : ref.start]
    if ref.type != "Organization" or not _BUYS_OBJECT.search(window):
        return set()
    before = [
        s for s in named if s.type == "Organization" and sentence_start <= s.start < ref.start
    ]
    return {key_of(before[-1])} if before else set()


def _not_the_persons(text: str, named: Sequence[Slot], ref: Slot, sentence_start: int) -> set[str]:
    """The companies named earlier in the sentence than a person whose "sa société" a description
    is: in "X est entrée au capital en 2015, lorsque P a vendu sa compagnie", P's company is not X.

    >>> text = "Varn est entrée au capital, quand Paul Roy a vendu sa société."
    >>> named = [Slot(0, 4, "Organization", "Varn"), Slot(34, 42, "Person", "Paul Roy")]
    >>> _not_the_persons(text, named, Slot(51, 61, "Organization", ""), 0)
    {'varn'}
    """
    if ref.type != "Organization" or not re.match(
        r"(?:son|sa|ses|leur)\s", text[ref.start : ref.end], re.I
    ):
        return set()
    before = [s for s in named if sentence_start <= s.start and s.end <= ref.start]
    last = max(before, key=lambda s: s.start, default=None)
    # The person must be the possessor: the subject right before, not a name in another clause.
    if last is None or last.type != "Person" or re.search(r"[,;:()«»]", text[last.end : ref.start]):
        return set()
    rivals = [s for s in before if s.type == "Organization" and s.start < last.start]
    acronyms = {s.name for s in rivals if s.name.isupper()}
    # An acronym's long form ("CPRA" for "Caisse de prévoyance des artisans") is the same rival.
    spelled = [
        s for s in named if s.type == "Organization" and content_initials(s.name) in acronyms
    ]
    return {key_of(s) for s in rivals + spelled}


def _opens_clause(text: str, sentence_start: int, position: int) -> bool:
    """Does a reference open its sentence, or follow a name and a comma (its apposition)?"""
    before = text[sentence_start:position]
    return (
        re.fullmatch(r"[\s«\"“(]*", before) is not None
        or re.search(r"(?:\w,|,\s*(?:mais|et|puis|car|donc))\s*$", before) is not None
    )


def _head_noun(description: str) -> str:
    """ "l'entreprise" → "entreprise", "du groupe" → "groupe" (the last word)."""
    return re.split(r"[\s'’]+", description.strip().lower())[-1]


def _kind_of(words: str, lexicon: Lexicon | None, names: bool = False) -> str | None:
    """The kind nouns ("la start-up") or, with ``names``, a name's words ("Kestrel Ventures")
    say an organization is ("investor", "business"), if any.

    >>> from .lexicon import default_lexicon
    >>> _kind_of("La Start-up", default_lexicon()), _kind_of("Kestrel Ventures", default_lexicon(), True)
    ('business', 'investor')
    """
    if lexicon is None:
        return None
    for kind, nouns in lexicon.kinds.items():
        if kind.endswith("_names"):
            continue
        key = f"kind:{kind}:{names}"
        if key not in lexicon.compiled:
            words_of_kind = lexicon.kinds.get(f"{kind}_names", []) if names else nouns
            lexicon.compiled[key] = re.compile(
                r"(?<![\w-])" + _alternation(words_of_kind) + r"(?![\w-])",
                0 if names else re.IGNORECASE,
            )
        if lexicon.compiled[key].search(words):
            return kind
    return None


def organization_kinds(text: str, named: Sequence[Slot], lexicon: Lexicon) -> dict[str, str]:
    """What each named organization is, by its name's words or the noun right before a mention
    ("le fonds Kestrel", "la start-up Ilvo") — the kind read most often.

    >>> from .lexicon import default_lexicon
    >>> text = "Le fonds Orvane investit dans la start-up Ilvo."
    >>> named = [Slot(9, 15, "Organization", "Orvane"), Slot(42, 46, "Organization", "Ilvo")]
    >>> organization_kinds(text, named, default_lexicon())
    {'orvane': 'investor', 'ilvo': 'business'}
    """
    votes: dict[str, dict[str, int]] = {}
    for slot in named:
        if slot.type != "Organization" or not slot.is_named:
            continue
        before = re.search(
            r"(?<![\w-])(?:le|la|les|l['’]|du|au|aux|un|une|des|d['’]|son|sa|ce|cet|cette)\s*"
            r"((?-i:[a-zà-ÿ][\w-]*)(?:(?:\s+|\s*['’]\s*)(?-i:[a-zà-ÿ][\w-]*)){0,3})"
            r"(?<!\bde)(?<!\bdu)(?<!\bdes)(?<!\bà)(?<!\ben)(?<!\bet)\s+$",
            text[max(0, slot.start - 40) : slot.start],
            re.IGNORECASE,
        )
        kind = (
            _kind_of(slot.name, lexicon, names=True)
            or _kind_of(before.group(1) if before else "", lexicon)
            or _kind_by_acts(text[slot.end : slot.end + 80], lexicon)
            or _kind_by_list(text, slot)
        )
        if kind:
            counts = votes.setdefault(key_of(slot), {})
            counts[kind] = counts.get(kind, 0) + 1
    return {key: max(counts, key=lambda k: counts[k]) for key, counts in votes.items()}


_INVESTOR_LIST = re.compile(
    r"\b(?:investisseurs|actionnaires|business\s+angels|(?:menée?|conduite?|pilotée?)\s+par|"
    r"aux\s+côtés\s+d['’e]|auprès\s+d['’e])",
    re.IGNORECASE,
)
# Between the cue and the name: only other names, articles, "et", commas, "à savoir".
_LIST_FILLER = re.compile(
    r"(?:\s*(?:,|:|et|à\s+savoir|notamment|dont|le|la|les|l['’]|fonds|de|du|des|d['’]|"
    r"historiques|existants|actuels|habituels|financiers|privés|institutionnels|"
    r"(?-i:[A-ZÉÈ][\w&'’.-]*)|\([^()]*\)))*\s*",
    re.IGNORECASE,
)


def _kind_by_list(text: str, slot: Slot) -> str | None:
    """ "investor" for a name listed after an investor cue of its sentence ("les investisseurs
    historiques, à savoir A, B et C", "un tour mené par A et B").

    >>> text = "Un tour mené par Orsay et Kimbo Partners. La startup Lyra recrute."
    >>> _kind_by_list(text, Slot(26, 40, "Organization", "Kimbo Partners")), _kind_by_list(text, Slot(53, 57, "Organization", "Lyra"))
    ('investor', None)
    """
    sentence = max(text.rfind(". ", 0, slot.start), text.rfind("\n", 0, slot.start)) + 1
    for cue in _INVESTOR_LIST.finditer(text, sentence, slot.start):
        if re.match(r"\s+(?:de|du|des|d['’])", text[cue.end() : slot.start]):
            continue  # "les actionnaires de X": X is the company they hold
        if _LIST_FILLER.fullmatch(text, cue.end(), slot.start):
            return "investor"
    return None


def _kind_by_acts(after: str, lexicon: Lexicon) -> str | None:
    """The kind what a company does right after its name says: "X est entrée au capital de",
    "X détient 20 %" (an investor), from the ``<kind>_acts`` lists of the lexicon."""
    clause = re.split(r"[.;:!?]|,\s*(?:qui|dont|mais)\b", after, maxsplit=1)[0]
    for kind in lexicon.kinds:
        acts = lexicon.kinds.get(f"{kind}_acts")
        if not acts:
            continue
        key = f"acts:{kind}"  # compiled once per lexicon, as in :func:`_kind_of`
        if key not in lexicon.compiled:
            lexicon.compiled[key] = re.compile(r"\s*,?\s*(?:[^,]{0,40},\s*)?" + _alternation(acts))
        if lexicon.compiled[key].match(clause):
            return kind
    return None


def _headline_subject(
    text: str, named: Sequence[Slot], sentence_starts: Sequence[int]
) -> str | None:
    """The organization opening the headline (the first line), the article's main actor."""
    end = text.find("\n")
    if end < 0 or (len(sentence_starts) > 1 and end > sentence_starts[1]):
        return None
    first = min((s for s in named if s.start < end), key=lambda s: s.start, default=None)
    if first is None or first.type != "Organization" or text[: first.start].strip():
        return None
    if len(text[first.end : end].split()) < 2:
        return None  # a masthead ("L'Écho du Soir"), not a headline
    return key_of(first)


def _pronoun_antecedent(
    text: str,
    named: Sequence[Slot],
    resolved: Sequence[Slot],
    ref: Slot,
    sentence_starts: Sequence[int],
) -> Slot | None:
    """The subject of the current sentence before the pronoun, else of the previous sentence
    (or the one before, when the previous has no subject: "Le Nantais a ensuite …"); a name a
    preposition introduces ("Après l'ISEP, il …") is taken last."""
    candidates = sorted([*named, *resolved], key=lambda s: s.start)
    agents = [s for s in candidates if s.type in {"Person", "Organization"} and s.end <= ref.start]
    bounds = [s for s in sentence_starts if s <= ref.start][-3:] or [0]
    groups = [
        [s for s in agents if start <= s.start < end]
        for start, end in zip(bounds[::-1], [ref.start + 1, *bounds[::-1]], strict=False)
    ]
    for group in groups:
        subjects = [s for s in group if not _introduced_by_preposition(text, s)]
        if subjects:
            return subjects[0]
    return None  # only complements ("selon le site X, il …"): better no antecedent than a wrong one


def _introduced_by_preposition(text: str, slot: Slot) -> bool:
    """Is the name a complement ("Après l'ISEP", "chez Varlo") rather than a subject?

    >>> _introduced_by_preposition("Après l'ISEP, il", Slot(8, 12, "Organization", "ISEP"))
    True
    """
    return _PREPOSITION_BEFORE.search(text[max(0, slot.start - 25) : slot.start]) is not None


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
