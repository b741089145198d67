"""Extraction: typed mentions, relations and attributes of one parsed document.

The :class:`Extractor` runs the registered stages of :mod:`.stages` over each document —
sentences, named mentions (:mod:`.mentions`), references (:mod:`.coref`), interview turns and
context, the speakers' organizations, the relation and attribute patterns (:mod:`.relations`,
:mod:`.attributes`, with :mod:`.modality`) over each masked sentence, titles completed by roles —
and turns what they found into the document's records.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from ..config import Config
from ..naming import match_key
from ..records import AttributeFact, Document, Evidence, Extraction, Fact, Mention
from .attributes import AttributeMatch
from .chapters import CHAPTER_CHARS, by_chapters
from .lexicon import Lexicon, default_lexicon, load_lexicon
from .mentions import Slot
from .relations import MaskedSentence, RelationMatch, check_collectors
from .stages import State, register_stage, run_stages, sentence_bounds, unregister_stage

__all__ = ["Extractor", "State", "register_stage", "sentence_bounds", "unregister_stage"]


@dataclass
class Extractor:
    """Turns a parsed document into an :class:`~kg.records.Extraction`."""

    lexicon: Lexicon

    @classmethod
    def from_config(cls, config: Config, nlp: Language | None = None) -> Extractor:
        # Without files of their own, every extractor of the process shares one packaged lexicon.
        lexicon = (
            load_lexicon(config.extra_patterns) if config.extra_patterns else default_lexicon()
        )
        check_collectors(lexicon.relations)
        return cls(lexicon)

    def __call__(self, document: Document, doc: Doc) -> Extraction:
        if len(document.text) > CHAPTER_CHARS:  # a long report: read chapter by chapter
            return by_chapters(self._extract, document, doc)
        return self._extract(document, doc)

    def _extract(self, document: Document, doc: Doc) -> Extraction:
        """The registered stages (:data:`~kg.extract.stages.STAGES`) in turn, then the records."""
        state = run_stages(State(document, doc, self.lexicon))
        return _extraction(
            document, state.text, state.named, state.slots, state.matches, state.attribute_matches
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
    extraction.facts = _facts(document, matches)
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
            if s.via in {"name", "initials", "demonym", "region-demonym"} and _labels(alias, s)
        }
        | {
            (text[s.start : s.end], s.name)
            for s in named
            if s.type != "Demonym"
            and text[s.start : s.end] != s.name
            and _labels(text[s.start : s.end], s)
        }
    )
    return extraction


def _labels(alias: str, slot: Slot) -> bool:
    """Is ``alias`` worth a label of the slot's entity? A person's given name alone is not: "Claude"
    for Claude Merlin would name every other Claude of a corpus.

    >>> _labels("Claude", Slot(0, 6, "Person", "Claude Merlin")), _labels("Merlin", Slot(0, 6, "Person", "Claude Merlin"))
    (False, True)
    """
    words = slot.name.split()
    return not (slot.type == "Person" and len(words) >= 2 and alias.strip() == words[0])


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
