"""Incremental builds: the extraction of each document, kept in the output folder.

``OUT/.kg-cache/<pipeline version>/<document key>.pkl`` holds one document's
:class:`~kg.records.Extraction`. The *document key* hashes everything of the document that
reaches the graph (id, path, title, URL, date, text); the *pipeline version* hashes everything
that shapes an extraction (kg's version, the spaCy model and its version, the packaged and user
pattern and lexicon files, the extractor's own source, the names and versions of the registered
extraction stages, :mod:`kg.extract.stages`; not the confidence threshold, which
:mod:`kg.resolve` applies after extraction). A rebuild
therefore parses only new or changed documents; entries of documents that are gone, and of
older pipeline versions, are removed at the end of the build, so their facts vanish with them.

Entries are pickles written atomically; like any pickle, load them only from an output folder
you trust (kg only ever reads the one it writes).
"""

from __future__ import annotations

import hashlib
import json
import pickle
import shutil
from collections.abc import Callable, Mapping
from dataclasses import fields as dataclass_fields
from functools import lru_cache
from pathlib import Path

from . import __version__
from .config import Config
from .io import write_bytes_atomic
from .records import Document, Extraction, KnowledgeBase

__all__ = [
    "CACHE_DIR",
    "BlockCache",
    "ExtractionCache",
    "block_key",
    "build_key",
    "content_key",
    "document_key",
    "pipeline_version",
]

CACHE_DIR = ".kg-cache"
_PACKAGE = Path(__file__).resolve().parent
# Files whose content shapes what the extractor finds: data and the extraction code itself, so
# that editing a pattern or a rule invalidates the cache even before the version number moves.
_SOURCES = ("data/*.toml", "extract/*.py", "nlp.py", "records.py", "naming.py")


