"""Write a build's files: ``graph.ttl``, ``graph.graphml`` and ``graph.html``, as one generation.

``graph.ttl`` is written block by block (see :mod:`kg.graph.turtle`): the build, the entities
with their GeoNames links, then one block per article, which a :class:`~kg.cache.BlockCache`
keeps from one build to the next so that a rebuild renders only the articles that changed.
``graph.html`` shows at most ``view_nodes`` entities, the most connected ones, and says so.
The files go into a :class:`~kg.generation.Generation`, switched in together.
:func:`write_streaming` writes a large corpus one article at a time, with an on-disk store.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from itertools import chain
from pathlib import Path
from typing import IO

import networkx as nx
from rdflib import Graph

from .cache import BlockCache, block_key, content_key
from .config import Config
from .generation import Generation
from .graph import to_networkx
from .graph.rdf import (
    PREFIXES,
    Triple,
    article_ntriples,
    article_triples,
    bind_prefixes,
    build_triples,
    entity_triples,
    triples,
)
from .graph.turtle import (
    ntriples_block,
    turtle_block,
    turtle_chunk,
    turtle_chunks,
    turtle_header,
)
from .naming import entity_iri
from .records import Entity, Evidence, KnowledgeBase
from .resolve import merge, split_by_document
from .viz import TripleIndex, render_html, select_view, view_notice

__all__ = [
    "DEFAULT_VIEW_NODES",
    "STORE_DIR",
    "cached_links",
    "turtle_blocks",
    "validation_pieces",
    "write_outputs",
    "write_streaming",
]

# Entities drawn by graph.html; beyond a few hundred nodes vis-network is unreadable and slow.
DEFAULT_VIEW_NODES = Config.view_nodes
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
            return ntriples_block(article_ntriples(fragment), PREFIXES)

        yield title, cache.block(block_key(fragment), render) if cache else render()


def cached_links(kb: KnowledgeBase, cache: BlockCache | None = None) -> list[Triple]:
    """The GeoNames triples of the places of ``kb`` (:func:`kg.link.place_links`), kept in
    ``cache`` under the places' names and articles: a rebuild whose places did not change
    does not load the gazetteer.

    >>> from kg.records import Entity
    >>> kb = KnowledgeBase(entities={"place/roubaix": Entity("place/roubaix", "Place", "Roubaix")})
    >>> str(cached_links(kb)[0][2])
    'https://sws.geonames.org/2982681/'
    """
    from rdflib.util import from_n3

    from .link.geonames import place_inputs, place_links

    def render() -> str:
        return "".join(f"{s.n3()} {p.n3()} {o.n3()} .\n" for s, p, o in place_links(kb))

    text = cache.block(content_key("links", *place_inputs(kb)), render) if cache else render()
    found = []
    for line in text.splitlines():
        s, p, o = line[: -len(" .")].split(" ", 2)
        found.append((from_n3(s), from_n3(p), from_n3(o)))
    return found  # type: ignore[return-value]


# Pieces a graph is checked in (see validate_pieces): a changed article re-checks its piece only.
VALIDATION_PIECES = 64


def validation_pieces(
    kb: KnowledgeBase,
    fragments: Sequence[KnowledgeBase],
    *,
    software: dict[str, str] | None = None,
    links: Sequence[Triple] = (),
    pieces: int = VALIDATION_PIECES,
) -> list[tuple[str, Callable[[], Iterable[Triple]]]]:
    """``(key, make_triples)`` pieces of the graph of ``kb`` for
    :func:`kg.validate.validate_pieces`: the articles, and the entities with their GeoNames
    links, each spread over ``pieces`` buckets by a hash of their id (stable as a corpus grows).

    An article piece holds its articles' triples, the build activity and the class and label
    of every entity they name, which is all its shapes look at; an entity piece, its entities
    and their links. A piece's key hashes what it is made of.

    >>> [key for key, _ in validation_pieces(KnowledgeBase(), [])]
    []
    """
    software = software or {}
    entity_buckets: dict[int, list[Entity]] = {}
    for entity in kb.entities.values():
        entity_buckets.setdefault(_bucket(entity.id, pieces), []).append(entity)
    article_buckets: dict[int, list[KnowledgeBase]] = {}
    for fragment in fragments:
        ident = ",".join(d.id for d in fragment.documents)
        article_buckets.setdefault(_bucket(ident, pieces), []).append(fragment)
    by_subject: dict[object, list[Triple]] = {}
    for triple in links:
        by_subject.setdefault(triple[0], []).append(triple)
    entity_pieces = [_entity_piece(b, by_subject) for _, b in sorted(entity_buckets.items())]
    article_pieces = [_article_piece(kb, b, software) for _, b in sorted(article_buckets.items())]
    return entity_pieces + article_pieces


def _entity_piece(
    entities: list[Entity], by_subject: dict[object, list[Triple]]
) -> tuple[str, Callable[[], Iterable[Triple]]]:
    """The validation piece of a bucket of entities and their links."""
    entities.sort(key=lambda e: e.id)
    own = [t for e in entities for t in by_subject.get(entity_iri(e.id), [])]
    key = content_key("entities", [_entity_state(e) for e in entities], own)
    return key, lambda: chain(entity_triples(entities), own)


def _article_piece(
    kb: KnowledgeBase, bucket: list[KnowledgeBase], software: dict[str, str]
) -> tuple[str, Callable[[], Iterable[Triple]]]:
    """The validation piece of a bucket of articles, with the entities they name."""
    bucket.sort(key=lambda f: [d.id for d in f.documents])
    named = sorted({i for f in bucket for i in f.entities}, key=str)
    entities = [kb.entities[i] for i in named if i in kb.entities]
    key = content_key(
        "articles", [block_key(f) for f in bucket], [_entity_state(e) for e in entities], software
    )

    def triples() -> Iterator[Triple]:
        yield from build_triples(software)
        yield from entity_triples(entities)
        for fragment in bucket:
            yield from article_triples(fragment)

    return key, triples


def _bucket(ident: str, pieces: int) -> int:
    return (
        int.from_bytes(hashlib.blake2b(ident.encode("utf-8"), digest_size=4).digest(), "big")
        % pieces
    )


def _entity_state(entity: Entity) -> tuple[object, ...]:
    return (entity.id, entity.type, entity.label, sorted(entity.aliases))


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
    generation: Generation | None = None,
) -> dict[str, Path]:
    """Write the three outputs of a build and return their paths by name.

    ``fragments`` are the one-document parts of ``kb`` (:func:`kg.resolve.split_by_document`
    when not given); ``links`` the GeoNames triples of its places; ``cache`` keeps article
    blocks for the next build.

    The files are written into ``generation`` (then switched in by the caller), or into a
    generation of their own switched in at once: a failure, or a kill, leaves the previous
    build's files all in place.
    """
    software = software or {}
    parts = split_by_document(kb) if fragments is None else fragments
    blocks = turtle_blocks(kb, parts, software=software, links=links, cache=cache)
    turtle = "".join(turtle_chunks(PREFIXES, blocks))
    buffer = io.BytesIO()
    nx.write_graphml(to_networkx(kb), buffer)
    page = _view_page(kb, software, links, view_nodes, cache)
    with _generation(out_dir, generation) as new:
        new.path("graph.ttl").write_text(turtle, encoding="utf-8")
        new.path("graph.graphml").write_bytes(buffer.getvalue())
        new.path("graph.html").write_text(page, encoding="utf-8")
        if generation is None:
            new.commit({})
    if cache is not None:
        cache.prune()
    return {name: out_dir / f"graph.{suffix}" for name, suffix in _NAMES.items()}


_NAMES = {"turtle": "ttl", "graphml": "graphml", "html": "html"}


@contextmanager
def _generation(out_dir: Path, generation: Generation | None) -> Iterator[Generation]:
    """``generation``, or a new one of ``out_dir`` (removed if not committed)."""
    if generation is not None:
        yield generation
        return
    with Generation.start(out_dir) as new:
        yield new


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
        # The view's triples indexed as the view reads them: filling an rdflib store took longer
        # than the rest of the page. Prefixes as to_rdf binds them, for the names of properties.
        prefixes = bind_prefixes(Graph(store="SimpleMemory"))
        index = TripleIndex(chain(triples(view, software=software), view_links), prefixes=prefixes)
        return render_html(index, notice=notice)

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
    links: Callable[[KnowledgeBase], Sequence[Triple]] | None = None,
    generation: Generation | None = None,
) -> tuple[KnowledgeBase, dict[str, Path]]:
    """Outputs of a large corpus from its one-document ``fragments``, taken one at a time.

    ``graph.ttl`` is written as the fragments come (the entity block last, once all entities
    are known) and the same blocks fill a pyoxigraph store in ``out_dir/.kg-store``; then
    ``graph.graphml``. Returns the merged knowledge base, whose documents keep no text, and
    the paths written. There is no HTML view: it needs the whole graph in memory. ``links``
    gives the GeoNames triples of the merged knowledge base (:func:`kg.link.place_links`).
    """
    paths = {"turtle": out_dir / "graph.ttl", "graphml": out_dir / "graph.graphml"}
    with _generation(out_dir, generation) as new:
        kb = _stream(fragments, new, out_dir, software=software, cache=cache, links=links)
        if generation is None:
            new.commit({})
    if cache is not None:
        cache.prune()
    return kb, paths


def _stream(
    fragments: Iterable[KnowledgeBase],
    new: Generation,
    out_dir: Path,
    *,
    software: dict[str, str] | None,
    cache: BlockCache | None,
    links: Callable[[KnowledgeBase], Sequence[Triple]] | None,
) -> KnowledgeBase:
    import shutil

    import pyoxigraph as ox

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

    with new.path("graph.ttl").open("w", encoding="utf-8") as handle:
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
        found = links(kb) if links else cached_links(kb, cache)
        write(handle, "entities", entity_block(kb, found), last=True)
    store.optimize()
    with new.path("graph.graphml").open("wb") as binary:
        nx.write_graphml(to_networkx(kb), binary)
    return kb
