"""``kg build``: ingest → nlp → extract → resolve → graph → outputs, in one place."""

from __future__ import annotations

import gc
import pickle
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .cache import CACHE_DIR, BlockCache, ExtractionCache, document_key
from .config import Config
from .engine import EngineOptions, Extracted, loaded, run_engine
from .errors import SkippedInputs, UsageError
from .extract import Extractor
from .graph import to_rdf
from .ingest import IngestOptions, Skip, load_documents
from .link import place_links
from .nlp import load_pipeline, model_version, parse
from .outputs import DEFAULT_VIEW_NODES, STORE_DIR, write_outputs, write_streaming
from .reason import write_inferred
from .records import Document, Extraction, KnowledgeBase
from .resolve import Resolver, merge, resolve
from .validate import validate as check_shapes


@dataclass
class BuildResult:
    """What a build produced, for the summary and for tests."""

    kb: KnowledgeBase
    outputs: dict[str, Path] = field(default_factory=dict)
    skipped: list[Skip] = field(default_factory=list)
    parsed: int = 0  # documents parsed by this build
    cached: int = 0  # documents whose extraction came from the cache
    furniture: Counter[str] = field(default_factory=Counter)  # lines dropped, documents touched


def extract_documents(
    paths: Iterable[str | Path],
    config: Config,
    *,
    progress: bool = False,
    options: IngestOptions | None = None,
    on_skip: Callable[[Skip], None] | None = None,
    engine: str = "local",
    engine_options: EngineOptions | None = None,
    cache: ExtractionCache | None = None,
) -> list[Extraction]:
    """Parse and extract every document under ``paths``; unreadable inputs go to ``on_skip``.

    Documents are parsed by ``engine`` (see :mod:`kg.engine`), in input order; with a ``cache``,
    only documents it does not hold are parsed, and their extractions are added to it.
    """
    # Inputs are found before the model loads, so a mistyped path fails at once.
    documents = list(load_documents(paths, options=options, on_skip=on_skip))
    return _extract(
        documents,
        config,
        progress=progress,
        engine=engine,
        engine_options=engine_options,
        cache=cache,
    )


def _extract(
    documents: list[Document],
    config: Config,
    *,
    progress: bool,
    engine: str,
    engine_options: EngineOptions | None,
    cache: ExtractionCache | None,
) -> list[Extraction]:
    with paused_gc():
        cached = [cache.get(d) if cache else None for d in documents]
    missing = [d for d, hit in zip(documents, cached, strict=True) if hit is None]
    fresh: Iterator[Extracted] = run_engine(engine, missing, config, engine_options)
    if progress and len(missing) > 20:
        fresh = _progress(fresh, len(missing), "Extracting")
    # While the engine's workers are alive, new extractions are held pickled (a fifth of the
    # memory of the records); they are loaded once the workers are gone.
    held: list[Extraction | bytes] = []
    new = iter(missing)
    for hit in cached:
        if hit is None:
            item, document = next(fresh), next(new)
            if cache:
                held.append(cache.put(item, document))
            else:
                held.append(item if isinstance(item, bytes) else pickle.dumps(item, protocol=5))
        else:
            held.append(hit)
    # Shut the engine's workers down now rather than when the generator is collected.
    close = getattr(fresh, "close", None)
    if close:
        close()
    with paused_gc():
        return [_loaded(item, document) for item, document in zip(held, documents, strict=True)]


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


def build_knowledge_base(
    paths: Iterable[str | Path], config: Config | None = None
) -> KnowledgeBase:
    """Extract and resolve, without writing anything."""
    config = config or Config.default()
    return resolve(extract_documents(paths, config), threshold=config.threshold)


# Above this many documents the graph is accumulated on disk and Turtle written streaming.
LARGE_CORPUS = 5000
STORES = ("auto", "memory", "disk")


