"""Engines that turn documents into extractions: in-process, a pool of local processes, Dask.

Every engine takes an iterable of :class:`~kg.records.Document` and yields one
:class:`~kg.records.Extraction` per document, **in input order**, so the graph does not depend
on the engine. Work travels in chunks of ``batch_size`` documents; each worker loads the spaCy
pipeline once and runs parse *and* extraction, so only small, picklable ``Extraction`` records
come back (never spaCy ``Doc`` objects). At most a few chunks are in flight at any time, so memory
holds a window of the corpus, not the corpus.

Engines are registered by name in :data:`ENGINES` (``kg build --engine NAME``).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any

from .config import Config
from .errors import UsageError
from .extract import Extractor
from .nlp import load_pipeline, parse
from .records import Attribute, Document, Entity, Extraction, KnowledgeBase, Relation

__all__ = ["ENGINES", "EngineOptions", "extract_chunk", "partitions", "run_engine", "write_store"]


@dataclass(frozen=True)
class EngineOptions:
    """Where extraction runs: ``scheduler`` is a Dask address (``tcp://host:8786``);
    ``workers`` the number of local Dask workers started when no scheduler is given."""

    scheduler: str | None = None
    workers: int | None = None


Engine = Callable[[Iterable[Document], Config, EngineOptions], Iterator[Extraction]]


@lru_cache(maxsize=4)
def _extractor(config: Config) -> Extractor:
    return Extractor.from_config(config, load_pipeline(config.model))


def extract_chunk(documents: list[Document], config: Config) -> list[Extraction]:
    """Parse and extract a chunk of documents in this process (the model loads once per process)."""
    nlp = load_pipeline(config.model)
    extractor = _extractor(config)
    return [
        extractor(document, doc)
        for document, doc in parse(nlp, documents, batch_size=config.batch_size)
    ]


def _chunks(documents: Iterable[Document], size: int) -> Iterator[list[Document]]:
    iterator = iter(documents)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _windowed(
    chunks: Iterable[list[Document]],
    submit: Callable[[list[Document]], Any],
    result: Callable[[Any], list[Extraction]],
    window: int,
) -> Iterator[Extraction]:
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
) -> Iterator[Extraction]:
    """Parse and extract on this machine with ``config.n_process`` processes."""
    if config.n_process <= 1:
        nlp = load_pipeline(config.model)
        extractor = _extractor(config)
        for document, doc in parse(nlp, documents, batch_size=config.batch_size):
            yield extractor(document, doc)
        return
    # Forked workers share the pipeline the parent loaded (copy-on-write): no per-worker load.
    load_pipeline(config.model)
    _extractor(config)
    method = "fork" if sys.platform.startswith("linux") else None
    context = multiprocessing.get_context(method)
    with context.Pool(config.n_process) as pool:
        yield from _windowed(
            _chunks(documents, config.batch_size),
            lambda chunk: pool.apply_async(extract_chunk, (chunk, config)),
            lambda pending: pending.get(),
            window=2 * config.n_process,
        )


def dask_engine(
    documents: Iterable[Document], config: Config, options: EngineOptions
) -> Iterator[Extraction]:
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
            lambda chunk: client.submit(extract_chunk, chunk, config, pure=False),
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
) -> Iterator[Extraction]:
    """The extractions of ``documents`` by the engine called ``name``, in input order."""
    try:
        engine = ENGINES[name]
    except KeyError:
        raise UsageError(f"unknown engine {name!r}; choose from {', '.join(ENGINES)}") from None
    return engine(documents, config, options or EngineOptions())


# ---------------------------------------------------------------------------------------------
# Graph output at scale: an on-disk store filled partition by partition, Turtle dumped streaming.


def partitions(kb: KnowledgeBase, size: int) -> Iterator[KnowledgeBase]:
    """Knowledge bases of ``size`` documents each whose RDF graphs add up to ``to_rdf(kb)``.

    Each holds its documents, the relations and attributes with the evidence read in them, and
    the entities they name; every IRI is minted from content, so the union of the partitions'
    graphs is the graph of the whole (nodes shared by two partitions are the same nodes).
    """
    relations = _by_document(kb.relations)
    attributes = _by_document(kb.attributes)
    mentioned: dict[str, list[Entity]] = {}
    for entity in kb.entities.values():
        for doc_id in entity.documents:
            mentioned.setdefault(doc_id, []).append(entity)
    for start in range(0, len(kb.documents), size):
        documents = kb.documents[start : start + size]
        ids = [d.id for d in documents]
        part_relations = [r for i in ids for r in relations.get(i, [])]
        part_attributes = [a for i in ids for a in attributes.get(i, [])]
        names = {e.id for i in ids for e in mentioned.get(i, [])}
        names |= {r.subject for r in part_relations} | {r.object for r in part_relations}
        names |= {a.subject for a in part_attributes}
        entities = {n: kb.entities[n] for n in sorted(names) if n in kb.entities}
        yield KnowledgeBase(documents, entities, part_relations, part_attributes)


def _by_document(items: list[Any]) -> dict[str, list[Any]]:
    """Relations or attributes split by the document of their evidence."""
    split: dict[str, list[Any]] = {}
    for item in items:
        groups: dict[str, list[Any]] = {}
        for evidence in item.evidence:
            groups.setdefault(evidence.doc_id, []).append(evidence)
        for doc_id, evidence in groups.items():
            if isinstance(item, Relation):
                part: Relation | Attribute = Relation(
                    item.subject, item.predicate, item.object, evidence, item.modality
                )
            else:
                part = Attribute(item.subject, item.property, item.value, evidence)
            split.setdefault(doc_id, []).append(part)
    return split


def write_store(
    kb: KnowledgeBase,
    store_dir: Path,
    *,
    software: dict[str, str],
    partition_size: int = 500,
    progress: Callable[[int], None] | None = None,
) -> Any:
    """Fill a fresh on-disk pyoxigraph store at ``store_dir`` with the graph of ``kb``.

    Memory holds one partition's rdflib graph at a time. Places are linked to GeoNames on a
    graph of the places and the articles naming them (all the linker reads), so links are those
    of an in-memory build.
    """
    import shutil

    import pyoxigraph as ox

    from .graph import to_rdf
    from .link import link_places

    shutil.rmtree(store_dir, ignore_errors=True)
    store_dir.parent.mkdir(parents=True, exist_ok=True)
    store = ox.Store(str(store_dir))
    for part in partitions(kb, partition_size):
        graph = to_rdf(part, software=software)
        store.bulk_load(
            graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES
        )
        if progress:
            progress(len(part.documents))
    places = {k: e for k, e in kb.entities.items() if e.type == "Place"}
    graph = to_rdf(KnowledgeBase(kb.documents, places), software=software)
    before = set(graph)
    link_places(graph)
    links = graph.__class__()
    for triple in set(graph) - before:
        links.add(triple)
    if len(links):
        store.bulk_load(
            links.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES
        )
    store.optimize()
    return store


def dump_turtle(store: Any, path: Path, prefixes: dict[str, str]) -> None:
    """Write the store's default graph as Turtle, streaming to a temporary file then renaming."""
    import pyoxigraph as ox

    from .io import atomic_open

    with atomic_open(path, "wb", encoding=None) as handle:
        store.dump(handle, ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph(), prefixes=prefixes)
