"""The registry of language knowledge: title words, descriptions, demonyms, cues and patterns.

Everything lives in TOML data files (``kg/data/lexicon.toml``, ``kg/data/patterns.toml``); a user
adds their own with ``kg build --patterns FILE``. This module only loads, merges and compiles.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import pickle
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..io import index_folder, write_bytes_atomic
from .numbers import AMOUNT_REGEX
from .prefilter import (
    AnyRegex,
    P,
    PatternSet,
    Requirements,
    behind,
    first_look_ahead,
    required_words,
    with_first_look_ahead,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_FILES = (DATA_DIR / "lexicon.toml", DATA_DIR / "patterns.toml")

# Slot tokens in masked sentences: ⟨index:code⟩.
_SLOT_CLASSES = {
    "PER": "P", "ORG": "O", "LOC": "L", "DEMONYM": "D", "REGION_DEMONYM": "R", "AGENT": "PO",
    "ANY": "POLDR",
}  # fmt: skip

_FIXED_MACROS = {
    "DE": r"(?:de\s+la\s+|de\s+l['’]\s*|du\s+|des\s+|d['’]\s*|de\s+)",
    "ART": r"(?:le\s+|la\s+|les\s+|l['’]\s*|un\s+|une\s+)",
    # Gaps hold no slot and no sentence break; a dot between digits ("5.000") is no break.
    # A place named on the way ("Sorvel, basé à Namur, rachète") does not stop a gap.
    "GAP": r"(?:[^⟨⟩.;!?]|(?<=\d)\.(?=\d)|⟨\d+:[LDR]⟩){0,80}?",
    "LGAP": r"(?:[^⟨⟩.;!?]|(?<=\d)\.(?=\d)|⟨\d+:[LDR]⟩){0,200}?",
    "SGAP": r"(?:[^⟨⟩.;!?,]|(?<=\d)\.(?=\d)){0,30}?",
    # The names listed with a subject before its verb: "A (30 %), le fonds B et C entrent au
    # capital"; the pattern's subject is the first, coordination reads the others.
    "SLIST": r"(?:(?:\s*\((?:[^()⟨⟩]|⟨\d+:[POLDR]⟩){1,60}\))?(?:\s*,\s*|\s*,?\s+et\s+)"
    r"(?:(?:de\s+la|de\s+l['’]|du|des|de|d['’]|le|la|les|l['’])\s*(?:[a-zà-ÿ][\w-]*\s+){0,3})?"
    r"⟨\d+:[PO]⟩)*"
    r"(?:\s*\((?:[^()⟨⟩]|⟨\d+:[POLDR]⟩){1,60}\))?",
    # What a buyer takes besides the company itself: "quatre usines d'", "les actifs de".
    "ASSETS": r"(?:(?:les?|la|l['’]|des|ses|leurs?|\d+|deux|trois|quatre|cinq|six|plusieurs|la\s+totalité\s+des|l['’]ensemble\s+des|une\s+partie\s+des)\s*(?:usines?|sites?|magasins?|supermarchés|hypermarchés|activités?|actifs|branches?|divisions?|points\s+de\s+vente|marques?|filiales?|titres|fonds\s+de\s+commerce)(?:\s+[a-zé]+)?)",
    # A noun phrase that ends on a link word ("l'entreprise avec", "emmenée par") is no
    # description of the name after it.
    "NOTLINK": "".join(
        rf"(?<!\b{w})" for w in ("avec", "par", "et", "ou", "pour", "sur", "dans", "que", "qui")
    ),
    "YEAR": r"(?P<year>(?:18|19|20)\d{2})\b",
    "AMOUNT": rf"(?P<amount>{AMOUNT_REGEX})",
}


class LazyRegex:
    """A regular expression compiled the first time it is searched.

    A packaged pattern that no sentence of a run gets past its prefilter is never compiled:
    most of the start-up of a process that reads a few articles. ``pattern``, ``flags`` and
    the names of its groups are known without compiling.

    >>> rx = LazyRegex(r"(?P<s>\\d+) salariés", re.IGNORECASE)
    >>> rx.group_names, rx._compiled is None
    (frozenset({'s'}), True)
    >>> rx.search("ses 40 Salariés").group("s"), rx._compiled is None
    ('40', False)
    """

    __slots__ = ("_compiled", "flags", "look_ahead", "pattern")

    def __init__(self, pattern: str, flags: int = 0, look_ahead: str = "") -> None:
        self.pattern = pattern
        self.flags = flags
        # Put before the pattern when compiled (:func:`.prefilter.first_look_ahead`): the same
        # matches, found sooner.
        self.look_ahead = look_ahead
        self._compiled: re.Pattern[str] | None = None

    @property
    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(behind(self.look_ahead, self.pattern), self.flags)
        return self._compiled

    @property
    def group_names(self) -> frozenset[str]:
        return frozenset(_GROUP_NAME.findall(self.pattern))

    @property
    def groupindex(self) -> Mapping[str, int]:
        return self.compiled.groupindex

    @property
    def groups(self) -> int:
        return self.compiled.groups

    def search(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.compiled.search(string, pos, endpos)

    def finditer(
        self, string: str, pos: int = 0, endpos: int = sys.maxsize
    ) -> Iterator[re.Match[str]]:
        return self.compiled.finditer(string, pos, endpos)

    def __repr__(self) -> str:
        return f"LazyRegex({self.pattern[:40]!r}…)"


_GROUP_NAME = re.compile(r"\(\?P<(\w+)>")


def group_names(regex: re.Pattern[str] | LazyRegex) -> frozenset[str]:
    """The names of the groups of ``regex``, without compiling a lazy one.

    >>> sorted(group_names(re.compile(r"(?P<s>a)(?P<o>b)")))
    ['o', 's']
    """
    if isinstance(regex, LazyRegex):
        return regex.group_names
    return frozenset(regex.groupindex)


class _RememberedAnalysis:
    """What the prefilter reads off each pattern (:func:`.prefilter.required_words`,
    :func:`.prefilter.first_look_ahead`), remembered in :func:`kg.io.index_folder` across runs:
    deriving it parses every pattern, more than half a second at each start. Keyed by the
    pattern's source and flags, in a file named after the prefilter module's code and the
    entries' format, so a new derivation starts a new file."""

    FORMAT = 2  # (requirements, look-ahead) per pattern

    def __init__(self) -> None:
        self.known: dict[str, tuple[Requirements, str]] | None = None
        self.used: set[str] = set()
        self.added = False

    def path(self) -> Path:
        code = hashlib.sha256(Path(inspect.getfile(required_words)).read_bytes()).hexdigest()[:16]
        return index_folder() / f"prefilters-v{self.FORMAT}-{code}.pickle"

    def __call__(self, regex: re.Pattern[str] | LazyRegex) -> tuple[Requirements, str]:
        if self.known is None:
            self.known = {}
            unreadable = (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError)
            with (
                contextlib.suppress(*unreadable, AttributeError, ImportError, IndexError),
                self.path().open("rb") as handle,
            ):
                self.known = dict(pickle.load(handle))
        key = hashlib.sha256(f"{regex.flags}\0{regex.pattern}".encode()).hexdigest()
        if key not in self.known:
            self.known[key] = (required_words(regex), first_look_ahead(regex))
            self.added = True
        self.used.add(key)
        return self.known[key]

    def save(self) -> None:
        """When some were derived anew, write those this process used (so the file does not
        grow with every edit of a pattern); a failure only costs the next start."""
        if self.added and self.known is not None:
            kept = {key: self.known[key] for key in self.used}
            with contextlib.suppress(OSError):
                write_bytes_atomic(self.path(), pickle.dumps(kept, protocol=5))
            self.added = False