def pipeline_version(config: Config, model_version: str) -> str:
    """A short hash naming everything that shapes an extraction.

    >>> v = pipeline_version(Config(), "fr_core_news_md 3.8.0")
    >>> len(v), v == pipeline_version(Config(), "fr_core_news_md 3.8.0")
    (16, True)
    >>> v == pipeline_version(Config(threshold=0.9), "fr_core_news_md 3.8.0")
    True
    >>> v == pipeline_version(Config(model="other"), "fr_core_news_md 3.8.0")
    False
    """
    from .extract.stages import stage_versions

    config = config.extraction()
    digest = hashlib.sha256()
    for part in (__version__, config.model, model_version, *stage_versions()):
        digest.update(part.encode("utf-8") + b"\0")
    files = sorted(p for pattern in _SOURCES for p in _PACKAGE.glob(pattern))
    for path in [*files, *config.extra_patterns]:
        digest.update(Path(path).name.encode("utf-8") + b"\0")
        digest.update(Path(path).read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def build_key(
    document_keys: list[str], config: Config, settings: Mapping[str, object]
) -> str | None:
    """A hash of everything a build's outputs depend on: its documents (their
    :func:`document_key`, in order), the settings of ``config`` that reach the outputs
    (:meth:`~kg.config.Config.output_settings`) and other ``settings``, the installed spaCy
    model's version and all of kg's code and data; ``None`` when the model's version cannot
    be read without loading it (a pipeline given by path).

    Read without importing spaCy: a rebuild whose key is that of the outputs in place does
    nothing at all (:func:`kg.generation.current_outputs`).

    >>> k = build_key(["a"], Config(), {"validate": True})
    >>> k == build_key(["a"], Config(), {"validate": True}), k == build_key(["b"], Config(), {})
    (True, False)
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        model = version(config.model)
    except (PackageNotFoundError, ValueError):
        return None
    digest = hashlib.sha256()
    chosen = {**config.output_settings(), **settings}
    for part in (__version__, model, repr(sorted(chosen.items()))):
        digest.update(part.encode("utf-8") + b"\0")
    digest.update(_code_version().encode("ascii"))
    for path in config.extra_patterns:
        digest.update(Path(path).read_bytes() + b"\0")
    for key in document_keys:
        digest.update(key.encode("ascii"))
    return digest.hexdigest()[:32]


@lru_cache(maxsize=1)
def _code_version() -> str:
    """A hash of every file of the kg package and of its ontology."""
    digest = hashlib.sha256()
    roots = (_PACKAGE, _PACKAGE.parent / "ontology")
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            if "__pycache__" not in path.parts and path.suffix != ".pyc":
                name = path.relative_to(root).as_posix()
                digest.update(name.encode("utf-8") + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


_DOCUMENT_FIELDS = dataclass_fields(Document)


def document_key(document: Document) -> str:
    """A hash of every field of ``document`` (its text included).

    >>> a = Document("a.txt", "a.txt", "T", "Texte.")
    >>> document_key(a) == document_key(Document("a.txt", "a.txt", "T", "Texte modifié."))
    False
    """
    fields = json.dumps([getattr(document, f.name) for f in _DOCUMENT_FIELDS], ensure_ascii=False)
    return hashlib.sha256(fields.encode("utf-8")).hexdigest()[:32]


class ExtractionCache:
    """Per-document extractions of one pipeline version, under ``root``.

    >>> import tempfile
    >>> cache = ExtractionCache(tempfile.mkdtemp(), "v1")
    >>> doc = Document("a.txt", "a.txt", "T", "Texte.")
    >>> cache.get(doc) is None
    True
    >>> _ = cache.put(Extraction(doc))
    >>> cache.get(doc).document == doc, cache.hits, cache.misses
    (True, 1, 1)
    """

    def __init__(self, root: str | Path, version: str, *, read: bool = True) -> None:
        self.root = Path(root)
        self.version = version
        self.read = read  # False: every lookup misses (a forced full build), entries are rewritten
        self.folder = self.root / version
        self.hits = 0
        self.misses = 0
        self._used: set[str] = set()

    @classmethod
    def in_output(
        cls, out_dir: str | Path, config: Config, model_version: str, *, read: bool = True
    ) -> ExtractionCache:
        """The cache of the build writing to ``out_dir``."""
        return cls(Path(out_dir) / CACHE_DIR, pipeline_version(config, model_version), read=read)

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.pkl"

    def get(self, document: Document) -> Extraction | None:
        """The cached extraction of ``document``, or ``None`` (a broken entry counts as none)."""
        key = document_key(document)
        self._used.add(key)
        extraction = None
        if self.read:
            try:
                with self._path(key).open("rb") as handle:
                    extraction = pickle.load(handle)
            except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
                extraction = None
        if isinstance(extraction, Extraction) and extraction.document == document:
            self.hits += 1
            # The caller's document, not an equal copy: one text in memory per document.
            extraction.document = document
            return extraction
        self.misses += 1
        return None

    def load(self, key: str) -> Extraction:
        """The extraction stored under a :func:`document_key` by this build (no hit counted)."""
        with self._path(key).open("rb") as handle:
            extraction: Extraction = pickle.load(handle)
        return extraction

    def put(self, extraction: Extraction | bytes, document: Document | None = None) -> bytes:
        """Store the extraction of one document (or its pickle, then with its ``document``),
        atomically; return the bytes stored."""
        if isinstance(extraction, bytes):
            if document is None:
                raise ValueError("a pickled extraction is stored with its document")
            key, data = document_key(document), extraction
        else:
            key = document_key(extraction.document)
            data = pickle.dumps(extraction, protocol=pickle.HIGHEST_PROTOCOL)
        self._used.add(key)
        # Not synced to disk: a torn entry fails to load or to match its document, and is redone.
        write_bytes_atomic(self._path(key), data, durable=False)
        return data

    def prune(self) -> int:
        """Remove entries no document of this build used, and other versions' folders.

        Returns how many entries were removed.
        """
        removed = 0
        if self.root.is_dir():
            for folder in self.root.iterdir():
                if folder.is_dir() and folder.name not in {self.version, RENDERED_DIR}:
                    removed += sum(1 for _ in folder.glob("*.pkl"))
                    shutil.rmtree(folder, ignore_errors=True)
        if self.folder.is_dir():
            for path in self.folder.glob("*"):
                if path.stem not in self._used or path.suffix != ".pkl":
                    path.unlink(missing_ok=True)
                    removed += 1
        return removed


# Files whose content shapes the rendered outputs: the RDF mapping, naming of IRIs, the view.
_WRITER_SOURCES = (
    "graph/*.py",
    "viz/*.*",
    "templates/*.*",
    "namespace.py",
    "naming.py",
    "outputs.py",
)
RENDERED_DIR = "rendered"


def content_key(*parts: object) -> str:
    """A hash of ``parts`` by their ``repr`` (which, unlike a pickle, does not depend on which
    equal strings happen to be one object), salted with the source of the output writers.

    >>> content_key("a", [1, 2]) == content_key("a", [1, 2]) != content_key("a", [2, 1])
    True
    """
    digest = hashlib.sha256(_writer_version().encode("ascii"))
    digest.update(repr(parts).encode("utf-8"))
    return digest.hexdigest()[:32]


def block_key(fragment: KnowledgeBase) -> str:
    """The :func:`content_key` of everything of a one-document fragment that reaches its
    Turtle block: the document, its relations and attributes, and the ids, types, labels
    (they appear in event names) and documents of the entities it names.

    >>> doc = Document("a.txt", "a.txt", "T", "Texte.")
    >>> block_key(KnowledgeBase([doc])) == block_key(KnowledgeBase([doc]))
    True
    """
    entities = [(e.id, e.type, e.label, sorted(e.documents)) for e in fragment.entities.values()]
    return content_key(fragment.documents, fragment.relations, fragment.attributes, entities)


@lru_cache(maxsize=1)
def _writer_version() -> str:
    import pyoxigraph

    digest = hashlib.sha256(f"{__version__} {pyoxigraph.__version__}".encode())
    for path in sorted(p for pattern in _WRITER_SOURCES for p in _PACKAGE.glob(pattern)):
        digest.update(path.name.encode("utf-8") + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


class BlockCache:
    """Rendered pieces of the previous build's outputs (Turtle blocks of articles and of the
    entities, the HTML view), one file each under ``root/rendered``, named by the
    :func:`content_key` of what they render.

    A piece is read from disk when asked for, never held, so memory does not grow with the
    corpus; :meth:`prune` removes the pieces a build did not use. Each file starts with a hash
    of its content, so a torn write is noticed and the piece rendered again.

    >>> import tempfile
    >>> cache = BlockCache(tempfile.mkdtemp())
    >>> cache.block("k", lambda: "<urn:a> <urn:b> <urn:c> .\\n")
    '<urn:a> <urn:b> <urn:c> .\\n'
    >>> BlockCache(cache.root).block("k", lambda: "other")
    '<urn:a> <urn:b> <urn:c> .\\n'
    """

    def __init__(self, root: str | Path, *, read: bool = True) -> None:
        self.root = Path(root)
        self.folder = self.root / RENDERED_DIR
        self.read = read  # False: every piece is rendered again (and stored)
        self._used: set[str] = set()

    def block(self, key: str, render: Callable[[], str]) -> str:
        """The piece stored under ``key``, or ``render()`` (then stored for the next build)."""
        text = self.get(key)
        if text is None:
            text = render()
            self.put(key, text)
        return text

    def get(self, key: str) -> str | None:
        """The piece stored under ``key``, if any (and whole)."""
        self._used.add(key)
        if self.read:
            try:
                checksum, _, text = (self.folder / key).read_text(encoding="utf-8").partition("\n")
                if checksum == _checksum(text):
                    return text
            except (OSError, UnicodeDecodeError):
                pass
        return None

    def put(self, key: str, text: str) -> None:
        """Store ``text`` under ``key`` for the next build."""
        self._used.add(key)
        data = text.encode("utf-8")
        piece = _checksum_of(data).encode("ascii") + b"\n" + data
        # Written in place, not to a temporary file renamed over it (which cost twice the write
        # itself, once per article): the checksum line already tells a torn or half-written
        # piece from a whole one, and :meth:`get` renders such a piece again.
        path = self.folder / key
        try:
            path.write_bytes(piece)
        except FileNotFoundError:  # the first piece of a new cache
            self.folder.mkdir(parents=True, exist_ok=True)
            path.write_bytes(piece)

    def prune(self) -> int:
        """Remove the pieces this build did not use; return how many."""
        removed = 0
        if self.folder.is_dir():
            for path in self.folder.iterdir():
                if path.name not in self._used:
                    path.unlink(missing_ok=True)
                    removed += 1
        return removed


def _checksum(text: str) -> str:
    return _checksum_of(text.encode("utf-8"))


def _checksum_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]
