"""Read articles from files, folders and standard input into :class:`~kg.records.Document` records.

One bad input never costs the rest of a build: anything that cannot become a document (an empty
or binary file, undecodable bytes, a broken JSONL line, an unreadable or oversized file, a folder
with nothing to read) is reported as a :class:`Skip` through the ``on_skip`` callback, and reading
goes on with the next input. Only user mistakes that make the whole build meaningless — a path
that does not exist, nothing readable at all — raise a :class:`~kg.errors.KgError`.

Inputs are read one at a time, so memory holds one document, never the corpus; a file above
:attr:`IngestOptions.max_bytes` is refused from its size alone, without reading it.
"""

from __future__ import annotations

import codecs
import fnmatch
import json
import logging
import os
import re
import stat
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import IO, Any

from .config import Config
from .errors import InputError, UsageError
from .furniture import Cleaned, clean_lines
from .records import Document

__all__ = [
    "DEFAULT_MAX_BYTES",
    "LEGACY_ENCODINGS",
    "READERS",
    "SUFFIXES",
    "Article",
    "IngestOptions",
    "Skip",
    "Unreadable",
    "binary_kind",
    "decode_text",
    "extract_article",
    "first_heading",
    "load_documents",
    "strip_boilerplate",
    "strip_tags",
]

STDIN = "-"
STDIN_ID = "stdin"
DEFAULT_MAX_BYTES = Config.max_bytes
# Enough to recognise a binary format or an encoding without reading a whole file.
HEAD_BYTES = 8192

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------
# Records