remembered_analysis = _RememberedAnalysis()


@dataclass(frozen=True)
class RelationPattern:
    """One compiled relation pattern (see the header of ``patterns.toml`` for the keys)."""

    name: str
    predicate: str
    regex: re.Pattern[str] | LazyRegex
    confidence: float
    subject: str | None = None
    object: str | None = None
    collect: str | None = None
    requires: str | None = None
    object_kind: str | None = None
    no_verb_between: bool = False
    tense: bool = True
    modality_from: str | None = None
    coordinate: bool = True
    # Derived from the regex once, never written by hand (see ``__post_init__``).
    requirements: Requirements = field(init=False, repr=False, compare=False)
    slots_needed: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """The words a sentence must hold to be worth the regex (:mod:`.prefilter`), and how
        many slots: two for a subject and an object both written in it, else one."""
        groups = group_names(self.regex)
        both = "s" in groups and "o" in groups
        written = both and not (self.subject or self.object or self.collect)
        _derive(self)
        object.__setattr__(self, "slots_needed", 2 if written else 1)


@dataclass(frozen=True)
class AttributePattern:
    """One compiled attribute pattern."""

    name: str
    property: str
    regex: re.Pattern[str] | LazyRegex
    confidence: float
    money: bool | None = None
    # False: the figure is presupposed ("ses 500 salariés", "depuis sa fondation en 1987"), so
    # the clause's negation, hedge or tense does not touch it.
    modality: bool = True
    # A figure the words imply without a number ("une licorne": valued at a billion dollars).
    value: float | None = None
    unit: str | None = None
    # "buyer": the figure is the price of the deal read just before (:func:`~.stages.deal_buyer`).
    subject: str | None = None
    # The words a sentence must hold to be worth the regex (:mod:`.prefilter`).
    requirements: Requirements = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _derive(self)


