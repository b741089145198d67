"""kg/outputs.py: graph.ttl by blocks, the capped HTML view, rendered pieces reused."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from kb_samples import SOFTWARE, sample_kb
from rdflib import RDF, RDFS, Graph
from rdflib.namespace import PROV, SDO

import kg.outputs
from kg.cache import CACHE_DIR, RENDERED_DIR, BlockCache
from kg.graph.rdf import BUILD_ACTIVITY, to_rdf
from kg.link import place_links
from kg.naming import document_iri, entity_iri
from kg.outputs import write_outputs
from kg.records import KnowledgeBase
from kg.viz import view_notice


@pytest.fixture(scope="module")
def links() -> list:
    return place_links(sample_kb())


def _triples(path: Path) -> set:
    return set(Graph().parse(path, format="turtle"))


def _expected(kb: KnowledgeBase, software: dict[str, str], links: list) -> set:
    return set(to_rdf(kb, software=software)) | set(links)


def _titles(text: str) -> list[str]:
    return re.findall(r"^# (.*)$", text, flags=re.MULTILINE)


def _check_layout(text: str, kb: KnowledgeBase) -> None:
    """Header, then the build, the entities and one block per article in id order."""
    assert text.startswith("@prefix ")
    ids = sorted(d.id for d in kb.documents)
    assert _titles(text) == ["build", "entities", *(f"article {i}" for i in ids)]
    assert "organization:" in text and "\\/" not in text
    assert re.search(r"^organization:\S+ a kg:Organization ;$", text, flags=re.MULTILINE)


# ------------------------------------------------------------------ graph.ttl


def test_sample_turtle_is_the_graph_of_the_kb(tmp_path: Path, links: list) -> None:
    kb = sample_kb()
    paths = write_outputs(kb, tmp_path, software=SOFTWARE, links=links)
    assert set(paths) == {"turtle", "graphml", "html"}
    text = paths["turtle"].read_text(encoding="utf-8")
    _check_layout(text, kb)
    assert _triples(paths["turtle"]) == _expected(kb, SOFTWARE, links)


def _software(graph: Graph) -> dict[str, str]:
    """The tool versions of a build, read back from its graph."""
    return {
        str(graph.value(agent, RDFS.label)): str(version)
        for agent, version in graph.subject_objects(SDO.softwareVersion)
    }


def test_seed_turtle_is_the_graph_of_the_kb(seed_build) -> None:
    kb, path = seed_build.kb, seed_build.outputs["turtle"]
    text = path.read_text(encoding="utf-8")
    _check_layout(text, kb)
    assert len(_titles(text)) == 2 + len(kb.documents) == 2 + 5
    graph = Graph().parse(path, format="turtle")
    software = _software(graph)
    assert set(software) == {"kg", "spacy-model"}
    assert set(graph) == _expected(kb, software, place_links(kb))


# ------------------------------------------------------------------ graph.html


def test_view_is_capped_with_a_notice(tmp_path: Path) -> None:
    kb = sample_kb()
    assert len(kb.entities) > 2
    notice = view_notice(2, len(kb.entities))
    assert notice
    capped = write_outputs(kb, tmp_path / "capped", view_nodes=2)["html"]
    assert notice in capped.read_text(encoding="utf-8")
    for view_nodes in (0, len(kb.entities), 300):
        full = write_outputs(kb, tmp_path / f"full-{view_nodes}", view_nodes=view_nodes)["html"]
        page = full.read_text(encoding="utf-8")
        assert 'id="kg-notice"' not in page and "entités les plus reliées" not in page
    # The Turtle holds everything whatever the view shows.
    assert (tmp_path / "capped" / "graph.ttl").read_bytes() == (
        tmp_path / "full-300" / "graph.ttl"
    ).read_bytes()


# ------------------------------------------------------------------ rendered pieces


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the pieces write_outputs renders: "entities", "article <id>", "html"
    (the build block, a few triples rendered every time, is left out)."""
    names: list[str] = []
    turtle_block, render_html = kg.outputs.turtle_block, kg.outputs.render_html
    ntriples_block = kg.outputs.ntriples_block
    article_type = f"<{RDF.type}> <{SDO.NewsArticle}> .\n"

    def counting_block(triples, prefixes):
        triples = list(triples)
        articles = sorted(str(s) for s, p, o in triples if p == RDF.type and o == SDO.NewsArticle)
        if (BUILD_ACTIVITY, RDF.type, PROV.Activity) not in triples:
            names.append(f"article {' '.join(articles)}" if articles else "entities")
        return turtle_block(triples, prefixes)

    def counting_lines(lines, prefixes):  # article blocks are written from N-Triples lines
        lines = list(lines)
        articles = sorted(line.split(" ", 1)[0][1:-1] for line in lines if article_type in line)
        names.append(f"article {' '.join(articles)}")
        return ntriples_block(lines, prefixes)

    def counting_html(*args, **kwargs):
        names.append("html")
        return render_html(*args, **kwargs)

    monkeypatch.setattr(kg.outputs, "turtle_block", counting_block)
    monkeypatch.setattr(kg.outputs, "ntriples_block", counting_lines)
    monkeypatch.setattr(kg.outputs, "render_html", counting_html)
    return names


