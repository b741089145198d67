"""Engines that turn documents into extractions: in-process, a pool of local processes, Dask.

Every engine takes an iterable of :class:`~kg.records.Document` and yields one
:class:`~kg.records.Extraction` per document (or its pickle, see :data:`Extracted`), **in input order**, so the graph does not depend
on the engine. Work travels in chunks of ``batch_size`` documents; each worker loads the spaCy
pipeline once and runs parse *and* extraction, so only small, picklable ``Extraction`` records
come back (never spaCy ``Doc`` objects). At most a few chunks are in flight at any time, so memory
holds a window of the corpus, not the corpus.

Engines are registered by name in :data:`ENGINES` (``kg build --engine NAME``).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, islice
from typing import TYPE_CHECKING, Any

from .config import Config
from .errors import UsageError
from .records import Document, Extraction

if TYPE_CHECKING:  # spaCy is imported only when a document is parsed
    from .extract import Extractor

__all__ = [
    "ENGINES",
    "EngineOptions",
    "Extracted",
    "extract_chunk",
    "extract_chunk_pickled",
    "loaded",
    "run_engine",
]


@dataclass(frozen=True)
class EngineOptions:
    """Where extraction runs: ``scheduler`` is a Dask address (``tcp://host:8786``);
    ``workers`` the number of local Dask workers started when no scheduler is given."""

    scheduler: str | None = Config.scheduler
    workers: int | None = Config.workers

    @classmethod
    def from_config(cls, config: Config) -> EngineOptions:
        """Where a build's extraction runs.

        >>> EngineOptions.from_config(Config(workers=3))
        EngineOptions(scheduler=None, workers=3)
        """
        return cls(scheduler=config.scheduler, workers=config.workers)


# What an engine yields per document: the extraction, or its pickle when another process made
# it. The parent stores those bytes in the cache as they are and loads them once, later, instead
# of unpickling them on arrival and pickling them again for the cache.
Extracted = Extraction | bytes
Engine = Callable[[Iterable[Document], Config, EngineOptions], Iterator[Extracted]]


def loaded(item: Extracted) -> Extraction:
    """The extraction an engine yielded, unpickled if need be."""
    if isinstance(item, bytes):
        extraction: Extraction = pickle.loads(item)
        return extraction
    return item


@lru_cache(maxsize=4)
def _extractor(config: Config) -> Extractor:
    from .extract import Extractor
    from .nlp import load_pipeline

    return Extractor.from_config(config, load_pipeline(config.model))


def extract_chunk(documents: list[Document], config: Config) -> list[Extraction]:
    """Parse and extract a chunk of documents in this process (the model loads once per process)."""
    return list(_extracted(documents, config))


def _extracted(documents: Iterable[Document], config: Config) -> Iterator[Extraction]:
    """Parse and extract ``documents`` here, a long one chapter by chapter (never whole)."""
    from .extract.chapters import extract_chapters
    from .nlp import load_pipeline, parse_chapters

    parsed = parse_chapters(load_pipeline(config.model), documents, batch_size=config.batch_size)
    extractor = _extractor(config.extraction())  # one extractor whatever the other settings
    return extract_chapters(extractor, parsed)


def extract_chunk_pickled(documents: list[Document], config: Config) -> list[bytes]:
    """:func:`extract_chunk`, each extraction pickled: what worker processes send back."""
    return [
        pickle.dumps(e, protocol=pickle.HIGHEST_PROTOCOL) for e in extract_chunk(documents, config)
    ]


def _chunks(documents: Iterable[Document], size: int) -> Iterator[list[Document]]:
    iterator = iter(documents)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _windowed(
    chunks: Iterable[list[Document]],
    submit: Callable[[list[Document]], Any],
    result: Callable[[Any], list[bytes]],
    window: int,
) -> Iterator[bytes]:
    """Submit chunks keeping at most ``window`` in flight; yield results in submission order."""
    pending: deque[Any] = deque()
    for chunk in chunks:
        pending.append(submit(chunk))
        if len(pending) >= window:
            yield from result(pending.popleft())
    while pending:
        yield from result(pending.popleft())


def local_engine(
    documents: Iterable[Document], config: Config, options: EngineOptions
) -> Iterator[Extracted]:
    """Parse and extract on this machine with ``config.n_process`` processes; the model is
    loaded only once a document comes."""
    from .nlp import load_pipeline

    pending = iter(documents)
    first = next(pending, None)
    if first is None:
        return
    documents = chain([first], pending)
    if config.n_process <= 1:
        yield from _extracted(documents, config)
        return
    # Forked workers share the pipeline the parent loaded (copy-on-write): no per-worker load.
    load_pipeline(config.model)
    _extractor(config)
    method = "fork" if sys.platform.startswith("linux") else None
    context = multiprocessing.get_context(method)
    with context.Pool(config.n_process) as pool:
        yield from _windowed(
            _chunks(documents, config.batch_size),
            lambda chunk: pool.apply_async(extract_chunk_pickled, (chunk, config)),
            lambda pending: pending.get(),
            window=2 * config.n_process,
        )


def dask_engine(
    documents: Iterable[Document], config: Config, options: EngineOptions
) -> Iterator[Extracted]:
    """Map extraction over chunks with Dask futures, on a cluster or on local worker processes."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise UsageError('--engine dask needs Dask: pip install "kg[dask]"') from None
    if options.scheduler:
        try:
            client = Client(options.scheduler, timeout="5s")
        except OSError as error:
            raise UsageError(
                f"cannot reach the Dask scheduler {options.scheduler}: {error}"
            ) from None
        cluster = None
    else:
        workers = options.workers or max(config.n_process, 1 if os.cpu_count() is None else 2)
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            scheduler_kwargs={"dashboard": False},
        )
        client = Client(cluster)
    try:
        n_workers = max(len(client.scheduler_info().get("workers", {})), 1)
        yield from _windowed(
            _chunks(documents, config.batch_size),
            lambda chunk: client.submit(extract_chunk_pickled, chunk, config, pure=False),
            lambda future: future.result(),
            window=2 * n_workers,
        )
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


ENGINES: dict[str, Engine] = {"local": local_engine, "dask": dask_engine}


def run_engine(
    name: str, documents: Iterable[Document], config: Config, options: EngineOptions | None = None
) -> Iterator[Extracted]:
    """The extractions of ``documents`` by the engine called ``name``, in input order."""
    try:
        engine = ENGINES[name]
    except KeyError:
        raise UsageError(f"unknown engine {name!r}; choose from {', '.join(ENGINES)}") from None
    return engine(documents, config, options or EngineOptions.from_config(config))
