"""``kg build``: ingest → nlp → extract → resolve → graph → outputs, in one place."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .config import Config
from .errors import InputError
from .extract import Extractor
from .graph import to_networkx, to_rdf
from .ingest import IngestOptions, Skip, load_documents
from .link import link_places
from .nlp import load_pipeline, model_version, parse
from .outputs import write_outputs
from .reason import write_inferred
from .records import Extraction, KnowledgeBase
from .resolve import resolve
from .validate import validate as check_shapes


@dataclass
class BuildResult:
    """What a build produced, for the summary and for tests."""

    kb: KnowledgeBase
    outputs: dict[str, Path] = field(default_factory=dict)
    skipped: list[Skip] = field(default_factory=list)


def extract_documents(
    paths: Iterable[str | Path],
    config: Config,
    *,
    progress: bool = False,
    options: IngestOptions | None = None,
    on_skip: Callable[[Skip], None] | None = None,
) -> list[Extraction]:
    """Parse and extract every document under ``paths``; unreadable inputs go to ``on_skip``."""
    # Inputs are found before the model loads, so a mistyped path fails at once.
    stream = load_documents(paths, options=options, on_skip=on_skip)
    nlp = load_pipeline(config.model)
    extractor = Extractor.from_config(config, nlp)
    documents = list(stream)
    pairs = parse(nlp, documents, batch_size=config.batch_size, n_process=config.n_process)
    if progress and len(documents) > 20:
        from rich.progress import track

        pairs = track(pairs, total=len(documents), description="Extracting", transient=True)
    return [extractor(document, doc) for document, doc in pairs]


def build_knowledge_base(paths: Iterable[str | Path], config: Config | None = None) -> KnowledgeBase:
    """Extract and resolve, without writing anything."""
    config = config or Config.default()
    return resolve(extract_documents(paths, config), threshold=config.threshold)


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
) -> BuildResult:
    """Build the graph of the articles under ``paths`` and write it to ``out_dir``.

    Each input that cannot be read is logged and listed in :attr:`BuildResult.skipped`; with
    ``strict`` any such input fails the build before anything is written.
    """
    config = config or Config.default()
    skipped: list[Skip] = []

    def on_skip(skip: Skip) -> None:
        skipped.append(skip)
        log(f"skipped {skip}")

    extractions = extract_documents(
        paths, config, progress=progress, options=options, on_skip=on_skip
    )
    if strict and skipped:
        raise InputError(f"{len(skipped)} input(s) skipped and --strict given; nothing written")
    kb = resolve(extractions, threshold=config.threshold)
    nlp = load_pipeline(config.model)
    software = {"kg": __version__, "spacy-model": model_version(nlp)}
    rdf = to_rdf(kb, software=software)
    link_places(rdf)
    if validate:
        for violation in check_shapes(rdf):
            log(f"warning: {violation}")
    outputs = write_outputs(rdf, to_networkx(kb), Path(out_dir))
    if reason:
        outputs["inferred"] = write_inferred(rdf, Path(out_dir) / "inferred.ttl")
    return BuildResult(kb=kb, outputs=outputs, skipped=skipped)


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
