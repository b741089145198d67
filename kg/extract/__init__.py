"""Extraction: typed mentions, relations and attributes of one parsed document.

The :class:`Extractor` runs, for each document: named mentions (:mod:`.mentions`), references
(:mod:`.coref`), interview turns and the speakers' organizations, then the relation and
attribute patterns (:mod:`.relations`, :mod:`.attributes`) over each masked sentence.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from ..config import Config
from ..naming import match_key
from ..records import AttributeFact, Document, Evidence, Extraction, Fact, Mention
from .attributes import AttributeMatch, match_attributes
from .chapters import CHAPTER_CHARS, by_chapters
from .coref import (
    Turn,
    find_descriptions,
    find_pronouns,
    find_turns,
    first_person,
    resolve_references,
    salient,
    topic,
    turn_at,
    we_slots,
)
from .lexicon import Lexicon, load_lexicon
from .mentions import Slot, find_named_slots
from .relations import (
    DocumentContext,
    MaskedSentence,
    RelationMatch,
    check_collectors,
    mask_sentence,
    match_relations,
)

__all__ = ["Extractor", "sentence_bounds"]


def sentence_bounds(doc: Doc) -> list[tuple[int, int]]:
    """Sentence character bounds, split at line breaks (titles and captions have no period) and
    rejoined where the parser cut before a lowercase continuation ("… par mois ; et l'éditeur")."""
    bounds: list[tuple[int, int]] = []
    text = doc.text
    for sent in doc.sents:
        start = sent.start_char
        for piece in re.split(r"(\n+)", sent.text):
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


@dataclass
class Extractor:
    """Turns a parsed document into an :class:`~kg.records.Extraction`."""

    lexicon: Lexicon

    @classmethod
    def from_config(cls, config: Config, nlp: Language | None = None) -> Extractor:
        lexicon = load_lexicon(config.extra_patterns)
        check_collectors(lexicon.relations)
        return cls(lexicon)

    def __call__(self, document: Document, doc: Doc) -> Extraction:
        if len(document.text) > CHAPTER_CHARS:  # a long report: read chapter by chapter
            return by_chapters(self._extract, document, doc)
        return self._extract(document, doc)

    def _extract(self, document: Document, doc: Doc) -> Extraction:
        """Names, then what refers to them, then the patterns over every masked sentence."""
        text = doc.text
        named = find_named_slots(doc, self.lexicon)
        bounds = sentence_bounds(doc)
        starts = [start for start, _ in bounds]
        resolved = resolve_references(
            text,
            [s for s in named if s.type != "Demonym"],
            _references(doc, named, self.lexicon),
            starts,
        )
        turns = find_turns(text, named)
        slots = sorted(named + resolved, key=lambda s: s.start)
        context = self._context(text, named, turns, topic(named), starts)
        matches, attribute_matches, slots = self._read(doc, bounds, slots, turns, context)
        return _extraction(document, text, named, slots, matches, attribute_matches)

    def _read(
        self,
        doc: Doc,
        bounds: Sequence[tuple[int, int]],
        slots: list[Slot],
        turns: list[Turn],
        context: DocumentContext,
    ) -> tuple[list[RelationMatch], list[AttributeMatch], list[Slot]]:
        """The relations and attributes of every sentence, in two passes: first whom each
        interviewee works for ("chez Proximus, notre gouvernance"), then every pattern, with
        "nous"/"notre"/"on" standing for the speaker's company."""
        text, lexicon = doc.text, self.lexicon
        matches: list[RelationMatch] = []
        speaker_patterns = [p for p in lexicon.relations if p.subject == "speaker"]
        for start, end in bounds:
            sentence = mask_sentence(text, start, end, slots)
            matches += match_relations(doc, sentence, speaker_patterns, lexicon, context)
        we = we_slots(text, turns, _affiliations(matches))
        slots = sorted(slots + we, key=lambda s: s.start)
        other_patterns = [p for p in lexicon.relations if p.subject != "speaker"]
        attribute_matches: list[AttributeMatch] = []
        for start, end in bounds:
            sentence = mask_sentence(text, start, end, slots)
            matches += match_relations(doc, sentence, other_patterns, lexicon, context)
            attribute_matches += match_attributes(doc, sentence, lexicon.attributes, lexicon)
        return matches, attribute_matches, slots

    def _context(
        self,
        text: str,
        named: list[Slot],
        turns: list[Turn],
        main_topic: Slot | None,
        starts: Sequence[int],
    ) -> DocumentContext:
        def speaker_at(position: int) -> Slot | None:
            turn = turn_at(turns, position)
            return (
                Slot(turn.start, turn.start, "Person", turn.speaker, via="speaker")
                if turn
                else None
            )

        def person_at(position: int) -> Slot | None:
            sentence_start = max((s for s in starts if s <= position), default=0)
            return salient(named, "Person", position, sentence_start)

        def next_person(position: int) -> Slot | None:
            """The first person named in the next sentence: "… a nommé un nouveau directeur
            général. Il s'agit de Julien Bertin"."""
            following = [s for s in starts if s >= position]
            limit = following[1] if len(following) > 1 else len(text)
            return next(
                (s for s in named if s.type == "Person" and position <= s.start < limit), None
            )

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