def _derive(pattern: RelationPattern | AttributePattern) -> None:
    """A pattern's ``requirements`` (:func:`~.prefilter.required_words`) and the look-ahead for
    the characters its matches start with (:func:`~.prefilter.first_look_ahead`: the same
    matches, found sooner), both remembered across runs. A packaged pattern compiles with its
    look-ahead; a user's, compiled at load, is compiled again with it only when it requires no
    word, so runs on every sentence."""
    requirements, look_ahead = remembered_analysis(pattern.regex)
    object.__setattr__(pattern, "requirements", requirements)
    if isinstance(pattern.regex, LazyRegex):
        pattern.regex.look_ahead = look_ahead
    elif look_ahead and not requirements:
        object.__setattr__(pattern, "regex", with_first_look_ahead(pattern.regex))


@dataclass
class Lexicon:
    """All language knowledge used by the extractors, merged from the data files."""

    ceo_titles: list[str] = field(default_factory=list)
    founder_titles: list[str] = field(default_factory=list)
    job_titles: list[str] = field(default_factory=list)
    alumnus_titles: list[str] = field(default_factory=list)
    shareholder_titles: list[str] = field(default_factory=list)
    org_descriptors: list[str] = field(default_factory=list)
    person_descriptors: list[str] = field(default_factory=list)
    org_heads: list[str] = field(default_factory=list)
    school_words: list[str] = field(default_factory=list)
    negation_cues: list[str] = field(default_factory=list)
    modality_cues: list[str] = field(default_factory=list)
    figure_hedges: list[str] = field(default_factory=list)
    junk_words: set[str] = field(default_factory=set)
    given_names: set[str] = field(default_factory=set)
    demonyms: dict[str, str] = field(default_factory=dict)
    region_demonyms: dict[str, str] = field(default_factory=dict)
    country_demonyms: dict[str, str] = field(default_factory=dict)
    typing: dict[str, list[str]] = field(default_factory=dict)
    # Kinds of organization ("investor", "business"): the nouns that say what a company is.
    kinds: dict[str, list[str]] = field(default_factory=dict)
    relations: list[RelationPattern] = field(default_factory=list)
    # Regexes built from the lists above, compiled once per lexicon (see ``cached_regex``).
    compiled: dict[str, re.Pattern[str]] = field(default_factory=dict, repr=False, compare=False)
    _demonym_index: dict[str, tuple[str, bool]] = field(
        default_factory=dict, repr=False, compare=False
    )
    _nationality_forms: frozenset[str] | None = field(default=None, repr=False, compare=False)
    _demonym_words: frozenset[str] | None = field(default=None, repr=False, compare=False)
    _typing: dict[str, AnyRegex] = field(default_factory=dict, repr=False, compare=False)
    _typing_words: dict[str, frozenset[str]] = field(
        default_factory=dict, repr=False, compare=False
    )
    attributes: list[AttributePattern] = field(default_factory=list)
    _pattern_sets: dict[str, PatternSet[Any]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def pattern_set(self, name: str, patterns: Sequence[P]) -> PatternSet[P]:
        """``patterns`` indexed by the words they require (:class:`~.prefilter.PatternSet`),
        kept under ``name`` and indexed again only when they are no longer the same patterns
        (comparing them costs a pointer test each: the same patterns are the same objects).

        >>> lexicon = default_lexicon()
        >>> lexicon.pattern_set("all", lexicon.attributes) is lexicon.pattern_set("all", lexicon.attributes)
        True
        """
        kept = self._pattern_sets.get(name)
        if kept is None or kept.patterns != tuple(patterns):
            kept = self._pattern_sets[name] = PatternSet(patterns)
        return kept

    def demonym_place(self, word: str) -> tuple[str, bool] | None:
        """The place a demonym names, across its inflections, and whether it is a region/country.

        >>> default_lexicon().demonym_place("Rennaise"), default_lexicon().demonym_place("wallonne")
        (('Rennes', False), ('Wallonie', True))
        """
        if not self._demonym_index:
            for place, region in _demonym_forms(
                tuple(sorted(self.region_demonyms.items()))
            ).items():
                self._demonym_index[place] = (region, True)
            for place, city in _demonym_forms(tuple(sorted(self.demonyms.items()))).items():
                self._demonym_index[place] = (city, False)
        return self._demonym_index.get(word.lower())

    def demonym_words(self) -> frozenset[str]:
        """Every word :meth:`is_nationality` or :meth:`demonym_place` knows, lowercased: the
        words a pass over a document's tokens looks for.

        >>> {"rennaise", "américaines"} <= default_lexicon().demonym_words()
        True
        """
        if self._demonym_words is None:
            self.is_nationality("")  # both built on first use
            self.demonym_place("")
            assert self._nationality_forms is not None
            self._demonym_words = self._nationality_forms | frozenset(self._demonym_index)
        return self._demonym_words

    def typing_words(self, name: str) -> frozenset[str]:
        """The typing list ``name`` (``[typing]`` in lexicon.toml) lowercased, built once.

        >>> "capital" in default_lexicon().typing_words("organization_suffixes")
        True
        """
        if name not in self._typing_words:
            self._typing_words[name] = frozenset(w.lower() for w in self.typing.get(name, []))
        return self._typing_words[name]

    def is_nationality(self, word: str) -> bool:
        """Is ``word`` a nationality ("chinois", "Américaines"), across its inflections?

        >>> default_lexicon().is_nationality("Américaine"), default_lexicon().is_nationality("Lyon")
        (True, False)
        """
        if self._nationality_forms is None:
            self._nationality_forms = frozenset(
                _demonym_forms(tuple(sorted(self.country_demonyms.items())))
            )
        return word.lower() in self._nationality_forms


def _alternation(words: Iterable[str]) -> str:
    """A regex alternation of phrases, longest first, spaces flexible.

    >>> re.fullmatch(_alternation(["PDG", "directeur général"]), "directeur  général") is not None
    True
    """
    # Longest first (a regex takes the first alternative that fits), then in a fixed order:
    # the same words give the same regex in every process.
    parts = sorted({w.strip() for w in words if w.strip()}, key=lambda w: (-len(w), w))
    escaped = [r"\s+".join(re.escape(piece) for piece in p.split()) for p in parts]
    return "(?:" + "|".join(escaped) + ")" if escaped else "(?!)"


@lru_cache(maxsize=8)
def _demonym_forms(items: tuple[tuple[str, str], ...]) -> dict[str, str]:
    forms: dict[str, str] = {}
    for base, place in items:
        base = base.lower()
        variants = {base, base + "e", base + "s", base + "es"}
        if base.endswith(("ien", "éen", "on")):
            variants |= {base + "ne", base + "nes"}
        if base.endswith("eau"):
            variants |= {base[:-3] + "elle", base[:-3] + "elles", base + "x"}
        if base.endswith("s"):
            variants |= {base + "e", base + "es"}
        for variant in variants:
            forms.setdefault(variant, place)
    return forms


# A head phrase never starts with a preposition or conjunction ("racheté par X" is no head).
_NOT_FUNCTION_WORD = r"(?!(?:par|de|du|des|pour|avec|à|au|aux|en|dans|sur|sous|et|ou|qui|que|dont|entre|chez|vers)\b)"

# Later words of a head phrase may be "de" ("le groupe de construction") but no verb or clause
# word: "l'entreprise qui détient X" names no X.
_NOT_LINK_WORD = r"(?!(?:qui|que|qu['’]|dont|et|ou|par|avec|pour|dans|sur|chez|auprès|à|au|aux|en|a|ont|est|sont|était|avait|vient|va)\b)"


def _macros(lexicon: Lexicon) -> dict[str, str]:
    macros = dict(_FIXED_MACROS)
    macros["CEO"] = _alternation(lexicon.ceo_titles)
    macros["FOUNDER"] = _alternation(lexicon.founder_titles)
    macros["JOB"] = _alternation(lexicon.job_titles)
    macros["ALUMNUS"] = _alternation(lexicon.alumnus_titles)
    macros["HEADNOUN"] = _alternation(lexicon.org_heads)
    macros["DESCRIPTOR"] = _alternation(lexicon.org_descriptors)
    # An optional article and head noun phrase before a name: "la ", "le groupe ",
    # "l'éditeur suisse ", "du logisticien anversois ".
    macros["HEAD"] = (
        r"(?:(?:aujourd['’]hui\s+|désormais\s+|actuellement\s+|toujours\s+|encore\s+|depuis\s+\d{4}\s+)?"
        r"(?:le\s+|la\s+|les\s+|l['’]\s*)?(?:(?:"
        + macros["HEADNOUN"]
        + "|"
        + macros["DESCRIPTOR"]
        + r"|"
        + _NOT_FUNCTION_WORD
        + r"(?-i:[a-zà-ÿ][\w-]*))(?:\s+(?:"
        + _NOT_LINK_WORD
        + r"(?-i:[a-zà-ÿ][\w'’-]*|[A-Z]{2,5}\b)|⟨\d+:[DR]⟩)){0,4}?\s+)?)"
    )
    # Titles joined to the one a pattern reads: "fondateur et CEO de", "PDG et actionnaire
    # principal de", "président, fondateur et directeur de".
    title = (
        r"(?:ancien(?:ne)?\s+|actuel(?:le)?\s+|nouve(?:au|lle)\s+|ex-|co-?)?"
        + _alternation(
            lexicon.ceo_titles
            + lexicon.founder_titles
            + lexicon.job_titles
            + lexicon.shareholder_titles
        )
        + r"(?:\s+(?:majoritaire|minoritaire|principal|principale|délégué|déléguée|exécutif|exécutive))?"
    )
    macros["TPRE"] = (
        r"(?:actuellement\s+|aujourd['’]hui\s+|désormais\s+|jusqu['’]ici\s+|jusque-là\s+|encore\s+)?"
        rf"(?:{title}\s*(?:,\s*|\s+et\s+|\s+)(?:le\s+|la\s+|l['’]\s*)?)*"
    )
    # An earlier title and company in the same apposition: "X, directeur d'A et fondateur de B".
    macros["PRIOR"] = (
        rf"(?:(?:le\s+|la\s+|l['’]\s*)?{title}\s+{_FIXED_MACROS['DE']}(?:[a-zé][\w'’-]*\s+){{0,2}}"
        r"⟨\d+:O⟩\s*(?:,\s*|\s+et\s+))?"
    )
    macros["TPOST"] = rf"(?:\s*(?:,\s*|\s+et\s+)(?:le\s+|la\s+|l['’]\s*)?{title})*"
    macros["SHAREHOLDER"] = _alternation(lexicon.shareholder_titles)
    # An apposition between a subject and its verb: "Tessera Capital, qui avait déjà investi…, mène".
    macros["APPOS"] = r"(?:\s*,[^,.;!?]{1,90}?,)?"
    return macros


_PLACEHOLDER = re.compile(r"\{([A-Z]+)(?::([A-Z_]+))?\}")


def compile_pattern(
    pattern: str, macros: dict[str, str], *, lazy: bool = False
) -> re.Pattern[str] | LazyRegex:
    """Expand placeholders and compile (``lazy``: when first searched, see :class:`LazyRegex`).

    >>> rx = compile_pattern("{S:PER} dirige {O:ORG}", {})
    >>> rx.search("⟨0:P⟩ dirige ⟨1:O⟩").group("s", "o")
    ('0', '1')
    """

    def expand(match: re.Match[str]) -> str:
        name, kind = match.group(1), match.group(2)
        if name in {"S", "O"}:
            if kind not in _SLOT_CLASSES:
                raise InputError(f"unknown slot type {kind!r} in pattern {pattern!r}")
            group = "s" if name == "S" else "o"
            return rf"⟨(?P<{group}>\d+):[{_SLOT_CLASSES[kind]}]⟩"
        if name not in macros:
            raise InputError(f"unknown placeholder {{{name}}} in pattern {pattern!r}")
        return macros[name]

    expanded = _PLACEHOLDER.sub(expand, pattern)
    if lazy:
        return LazyRegex(expanded, re.IGNORECASE)
    try:
        return re.compile(expanded, re.IGNORECASE)
    except re.error as error:
        raise InputError(f"invalid pattern {pattern!r}: {error}") from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise InputError(f"{path}: no such pattern file") from None
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"{path}: invalid TOML: {error}") from None


