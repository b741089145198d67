"""Negation and modality: "n'a pas investi", "dément", "pourrait racheter", "va investir".

A fact read in a negated clause is ``negated``; one read in a hedged, future or conditional
clause is ``planned``. Only ``asserted`` facts become direct triples.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from spacy.tokens import Token

from ..records import Modality

__all__ = ["cue_regex", "modality_of"]


# "sans oublier X", "sans compter X" add X to a list: no negation.
_NOT_AFTER = r"(?!\s+(?:oublier|compter)\b)"


@lru_cache(maxsize=16)
def cue_regex(cues: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for a list of cues; "ne pas" means "ne" then "pas" within three words.

    The word-boundary checks are shared by all cues of a kind rather than repeated in each
    alternative: most positions of a clause are inside a word and fail once, not once per cue;
    a look-ahead for the cues' first letters rules out most of the others in one test.

    >>> bool(cue_regex(("ne pas",)).search("il n'a pas investi")), bool(cue_regex(("ne pas",)).search("pas de souci"))
    (True, False)
    >>> bool(cue_regex(("sans",)).search("sans oublier l'usine de Lyon"))
    False
    """
    negated, plain, firsts = [], [], set()
    for cue in cues:
        words = cue.split()
        if len(words) == 2 and words[0] in {"ne", "n'"}:
            negated.append(re.escape(words[1]))
        else:
            plain.append(r"\s+".join(map(re.escape, words)))
            firsts.add(re.escape(words[0][0]) if words else "")
    parts = []
    if negated:
        parts.append(r"\b(?:ne\s+|n['’]\s*)(?:[\w'’-]+\s+){0,3}?(?:" + "|".join(negated) + r")\b")
    if plain:
        # Ignoring case, as the cues are; an empty cue (matching anywhere) rules nothing out.
        first = "" if "" in firsts else "(?=[" + "".join(sorted(firsts)) + "])"
        parts.append(first + r"(?<![\w-])(?:" + "|".join(plain) + r")(?![\w-])" + _NOT_AFTER)
    return re.compile("|".join(parts) or "(?!)", re.IGNORECASE)


# "va rester basée à Lyon", "restera actionnaire": a state said to continue holds now, so its
# future is no plan. A hedge ("pourrait rester") still makes it one.
_CONTINUES = re.compile(
    r"(?<![\w-])(?:(?:va|vont)\s+(?:rester|demeurer)|rester(?:a|ont)|demeurer(?:a|ont))(?![\w-])",
    re.IGNORECASE,
)
_CONTINUE_LEMMAS = {"rester", "demeurer"}


def modality_of(
    clause: str, verbs: Sequence[Token], negation_cues: Sequence[str], modality_cues: Sequence[str]
) -> Modality:
    """Modality of a fact from its clause text and the verbs in it.

    >>> modality_of("il n'a pas investi dans", [], ["ne pas"], ["pourrait"])
    'negated'
    >>> modality_of("pourrait racheter", [], ["ne pas"], ["pourrait"])
    'planned'
    >>> modality_of("sa société va rester basée à", [], ["ne pas"], ["va", "pourrait"])
    'asserted'
    """
    if cue_regex(tuple(negation_cues)).search(clause):
        return "negated"
    clause = _CONTINUES.sub(" ", clause)
    if cue_regex(tuple(modality_cues)).search(clause):
        return "planned"
    for verb in verbs:
        if verb.lemma_ in _CONTINUE_LEMMAS:
            continue
        if "Fut" in verb.morph.get("Tense", []) or "Cnd" in verb.morph.get("Mood", []):
            return "planned"
    return "asserted"
