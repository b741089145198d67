"""``kg build``: ingest → nlp → extract → resolve → graph → outputs, in one place."""

from __future__ import annotations

import gc
import pickle
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .cache import CACHE_DIR, BlockCache, ExtractionCache, build_key, document_key
from .config import Config
from .engine import EngineOptions, Extracted, loaded, run_engine
from .errors import SkippedInputs, UsageError
from .generation import Generation, current_outputs, read_manifest
from .graph import to_rdf
from .ingest import IngestOptions, Skip, load_documents
from .outputs import (
    DEFAULT_VIEW_NODES,
    STORE_DIR,
    cached_links,
    validation_pieces,
    write_outputs,
    write_streaming,
)
from .progress import Stages
from .reason import write_inferred
from .records import Document, Extraction, KnowledgeBase
from .resolve import Resolver, merge, resolve
from .validate import validate_pieces

# spaCy (kg.nlp, kg.extract) is imported only where a document is parsed: a build with nothing
# to parse never loads it.


@dataclass
class BuildResult:
    """What a build produced, for the summary and for tests."""

    kb: KnowledgeBase
    outputs: dict[str, Path] = field(default_factory=dict)
    skipped: list[Skip] = field(default_factory=list)
    parsed: int = 0  # documents parsed by this build
    cached: int = 0  # documents whose extraction came from the cache
    summary: dict[str, Any] = field(default_factory=dict)  # summary_counts of the graph
    unchanged: bool = False  # nothing to redo: the outputs in place were kept (kb is empty)
    seconds: dict[str, float] = field(default_factory=dict)  # time of each stage
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
    progress: bool | Callable[[int], None],
    engine: str,
    engine_options: EngineOptions | None,
    cache: ExtractionCache | None,
) -> list[Extraction]:
    with paused_gc():
        cached = [cache.get(d) if cache else None for d in documents]
    missing = [d for d, hit in zip(documents, cached, strict=True) if hit is None]
    fresh: Iterator[Extracted] = (
        run_engine(engine, missing, config, engine_options) if missing else iter(())
    )
    if callable(progress):
        progress(len(documents) - len(missing))
        fresh = _counted_items(fresh, progress)
    elif progress and len(missing) > 20:
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