def _merge(lexicon: Lexicon, data: dict[str, Any]) -> None:
    titles = data.get("titles", {})
    lexicon.ceo_titles += titles.get("ceo", [])
    lexicon.founder_titles += titles.get("founder", [])
    lexicon.job_titles += titles.get("job", [])
    lexicon.alumnus_titles += titles.get("alumnus", [])
    lexicon.shareholder_titles += titles.get("shareholder", [])
    descriptors = data.get("descriptors", {})
    lexicon.org_descriptors += descriptors.get("organization", [])
    lexicon.person_descriptors += descriptors.get("person", [])
    lexicon.org_heads += descriptors.get("org_heads", [])
    lexicon.school_words += descriptors.get("school", [])
    cues = data.get("cues", {})
    lexicon.negation_cues += cues.get("negation", [])
    lexicon.modality_cues += cues.get("modality", [])
    lexicon.figure_hedges += cues.get("figure_hedges", [])
    lexicon.junk_words |= set(data.get("junk", {}).get("words", []))
    lexicon.given_names |= set(data.get("junk", {}).get("given_names", []))
    lexicon.demonyms.update(data.get("demonyms", {}))
    lexicon.region_demonyms.update(data.get("region_demonyms", {}))
    lexicon.country_demonyms.update(data.get("country_demonyms", {}))
    for name, fragments in data.get("typing", {}).items():
        lexicon.typing.setdefault(name, []).extend(fragments)
    for name, words in data.get("kinds", {}).items():
        lexicon.kinds.setdefault(name, []).extend(words)


