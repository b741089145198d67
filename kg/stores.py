"""Where a build's graph is assembled: two stores behind one interface.

A :class:`Store` takes the documents of a build and writes its outputs into a
:class:`~kg.generation.Generation`: :class:`MemoryStore` holds the whole knowledge base (rdflib,
SHACL check, HTML view, OWL reasoning); :class:`DiskStore` keeps no extraction in memory and
assembles the graph in a pyoxigraph store (``OUT/.kg-store``), Turtle dumped streaming.
:func:`open_store` picks one by ``config.store``. Both share a :class:`Run`: the caches, the
resolver, the stages shown while they work.
"""

from __future__ import annotations

import gc
import pickle
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from . import __version__
from .cache import CACHE_DIR, BlockCache, ExtractionCache, document_key
from .config import Config
from .engine import Extracted, loaded, run_engine
from .generation import Generation
from .graph import to_rdf
from .outputs import STORE_DIR, cached_links, validation_pieces, write_outputs, write_streaming
from .progress import Stages
from .reason import write_inferred
from .records import Document, Extraction, KnowledgeBase
from .resolve import Resolver, merge
from .validate import validate_pieces

__all__ = [
    "LARGE_CORPUS",
    "DiskStore",
    "MemoryStore",
    "Run",
    "Store",
    "extract_cached",
    "open_store",
    "streams",
    "paused_gc",
    "read_streaming",
]

# Above this many documents, store "auto" assembles the graph on disk.
LARGE_CORPUS = 5000
Outputs = tuple[KnowledgeBase, dict[str, Path]]


@dataclass
class Run:
    """What the stores of one build share: its settings, output folder, caches and stages."""

    config: Config
    out: Path
    stages: Stages
    log: Callable[[str], None]
    software: dict[str, str] = field(init=False)
    extractions: ExtractionCache = field(init=False)
    blocks: BlockCache = field(init=False)
    resolver: Resolver = field(init=False)

    def __post_init__(self) -> None:
        model = model_version(self.config.model)
        self.software = {"kg": __version__, "spacy-model": model}
        # Without the cache every document is parsed, and the cache refilled for the next build.
        read = self.config.cache
        self.extractions = ExtractionCache.in_output(self.out, self.config, model, read=read)
        self.blocks = BlockCache(self.out / CACHE_DIR, read=read)
        self.resolver = Resolver(self.config.threshold)


class Store(Protocol):
    """Extracts, resolves, checks and writes the documents of a build."""

    def write(self, documents: list[Document], generation: Generation) -> Outputs:
        """Write the outputs of ``documents`` into ``generation``; return the knowledge base
        (empty of facts for a store that keeps none) and the output paths by name."""
        ...


def open_store(run: Run, documents: int) -> Store:
    """The store ``run.config.store`` names for a build of ``documents`` documents."""
    return DiskStore(run) if streams(run.config, documents) else MemoryStore(run)


def streams(config: Config, documents: int) -> bool:
    """Whether a build of ``documents`` documents assembles its graph on disk.

    >>> streams(Config(), 10), streams(Config(store="disk"), 10), streams(Config(), 10**6)
    (False, True, True)
    """
    return config.store == "disk" or (config.store == "auto" and documents > LARGE_CORPUS)


class MemoryStore:
    """The whole knowledge base in memory: SHACL check, HTML view and reasoning available."""

    def __init__(self, run: Run) -> None:
        self.run = run

    def write(self, documents: list[Document], generation: Generation) -> Outputs:
        """Extract, resolve, check and write with the whole graph in memory."""
        run = self.run
        kb, fragments = self._resolve(documents)
        links = cached_links(kb, run.blocks)
        if run.config.validate:
            self._validate(kb, fragments, links)
        with run.stages.stage("writing", "files") as advance:
            with paused_gc():  # not around OWL reasoning, which makes cycles
                outputs = write_outputs(
                    kb,
                    run.out,
                    fragments=fragments,
                    software=run.software,
                    links=links,
                    cache=run.blocks,
                    view_nodes=run.config.view_nodes,
                    generation=generation,
                )
            if run.config.reason:
                rdf = to_rdf(kb, software=run.software)
                rdf.addN((s, p, o, rdf) for s, p, o in links)
                write_inferred(rdf, generation.path("inferred.ttl"))
                outputs["inferred"] = run.out / "inferred.ttl"
            advance(len(outputs))
        return kb, outputs

    def _resolve(self, documents: list[Document]) -> tuple[KnowledgeBase, list[KnowledgeBase]]:
        """The knowledge base of ``documents`` and its one-document fragments (every name is
        read before any fragment is made)."""
        run = self.run
        with run.stages.stage("parsing", "documents", total=len(documents)) as advance:
            extractions = extract_cached(documents, run.config, run.extractions, progress=advance)
        with run.stages.stage("resolving", "documents", total=len(extractions)) as advance:
            with paused_gc():
                for extraction in extractions:
                    run.resolver.read(extraction)
                fragments = [run.resolver.fragment(extraction) for extraction in extractions]
                del extractions
                kb = merge(fragments)
            advance(len(fragments))
        return kb, fragments

    def _validate(self, kb: KnowledgeBase, fragments: list[KnowledgeBase], links: Any) -> None:
        """Log each SHACL violation of the graph as a warning."""
        run = self.run
        pieces = validation_pieces(kb, fragments, software=run.software, links=links)
        with run.stages.stage("validating", "pieces", total=len(pieces)) as advance:
            for violation in validate_pieces(_counted(pieces, advance), run.blocks):
                run.log(f"warning: {violation}")