@dataclass(frozen=True)
class IngestOptions:
    """How inputs are found and read.

    ``include``/``exclude`` are glob patterns tested against paths inside the folders given
    (``'*.txt'``, ``'drafts/*'``; a pattern matches at any depth). The ``*_field`` names say where
    JSON and JSONL records keep each part of an article. ``max_bytes`` is the largest document
    accepted: the size of a file, or of one JSONL line.
    """

    include: tuple[str, ...] = Config.include
    exclude: tuple[str, ...] = Config.exclude
    text_field: str = Config.text_field
    title_field: str = Config.title_field
    url_field: str = Config.url_field
    date_field: str = Config.date_field
    max_bytes: int = Config.max_bytes

    @classmethod
    def from_config(cls, config: Config) -> IngestOptions:
        """The reading settings of a build.

        >>> IngestOptions.from_config(Config(text_field="body")).text_field
        'body'
        """
        return cls(**{f: getattr(config, f) for f in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Skip:
    """An input, or one line of it, that was not read, and why.

    >>> str(Skip("news.jsonl", 3, "invalid JSON: Expecting value"))
    'news.jsonl:3: invalid JSON: Expecting value'
    >>> str(Skip("photo.txt", None, "binary file (PNG image)"))
    'photo.txt: binary file (PNG image)'
    """

    path: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        # One line whatever the file name or error text holds.
        path = re.sub(r"[\x00-\x1f\x7f-\x9f]", lambda m: repr(m.group())[1:-1], self.path)
        where = path if self.line is None else f"{path}:{self.line}"
        return f"{where}: {' '.join(self.reason.split())}"


class Unreadable(Exception):
    """Raised by a reader when an input cannot become a document; the message says why."""


# ---------------------------------------------------------------------------------------------
# Page furniture: lines that belong to the page around an article, not to the article. The rules
# are data (kg/data/furniture.toml) applied line by line by kg.furniture, to every input.


def strip_boilerplate(text: str) -> str:
    """The article lines of ``text``: share bars, credits, prompts, menus, comments dropped.

    >>> strip_boilerplate("Odoo grandit.\\nAbonnez-vous maintenant\\nLire aussi\\n")
    'Odoo grandit.'
    >>> strip_boilerplate("Facebook rachète Instagram.\\nTwitter Facebook\\nLaisser un commentaire\\nBof.")
    'Facebook rachète Instagram.'
    """
    return clean_lines(text).text


# ---------------------------------------------------------------------------------------------
# Bytes to text

# Magic numbers of formats that are sometimes saved with a text suffix.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive or office document"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"\x1f\x8b", "gzip archive"),
    (b"\x28\xb5\x2f\xfd", "zstd archive"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (b"\x7fELF", "executable"),
    (b"SQLite format 3\x00", "SQLite database"),
)

# Checked in order: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Tried in order after UTF-8: what Windows and older French tools save. cp1252 reads every
# latin-1 text the same way, bar the C1 control range that never occurs in real text.
# (charset-normalizer's guess is poor on short French text — it takes cp1252 for mac_latin2 —
# so it only comes in when none of these fits.)
LEGACY_ENCODINGS: tuple[str, ...] = ("cp1252",)

# A well-formed UTF-8 multi-byte sequence: bytes that fail UTF-8 yet hold these mix encodings.
_UTF8_SEQUENCE = re.compile(
    rb"[\xc3-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)

_MAX_CONTROL_RATIO = 0.05
# Control characters other than whitespace (C0, DEL, C1).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def binary_kind(head: bytes) -> str | None:
    """What binary format the first bytes of a file show, or ``None`` for text.

    >>> binary_kind(b"%PDF-1.7 ..."), binary_kind(b"Bonjour"), binary_kind(b"ab\\x00cd")
    ('PDF document', None, 'NUL bytes')
    """
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    if any(head.startswith(bom) for bom, _ in _BOMS):
        return None  # UTF-16/32 text is full of NUL bytes
    if b"\x00" in head:
        return "NUL bytes"
    return None


def decode_text(data: bytes) -> str:
    """Decode a document: byte-order mark, then UTF-8, then a Western European encoding.

    Raises :class:`Unreadable` when no encoding gives text.

    >>> decode_text("Société générale, 250 M€".encode("cp1252"))
    'Société générale, 250 M€'
    >>> decode_text("Orléans".encode("latin-1"))
    'Orléans'
    """
    text = _decode(data)
    if _control_ratio(text) > _MAX_CONTROL_RATIO:
        raise Unreadable("binary file (control characters)")
    # Typographic hyphens ("Sud‐Ouest" with U+2010) split a name for the NER model; one
    # character for one, so offsets stay.
    return text.replace("\r\n", "\n").replace("\r", "\n").translate(_HYPHENS)


_HYPHENS = str.maketrans({"\u2010": "-", "\u2011": "-"})


def _decode(data: bytes) -> str:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as error:
                raise Unreadable(
                    f"undecodable bytes: invalid {codec} at byte {error.start}"
                ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        if _UTF8_SEQUENCE.search(data):
            raise Unreadable(
                f"undecodable bytes: invalid UTF-8 at byte {error.start} in otherwise UTF-8 text"
            ) from None
    for encoding in LEGACY_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    match = from_bytes(data).best()
    if match is None:
        raise Unreadable("undecodable bytes: no text encoding fits")
    return str(match)


def _control_ratio(text: str) -> float:
    return len(_CONTROL.findall(text)) / len(text) if text else 0.0


# ---------------------------------------------------------------------------------------------
# HTML


class _TextCollector(HTMLParser):
    """Text of an HTML page outside scripts, styles and page furniture, one block per line."""

    _SKIPPED = frozenset(
        {
            "script",
            "style",
            "noscript",
            "template",
            "nav",
            "header",
            "footer",
            "aside",
            "form",
            "svg",
            "iframe",
            "button",
            "select",
            "figure",
            "figcaption",
        }
    )
    _BLOCKS = frozenset(
        {
            "p",
            "div",
            "br",
            "li",
            "ul",
            "ol",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "tr",
            "td",
            "th",
            "table",
            "section",
            "article",
            "blockquote",
            "pre",
            "title",
            "dd",
            "dt",
            "main",
            "body",
        }
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIPPED:
            self._skipping.append(tag)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self._skipping and tag == self._skipping[-1]:
            self._skipping.pop()
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def strip_tags(markup: str) -> str:
    """Plain text of an HTML page: tags, scripts and navigation dropped, entities decoded.

    >>> strip_tags("<p>OVH &amp; Scaleway</p><script>alert(1)</script><p>Roubaix</p>")
    'OVH & Scaleway\\nRoubaix'
    """
    collector = _TextCollector()
    collector.feed(markup)
    collector.close()
    lines = (" ".join(line.split()) for line in "".join(collector.parts).splitlines())
    return "\n".join(line for line in lines if line)


class _HeadingFinder(HTMLParser):
    """The text of the first ``<h1>`` outside navigation."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.heading: list[str] = []
        self._nav = 0
        self._in_heading = False
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "nav":
            self._nav += 1
        elif tag == "h1" and not self._nav and not self.done:
            self._in_heading = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            self._nav = max(self._nav - 1, 0)
        elif tag == "h1" and self._in_heading:
            self._in_heading = False
            self.done = bool("".join(self.heading).strip())

    def handle_data(self, data: str) -> None:
        if self._in_heading:
            self.heading.append(data)


def first_heading(markup: str) -> str | None:
    """The first ``<h1>`` of a page that is not inside ``<nav>``.

    >>> first_heading("<nav><h1>Menu</h1></nav><article><h1>Acme &amp; fils</h1></article>")
    'Acme & fils'
    """
    finder = _HeadingFinder()
    finder.feed(markup)
    finder.close()
    return " ".join("".join(finder.heading).split()) or None


@dataclass(frozen=True)
class Article:
    """The main text of a web page and what its markup says about it."""

    text: str
    title: str | None = None
    date: str | None = None
    url: str | None = None


def extract_article(markup: str) -> Article:
    """The article in an HTML page, menus, comments and other boilerplate dropped.

    Uses trafilatura, and a plain tag stripper when trafilatura finds no article.
    """
    result: Any = None
    try:
        import trafilatura

        result = trafilatura.bare_extraction(
            markup,
            include_comments=False,
            with_metadata=True,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as error:  # lxml and trafilatura raise many types on hostile markup
        logger.debug("trafilatura failed: %s", error)
    text = _string(_field(result, "text"))
    if not text:
        return Article(text=strip_tags(markup))
    return Article(
        text=text,
        title=_string(_field(result, "title")),
        date=_string(_field(result, "date")),
        url=_string(_field(result, "url")),
    )


def _field(result: Any, name: str) -> object:
    # trafilatura 2 returns a Document object, 1.x a dict.
    return result.get(name) if isinstance(result, dict) else getattr(result, name, None)


# ---------------------------------------------------------------------------------------------
# Readers: one per file suffix. Each yields documents, or skips for parts of a file (JSON lines);
# a problem with the whole file is raised as Unreadable.

Reader = Callable[[Path, str, IngestOptions], Iterator["Document | Skip"]]

_MARKDOWN = (
    (re.compile(r"^\s{0,3}#{1,6}\s+", re.M), ""),  # heading marks
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),  # bold
)


def read_text_file(path: Path, doc_id: str, options: IngestOptions) -> Iterator[Document | Skip]:
    """A plain-text article."""
    text = decode_text(_read_bytes(path, options.max_bytes))
    yield _document(doc_id, str(path), text)


def read_markdown_file(
    path: Path, doc_id: str, options: IngestOptions
) -> Iterator[Document | Skip]:
    """A Markdown article, its markup reduced to text."""
    text = decode_text(_read_bytes(path, options.max_bytes))
    for pattern, replacement in _MARKDOWN:
        text = pattern.sub(replacement, text)
    yield _document(doc_id, str(path), text)


def read_html_file(path: Path, doc_id: str, options: IngestOptions) -> Iterator[Document | Skip]:
    """A saved web page: its article only."""
    yield _html_document(doc_id, str(path), decode_text(_read_bytes(path, options.max_bytes)))


def read_json_file(path: Path, doc_id: str, options: IngestOptions) -> Iterator[Document | Skip]:
    """One JSON record, or a list of them (ids ``name.json#1``, ``name.json#2``, …)."""
    text = decode_text(_read_bytes(path, options.max_bytes))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise Unreadable(f"invalid JSON at line {error.lineno}: {error.msg}") from None
    except RecursionError:
        raise Unreadable("invalid JSON: nested too deeply") from None
    if not isinstance(data, list):
        yield _record_document(data, doc_id, str(path), options)
        return
    if not data:
        raise Unreadable("empty JSON list")
    for number, record in enumerate(data, 1):
        try:
            yield _record_document(record, f"{doc_id}#{number}", str(path), options)
        except Unreadable as error:
            yield Skip(str(path), None, f"record {number}: {error}")


def read_jsonl_file(path: Path, doc_id: str, options: IngestOptions) -> Iterator[Document | Skip]:
    """One JSON record per line (ids ``name.jsonl#LINE``), read line by line.

    The size limit applies to each line, so a large JSONL file is streamed, not refused.
    """
    found = False
    with path.open("rb") as handle:
        kind = binary_kind(handle.read(HEAD_BYTES))
        if kind:
            raise Unreadable(f"binary file ({kind})")
        handle.seek(0)
        for number, raw in enumerate(_bounded_lines(handle, options.max_bytes), 1):
            if raw is None:
                yield Skip(str(path), number, f"line longer than {_size(options.max_bytes)}")
                continue
            if not raw.strip():
                continue
            found = True
            try:
                record = _parse_json_line(raw, number)
                yield _record_document(record, f"{doc_id}#{number}", str(path), options)
            except Unreadable as error:
                yield Skip(str(path), number, str(error))
    if not found:
        raise Unreadable("empty file")


READERS: dict[str, Reader] = {
    ".txt": read_text_file,
    ".md": read_markdown_file,
    ".html": read_html_file,
    ".htm": read_html_file,
    ".json": read_json_file,
    ".jsonl": read_jsonl_file,
}
SUFFIXES: tuple[str, ...] = tuple(READERS)


def _read_bytes(path: Path, limit: int) -> bytes:
    """The bytes of a file of at most ``limit`` bytes, refused from its head if binary."""
    size = path.stat().st_size
    if size > limit:
        raise Unreadable(f"file is {_size(size)}, above the {_size(limit)} limit (see --max-size)")
    with path.open("rb") as handle:
        return _checked_bytes(handle, limit)


def _checked_bytes(handle: IO[bytes], limit: int) -> bytes:
    head = handle.read(HEAD_BYTES)
    kind = binary_kind(head)
    if kind:
        raise Unreadable(f"binary file ({kind})")
    # Bounded even when the size was unknown (standard input) or the file grew meanwhile.
    data = head + handle.read(max(limit + 1 - len(head), 0))
    if len(data) > limit:
        raise Unreadable(f"more than the {_size(limit)} limit (see --max-size)")
    if not data.strip():
        raise Unreadable("empty file")
    return data


def _bounded_lines(handle: IO[bytes], limit: int) -> Iterator[bytes | None]:
    """Lines of a binary file; ``None`` stands for a line longer than ``limit`` (not kept)."""
    while True:
        line = handle.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = handle.readline(HEAD_BYTES)
            yield None
        else:
            yield line


def _parse_json_line(raw: bytes, number: int) -> object:
    text = decode_text(raw)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise Unreadable(f"invalid JSON at column {error.colno}: {error.msg}") from None
    except RecursionError:
        raise Unreadable("invalid JSON: nested too deeply") from None


def _record_document(record: object, doc_id: str, path: str, options: IngestOptions) -> Document:
    if not isinstance(record, dict):
        raise Unreadable(f"expected a JSON object, found {_json_type(record)}")
    text = record.get(options.text_field)
    if not isinstance(text, str):
        fields = ", ".join(sorted(map(str, record))[:8]) or "none"
        raise Unreadable(
            f"no text in field {options.text_field!r} (fields: {fields}; see --text-field)"
        )
    return _document(
        doc_id,
        path,
        text,
        title=_string(record.get(options.title_field)),
        url=_string(record.get(options.url_field)),
        date=_string(record.get(options.date_field)),
    )


def _html_document(doc_id: str, path: str, markup: str) -> Document:
    """The article of a web page, its headline from the page's title, never from navigation.

    trafilatura picks the article's block; when its pick holds no article sentence once the
    furniture is dropped (it took a cookie banner or a menu for the article), the page's text
    outside navigation, headers, footers and figures is read instead.
    """
    article = extract_article(markup)
    cleaned = clean_lines(article.text)
    if not cleaned.has_sentence:
        whole = clean_lines(strip_tags(markup))
        if whole.has_sentence:
            cleaned = whole
    title = _headline(article.title) or _headline(first_heading(markup))
    return _document(doc_id, path, cleaned, title=title, url=article.url, date=article.date)


def _headline(title: str | None) -> str | None:
    """``title`` on one line, or ``None`` when it is empty or page furniture ("Menu Accueil").

    >>> _headline("  Acme ouvre\\n une usine "), _headline("Menu Accueil"), _headline(None)
    ('Acme ouvre une usine', None, None)
    """
    line = " ".join((title or "").split())[:200]
    if not line or clean_lines(line).text != line:
        return None
    return line


def _document(
    doc_id: str,
    path: str,
    text: str | Cleaned,
    *,
    title: str | None = None,
    url: str | None = None,
    date: str | None = None,
) -> Document:
    """A document of ``text``, its furniture lines dropped (``text`` may be cleaned already).

    Raises :class:`Unreadable` when nothing but furniture is left.
    """
    cleaned = text if isinstance(text, Cleaned) else clean_lines(text)
    if not cleaned.text:
        raw = text.text if isinstance(text, Cleaned) else text
        raise Unreadable("no article text" if raw.strip() or cleaned.dropped else "empty file")
    body = cleaned.text
    title = _headline(title) or _first_line(body)
    return Document(
        id=doc_id,
        path=path,
        title=title,
        text=body,
        url=url,
        date=date,
        furniture=sum(cleaned.dropped.values()),
    )


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:200]
    return ""


def _string(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _json_type(value: object) -> str:
    names = {list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


def _size(n: int) -> str:
    """
    >>> _size(20 * 1024 * 1024), _size(52_428_800), _size(900)
    ('20 MB', '50 MB', '900 bytes')
    """
    if n < 1024 * 1024:
        return f"{n} bytes"
    return f"{n / (1024 * 1024):.3g} MB"


# ---------------------------------------------------------------------------------------------
# Finding inputs


@dataclass(frozen=True)
class _Input:
    """One file to read (``path is None`` for standard input) and its document id."""

    path: Path | None
    doc_id: str


def _find_inputs(
    paths: Iterable[str | Path],
    options: IngestOptions,
    on_skip: Callable[[Skip], None],
) -> list[_Input]:
    """Every file to read under ``paths``, each with a unique, stable document id.

    A document id is the file name, or its path inside the folder given when two files share a
    name. Raises :class:`~kg.errors.UsageError` for a path that does not exist.
    """
    found: list[tuple[Path | None, PurePosixPath]] = []
    empty_folders: list[Path] = []
    seen: set[str] = set()
    for raw in paths:
        if str(raw) == STDIN:
            if STDIN not in seen:
                seen.add(STDIN)
                found.append((None, PurePosixPath(STDIN_ID)))
            continue
        path = Path(raw)
        if path.is_dir():
            files = list(_walk(path, options, on_skip))
            if not files:
                empty_folders.append(path)
        elif path.exists():
            files = [(path, PurePosixPath(path.name))]
        else:
            raise UsageError(f"{path}: no such file or folder")
        for file, relative in files:
            key = os.path.realpath(file)
            if key not in seen:  # the same file named twice is read once
                seen.add(key)
                found.append((file, relative))
    if not found:
        where = ", ".join(str(p) for p in paths) or "no path given"
        raise InputError(f"no documents to read in {where} (kg reads {', '.join(SUFFIXES)})")
    for folder in empty_folders:
        on_skip(Skip(str(folder), None, f"no documents in folder{_filter_note(options)}"))
    return _assign_ids(found)


def _assign_ids(found: list[tuple[Path | None, PurePosixPath]]) -> list[_Input]:
    names = Counter(relative.name for _, relative in found)
    candidates = [
        relative.name if names[relative.name] == 1 else str(relative) for _, relative in found
    ]
    # Still ambiguous (same relative path under two folders given): the path as given.
    counts = Counter(candidates)
    return [
        _Input(path, doc_id if counts[doc_id] == 1 or path is None else path.as_posix())
        for (path, _), doc_id in zip(found, candidates, strict=True)
    ]


def _walk(
    root: Path, options: IngestOptions, on_skip: Callable[[Skip], None]
) -> Iterator[tuple[Path, PurePosixPath]]:
    """Readable files under ``root`` in sorted order, hidden files and folders left out."""

    def report(error: OSError) -> None:
        on_skip(Skip(str(error.filename or root), None, f"cannot list folder: {error.strerror}"))

    for folder, dirnames, filenames in os.walk(root, onerror=report):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            path = Path(folder, name)
            if name.startswith(".") or path.suffix.lower() not in READERS:
                continue
            relative = PurePosixPath(path.relative_to(root).as_posix())
            if _selected(relative, options):
                yield path, relative


def _selected(relative: PurePosixPath, options: IngestOptions) -> bool:
    """Whether the include/exclude globs keep a path (relative to the folder walked).

    >>> opts = IngestOptions(include=("*.txt",), exclude=("drafts/*",))
    >>> [_selected(PurePosixPath(p), opts) for p in ("a.txt", "x/drafts/b.txt", "c.md")]
    [True, False, False]
    """
    parts = relative.parts
    # A pattern may match the path, any tail of it, or any folder on the way ('drafts').
    targets = {
        "/".join(parts[i:j]) for i in range(len(parts)) for j in range(i + 1, len(parts) + 1)
    }

    def matches(patterns: tuple[str, ...]) -> bool:
        return any(
            fnmatch.fnmatchcase(target, pattern.rstrip("/"))
            for pattern in patterns
            for target in targets
        )

    if options.include and not matches(options.include):
        return False
    return not matches(options.exclude)


def _filter_note(options: IngestOptions) -> str:
    if options.include or options.exclude:
        return " matching --include/--exclude"
    return f" ({', '.join(SUFFIXES)})"


# ---------------------------------------------------------------------------------------------
# Public entry point


def load_documents(
    paths: Iterable[str | Path],
    *,
    options: IngestOptions | None = None,
    on_skip: Callable[[Skip], None] | None = None,
) -> Iterator[Document]:
    """The documents under ``paths`` (files, folders walked recursively, ``"-"`` for stdin).

    Inputs are found now, so a missing path raises :class:`~kg.errors.UsageError` at once;
    documents are then read lazily, one input at a time. Each input that cannot be read is
    passed to ``on_skip`` (logged as a warning by default) and reading goes on. If nothing at
    all could be read, iteration ends with an :class:`~kg.errors.InputError`.
    """
    options = options or IngestOptions()
    report = on_skip or _log_skip
    inputs = _find_inputs(list(paths), options, report)
    return _read_inputs(inputs, options, report)


def _read_inputs(
    inputs: list[_Input], options: IngestOptions, on_skip: Callable[[Skip], None]
) -> Iterator[Document]:
    read = skipped = 0
    for item in inputs:
        for result in _read_input(item, options):
            if isinstance(result, Skip):
                skipped += 1
                on_skip(result)
            else:
                read += 1
                yield result
    if not read:
        raise InputError(f"no document could be read ({skipped} skipped)")


def _read_input(item: _Input, options: IngestOptions) -> Iterator[Document | Skip]:
    name = STDIN if item.path is None else str(item.path)
    try:
        if item.path is None:
            yield _read_stdin(options)
            return
        reader = READERS.get(item.path.suffix.lower())
        if reader is None:
            raise Unreadable(
                f"unsupported file type {item.path.suffix or '(none)'!r}; "
                f"kg reads {', '.join(SUFFIXES)}"
            )
        _check_regular(item.path)
        yield from reader(item.path, item.doc_id, options)
    except Unreadable as error:
        yield Skip(name, None, str(error))
    except OSError as error:
        yield Skip(name, None, f"cannot read: {error.strerror or error}")


_SPECIAL_FILES = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def _check_regular(path: Path) -> None:
    """Refuse anything but a regular file: reading a FIFO or a device could block or never end."""
    mode = path.stat().st_mode
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _SPECIAL_FILES if test(mode)), "a special file")
        raise Unreadable(f"not a regular file ({kind})")


def _read_stdin(options: IngestOptions) -> Document:
    """Standard input as one article; HTML when it starts like a page."""
    text = decode_text(_checked_bytes(sys.stdin.buffer, options.max_bytes))
    if re.match(r"\s*<(?:!doctype\s+html|html)\b", text, re.IGNORECASE):
        return _html_document(STDIN_ID, STDIN, text)
    return _document(STDIN_ID, STDIN, text)


def _log_skip(skip: Skip) -> None:
    logger.warning("skipped %s", skip)
