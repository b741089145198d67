"""Cheap prefilters for regexes: the literal words at least one of which any match contains.

A relation pattern such as ``{S:PER} (?:dirige|préside) {O:ORG}`` cannot match a sentence that
holds neither "dirige" nor "préside". :func:`required_words` derives that set from the compiled
regex itself (never from a hand-kept list, so it stays right for any pattern added later), and
:func:`may_contain` tests it against a sentence folded once by :func:`fold`: a handful of
substring tests instead of a regex scan.

The test is *sound*: it never rejects a text the regex could match. Case-insensitive literals
are compared on texts folded the way ``re`` compares characters (simple lowercase, and the
characters ``re`` treats as equal, such as "s" and "ſ", mapped to one); a text holding a
character whose folding could differ gets no fold, and is then never filtered.

Many patterns are tested against each sentence: a :class:`PatternSet` indexes them by the words
of their most selective group, so that each distinct word is looked for once per sentence,
not once per pattern.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol, TypeVar, overload

try:  # the regex parser and case tables of CPython's ``re``; without them, no prefilter
    _sre: Any = importlib.import_module("_sre")
    _casefix: Any = importlib.import_module("re._casefix")
    _parser: Any = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover - another Python implementation
    _sre = _casefix = _parser = None

__all__ = [
    "AnyRegex",
    "PatternSet",
    "Requirements",
    "WordIndex",
    "fold",
    "may_contain",
    "behind",
    "first_look_ahead",
    "with_first_look_ahead",
    "required_words",
]

# Groups of words; a text may match only if it holds a word of every group.
Requirements = tuple[tuple[str, ...], ...]


class RegexSource(Protocol):
    """What the prefilter reads of a regex: its source and flags (compiled or not)."""

    @property
    def pattern(self) -> str: ...

    @property
    def flags(self) -> int: ...


# Required words shorter than this are not worth a test (every sentence holds an "e").
MIN_WORD = 3

_EXTRA_CASES: dict[int, tuple[int, ...]] = getattr(_casefix, "_EXTRA_CASES", {})


def _canonical(code: int) -> str:
    """The one character standing for every character ``re`` (ignoring case) equates with
    ``code``: its simple lowercase, or the smallest of that lowercase's case-fix group."""
    lower = _sre.unicode_tolower(code)
    return chr(min((lower, *_EXTRA_CASES.get(lower, ()))))


# Lowercased characters that are not their own canonical form ("ſ", "ı", Greek variants), and
# U+0307, which ``str.lower`` adds after "İ" where ``re`` reads a plain "i".
_UNFOLDABLE = re.compile(
    "[" + "".join(re.escape(chr(c)) for c in _EXTRA_CASES if _canonical(c) != chr(c)) + "\u0307]"
)


def fold(text: str) -> str | None:
    """``text`` lowercased for :func:`may_contain`, or None when a character of it could fold
    otherwise than ``re`` compares it (then nothing is filtered).

    >>> fold("Anne DIRIGE Lumio"), fold("İSTANBUL")
    ('anne dirige lumio', None)
    """
    folded = text.lower()
    return None if _UNFOLDABLE.search(folded) else folded


def may_contain(folded: str | None, requirements: Requirements) -> bool:
    """Whether a text folded by :func:`fold` may hold a match of a regex of
    :func:`required_words` ``requirements`` (one word of each group must occur; no group: the
    regex requires nothing; a text that could not be folded is never filtered).

    >>> may_contain("anne dirige lumio", (("dirige", "préside"), ("lumio",)))
    True
    >>> may_contain("anne dirige lumio", (("dirige",), ("varlo",))), may_contain(None, (("x",),))
    (False, True)
    """
    if folded is None:
        return True
    for words in requirements:  # plain loops: this runs for every pattern and sentence
        for word in words:
            if word in folded:
                break
        else:
            return False
    return True


