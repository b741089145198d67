"""Extraction as registered stages: each a small function that reads and writes one
:class:`State`, run in the order of the :data:`STAGES` registry.

The packaged stages, in order: ``sentences`` (sentence bounds), ``mentions`` (named slots,
:mod:`.mentions`), ``coreference`` (descriptions and pronouns resolved, :mod:`.coref`),
``context`` (interview turns, the document's topic, who speaks where), ``speakers`` (whom each
interviewee works for, then "nous"/"notre"/"on" as the speaker's company), ``relations`` and
``attributes`` (the patterns over every masked sentence, each match with its modality,
:mod:`.relations`, :mod:`.attributes`, :mod:`.modality`) and ``roles`` (a title with no
organization completed by the person's employer). Every stage's name and version go into the
extraction cache key (:func:`stage_versions`), so a changed or added stage re-reads every text.

Add a stage with :func:`register_stage` (``before``/``after`` place it), remove it with
:func:`unregister_stage`:

>>> @register_stage("no_facts", after="roles")
... def _no_facts(state):
...     state.matches = []
>>> "no_facts.v1" in stage_versions()
True
>>> unregister_stage("no_facts"); "no_facts.v1" in stage_versions()
False
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from spacy.tokens import Doc

from ..nlp import doc_text
from ..records import Document
from .attributes import Around, AttributeMatch, match_attributes
from .coref import (
    Turn,
    find_descriptions,
    find_latter,
    find_pronouns,
    find_turns,
    first_person,
    resolve_references,
    salient,
    topic,
    turn_at,
    we_slots,
)
from .lexicon import Lexicon, RelationPattern
from .mentions import Slot, find_named_slots
from .relations import (
    DocumentContext,
    MaskedSentence,
    RelationMatch,
    mask_sentence,
    match_relations,
)

__all__ = [
    "STAGES",
    "Stage",
    "State",
    "register_stage",
    "run_stages",
    "sentence_bounds",
    "stage_versions",
    "unregister_stage",
]


@dataclass
class State:
    """What the stages of one document's extraction read and write, in the order they fill it:
    ``bounds`` (sentences), ``named`` (names), ``slots`` (names and what refers to them),
    ``turns`` and ``context``, ``matches`` (relations), ``sentences`` (the masked sentences the
    relations were read in), ``attribute_matches``."""

    document: Document
    doc: Doc
    lexicon: Lexicon
    text: str = ""
    bounds: list[tuple[int, int]] = field(default_factory=list)
    named: list[Slot] = field(default_factory=list)
    slots: list[Slot] = field(default_factory=list)
    turns: list[Turn] = field(default_factory=list)
    context: DocumentContext = field(
        default_factory=lambda: DocumentContext(None, _nobody, _nobody, lambda sentence: False)
    )
    matches: list[RelationMatch] = field(default_factory=list)
    sentences: list[MaskedSentence] = field(default_factory=list)
    attribute_matches: list[AttributeMatch] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.text = self.text or doc_text(self.doc)


def _nobody(position: int) -> Slot | None:
    return None


StageFunction = Callable[[State], None]


@dataclass(frozen=True)
class Stage:
    """A named, versioned step of extraction; bump ``version`` when what it finds changes."""

    name: str
    version: int
    function: StageFunction

    @property
    def key(self) -> str:
        """``name.vN``, as it goes into the extraction cache key."""
        return f"{self.name}.v{self.version}"


# The stages, in the order they run; filled by :func:`register_stage` below.
STAGES: dict[str, Stage] = {}


def register_stage(
    name: str, version: int = 1, *, before: str | None = None, after: str | None = None
) -> Callable[[StageFunction], StageFunction]:
    """Register a stage function under ``name`` (replacing one of that name): last, or just
    ``before`` or ``after`` a registered stage."""

    if before is not None and after is not None:
        raise ValueError("a stage goes either before or after another, not both")

    def register(function: StageFunction) -> StageFunction:
        stages = [s for s in STAGES.values() if s.name != name]
        anchor = before or after
        names = [s.name for s in stages]
        if anchor is not None and anchor not in names:
            raise KeyError(f"no extraction stage {anchor!r} (known: {', '.join(names)})")
        at = len(stages) if anchor is None else names.index(anchor) + (after is not None)
        stages.insert(at, Stage(name, version, function))
        STAGES.clear()
        STAGES.update((s.name, s) for s in stages)
        return function

    return register


def unregister_stage(name: str) -> None:
    """Remove a registered stage."""
    del STAGES[name]


def stage_versions() -> tuple[str, ...]:
    """The registered stages as ``name.vN``, in order.

    >>> stage_versions()[:3]
    ('sentences.v1', 'mentions.v1', 'coreference.v1')
    """
    return tuple(stage.key for stage in STAGES.values())


def run_stages(state: State, stages: Sequence[Stage] | None = None) -> State:
    """Run ``stages`` (all registered ones, in order, by default) over ``state``."""
    for stage in STAGES.values() if stages is None else stages:
        stage.function(state)
    return state


def sentence_bounds(doc: Doc) -> list[tuple[int, int]]:
    """Sentence character bounds, split at line breaks (titles and captions have no period) and
    rejoined where the parser cut before a lowercase continuation ("… par mois ; et l'éditeur")."""
    bounds: list[tuple[int, int]] = []
    text = doc_text(doc)
    for sent in doc.sents:
        start = sent.start_char
        for piece in re.split(
            r"(\n+)", text[start : sent.end_char]
        ):  # ``sent.text``, not joined again
            if piece.strip() and not piece.startswith("\n"):
                lead = len(piece) - len(piece.lstrip())
                begin, end = start + lead, start + len(piece.rstrip())
                # The parser sometimes cuts where no sentence ends ("La start" | "-up a été…",
                # "… par mois ;" | "et l'éditeur…"): a real sentence ends with . ! ? or a line.
                continues = (
                    bounds
                    and "\n" not in text[bounds[-1][1] : begin]
                    and not re.search(r"[.!?…][\s»\"”’)\]]*$", text[bounds[-1][0] : bounds[-1][1]])
                )
                if continues:
                    bounds[-1] = (bounds[-1][0], end)
                else:
                    bounds.append((begin, end))
            start += len(piece)
    return bounds


@register_stage("sentences")
def _sentences(state: State) -> None:
    state.bounds = sentence_bounds(state.doc)


@register_stage("mentions")
def _mentions(state: State) -> None:
    state.named = find_named_slots(state.doc, state.lexicon)
    state.slots = list(state.named)


@register_stage("coreference")
def _coreference(state: State) -> None:
    """Descriptions and pronouns that are not part of a name, given the name they refer to."""
    named = state.named
    references = sorted(
        [
            r
            for r in find_descriptions(state.doc, named, state.lexicon) + find_pronouns(state.doc)
            if not any(s.start < r.end and r.start < s.end for s in named)
        ],
        key=lambda s: s.start,
    )
    starts = [start for start, _ in state.bounds]
    agents = [s for s in named if s.type != "Demonym"]
    resolved = resolve_references(state.text, agents, references, starts, state.lexicon)
    resolved += [
        latter
        for latter in find_latter(state.text, agents, starts)
        if not any(s.start < latter.end and latter.start < s.end for s in [*named, *resolved])
    ]
    state.slots = sorted(state.slots + resolved, key=lambda s: s.start)


@register_stage("context")
def _context(state: State) -> None:
    state.turns = find_turns(state.text, state.named)
    state.context = document_context(
        state.text,
        state.named,
        state.turns,
        [start for start, _ in state.bounds],
        [s for s in state.slots if s.via in {"description", "pronoun"}],
    )


@register_stage("speakers")
def _speakers(state: State) -> None:
    """Whom each interviewee works for ("chez Proximus, notre gouvernance"), then "nous",
    "notre" and "on" in their answers as slots of that organization."""
    lexicon = state.lexicon
    patterns = [p for p in lexicon.relations if p.subject == "speaker"]
    _read_relations(state, lexicon.pattern_set("speaker", patterns), _masked(state))
    we = we_slots(state.text, state.turns, affiliations(state.matches))
    state.slots = sorted(state.slots + we, key=lambda s: s.start)


@register_stage("relations")
def _relations(state: State) -> None:
    state.sentences = _masked(state)
    starts = [start for start, _ in state.bounds]
    # Read while the matches grow: a sentence's "deal" is what the sentences before it stated.
    state.context = replace(
        state.context, deal_at=lambda position: deal_target(state.matches, starts, position)
    )
    lexicon = state.lexicon
    patterns = [p for p in lexicon.relations if p.subject != "speaker"]
    _read_relations(state, lexicon.pattern_set("relations", patterns), state.sentences)


@register_stage("attributes")
def _attributes(state: State) -> None:
    lexicon = state.lexicon
    heads = {
        m.subject.name: m.object
        for m in state.matches
        if m.predicate in {"ceoOf", "founderOf"} and m.modality == "asserted" and m.object
    }
    around = Around(state.context.topic, None, heads)
    patterns = lexicon.pattern_set("attributes", lexicon.attributes)
    starts = [start for start, _ in state.bounds]
    for sentence in state.sentences or _masked(state):
        around = replace(around, buyer=deal_buyer(state.matches, starts, sentence.end))
        state.attribute_matches += match_attributes(state.doc, sentence, patterns, lexicon, around)
        # The organization the sentence opens on, for a "C'est …" in the next one.
        first = next((s for s in sentence.slots if s.type == "Organization"), None)
        around = replace(around, previous=first)


@register_stage("roles")
def _roles(state: State) -> None:
    state.matches = with_roles(state.matches)


def _masked(state: State) -> list[MaskedSentence]:
    """Every sentence of the document with the current slots masked."""
    return [mask_sentence(state.text, start, end, state.slots) for start, end in state.bounds]


def _read_relations(
    state: State, patterns: Sequence[RelationPattern], sentences: Sequence[MaskedSentence]
) -> None:
    """Add what ``patterns`` read in each of ``sentences`` to ``state.matches``."""
    for sentence in sentences:
        state.matches += match_relations(
            state.doc, sentence, patterns, state.lexicon, state.context
        )


def document_context(
    text: str,
    named: Sequence[Slot],
    turns: Sequence[Turn],
    starts: Sequence[int],
    references: Sequence[Slot] = (),
) -> DocumentContext:
    """What a pattern may refer to beyond its sentence: the document's topic, the speaker of an
    interview turn, the salient person, the first person named in the next sentence.

    >>> named = [Slot(0, 5, "Organization", "Varlo"), Slot(20, 28, "Person", "Anne Roy")]
    >>> context = document_context("Varlo recrute. Puis Anne Roy arrive.", named, [], [0, 15])
    >>> context.topic.name, context.topic.via, context.next_person(15).name
    ('Varlo', 'topic', 'Anne Roy')
    """
    main_topic = topic(named, references=references)

    def speaker_at(position: int) -> Slot | None:
        turn = turn_at(turns, position)
        return Slot(turn.start, turn.start, "Person", turn.speaker, via="speaker") if turn else None

    def person_at(position: int) -> Slot | None:
        sentence_start = max((s for s in starts if s <= position), default=0)
        return salient(named, "Person", position, sentence_start)

    def next_person(position: int) -> Slot | None:
        """The first person named in the next sentence: "… a nommé un nouveau directeur
        général. Il s'agit de Julien Bertin"."""
        following = [s for s in starts if s >= position]
        limit = following[1] if len(following) > 1 else len(text)
        return next((s for s in named if s.type == "Person" and position <= s.start < limit), None)

    def first_person_turn(sentence: MaskedSentence) -> bool:
        return turn_at(turns, sentence.start) is not None and first_person(sentence.text)

    topic_slot = (
        Slot(
            main_topic.start,
            main_topic.end,
            main_topic.type,
            main_topic.name,
            via="topic",
            aliases=main_topic.aliases,
        )
        if main_topic
        else None
    )
    return DocumentContext(topic_slot, speaker_at, person_at, first_person_turn, next_person)