class DiskStore:
    """No extraction held in memory: the graph is assembled in a pyoxigraph store on disk."""

    def __init__(self, run: Run) -> None:
        self.run = run

    def write(self, documents: list[Document], generation: Generation) -> Outputs:
        """Extract into the cache and write with no extraction held in memory."""
        run = self.run
        with run.stages.stage("parsing", "documents", total=len(documents)) as advance:
            keys = read_streaming(
                documents, run.config, run.resolver, run.extractions, progress=advance
            )
        with run.stages.stage("writing", "files") as advance, paused_gc():
            streamed = (run.resolver.fragment(run.extractions.load(k)) for k in keys)
            kb, outputs = write_streaming(
                streamed, run.out, software=run.software, cache=run.blocks, generation=generation
            )
            advance(len(outputs))
        run.log(
            f"graph of {len(kb.documents)} documents streamed through {run.out / STORE_DIR}; "
            f"no SHACL check or HTML view (run kg validate / kg view on {outputs['turtle']})"
        )
        return kb, outputs


def extract_cached(
    documents: list[Document],
    config: Config,
    cache: ExtractionCache | None,
    *,
    progress: bool | Callable[[int], None] = False,
) -> list[Extraction]:
    """The extraction of each of ``documents``, in order: from ``cache`` when it holds it, else
    by ``config.engine`` (then added to ``cache``)."""
    with paused_gc():
        cached = [cache.get(d) if cache else None for d in documents]
    missing = [d for d, hit in zip(documents, cached, strict=True) if hit is None]
    fresh: Iterator[Extracted] = run_engine(config.engine, missing, config) if missing else iter(())
    if callable(progress):
        progress(len(documents) - len(missing))
        fresh = _counted_items(fresh, progress)
    elif progress and len(missing) > 20:
        fresh = _progress(fresh, len(missing), "Extracting")
    held = _held(cached, fresh, iter(missing), cache)
    # Shut the engine's workers down now rather than when the generator is collected.
    close = getattr(fresh, "close", None)
    if close:
        close()
    with paused_gc():
        return [_loaded(item, document) for item, document in zip(held, documents, strict=True)]


def _held(
    cached: list[Extraction | None],
    fresh: Iterator[Extracted],
    missing: Iterator[Document],
    cache: ExtractionCache | None,
) -> list[Extraction | bytes]:
    """Every extraction, new ones pickled: while the engine's workers are alive, new extractions
    are held pickled (a fifth of the memory of the records) and loaded once the workers are gone."""
    held: list[Extraction | bytes] = []
    for hit in cached:
        if hit is not None:
            held.append(hit)
            continue
        item, document = next(fresh), next(missing)
        if cache:
            held.append(cache.put(item, document))
        else:
            held.append(item if isinstance(item, bytes) else pickle.dumps(item, protocol=5))
    return held


def read_streaming(
    documents: Iterable[Document],
    config: Config,
    resolver: Resolver,
    cache: ExtractionCache,
    *,
    progress: bool | Callable[[int], None] = False,
) -> list[str]:
    """Extract ``documents`` into ``cache`` and let ``resolver`` read every extraction, one at a
    time, keeping none; return the documents' cache keys in input order."""
    keys: list[str] = []
    sent: deque[Document] = deque()  # documents handed to the engine, not yet back

    def missing() -> Iterator[Document]:
        for document in documents:
            keys.append(document_key(document))
            hit = cache.get(document)
            if hit is None:
                sent.append(document)
                yield document
            else:
                resolver.read(hit)
                if callable(progress):
                    progress(1)

    fresh: Iterator[Extracted] = run_engine(config.engine, missing(), config)
    if callable(progress):
        fresh = _counted_items(fresh, progress)
    elif progress:
        fresh = _progress(fresh, None, "Extracting")
    for item in fresh:
        cache.put(item, sent.popleft())
        resolver.read(loaded(item))
    return keys


def _counted_items(
    items: Iterator[Extracted], advance: Callable[[int], None]
) -> Iterator[Extracted]:
    for item in items:
        advance(1)
        yield item


def _counted(
    items: list[tuple[str, Callable[[], Any]]], advance: Callable[[int], None]
) -> Iterator[tuple[str, Callable[[], Any]]]:
    for item in items:
        yield item
        advance(1)


def _loaded(item: Extraction | bytes, document: Document) -> Extraction:
    """An extraction, unpickled if need be, sharing the caller's document (one text in memory)."""
    extraction = loaded(item)
    extraction.document = document
    return extraction


def _progress(
    items: Iterator[Extracted], total: int | None, description: str
) -> Iterator[Extracted]:
    """``items`` with a progress bar on standard error: count, documents/s, time left."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]} docs/s"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task(description, total=total, rate="-")
        for item in items:
            yield item
            speed = bar.tasks[0].speed
            bar.update(task, advance=1, rate=f"{speed:.1f}" if speed else "-")


def model_version(model: str) -> str:
    """``model_version`` of the installed pipeline, read from its metadata without loading it."""
    import spacy.util

    from .nlp import load_pipeline
    from .nlp import model_version as loaded_version

    try:
        meta = spacy.util.get_model_meta(spacy.util.get_package_path(model))
    except Exception:  # not an installed package (a path, a blank pipeline): load it
        return loaded_version(load_pipeline(model))
    return f"{meta.get('lang', '')}_{meta.get('name', '')} {meta.get('version', '')}"


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while records are made in bulk.

    Records hold no reference cycles (reference counting frees them), yet every collection
    would rescan all of them: loading a thousand cached extractions took three times longer
    with the collector on. It is paused only where no spaCy document is made.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
