"""Write a build's files: ``graph.ttl``, ``graph.graphml`` and ``graph.html``, each atomically.

``graph.ttl`` is written block by block (see :mod:`kg.graph.turtle`): the build, the entities
with their GeoNames links, then one block per article, which a :class:`~kg.cache.BlockCache`
keeps from one build to the next so that a rebuild renders only the articles that changed.
``graph.html`` shows at most ``view_nodes`` entities, the most connected ones, and says so.
:func:`write_streaming` writes a large corpus one article at a time, with an on-disk store.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from itertools import chain
from pathlib import Path
from typing import IO

import networkx as nx

from .cache import BlockCache, block_key, content_key
from .graph import to_networkx
from .graph.rdf import PREFIXES, Triple, article_triples, build_triples, entity_triples, to_rdf
from .graph.turtle import turtle_block, turtle_chunk, turtle_chunks, turtle_header
from .io import atomic_open, write_bytes_atomic, write_text_atomic
from .link import place_links
from .naming import entity_iri
from .records import Evidence, KnowledgeBase
from .resolve import merge, split_by_document
from .viz import render_html, select_view, view_notice

__all__ = [
    "DEFAULT_VIEW_NODES",
    "STORE_DIR",
    "turtle_blocks",
    "write_outputs",
    "write_streaming",
]

# Entities drawn by graph.html; beyond a few hundred nodes vis-network is unreadable and slow.
DEFAULT_VIEW_NODES = 300
# Sentences the view quotes per relation or attribute (the most confident): a fact repeated by
# a hundred articles does not need a hundred quotes in a side panel.
VIEW_EVIDENCE = 3


def turtle_blocks(
    kb: KnowledgeBase,
    fragments: Iterable[KnowledgeBase],
    *,
    software: dict[str, str] | None = None,
    links: Sequence[Triple] = (),
    cache: BlockCache | None = None,
    articles_only: bool = False,
) -> Iterable[tuple[str, str]]:
    """``(title, Turtle)`` blocks of the graph of ``kb``, whose one-document ``fragments``
    (:meth:`kg.resolve.Resolver.fragment`) give the article blocks; lazily, one at a time.
    With ``articles_only``, the build and entity blocks are left out."""
    if not articles_only:
        yield "build", build_block(software or {})
        entities = [(e.id, e.type, e.label, sorted(e.aliases)) for e in kb.entities.values()]

        def render_entities() -> str:
            return entity_block(kb, links)

        yield (
            "entities",
            (
                cache.block(content_key(entities, links), render_entities)
                if cache
                else render_entities()
            ),
        )
    # Articles in id order, so that the file does not depend on the order documents came in.
    for fragment in sorted(fragments, key=lambda f: [d.id for d in f.documents]):
        title = "article " + ", ".join(d.id for d in fragment.documents)

        def render(fragment: KnowledgeBase = fragment) -> str:
            return turtle_block(article_triples(fragment), PREFIXES)

        yield title, cache.block(block_key(fragment), render) if cache else render()


def build_block(software: dict[str, str]) -> str:
    """The Turtle block of the build activity and its software."""
    return turtle_block(build_triples(software), PREFIXES)


def entity_block(kb: KnowledgeBase, links: Sequence[Triple] = ()) -> str:
    """The Turtle block of the entities of ``kb`` and their GeoNames ``links``."""
    return turtle_block(chain(entity_triples(kb.entities.values()), links), PREFIXES)


def write_outputs(
    kb: KnowledgeBase,
    out_dir: Path,
    *,
    fragments: Iterable[KnowledgeBase] | None = None,
    software: dict[str, str] | None = None,
    links: Sequence[Triple] = (),
    cache: BlockCache | None = None,
    view_nodes: int = DEFAULT_VIEW_NODES,
) -> dict[str, Path]:
    """Write the three outputs of a build and return their paths by name.

    ``fragments`` are the one-document parts of ``kb`` (:func:`kg.resolve.split_by_document`
    when not given); ``links`` the GeoNames triples of its places; ``cache`` keeps article
    blocks for the next build.

    Every output is rendered before any is written, so a failure while rendering leaves the
    previous build's files all untouched; each file is then replaced atomically.
    """
    software = software or {}
    parts = split_by_document(kb) if fragments is None else fragments
    blocks = turtle_blocks(kb, parts, software=software, links=links, cache=cache)
    turtle = "".join(turtle_chunks(PREFIXES, blocks))
    buffer = io.BytesIO()
    nx.write_graphml(to_networkx(kb), buffer)
    page = _view_page(kb, software, links, view_nodes, cache)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "turtle": out_dir / "graph.ttl",
        "graphml": out_dir / "graph.graphml",
        "html": out_dir / "graph.html",
    }
    write_text_atomic(paths["turtle"], turtle)
    write_bytes_atomic(paths["graphml"], buffer.getvalue())
    write_text_atomic(paths["html"], page)
    if cache is not None:
        cache.prune()
    return paths


def _view_page(
    kb: KnowledgeBase,
    software: dict[str, str],
    links: Sequence[Triple],
    view_nodes: int,
    cache: BlockCache | None = None,
) -> str:
    view = _strongest_evidence(select_view(kb, view_nodes), VIEW_EVIDENCE)
    notice = view_notice(len(view.entities), len(kb.entities))
    shown = {entity_iri(ident) for ident in view.entities}
    view_links = [(s, p, o) for s, p, o in links if s in shown]

    def render() -> str:
        # rdflib's plain store: fewer indexes to fill, and the view's lookups are faster on it.
        graph = to_rdf(view, software=software, store="SimpleMemory")
        graph.addN((s, p, o, graph) for s, p, o in view_links)
        return render_html(graph, notice=notice)

    if cache is None:
        return render()
    # What the page shows of the articles: not their text (a changed text alone keeps the page).
    documents = [(d.id, d.path, d.title, d.url, d.date) for d in view.documents]
    entities = [
        (e.id, e.type, e.label, sorted(e.aliases), sorted(e.documents))
        for e in view.entities.values()
    ]
    key = content_key(
        documents, entities, view.relations, view.attributes, view_links, notice, software
    )
    return cache.block(key, render)


def _strongest_evidence(kb: KnowledgeBase, limit: int) -> KnowledgeBase:
    """``kb`` with at most ``limit`` evidence per relation and attribute, the most confident
    (then the first read) kept, in their original order."""

    def strongest(evidence: list[Evidence]) -> list[Evidence]:
        if len(evidence) <= limit:
            return evidence
        ranked = sorted(range(len(evidence)), key=lambda i: (-evidence[i].confidence, i))
        return [evidence[i] for i in sorted(ranked[:limit])]

    return replace(
        kb,
        relations=[replace(r, evidence=strongest(r.evidence)) for r in kb.relations],
        attributes=[replace(a, evidence=strongest(a.evidence)) for a in kb.attributes],
    )


# Where write_streaming keeps its pyoxigraph store, and how many articles it loads at once.
STORE_DIR = ".kg-store"
STORE_BATCH = 500


def write_streaming(
    fragments: Iterable[KnowledgeBase],
    out_dir: Path,
    *,
    software: dict[str, str] | None = None,
    cache: BlockCache | None = None,
) -> tuple[KnowledgeBase, dict[str, Path]]:
    """Outputs of a large corpus from its one-document ``fragments``, taken one at a time.

    ``graph.ttl`` is written as the fragments come (the entity block last, once all entities
    are known) and the same blocks fill a pyoxigraph store in ``out_dir/.kg-store``; then
    ``graph.graphml``. Returns the merged knowledge base, whose documents keep no text, and
    the paths written. There is no HTML view: it needs the whole graph in memory.
    """
    import shutil

    import pyoxigraph as ox

    paths = {"turtle": out_dir / "graph.ttl", "graphml": out_dir / "graph.graphml"}
    store_dir = out_dir / STORE_DIR
    shutil.rmtree(store_dir, ignore_errors=True)
    store_dir.parent.mkdir(parents=True, exist_ok=True)
    store = ox.Store(str(store_dir))
    header = turtle_header(PREFIXES)
    pending: list[str] = []

    def write(handle: IO[str], title: str, block: str, *, last: bool = False) -> None:
        handle.write(turtle_chunk(title, block))
        pending.append(block)
        if len(pending) >= STORE_BATCH or last:
            store.bulk_load(header + "".join(pending), format=ox.RdfFormat.TURTLE)
            pending.clear()

    with atomic_open(paths["turtle"], "w") as handle:
        handle.write(header)
        write(handle, "build", build_block(software or {}))

        def written() -> Iterator[KnowledgeBase]:
            for fragment in fragments:
                for title, block in turtle_blocks(
                    fragment, [fragment], cache=cache, articles_only=True
                ):
                    write(handle, title, block)
                # The summary and GraphML need no text; dropping it keeps memory flat.
                fragment.documents = [replace(d, text="") for d in fragment.documents]
                yield fragment

        kb = merge(written())
        links = place_links(kb)
        write(handle, "entities", entity_block(kb, links), last=True)
    store.optimize()
    with atomic_open(paths["graphml"], "wb", encoding=None) as binary:
        nx.write_graphml(to_networkx(kb), binary)
    if cache is not None:
        cache.prune()
    return kb, paths