_DEAL_PREDICATES = frozenset({"investedIn", "acquired"})


def deal_target(
    matches: Sequence[RelationMatch], starts: Sequence[int], position: int, window: int = 2
) -> Slot | None:
    """The company the last deal read in the ``window`` sentences before the one at
    ``position`` is about: what "les autres acquéreurs", "les membres du consortium" or "une
    part de 10 %" speak of in the next sentence ("A rachète Kelt. Les autres acquéreurs : B, C").

    >>> kelt, varn = Slot(10, 14, "Organization", "Kelt"), Slot(0, 4, "Organization", "Varn")
    >>> m = RelationMatch(varn, "acquired", kelt, None, 0.9, "asserted", None)
    >>> deal_target([m], [0, 20, 40], 20).name, deal_target([m], [0, 20, 40, 60, 80], 80)
    ('Kelt', None)
    """
    earlier = [s for s in starts if s < position][-window:]
    if not earlier:
        return None
    for match in reversed(matches):
        target = match.object
        if (
            match.predicate in _DEAL_PREDICATES
            and target is not None
            and target.type == "Organization"
            and earlier[0] <= target.start < position
        ):
            return Slot(target.start, target.end, target.type, target.name, "topic", target.aliases)
    return None


def deal_buyer(
    matches: Sequence[RelationMatch], starts: Sequence[int], end: int, window: int = 2
) -> Slot | None:
    """The buyer of the acquisitions read in the sentence ending at ``end`` and the ``window``
    sentences before it, when they all have one buyer: whom "la transaction, évaluée à 96 M$"
    costs. ``None`` for no deal or several buyers.

    >>> kelt, varn = Slot(10, 14, "Organization", "Kelt"), Slot(0, 4, "Organization", "Varn")
    >>> m = RelationMatch(varn, "acquired", kelt, None, 0.9, "asserted", None)
    >>> deal_buyer([m], [0, 20], 40).name, deal_buyer([m], [0, 20, 40, 60], 80)
    ('Varn', None)
    """
    earlier = [s for s in starts if s < end][-(window + 1) :]
    if not earlier:
        return None
    buyers = {
        m.subject.name: m.subject
        for m in matches
        if m.predicate == "acquired"
        and m.modality == "asserted"
        and m.subject.type == "Organization"
        and earlier[0] <= m.subject.start < end
    }
    return next(iter(buyers.values())) if len(buyers) == 1 else None


def affiliations(matches: Sequence[RelationMatch]) -> dict[str, str]:
    """Speaker → the organization they speak for (the one they name most with "chez")."""
    counts: dict[str, Counter[str]] = {}
    for match in matches:
        if match.object is not None and match.modality == "asserted":
            counts.setdefault(match.subject.name, Counter())[match.object.name] += 1
    return {speaker: c.most_common(1)[0][0] for speaker, c in counts.items()}


def with_roles(matches: list[RelationMatch]) -> list[RelationMatch]:
    """A title with no organization ("les CEO X et Y") plus the person's organization, learnt
    elsewhere in the document, makes the titled relation ("X ceoOf Proximus")."""
    roles = [m for m in matches if m.object is None]
    kept = [m for m in matches if m.object is not None]
    upgraded = []
    for role in roles:
        for match in kept:
            if (
                match.subject.name == role.subject.name
                and match.predicate == "worksFor"
                and match.modality == "asserted"
                and match.object is not None
            ):
                upgraded.append(
                    RelationMatch(
                        match.subject,
                        role.predicate,
                        match.object,
                        match.pattern,
                        min(role.confidence, match.confidence) * 0.9,
                        "asserted",
                        match.sentence,
                    )
                )
    return kept + upgraded