def load_lexicon(extra_files: Sequence[str | Path] = ()) -> Lexicon:
    """Load the packaged data files, then the user's, and compile every pattern."""
    lexicon = Lexicon()
    raw_relations: list[dict[str, Any]] = []
    raw_attributes: list[dict[str, Any]] = []
    for path in (*DEFAULT_FILES, *map(Path, extra_files)):
        data = _read_toml(path)
        _merge(lexicon, data)
        # The packaged patterns compile when first searched (the tests compile them all); a
        # user's compile now, so that a mistake in them stops the run before any work.
        lazy = path in DEFAULT_FILES
        raw_relations += [{**raw, "lazy": lazy} for raw in data.get("relation", [])]
        raw_attributes += [{**raw, "lazy": lazy} for raw in data.get("attribute", [])]
    macros = _macros(lexicon)
    for raw in raw_relations:
        try:
            lexicon.relations.append(
                RelationPattern(
                    name=raw["name"],
                    predicate=raw["predicate"],
                    regex=compile_pattern(raw["pattern"], macros, lazy=raw["lazy"]),
                    confidence=float(raw.get("confidence", 0.7)),
                    subject=raw.get("subject"),
                    object=raw.get("object"),
                    collect=raw.get("collect"),
                    requires=raw.get("requires"),
                    object_kind=raw.get("object_kind"),
                    no_verb_between=bool(raw.get("no_verb_between", False)),
                    tense=bool(raw.get("tense", True)),
                    modality_from=raw.get("modality_from"),
                    coordinate=bool(raw.get("coordinate", True)),
                )
            )
        except KeyError as missing:
            raise InputError(f"relation pattern {raw.get('name', '?')!r} lacks {missing}") from None
    for raw in raw_attributes:
        try:
            lexicon.attributes.append(
                AttributePattern(
                    name=raw["name"],
                    property=raw["property"],
                    regex=compile_pattern(raw["pattern"], macros, lazy=raw["lazy"]),
                    confidence=float(raw.get("confidence", 0.7)),
                    money=raw.get("money"),
                    modality=bool(raw.get("modality", True)),
                    value=float(raw["value"]) if "value" in raw else None,
                    unit=raw.get("unit"),
                    subject=raw.get("subject"),
                )
            )
        except KeyError as missing:
            raise InputError(
                f"attribute pattern {raw.get('name', '?')!r} lacks {missing}"
            ) from None
    remembered_analysis.save()
    return lexicon


