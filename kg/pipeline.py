"""``kg build``: ingest → nlp → extract → resolve → graph → outputs, in one place."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .cache import ExtractionCache, build_key, document_key
from .config import Config
from .errors import SkippedInputs
from .generation import Generation, current_outputs, read_manifest
from .ingest import IngestOptions, Skip, load_documents
from .progress import Stages
from .records import Document, Extraction, KnowledgeBase
from .resolve import resolve
from .stores import Run, extract_cached, open_store, streams

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
    on_skip: Callable[[Skip], None] | None = None,
    cache: ExtractionCache | None = None,
) -> list[Extraction]:
    """Parse and extract every document under ``paths``; unreadable inputs go to ``on_skip``.

    Documents are parsed by ``config.engine`` (see :mod:`kg.engine`), in input order; with a
    ``cache``, only documents it does not hold are parsed, and their extractions are added to it.
    """
    # Inputs are found before the model loads, so a mistyped path fails at once.
    options = IngestOptions.from_config(config)
    documents = list(load_documents(paths, options=options, on_skip=on_skip))
    return extract_cached(documents, config, cache, progress=progress)


def build_knowledge_base(
    paths: Iterable[str | Path], config: Config | None = None
) -> KnowledgeBase:
    """Extract and resolve, without writing anything."""
    config = config or Config.default()
    return resolve(extract_documents(paths, config), threshold=config.threshold)


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
    config: Config | None = None,
    *,
    progress: bool = False,
    log: Callable[[str], None] = print,
) -> BuildResult:
    """Build the graph of the articles under ``paths`` with the settings of ``config`` (see
    :class:`~kg.config.Config`) and write it to ``out_dir``.

    Each input that cannot be read is logged and listed in :attr:`BuildResult.skipped`; with
    ``config.strict`` any such input fails the build before anything is written. When the
    inputs, settings and code are those of the outputs in place (their manifest says so),
    nothing is redone (:attr:`BuildResult.unchanged`). Extractions are cached per document in
    ``out_dir/.kg-cache`` (see :mod:`kg.cache`), with the rendered pieces of the outputs and
    the violations of each validated piece: a rebuild parses, renders and checks only what
    changed; ``config.cache=False`` redoes everything (and refreshes the cache). The graph is
    assembled by the store ``config.store`` names (:mod:`kg.stores`). All files are switched
    in together (:mod:`kg.generation`).
    """
    config = config or Config.default()
    stages = Stages(enabled=progress, write=log)
    out = Path(out_dir)
    skipped: list[Skip] = []
    with stages.stage("reading", "documents") as advance:
        documents = _read(paths, config, _logged(skipped, log), advance)
    if config.strict and skipped:
        raise SkippedInputs(f"{len(skipped)} input(s) skipped and --strict given; nothing written")
    furniture = _count_furniture(documents)
    key = _build_key(documents, config)
    kept = _kept_outputs(out, key, log if progress else None) if config.cache else None
    if kept is not None:
        return replace(kept, skipped=skipped)
    run = Run(config, out, stages, log)
    with Generation.start(out) as generation:
        kb, outputs = open_store(run, len(documents)).write(documents, generation)
        del documents
        summary = summary_counts(kb)
        with stages.stage("switching", "files") as advance:
            generation.commit({"key": key, "summary": summary})
            advance(len(outputs))
    run.extractions.prune()
    if progress:
        log(stages.summary())
    return BuildResult(
        kb=kb,
        outputs=outputs,
        skipped=skipped,
        parsed=run.extractions.misses,
        cached=run.extractions.hits,
        summary=summary,
        seconds=dict(stages.seconds),
        furniture=furniture,
    )


def _logged(skipped: list[Skip], log: Callable[[str], None]) -> Callable[[Skip], None]:
    """An ``on_skip`` that lists each skipped input in ``skipped`` and logs it."""

    def on_skip(skip: Skip) -> None:
        skipped.append(skip)
        log(f"skipped {skip}")

    return on_skip


def _build_key(documents: list[Document], config: Config) -> str | None:
    """The :func:`~kg.cache.build_key` of a build of ``documents`` (the SHACL check is not
    run when the graph is assembled on disk, so then ``validate`` does not count)."""
    streaming = streams(config, len(documents))
    settings = {"validate": config.validate and not streaming, "streaming": streaming}
    return build_key([document_key(d) for d in documents], config, settings)


def _kept_outputs(
    out: Path, key: str | None, log: Callable[[str], None] | None
) -> BuildResult | None:
    """The result of a build whose outputs in ``out`` are those of ``key`` already, or None."""
    done = current_outputs(out, key) if key is not None else None
    if done is None:
        return None
    if log:
        log(f"nothing changed since the last build of {out}: outputs kept")
    summary = read_manifest(out).get("summary", {})
    named = {OUTPUT_NAMES.get(p.name, p.name): p for p in done.values()}
    return BuildResult(KnowledgeBase(), named, summary=summary, unchanged=True)


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
    config: Config,
    on_skip: Callable[[Skip], None],
    advance: Callable[[int], None],
) -> list[Document]:
    """Every document under ``paths``, counted as read (inputs are found before anything else,
    so a mistyped path fails at once)."""
    documents = []
    options = IngestOptions.from_config(config)
    for document in load_documents(paths, options=options, on_skip=on_skip):
        documents.append(document)
        advance(1)
    return documents


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
    from .extract.chapters import extract_chapters
    from .nlp import load_pipeline, parse_chapters

    config = config or Config.default()
    nlp = load_pipeline(config.model)
    extractor = Extractor.from_config(config, nlp)
    documents = [
        Document(id=f"text-{i}", path=f"text-{i}", title="", text=t) for i, t in enumerate(texts)
    ]
    extractions = list(extract_chapters(extractor, parse_chapters(nlp, documents)))
    return resolve(extractions, threshold=config.threshold)