def _references(doc: Doc, named: list[Slot], lexicon: Lexicon) -> list[Slot]:
    """Descriptions and pronouns that are not part of a name, in text order."""
    return sorted(
        [
            r
            for r in find_descriptions(doc, named, lexicon) + find_pronouns(doc)
            if not any(s.start < r.end and r.start < s.end for s in named)
        ],
        key=lambda s: s.start,
    )


def _extraction(
    document: Document,
    text: str,
    named: list[Slot],
    slots: list[Slot],
    matches: list[RelationMatch],
    attribute_matches: list[AttributeMatch],
) -> Extraction:
    """The records of one document: its mentions, facts, attributes and name aliases."""
    extraction = Extraction(document=document)
    extraction.mentions = _mentions(document, text, named)
    extraction.facts = _facts(document, _with_roles(matches))
    extraction.attributes = [
        AttributeFact(
            _mention(document, m.subject),
            m.property,
            m.value,
            _evidence(document, m.sentence, m.confidence, m.pattern.name),
        )
        for m in attribute_matches
    ]
    extraction.aliases = sorted(
        {
            (alias, s.name)
            for s in slots
            for alias in s.aliases
            if s.via in {"name", "initials", "demonym", "region-demonym"}
        }
        | {
            (text[s.start : s.end], s.name)
            for s in named
            if s.type != "Demonym" and text[s.start : s.end] != s.name
        }
    )
    return extraction


def _mentions(document: Document, text: str, named: list[Slot]) -> list[Mention]:
    """The named mentions; a place the model missed but that the text names and a demonym
    points to ("en Bretagne … deux clients bretons") is still a place of the document."""
    mentions = [_mention(document, s) for s in named if s.type != "Demonym"]
    named_keys = {match_key(m.text) for m in mentions}
    for slot in named:
        if (
            slot.type == "Demonym"
            and match_key(slot.name) not in named_keys
            and re.search(rf"(?<!\w){re.escape(slot.name)}(?!\w)", text)
        ):
            mentions.append(_mention(document, slot))
            named_keys.add(match_key(slot.name))
    return mentions


def _affiliations(matches: Sequence[RelationMatch]) -> dict[str, str]:
    """Speaker → the organization they speak for (the one they name most with "chez")."""
    counts: dict[str, Counter[str]] = {}
    for match in matches:
        if match.object is not None and match.modality == "asserted":
            counts.setdefault(match.subject.name, Counter())[match.object.name] += 1
    return {speaker: c.most_common(1)[0][0] for speaker, c in counts.items()}


def _with_roles(matches: list[RelationMatch]) -> list[RelationMatch]:
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


def _mention(document: Document, slot: Slot) -> Mention:
    entity_type = "Place" if slot.type == "Demonym" else slot.type
    return Mention(slot.name, entity_type, document.id, slot.start, slot.end, slot.via)  # type: ignore[arg-type]


def _evidence(
    document: Document, sentence: MaskedSentence, confidence: float, rule: str
) -> Evidence:
    return Evidence(
        document.id, sentence.text, sentence.start, sentence.end, round(confidence, 3), rule
    )


def _facts(document: Document, matches: Sequence[RelationMatch]) -> list[Fact]:
    """One fact per (subject, predicate, object, modality, sentence), the most confident kept."""
    best: dict[tuple[str, str, str, str, int], RelationMatch] = {}
    for match in matches:
        assert match.object is not None
        key = (
            match.subject.name,
            match.predicate,
            match.object.name,
            match.modality,
            match.sentence.start,
        )
        if key not in best or match.confidence > best[key].confidence:
            best[key] = match
    return [
        Fact(
            _mention(document, m.subject),
            m.predicate,
            _mention(document, m.object),
            _evidence(document, m.sentence, m.confidence, m.pattern.name),
            m.modality,
        )
        for m in best.values()
        if m.object is not None
    ]