class WordIndex:
    """The requirements of many regexes, indexed by the words of their first (most selective)
    group: which regexes a folded text may match. It keeps exactly the regexes
    :func:`may_contain` keeps, in their order, but looks for each distinct word once, and only
    for the words whose first three characters occur in the text (a set intersection).

    >>> index = WordIndex([(("dirige", "préside"),), (("rachète",), ("lumio",)), ()])
    >>> index.candidates("anne dirige lumio"), index.candidates(None)
    ([0, 2], [0, 1, 2])
    """

    def __init__(self, requirements: Iterable[Requirements]) -> None:
        self.requirements = tuple(requirements)
        # Regexes requiring nothing always pass; the others are found through their first group.
        self._unfiltered = [i for i, groups in enumerate(self.requirements) if not groups]
        self._by_word: dict[str, list[int]] = {}
        for i, groups in enumerate(self.requirements):
            for word in groups[0] if groups else ():
                self._by_word.setdefault(word, []).append(i)
        # The words looked for in every text: all of them when they are few (cheaper than
        # listing a text's trigrams), else the short ones; the others by their first trigram.
        self._always: list[str] = []
        self._by_start: dict[str, list[str]] = {}
        for word in self._by_word:
            if len(self._by_word) <= _FEW_WORDS or len(word) < _START:
                self._always.append(word)
            else:
                self._by_start.setdefault(word[:_START], []).append(word)
        self._starts = frozenset(self._by_start)  # a set: ``&`` then walks the smaller one

    def candidates(self, folded: str | None) -> list[int]:
        """The indices, in order, of the regexes whose requirements a text folded by
        :func:`fold` meets (all of them when it could not be folded)."""
        if folded is None:
            return list(range(len(self.requirements)))
        words = [w for w in self._always if w in folded]
        if self._by_start:
            for start in _starts(folded) & self._starts:
                words += [w for w in self._by_start[start] if w in folded]
        found = set(self._unfiltered)
        for word in words:
            found.update(self._by_word[word])
        return [i for i in sorted(found) if may_contain(folded, self.requirements[i][1:])]


# How many first characters of a word :class:`WordIndex` looks up before searching for it,
# and up to how many words it looks for each one directly.
_START = 3
_FEW_WORDS = 32


@lru_cache(maxsize=64)  # a sentence is read by the relation and attribute patterns in turn
def _starts(text: str) -> frozenset[str]:
    """Every run of :data:`_START` characters of ``text``.

    >>> sorted(_starts("dirige"))
    ['dir', 'ige', 'iri', 'rig']
    """
    # The shifted copies are zipped (shorter ones end it): faster than slicing at each position.
    return frozenset(map("".join, zip(*(text[i:] for i in range(_START)), strict=False)))


class Prefiltered(Protocol):
    """A pattern with the words it requires (:func:`required_words` of its regex)."""

    @property
    def requirements(self) -> Requirements: ...


P = TypeVar("P", bound=Prefiltered)


class PatternSet(Sequence[P]):
    """Patterns with a :class:`WordIndex` of their requirements: the patterns worth running
    on a text, in order.

    >>> from types import SimpleNamespace as P
    >>> patterns = PatternSet([P(name="a", requirements=(("dirige",),)), P(name="b", requirements=())])
    >>> [p.name for p in patterns.candidates(fold("Anne quitte Lumio"))], len(patterns)
    (['b'], 2)
    """

    def __init__(self, patterns: Iterable[P]) -> None:
        self.patterns = tuple(patterns)
        self.words = WordIndex(p.requirements for p in self.patterns)

    def candidates(self, folded: str | None) -> list[P]:
        """The patterns a text folded by :func:`fold` may match (see :func:`may_contain`)."""
        return [self.patterns[i] for i in self.words.candidates(folded)]

    @overload
    def __getitem__(self, i: int) -> P: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[P]: ...
    def __getitem__(self, i: int | slice) -> P | Sequence[P]:
        return self.patterns[i]

    def __len__(self) -> int:
        return len(self.patterns)

    def __iter__(self) -> Iterator[P]:
        return iter(self.patterns)


