"""Page furniture: tell the lines of an article from the lines of the page around it.

A saved web page, as HTML reduced to text or as a plain-text excerpt, mixes the article's
paragraphs with share bars, photo credits, subscription prompts, cookie banners, menus, bylines,
captions and links to other articles. :func:`clean_lines` drops those lines one by one — a
furniture line costs that line, never the article — and counts what it dropped by kind. The rules
are data (``kg/data/furniture.toml``): each kind is whole-line patterns and a list of words a line
may be made of. Besides them, two rules need the page: a line that repeats an earlier line (a
headline printed twice, a caption doubled) and a line without a letter (``0``, ``*``, ``—``).
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import InputError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = [
    "FURNITURE_FILE",
    "Cleaned",
    "Furniture",
    "clean_lines",
    "is_article_sentence",
    "load_furniture",
]

FURNITURE_FILE = Path(__file__).parent / "data" / "furniture.toml"

REPEATED = "repeated"
SYMBOLS = "symbols"
CUT = "cut"

# A placeholder of furniture.toml: {DATE}, {NAME}… (regex counts such as {1,2} are left alone).
_PLACEHOLDER = re.compile(r"\{([A-Z][A-Z_]*)\}")
# What separates the items of a share bar or a menu.
_SEPARATOR = r"[\s|•·/>»«,;:–—()\[\]-]+"
_WORD = re.compile(r"[^\W\d_]{2,}|\b[^\W\d_]\b")
_LETTER = re.compile(r"[^\W\d_]")
# An article sentence has at least this many words.
MIN_SENTENCE_WORDS = 3


@dataclass(frozen=True)
class Furniture:
    """Compiled furniture rules: one whole-line regular expression per kind, and the cut."""

    kinds: dict[str, re.Pattern[str]]
    cut: re.Pattern[str] | None = None

    def kind(self, line: str) -> str | None:
        """The kind of furniture ``line`` is, or ``None`` for an article line.

        >>> rules = load_furniture()
        >>> rules.kind("Facebook Twitter LinkedIn"), rules.kind("Facebook rachète Instagram.")
        ('share', None)
        >>> rules.kind("Crédit photo : Studio Lumière"), rules.kind("Crédit Agricole investit.")
        ('credit', None)
        """
        stripped = " ".join(line.split())
        if not stripped:
            return None
        if not _LETTER.search(stripped):
            return SYMBOLS
        for name, pattern in self.kinds.items():
            if pattern.fullmatch(stripped):
                return name
        return None

    def cuts(self, line: str) -> bool:
        """Whether ``line`` opens the page's tail (comments, recommended articles)."""
        return bool(self.cut and self.cut.fullmatch(" ".join(line.split())))


@dataclass
class Cleaned:
    """The article lines of a text and how many furniture lines were dropped, by kind."""

    text: str
    dropped: Counter[str] = field(default_factory=Counter)

    @property
    def has_sentence(self) -> bool:
        """Whether an article sentence is left (else the document is not an article)."""
        return any(is_article_sentence(line) for line in self.text.splitlines())


def is_article_sentence(line: str) -> bool:
    """Whether a line can hold a fact: at least three words.

    >>> is_article_sentence("OVH rachète Scaleway."), is_article_sentence("Économie")
    (True, False)
    """
    return len(_WORD.findall(line)) >= MIN_SENTENCE_WORDS


def clean_lines(text: str, rules: Furniture | None = None) -> Cleaned:
    """Drop the furniture lines of ``text``; keep every other line as it is.

    >>> cleaned = clean_lines("Acme ouvre une usine à Lyon.\\nPartager\\n© Studio\\nAcme ouvre une usine à Lyon.")
    >>> cleaned.text, dict(cleaned.dropped)
    ('Acme ouvre une usine à Lyon.', {'share': 1, 'credit': 1, 'repeated': 1})
    """
    rules = rules or load_furniture()
    kept: list[str] = []
    seen: set[str] = set()
    dropped: Counter[str] = Counter()
    sentence_read = False
    lines = text.splitlines()
    for number, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            kept.append("")
            continue
        if rules.cuts(stripped):
            if not sentence_read:  # a tail marker above the article: that line only
                dropped[CUT] += 1
                continue
            dropped[CUT] += sum(1 for rest in lines[number:] if rest.strip())
            break
        kind = rules.kind(stripped)
        key = " ".join(stripped.casefold().split())
        if kind is None and key in seen:
            kind = REPEATED
        if kind is not None:
            dropped[kind] += 1
            continue
        seen.add(key)
        kept.append(line.rstrip())
        sentence_read = sentence_read or is_article_sentence(stripped)
    body = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    return Cleaned(body, dropped)


@lru_cache(maxsize=8)
def load_furniture(path: Path = FURNITURE_FILE) -> Furniture:
    """The furniture rules of a TOML file (``kg/data/furniture.toml`` by default)."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise InputError(f"{path}: no such furniture file") from None
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"{path}: invalid TOML: {error}") from None
    macros = {name: str(value) for name, value in data.get("macros", {}).items()}
    kinds = {
        name: _compile(_alternatives(table, macros), f"{path}: kind {name}")
        for name, table in data.get("kinds", {}).items()
    }
    cut_patterns = _alternatives(data.get("cut", {}), macros)
    cut = _compile(cut_patterns, f"{path}: cut") if cut_patterns else None
    return Furniture(kinds={k: v for k, v in kinds.items() if v is not None}, cut=cut)


def _alternatives(table: dict[str, Any], macros: dict[str, str]) -> list[str]:
    """The regular expressions of one kind: its patterns, and one for its word list."""
    alternatives = [_expand(pattern, macros) for pattern in table.get("patterns", [])]
    words = sorted({str(w) for w in table.get("words", [])}, key=len, reverse=True)
    if words:
        item = "|".join(r"\s+".join(map(re.escape, w.split())) for w in words)
        alternatives.append(rf"(?:{item})(?:{_SEPARATOR}(?:{item}))*(?:{_SEPARATOR})?")
    return alternatives


def _expand(pattern: str, macros: dict[str, str], depth: int = 0) -> str:
    """``pattern`` with its ``{MACRO}`` placeholders replaced, macros inside macros too.

    >>> _expand("le {D}", {"D": "{N} mai", "N": "[0-9]+"})
    'le (?:(?:[0-9]+) mai)'
    """
    if depth > 5:
        raise InputError(f"furniture macros nested too deeply in {pattern!r}")

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in macros:
            raise InputError(f"unknown placeholder {{{name}}} in furniture pattern {pattern!r}")
        return f"(?:{_expand(macros[name], macros, depth + 1)})"

    return _PLACEHOLDER.sub(replace, pattern)


def _compile(alternatives: list[str], where: str) -> re.Pattern[str] | None:
    if not alternatives:
        return None
    try:
        return re.compile("|".join(f"(?:{a})" for a in alternatives), re.IGNORECASE)
    except re.error as error:
        raise InputError(f"{where}: invalid pattern: {error}") from None