def build(
    paths: Iterable[str | Path],
    out_dir: str | Path,
    *,
    config: Config | None = None,
    progress: bool = False,
    log: Callable[[str], None] = print,
    options: IngestOptions | None = None,
    strict: bool = False,
    validate: bool = True,
    reason: bool = False,
    engine: str = "local",
    engine_options: EngineOptions | None = None,
    cache: bool = True,
    store: str = "auto",
    view_nodes: int = DEFAULT_VIEW_NODES,
) -> BuildResult:
    """Build the graph of the articles under ``paths`` and write it to ``out_dir``.

    Each input that cannot be read is logged and listed in :attr:`BuildResult.skipped`; with
    ``strict`` any such input fails the build before anything is written. Extractions are cached
    per document in ``out_dir/.kg-cache`` (see :mod:`kg.cache`): a rebuild parses only new and
    changed documents; ``cache=False`` parses everything (and refreshes the cache). ``store``
    says where the RDF graph is assembled: ``"memory"`` (rdflib), ``"disk"`` (a pyoxigraph store
    in ``out_dir/.kg-store``, Turtle dumped streaming, no SHACL check or HTML view), or
    ``"auto"``: on disk above :data:`LARGE_CORPUS` documents. ``graph.html`` shows the
    ``view_nodes`` most connected entities (0: all).
    """
    config = config or Config.default()
    if store not in STORES:
        raise UsageError(f"unknown store {store!r}; choose from {', '.join(STORES)}")
    skipped: list[Skip] = []

    def on_skip(skip: Skip) -> None:
        skipped.append(skip)
        log(f"skipped {skip}")

    software = {"kg": __version__, "spacy-model": _model_version(config.model)}
    # Without the cache every document is parsed, and the cache is refilled for the next build.
    extraction_cache = ExtractionCache.in_output(
        out_dir, config, software["spacy-model"], read=cache
    )
    resolver = Resolver(config.threshold)
    blocks = BlockCache(Path(out_dir) / CACHE_DIR, read=cache)
    out = Path(out_dir)
    furniture: Counter[str] = Counter()
    documents: Iterable[Document] = _count_furniture(
        load_documents(paths, options=options, on_skip=on_skip), furniture
    )
    if store == "auto":
        documents = list(documents)  # read (not parsed) to be counted
        streaming = len(documents) > LARGE_CORPUS
    else:
        streaming = store == "disk"
    if streaming:
        # No extraction stays in memory: each goes to the cache as it comes and is read back,
        # one at a time, to write the graph.
        keys = read_streaming(
            documents,
            config,
            resolver,
            extraction_cache,
            progress=progress,
            engine=engine,
            engine_options=engine_options,
        )
        _check_strict(strict, skipped)
        with paused_gc():
            streamed = (resolver.fragment(extraction_cache.load(key)) for key in keys)
            kb, outputs = write_streaming(streamed, out, software=software, cache=blocks)
        log(
            f"graph of {len(kb.documents)} documents streamed through {out / STORE_DIR}; no "
            f"SHACL check or HTML view (run kg validate / kg view on {outputs['turtle']})"
        )
    else:
        # Inputs are found before the model loads, so a mistyped path fails at once.
        extractions = _extract(
            list(documents),
            config,
            progress=progress,
            engine=engine,
            engine_options=engine_options,
            cache=extraction_cache,
        )
        _check_strict(strict, skipped)
        with paused_gc():
            for extraction in extractions:
                resolver.read(extraction)
            fragments = [resolver.fragment(extraction) for extraction in extractions]
            del extractions
            kb = merge(fragments)
        outputs = _write_in_memory(
            kb,
            fragments,
            out,
            software,
            blocks,
            log,
            validate=validate,
            reason=reason,
            view_nodes=view_nodes,
        )
    extraction_cache.prune()
    return BuildResult(
        kb=kb,
        outputs=outputs,
        skipped=skipped,
        parsed=extraction_cache.misses,
        cached=extraction_cache.hits,
        furniture=furniture,
    )


def _count_furniture(documents: Iterable[Document], tally: Counter[str]) -> Iterator[Document]:
    """``documents`` as they come, adding up the furniture lines dropped when they were read."""
    for document in documents:
        if document.furniture:
            tally["lines"] += document.furniture
            tally["documents"] += 1
        yield document