def pattern_set(patterns: Sequence[P]) -> PatternSet[P]:
    """``patterns`` as a :class:`PatternSet` (indexed now unless they already are)."""
    return patterns if isinstance(patterns, PatternSet) else PatternSet(patterns)


def required_words(regex: RegexSource, groups: int = 3, min_word: int = MIN_WORD) -> Requirements:
    """Groups of folded literal words such that every match of ``regex`` contains a word of
    each group: the ``groups`` most selective, words of ``min_word`` characters or more.
    An empty tuple when none can be read off the regex (then it is never filtered).

    >>> required_words(re.compile(r"⟨\\d+⟩ (?:dirige|a pris la tête) de la firme", re.I))
    ((' de la firme',), ('dirige', 'a pris la tête'))
    >>> required_words(re.compile(r"\\w+ (?:et|ou)? \\w+"))
    ()
    """
    if _parser is None or regex.flags & re.LOCALE:
        return ()
    try:
        parsed = _parser.parse(regex.pattern, regex.flags)
    except Exception:  # noqa: BLE001 - the regex compiled, so this is only a parser mismatch
        return ()
    found = {w for w in _sequence(list(parsed), min_word) if min(map(len, w)) >= min_word}
    return tuple(_minimal(words) for words in sorted(found, key=_selectivity)[:groups])


def _selectivity(words: frozenset[str]) -> tuple[int, int, tuple[str, ...]]:
    """Sort key, most selective first: longest shortest word, then fewest words (then stable)."""
    return (-min(map(len, words)), len(words), tuple(sorted(words)))


def _minimal(words: Iterable[str]) -> tuple[str, ...]:
    """The words without those that contain another (a text holding "dirigeait" holds
    "dirige"), shortest first.

    >>> _minimal(["dirigeait", "dirige", "préside"])
    ('dirige', 'préside')
    """
    kept: list[str] = []
    for word in sorted(set(words), key=lambda w: (len(w), w)):
        if not any(shorter in word for shorter in kept):
            kept.append(word)
    return tuple(kept)


def _sequence(items: list[tuple[Any, Any]], min_word: int) -> list[frozenset[str]]:
    """What a sequence of regex items requires: each of its literal runs (consecutive
    characters, joined) and all that its items require."""
    required: list[frozenset[str]] = []
    run: list[str] = []
    for op, argument in [*items, (None, None)]:
        if op is _parser.LITERAL:
            run.append(_canonical(argument))
            continue
        if run:
            required.append(frozenset(["".join(run)]))
            run = []
        if op is not None:
            required += _item(op, argument, min_word)
    return required


def _item(op: Any, argument: Any, min_word: int) -> list[frozenset[str]]:
    """What one regex item requires (nothing for classes, anchors, look-arounds and
    back-references: no literal word is known to occur)."""
    constants = _parser
    if op is constants.SUBPATTERN:  # (group, added flags, removed flags, body)
        return _sequence(list(argument[-1]), min_word)
    if op is getattr(constants, "ATOMIC_GROUP", None):
        return _sequence(list(argument), min_word)
    if op in (constants.MAX_REPEAT, constants.MIN_REPEAT) or op is getattr(
        constants, "POSSESSIVE_REPEAT", None
    ):
        low, _high, body = argument
        return _sequence(list(body), min_word) if low >= 1 else []
    if op is constants.BRANCH:
        options = [_sequence(list(branch), min_word) for branch in argument[1]]
        return _branches(options, min_word)
    return []