def typing_regex(lexicon: Lexicon, name: str) -> AnyRegex:
    """The typing cues ``name`` (``[typing]`` in lexicon.toml), compiled once per lexicon and
    searched as one alternation (each cue skipped on a text lacking the words it needs)."""
    if name not in lexicon._typing:
        lexicon._typing[name] = _typing_regex(lexicon, name)
    return lexicon._typing[name]


def school_regex(lexicon: Lexicon) -> re.Pattern[str]:
    """Words that make an organization a school."""
    if "school" not in lexicon.compiled:
        lexicon.compiled["school"] = re.compile(
            r"(?<!\w)" + _alternation(lexicon.school_words) + r"(?!\w)", re.IGNORECASE
        )
    return lexicon.compiled["school"]


def _typing_regex(lexicon: Lexicon, name: str) -> AnyRegex:
    macros = _macros(lexicon)
    macros["TITLE"] = _alternation(lexicon.ceo_titles + lexicon.founder_titles + lexicon.job_titles)
    fragments = [
        _PLACEHOLDER.sub(lambda m: macros[m.group(1)], f) for f in lexicon.typing.get(name, [])
    ]
    return AnyRegex.of(fragments, re.IGNORECASE)


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The packaged lexicon, loaded once."""
    return load_lexicon()


@lru_cache(maxsize=1)
def packaged_words() -> Lexicon:
    """The packaged lexicon's words, its patterns not compiled: for readers outside extraction
    (name resolution), which need a word list, not the cost of compiling every pattern.

    >>> words = packaged_words()
    >>> "capital" in words.typing_words("organization_suffixes"), words.relations
    (True, [])
    """
    lexicon = Lexicon()
    for path in DEFAULT_FILES:
        _merge(lexicon, _read_toml(path))
    return lexicon