def _counted_items(
    items: Iterator[Extracted], advance: Callable[[int], None]
) -> Iterator[Extracted]:
    for item in items:
        advance(1)
        yield item


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
# BuildResult.outputs names each file as the summary does.
OUTPUT_NAMES = {
    "graph.ttl": "turtle",
    "graph.graphml": "graphml",
    "graph.html": "html",
    "inferred.ttl": "inferred",
}


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
    ``strict`` any such input fails the build before anything is written. When the inputs,
    options and code are those of the outputs in place (their manifest says so), nothing is
    redone (:attr:`BuildResult.unchanged`). Extractions are cached per document in
    ``out_dir/.kg-cache`` (see :mod:`kg.cache`), with the rendered pieces of the outputs and
    the violations of each validated piece: a rebuild parses, renders and checks only what
    changed; ``cache=False`` redoes everything (and refreshes the cache). ``store`` says where
    the RDF graph is assembled: ``"memory"`` (rdflib), ``"disk"`` (a pyoxigraph store in
    ``out_dir/.kg-store``, Turtle dumped streaming, no SHACL check or HTML view), or
    ``"auto"``: on disk above :data:`LARGE_CORPUS` documents. ``graph.html`` shows the
    ``view_nodes`` most connected entities (0: all). All files are switched in together
    (:mod:`kg.generation`).
    """
    config = config or Config.default()
    if store not in STORES:
        raise UsageError(f"unknown store {store!r}; choose from {', '.join(STORES)}")
    stages = Stages(enabled=progress, write=log)
    out = Path(out_dir)
    skipped: list[Skip] = []

    def on_skip(skip: Skip) -> None:
        skipped.append(skip)
        log(f"skipped {skip}")

    with stages.stage("reading", "documents") as advance:
        documents = _read(paths, options, on_skip, advance)
    furniture = _count_furniture(documents)
    _check_strict(strict, skipped)
    streaming = store == "disk" or (store == "auto" and len(documents) > LARGE_CORPUS)
    settings = {
        "validate": validate and not streaming,
        "reason": reason,
        "streaming": streaming,
        "view_nodes": view_nodes,
        "options": repr(options or IngestOptions()),
    }
    key = build_key([document_key(d) for d in documents], config, settings)
    if cache and key is not None:
        done = current_outputs(out, key)
        if done is not None:
            if progress:
                log(f"nothing changed since the last build of {out}: outputs kept")
            summary = read_manifest(out).get("summary", {})
            named = {OUTPUT_NAMES.get(p.name, p.name): p for p in done.values()}
            return BuildResult(KnowledgeBase(), named, skipped, summary=summary, unchanged=True)
    run = _Run(config, out, stages, log, cache, engine, engine_options)
    with Generation.start(out) as generation:
        if streaming:
            kb, outputs = run.streaming(documents, generation)
        else:
            kb, outputs = run.in_memory(documents, generation, validate, reason, view_nodes)
        del documents
        summary = summary_counts(kb)
        with stages.stage("switching", "files") as advance:
            generation.commit({"key": key, "summary": summary})
            advance(len(outputs))
    run.extraction_cache.prune()
    if progress:
        log(stages.summary())
    return BuildResult(
        kb=kb,
        outputs=outputs,
        skipped=skipped,
        parsed=run.extraction_cache.misses,
        cached=run.extraction_cache.hits,
        summary=summary,
        seconds=dict(stages.seconds),
        furniture=furniture,
    )


def _count_furniture(documents: Iterable[Document]) -> Counter[str]:
    """Furniture lines dropped when ``documents`` were read, and how many documents had some."""
    tally: Counter[str] = Counter()
    for document in documents:
        if document.furniture:
            tally["lines"] += document.furniture
            tally["documents"] += 1
    return tally


def _read(
    paths: Iterable[str | Path],
    options: IngestOptions | None,
    on_skip: Callable[[Skip], None],
    advance: Callable[[int], None],
) -> list[Document]:
    """Every document under ``paths``, counted as read (inputs are found before anything else,
    so a mistyped path fails at once)."""
    documents = []
    for document in load_documents(paths, options=options, on_skip=on_skip):
        documents.append(document)
        advance(1)
    return documents


class _Run:
    """One build that was not up to date: its caches, stages and the two ways it writes."""

    def __init__(
        self,
        config: Config,
        out: Path,
        stages: Stages,
        log: Callable[[str], None],
        cache: bool,
        engine: str,
        engine_options: EngineOptions | None,
    ) -> None:
        self.config, self.out, self.stages, self.log = config, out, stages, log
        self.engine, self.engine_options = engine, engine_options
        self.software = {"kg": __version__, "spacy-model": _model_version(config.model)}
        # Without the cache every document is parsed, and the cache is refilled for the next build.
        self.extraction_cache = ExtractionCache.in_output(
            out, config, self.software["spacy-model"], read=cache
        )
        self.resolver = Resolver(config.threshold)
        self.blocks = BlockCache(out / CACHE_DIR, read=cache)

    def in_memory(
        self,
        documents: list[Document],
        generation: Generation,
        validate: bool,
        reason: bool,
        view_nodes: int,
    ) -> tuple[KnowledgeBase, dict[str, Path]]:
        """Extract, resolve, check and write with the whole graph in memory."""
        with self.stages.stage("parsing", "documents", total=len(documents)) as advance:
            extractions = _extract(
                documents,
                self.config,
                progress=advance,
                engine=self.engine,
                engine_options=self.engine_options,
                cache=self.extraction_cache,
            )
        with self.stages.stage("resolving", "documents", total=len(extractions)) as advance:
            with paused_gc():
                for extraction in extractions:
                    self.resolver.read(extraction)
                fragments = [self.resolver.fragment(extraction) for extraction in extractions]
                del extractions
                kb = merge(fragments)
            advance(len(fragments))
            links = cached_links(kb, self.blocks)
        if validate:
            pieces = validation_pieces(kb, fragments, software=self.software, links=links)
            with self.stages.stage("validating", "pieces", total=len(pieces)) as advance:
                for violation in validate_pieces(_counted(pieces, advance), self.blocks):
                    self.log(f"warning: {violation}")
        with self.stages.stage("writing", "files") as advance:
            with paused_gc():  # not around OWL reasoning, which makes cycles
                outputs = write_outputs(
                    kb,
                    self.out,
                    fragments=fragments,
                    software=self.software,
                    links=links,
                    cache=self.blocks,
                    view_nodes=view_nodes,
                    generation=generation,
                )
            if reason:
                rdf = to_rdf(kb, software=self.software)
                rdf.addN((s, p, o, rdf) for s, p, o in links)
                write_inferred(rdf, generation.path("inferred.ttl"))
                outputs["inferred"] = self.out / "inferred.ttl"
            advance(len(outputs))
        return kb, outputs

    def streaming(
        self,
        documents: list[Document],
        generation: Generation,
    ) -> tuple[KnowledgeBase, dict[str, Path]]:
        """Extract into the cache and write with no extraction held in memory."""
        with self.stages.stage("parsing", "documents", total=len(documents)) as advance:
            keys = read_streaming(
                documents,
                self.config,
                self.resolver,
                self.extraction_cache,
                progress=advance,
                engine=self.engine,
                engine_options=self.engine_options,
            )
        with self.stages.stage("writing", "files") as advance, paused_gc():
            streamed = (self.resolver.fragment(self.extraction_cache.load(k)) for k in keys)
            kb, outputs = write_streaming(
                streamed, self.out, software=self.software, cache=self.blocks, generation=generation
            )
            advance(len(outputs))
        self.log(
            f"graph of {len(kb.documents)} documents streamed through {self.out / STORE_DIR}; "
            f"no SHACL check or HTML view (run kg validate / kg view on {outputs['turtle']})"
        )
        return kb, outputs


def _counted(
    items: list[tuple[str, Callable[[], Any]]], advance: Callable[[int], None]
) -> Iterator[tuple[str, Callable[[], Any]]]:
    for item in items:
        yield item
        advance(1)


def summary_counts(kb: KnowledgeBase) -> dict[str, Any]:
    """What the summary of a build says of its graph (kept in the manifest for the next build).

    >>> summary_counts(KnowledgeBase())
    {'documents': 0, 'entities': {}, 'relations': {}, 'attributes': 0}
    """
    types = Counter(e.type for e in kb.entities.values())
    relations = Counter(r.predicate for r in kb.relations if r.modality == "asserted")
    return {
        "documents": len(kb.documents),
        "entities": dict(sorted(types.items())),
        "relations": dict(sorted(relations.items())),
        "attributes": len(kb.attributes),
    }


def _model_version(model: str) -> str:
    """``model_version`` of the installed pipeline, read from its metadata without loading it."""
    import spacy.util

    from .nlp import load_pipeline, model_version

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
    progress: bool | Callable[[int], None] = False,
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
                if callable(progress):
                    progress(1)

    fresh: Iterator[Extracted] = run_engine(engine, missing(), config, engine_options)
    if callable(progress):
        fresh = _counted_items(fresh, progress)
    elif progress:
        fresh = _progress(fresh, None, "Extracting")
    for item in fresh:
        cache.put(item, sent.popleft())
        resolver.read(loaded(item))
    return keys


def format_summary(result: BuildResult) -> str:
    """Human summary printed at the end of ``kg build``."""
    counts = result.summary or summary_counts(result.kb)
    lines = [f"documents: {counts['documents']}"]
    lines.append("entities:  " + ", ".join(f"{t} {n}" for t, n in counts["entities"].items()))
    relations = counts["relations"].items()
    lines.append("relations: " + (", ".join(f"{p} {n}" for p, n in relations) or "none"))
    lines.append(f"attributes: {counts['attributes']}")
    if result.unchanged:
        lines.append("nothing changed: outputs kept")
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
    from .extract import Extractor
    from .nlp import load_pipeline, parse

    config = config or Config.default()
    nlp = load_pipeline(config.model)
    extractor = Extractor.from_config(config, nlp)
    documents = [
        Document(id=f"text-{i}", path=f"text-{i}", title="", text=t) for i, t in enumerate(texts)
    ]
    extractions = [extractor(d, doc) for d, doc in parse(nlp, documents)]
    return resolve(extractions, threshold=config.threshold)