def _branches(options: list[list[frozenset[str]]], min_word: int) -> list[frozenset[str]]:
    """An alternation requires a word of its options' most selective groups; if an option
    requires nothing (of ``min_word`` characters), the alternation requires nothing."""
    best = []
    for required in options:
        usable = [words for words in required if min(map(len, words)) >= min_word]
        if not usable:
            return []
        best.append(min(usable, key=_selectivity))
    return [frozenset().union(*best)]


# The character categories a class may hold, as written in a regex.
_CATEGORIES = {
    "CATEGORY_DIGIT": r"\d", "CATEGORY_NOT_DIGIT": r"\D", "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S", "CATEGORY_WORD": r"\w", "CATEGORY_NOT_WORD": r"\W",
}  # fmt: skip
# Scoped flags that change what a character class matches (a scope that only turns case
# folding off makes its literals' class a wider one, which is fine).
_CLASS_FLAGS = re.IGNORECASE | re.ASCII | re.LOCALE | re.UNICODE
_GLOBAL_FLAGS = re.compile(r"\(\?[aiLmsux]+\)")


def with_first_look_ahead(regex: re.Pattern[str]) -> re.Pattern[str]:
    r"""``regex`` behind its :func:`first_look_ahead`: the same matches, found sooner, since
    ``re`` then rejects most positions on one test (it does not itself when the regex ignores
    case). ``regex`` itself when the characters its matches start with are unknown.

    >>> print(with_first_look_ahead(re.compile(r"(?:fondée?|créée?)\s+en\s+\d{4}", re.I)).pattern)
    (?=[cf])(?:(?:fondée?|créée?)\s+en\s+\d{4})
    >>> print(with_first_look_ahead(re.compile(r".*x")).pattern)  # may start with anything
    .*x
    """
    look_ahead = first_look_ahead(regex)
    return re.compile(behind(look_ahead, regex.pattern), regex.flags) if look_ahead else regex


def behind(look_ahead: str, pattern: str) -> str:
    """``pattern`` behind ``look_ahead`` (from :func:`first_look_ahead`; none when empty).

    >>> behind("(?=[ab])", "a|b"), behind("", "a|b")
    ('(?=[ab])(?:a|b)', 'a|b')
    """
    return f"{look_ahead}(?:{pattern})" if look_ahead else pattern


def first_look_ahead(regex: RegexSource) -> str:
    r"""A look-ahead for the characters the matches of ``regex`` may start with, to put before
    it; ``""`` when that set is unknown.

    >>> first_look_ahead(re.compile(r"(?:fondée?|créée?)\s+en", re.I)), first_look_ahead(re.compile(r".x"))
    ('(?=[cf])', '')
    """
    if _parser is None or regex.flags & (re.LOCALE | re.VERBOSE):
        return ""  # (a verbose regex may end on a comment, which the wrapping would extend)
    if _GLOBAL_FLAGS.match(regex.pattern):
        return ""  # they must stay first
    try:
        firsts, empty = _first(list(_parser.parse(regex.pattern, regex.flags)), regex.flags)
    except (ValueError, re.error):
        return ""
    if firsts is None or empty or not firsts:
        return ""
    return "(?=[" + "".join(sorted(firsts)) + "])"


def _first(items: list[tuple[Any, Any]], flags: int) -> tuple[set[str] | None, bool]:
    """The class items a match of the sequence ``items`` may start with (None: any character),
    and whether it may match the empty string."""
    found: set[str] = set()
    for op, argument in items:
        firsts, empty = _first_of_item(op, argument, flags)
        if firsts is None:
            return None, False
        found |= firsts
        if not empty:
            return found, False
    return found, True