def _article(doc_id: str) -> str:
    return f"article {document_iri(doc_id)}"


def _write(kb: KnowledgeBase, out: Path, links: list, cache: bool = True) -> dict[str, bytes]:
    blocks = BlockCache(out / CACHE_DIR) if cache else None
    paths = write_outputs(kb, out, software=SOFTWARE, links=links, cache=blocks)
    return {name: path.read_bytes() for name, path in paths.items()}


def test_second_write_renders_nothing(tmp_path: Path, links: list, rendered: list[str]) -> None:
    kb = sample_kb()
    first = _write(kb, tmp_path, links)
    assert sorted(rendered) == sorted(["entities", _article("ovh"), _article("qonto"), "html"])
    assert len(list((tmp_path / CACHE_DIR / RENDERED_DIR).iterdir())) == 4
    rendered.clear()
    assert _write(sample_kb(), tmp_path, links) == first
    assert rendered == []


def test_changed_relation_renders_its_article_again(
    tmp_path: Path, links: list, rendered: list[str]
) -> None:
    _write(sample_kb(), tmp_path, links)
    rendered.clear()
    kb = sample_kb()
    qonto_hq = next(
        r for r in kb.relations if r.predicate == "headquarteredIn" and r.subject == "org/qonto"
    )
    qonto_hq.evidence = [replace(qonto_hq.evidence[0], confidence=0.55, rule="autre")]
    again = _write(kb, tmp_path, links)
    # The Qonto article's block, and the page that quotes the relation; nothing else.
    assert sorted(rendered) == sorted([_article("qonto"), "html"])
    rendered.clear()
    assert again == _write(kb, tmp_path / "fresh", links, cache=False)
    assert _triples(tmp_path / "graph.ttl") == _expected(kb, SOFTWARE, links)
    # Pieces no longer used are gone: one article block and the page were replaced.
    assert len(list((tmp_path / CACHE_DIR / RENDERED_DIR).iterdir())) == 4


def test_tampered_piece_is_rendered_again(tmp_path: Path, links: list, rendered: list[str]) -> None:
    first = _write(sample_kb(), tmp_path, links)
    qonto = document_iri("qonto").split("/")[-1]
    (piece,) = [
        p
        for p in (tmp_path / CACHE_DIR / RENDERED_DIR).iterdir()
        if f"article:{qonto} a schema:NewsArticle" in p.read_text(encoding="utf-8")
    ]
    checksum, _, text = piece.read_text(encoding="utf-8").partition("\n")
    piece.write_text(f"{checksum}\n{text.replace('Qonto', 'Falsifié')}", encoding="utf-8")
    rendered.clear()
    assert _write(sample_kb(), tmp_path, links) == first
    assert rendered == [_article("qonto")]
    rendered.clear()
    piece.write_bytes(piece.read_bytes()[:-40])  # a torn write
    assert _write(sample_kb(), tmp_path, links) == first
    assert rendered == [_article("qonto")]


def test_entity_newly_mentioned_by_an_article_renders_it_again(tmp_path: Path, links: list) -> None:
    _write(sample_kb(), tmp_path, links)
    kb = sample_kb()
    kb.entities["org/ovh"].documents.add("qonto")  # named in the Qonto article too
    written = _write(kb, tmp_path, links)
    mention = (document_iri("qonto"), SDO.mentions, entity_iri("org/ovh"))
    assert mention in _triples(tmp_path / "graph.ttl")
    assert written == _write(kb, tmp_path / "fresh", links, cache=False)
