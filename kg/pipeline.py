"""``kg build``: ingest → nlp → extract → resolve → graph → outputs, in one place."""

from __future__ import annotations

import pickle
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .cache import ExtractionCache
from .config import Config
from .engine import EngineOptions, dump_turtle, run_engine, write_store
from .errors import InputError, UsageError
from .extract import Extractor
from .graph import to_networkx, to_rdf
from .ingest import IngestOptions, Skip, load_documents
from .link import link_places
from .nlp import load_pipeline, model_version, parse
from .outputs import write_outputs
from .reason import write_inferred
from .records import Document, Extraction, KnowledgeBase
from .resolve import resolve
from .validate import validate as check_shapes


@dataclass
class BuildResult:
    """What a build produced, for the summary and for tests."""

    kb: KnowledgeBase
    outputs: dict[str, Path] = field(default_factory=dict)
    skipped: list[Skip] = field(default_factory=list)
    parsed: int = 0  # documents parsed by this build
    cached: int = 0  # documents whose extraction came from the cache


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
    cached = [cache.get(d) if cache else None for d in documents]
    missing = [d for d, hit in zip(documents, cached, strict=True) if hit is None]
    fresh: Iterator[Extraction] = run_engine(engine, missing, config, engine_options)
    if progress and len(missing) > 20:
        fresh = _progress(fresh, len(missing), "Extracting")
    # While the engine's workers are alive, new extractions are held pickled (a fifth of the
    # memory of the records); they are loaded once the workers are gone.
    held: list[Extraction | bytes] = []
    for hit in cached:
        if hit is None:
            extraction = next(fresh)
            held.append(cache.put(extraction) if cache else pickle.dumps(extraction, protocol=5))
        else:
            held.append(hit)
    # Shut the engine's workers down now rather than when the generator is collected.
    close = getattr(fresh, "close", None)
    if close:
        close()
    return [_loaded(item, document) for item, document in zip(held, documents, strict=True)]


def _loaded(item: Extraction | bytes, document: Document) -> Extraction:
    """An extraction, unpickled if need be, sharing the caller's document (one text in memory)."""
    extraction = pickle.loads(item) if isinstance(item, bytes) else item
    extraction.document = document
    return extraction


def _progress(items: Iterator[Extraction], total: int, description: str) -> Iterator[Extraction]:
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
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        TaskProgressColumn(), TextColumn("{task.fields[rate]} docs/s"), TimeRemainingColumn(),
    )
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task(description, total=total, rate="-")
        for item in items:
            yield item
            speed = bar.tasks[0].speed
            bar.update(task, advance=1, rate=f"{speed:.1f}" if speed else "-")


def build_knowledge_base(paths: Iterable[str | Path], config: Config | None = None) -> KnowledgeBase:
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
) -> BuildResult:
    """Build the graph of the articles under ``paths`` and write it to ``out_dir``.

    Each input that cannot be read is logged and listed in :attr:`BuildResult.skipped`; with
    ``strict`` any such input fails the build before anything is written. Extractions are cached
    per document in ``out_dir/.kg-cache`` (see :mod:`kg.cache`): a rebuild parses only new and
    changed documents; ``cache=False`` parses everything (and refreshes the cache). ``store``
    says where the RDF graph is assembled: ``"memory"`` (rdflib), ``"disk"`` (a pyoxigraph store
    in ``out_dir/.kg-store``, Turtle dumped streaming, no SHACL check or HTML view), or
    ``"auto"``: on disk above :data:`LARGE_CORPUS` documents.
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
    extractions = extract_documents(
        paths, config, progress=progress, options=options, on_skip=on_skip, engine=engine,
        engine_options=engine_options, cache=extraction_cache,
    )
    if strict and skipped:
        raise InputError(f"{len(skipped)} input(s) skipped and --strict given; nothing written")
    kb = resolve(extractions, threshold=config.threshold)
    del extractions
    out = Path(out_dir)
    if store == "disk" or (store == "auto" and len(kb.documents) > LARGE_CORPUS):
        outputs = _write_large(kb, out, software, log)
    else:
        rdf = to_rdf(kb, software=software)
        link_places(rdf)
        if validate:
            for violation in check_shapes(rdf):
                log(f"warning: {violation}")
        outputs = write_outputs(rdf, to_networkx(kb), out)
        if reason:
            outputs["inferred"] = write_inferred(rdf, out / "inferred.ttl")
    extraction_cache.prune()
    return BuildResult(kb=kb, outputs=outputs, skipped=skipped, parsed=extraction_cache.misses,
                       cached=extraction_cache.hits)


def _model_version(model: str) -> str:
    """``model_version`` of the installed pipeline, read from its metadata without loading it."""
    import spacy.util

    try:
        meta = spacy.util.get_model_meta(spacy.util.get_package_path(model))
    except Exception:  # not an installed package (a path, a blank pipeline): load it
        return model_version(load_pipeline(model))
    return f"{meta.get('lang', '')}_{meta.get('name', '')} {meta.get('version', '')}"


def _write_large(
    kb: KnowledgeBase, out: Path, software: dict[str, str], log: Callable[[str], None]
) -> dict[str, Path]:
    """Outputs of a large corpus: the graph goes through an on-disk store, Turtle is streamed;
    the SHACL check and the HTML view, which need the whole graph in memory, are left out."""
    import networkx as nx
    from rdflib import RDF, RDFS, XSD, Graph

    from .graph.rdf import bind_prefixes
    from .io import atomic_open

    store = write_store(kb, out / ".kg-store", software=software)
    paths = {"turtle": out / "graph.ttl", "graphml": out / "graph.graphml"}
    graph = bind_prefixes(Graph(bind_namespaces="none"))
    graph.bind("rdf", RDF)
    graph.bind("rdfs", RDFS)
    graph.bind("xsd", XSD)
    prefixes = {p: str(n) for p, n in graph.namespaces()}
    dump_turtle(store, paths["turtle"], prefixes)
    with atomic_open(paths["graphml"], "wb", encoding=None) as handle:
        nx.write_graphml(to_networkx(kb), handle)
    log(f"large corpus ({len(kb.documents)} documents): graph built on disk; no SHACL check "
        f"or HTML view (run kg validate / kg serve on {paths['turtle']})")
    return paths


def format_summary(result: BuildResult) -> str:
    """Human summary printed at the end of ``kg build``."""
    kb = result.kb
    types = Counter(e.type for e in kb.entities.values())
    relations = Counter(r.predicate for r in kb.relations if r.modality == "asserted")
    lines = [f"documents: {len(kb.documents)}"]
    lines.append("entities:  " + ", ".join(f"{t} {n}" for t, n in sorted(types.items())))
    lines.append("relations: " + (", ".join(f"{p} {n}" for p, n in sorted(relations.items())) or "none"))
    lines.append(f"attributes: {len(kb.attributes)}")
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
    documents = [Document(id=f"text-{i}", path=f"text-{i}", title="", text=t) for i, t in enumerate(texts)]
    extractions = [extractor(d, doc) for d, doc in parse(nlp, documents)]
    return resolve(extractions, threshold=config.threshold)