def _first_of_item(op: Any, argument: Any, flags: int) -> tuple[set[str] | None, bool]:
    """:func:`_first` of one regex item."""
    p = _parser
    if op is p.LITERAL:
        return {re.escape(chr(argument))}, False
    if op is p.IN:
        return _class_items(argument), False
    if op in (p.AT, p.ASSERT, p.ASSERT_NOT):  # zero-width: the match starts after them
        return set(), True
    if op is p.SUBPATTERN:  # (group, added flags, removed flags, body)
        if argument[1] & _CLASS_FLAGS or argument[2] & (_CLASS_FLAGS & ~re.IGNORECASE):
            return None, False
        return _first(list(argument[3]), flags)
    if op is getattr(p, "ATOMIC_GROUP", None):
        return _first(list(argument), flags)
    if op in (p.MAX_REPEAT, p.MIN_REPEAT) or op is getattr(p, "POSSESSIVE_REPEAT", None):
        firsts, empty = _first(list(argument[2]), flags)
        return firsts, empty or argument[0] == 0
    if op is p.BRANCH:
        found: set[str] = set()
        any_empty = False
        for branch in argument[1]:
            firsts, empty = _first(list(branch), flags)
            if firsts is None:
                return None, False
            found |= firsts
            any_empty = any_empty or empty
        return found, any_empty
    return None, False  # any character, a back-reference, a conditional: unknown


def _class_items(items: list[tuple[Any, Any]]) -> set[str] | None:
    """A character class's items as written in a class (None for a negated class)."""
    written: set[str] = set()
    for op, argument in items:
        if op is _parser.LITERAL:
            written.add(re.escape(chr(argument)))
        elif op is _parser.RANGE:
            written.add(f"{re.escape(chr(argument[0]))}-{re.escape(chr(argument[1]))}")
        elif op is _parser.CATEGORY and str(argument) in _CATEGORIES:
            written.add(_CATEGORIES[str(argument)])
        else:
            return None
    return written


@dataclass(frozen=True)
class AnyRegex:
    """Regexes searched as their alternation ``(?:a)|(?:b)|…`` would be, each skipped on a text
    that lacks the words it requires: a list of cues, most of which need a word seldom there.

    >>> cues = AnyRegex.of(["chez\\\\s+$", "\\\\bfiliale\\\\s+de\\\\s+$"], re.IGNORECASE)
    >>> bool(cues.search("il travaille CHEZ ")), cues.search("il travaille à ") is None
    (True, True)
    """

    parts: tuple[tuple[re.Pattern[str], Requirements], ...]

    @classmethod
    def of(cls, patterns: Iterable[str], flags: int = 0, min_word: int = 2) -> AnyRegex:
        """The cues ``patterns``, with the words each requires (of ``min_word`` characters or
        more: a cue list is searched in short windows, where even "DG" is rare). Cues that
        refer to each other's groups stay one alternation, as written."""
        patterns = list(patterns)
        whole = re.compile("|".join(f"(?:{p})" for p in patterns) or "(?!)", flags)
        if len(patterns) < 2 or _refers_to_groups(whole):
            return cls(((whole, ()),))
        compiled = [re.compile(pattern, flags) for pattern in patterns]
        return cls(tuple((rx, required_words(rx, min_word=min_word)) for rx in compiled))

    def search(self, text: str) -> re.Match[str] | None:
        """A match of one of the regexes in ``text`` (not always the leftmost of them all: for
        a yes-or-no test), or None."""
        folded = fold(text)
        for regex, requirements in self.parts:
            if may_contain(folded, requirements):
                match = regex.search(text)
                if match is not None:
                    return match
        return None


def _refers_to_groups(regex: re.Pattern[str]) -> bool:
    """Whether ``regex`` holds a back-reference (``\\1``, ``(?P=name)``, ``(?(1)…)``)."""
    if _parser is None:
        return True
    references = {_parser.GROUPREF, _parser.GROUPREF_EXISTS}

    def walk(items: Iterable[Any]) -> bool:
        for item in items:
            if isinstance(item, tuple):
                if item and item[0] in references:
                    return True
                if walk(item):
                    return True
            elif isinstance(item, (list, _parser.SubPattern)) and walk(item):
                return True
        return False

    return walk(_parser.parse(regex.pattern, regex.flags))