def _model_version(model: str) -> str:
    """``model_version`` of the installed pipeline, read from its metadata without loading it."""
    import spacy.util

    try:
        meta = spacy.util.get_model_meta(spacy.util.get_package_path(model))
    except Exception:  # not an installed package (a path, a blank pipeline): load it
        return model_version(load_pipeline(model))
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


def _check_strict(strict: bool, skipped: list[Skip]) -> None:
    if strict and skipped:
        raise SkippedInputs(f"{len(skipped)} input(s) skipped and --strict given; nothing written")


def read_streaming(
    documents: Iterable[Document],
    config: Config,
    resolver: Resolver,
    cache: ExtractionCache,
    *,
    progress: bool = False,
    engine: str = "local",
    engine_options: EngineOptions | None = None,
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

    fresh: Iterator[Extracted] = run_engine(engine, missing(), config, engine_options)
    if progress:
        fresh = _progress(fresh, None, "Extracting")
    for item in fresh:
        cache.put(item, sent.popleft())
        resolver.read(loaded(item))
    return keys


def _write_in_memory(
    kb: KnowledgeBase,
    fragments: list[KnowledgeBase],
    out: Path,
    software: dict[str, str],
    blocks: BlockCache,
    log: Callable[[str], None],
    *,
    validate: bool,
    reason: bool,
    view_nodes: int,
) -> dict[str, Path]:
    links = place_links(kb)
    rdf = None
    if validate or reason:
        rdf = to_rdf(kb, software=software)
        rdf.addN((s, p, o, rdf) for s, p, o in links)
    if validate and rdf is not None:
        for violation in check_shapes(rdf):
            log(f"warning: {violation}")
    with paused_gc():  # not around the SHACL check and OWL reasoning, which make cycles
        outputs = write_outputs(
            kb,
            out,
            fragments=fragments,
            software=software,
            links=links,
            cache=blocks,
            view_nodes=view_nodes,
        )
    if reason and rdf is not None:
        outputs["inferred"] = write_inferred(rdf, out / "inferred.ttl")
    return outputs


def format_summary(result: BuildResult) -> str:
    """Human summary printed at the end of ``kg build``."""
    kb = result.kb
    types = Counter(e.type for e in kb.entities.values())
    relations = Counter(r.predicate for r in kb.relations if r.modality == "asserted")
    lines = [f"documents: {len(kb.documents)}"]
    lines.append("entities:  " + ", ".join(f"{t} {n}" for t, n in sorted(types.items())))
    lines.append(
        "relations: " + (", ".join(f"{p} {n}" for p, n in sorted(relations.items())) or "none")
    )
    lines.append(f"attributes: {len(kb.attributes)}")
    if result.furniture:
        lines.append(
            f"page furniture dropped: {result.furniture['lines']} lines in "
            f"{result.furniture['documents']} documents (menus, share bars, credits...)"
        )
    if result.skipped:
        # Each skip was logged with its reason; the summary only says where.
        where = [s.path if s.line is None else f"{s.path}:{s.line}" for s in result.skipped]
        more = f" and {len(where) - 10} more" if len(where) > 10 else ""
        lines.append(f"skipped {len(where)}: {', '.join(where[:10])}{more}")
    for name, path in result.outputs.items():
        lines.append(f"wrote {name}: {path}")
    return "\n".join(lines)


def knowledge_base_from_texts(texts: Iterable[str], config: Config | None = None) -> KnowledgeBase:
    """Extract and resolve in-memory texts (one document each): handy in tests and notebooks."""
    from .records import Document

    config = config or Config.default()
    nlp = load_pipeline(config.model)
    extractor = Extractor.from_config(config, nlp)
    documents = [
        Document(id=f"text-{i}", path=f"text-{i}", title="", text=t) for i, t in enumerate(texts)
    ]
    extractions = [extractor(d, doc) for d, doc in parse(nlp, documents)]
    return resolve(extractions, threshold=config.threshold)
