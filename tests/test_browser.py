"""The graph view in a real headless Chromium (Debian's ``/usr/bin/chromium``) driven by Playwright.

Every request that is not ``file:`` or ``data:`` is aborted and recorded; each test checks that
none was attempted. Skipped when Chromium or Playwright is missing on a developer machine; in CI
(``CI`` set) that is a failure instead.
"""

from __future__ import annotations

import os
import random
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from test_viz import CEO_SENTENCE, GEONAMES_ROUBAIX, XSS, viz_graph, viz_kb

from kg.graph.rdf import to_rdf
from kg.io import write_text_atomic
from kg.namespace import RELATIONS
from kg.naming import entity_iri
from kg.records import Document, Entity, EntityType, Evidence, KnowledgeBase, Relation
from kg.viz import render_html, select_view, view_notice

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = os.environ.get("KG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LAURENT, OVH, ODOO = (str(entity_iri(i)) for i in ("person/laurent-allard", "org/ovh", "org/odoo"))


def _missing() -> str | None:
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install playwright)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    reason = _missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests must run in CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@dataclass
class View:
    """An opened page with what it logged and what it tried to fetch."""

    page: Any
    errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    seconds_to_ready: float = 0.0

    def check_clean(self) -> None:
        assert self.errors == [], self.errors
        assert self.blocked == [], self.blocked
        assert self.page.evaluate("window.__kgXss") is None

    def evaluate(self, script: str, arg: Any = None) -> Any:
        return self.page.evaluate(script, arg)


def open_view(browser: Any, path: Path, *, timeout_ms: int = 60_000) -> View:
    context = browser.new_context(viewport={"width": 1400, "height": 850}, accept_downloads=True)
    page = context.new_page()
    view = View(page)

    def guard(route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:")):
            route.continue_()
        else:
            view.blocked.append(url)
            route.abort()

    page.route("**/*", guard)
    page.on(
        "request",
        lambda r: (
            None if r.url.startswith(("file:", "data:", "blob:")) else view.blocked.append(r.url)
        ),
    )
    page.on(
        "console", lambda m: view.errors.append(m.text) if m.type in {"error", "warning"} else None
    )
    page.on("pageerror", lambda error: view.errors.append(str(error)))
    start = time.perf_counter()
    page.goto(path.resolve().as_uri(), wait_until="commit")
    # A selector wait, not wait_for_function: the page's CSP rightly forbids eval.
    page.wait_for_selector("html[data-kg-ready]", state="attached", timeout=timeout_ms)
    view.seconds_to_ready = time.perf_counter() - start
    return view


def write_page(html: str, path: Path) -> Path:
    write_text_atomic(path, html)
    return path


@pytest.fixture(scope="module")
def sample_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("viz") / "graph.html"
    return write_page(render_html(viz_graph(), title="kg — test"), out)


@pytest.fixture()
def view(browser: Any, sample_page: Path) -> Iterator[View]:
    opened = open_view(browser, sample_page)
    yield opened
    opened.page.context.close()


def canvas_point(view: View, node_ids: list[str]) -> tuple[float, float]:
    """Page coordinates of the mean position of some nodes (one node, or an edge's midpoint)."""
    return tuple(
        view.evaluate(
            """(ids) => {
            const net = kgView.network;
            const pos = net.getPositions(ids);
            const x = ids.reduce((s, id) => s + pos[id].x, 0) / ids.length;
            const y = ids.reduce((s, id) => s + pos[id].y, 0) / ids.length;
            const dom = net.canvasToDOM({x, y});
            const box = document.querySelector('#kg-network canvas').getBoundingClientRect();
            return [box.left + dom.x, box.top + dom.y];
        }""",
            node_ids,
        )
    )


def panel_text(view: View) -> str:
    return view.page.inner_text("#kg-panel-body")


def search(view: View, text: str) -> None:
    view.page.fill("#kg-search", text)
    view.page.press("#kg-search", "Enter")
    view.page.wait_for_selector("#kg-panel:not([hidden])")


# ------------------------------------------------------------------ hand-made graph


def test_opens_offline_without_errors_and_draws(view: View) -> None:
    view.check_clean()
    painted = view.evaluate(
        """() => {
            const c = document.querySelector('#kg-network canvas');
            const ctx = c.getContext('2d');
            const px = ctx.getImageData(0, 0, c.width, c.height).data;
            let ink = 0;
            for (let i = 0; i < px.length; i += 4) if (px[i] + px[i + 1] + px[i + 2] < 600) ink++;
            return {w: c.width, h: c.height, ink};
        }"""
    )
    assert painted["w"] > 300 and painted["h"] > 300
    assert painted["ink"] > 500, painted
    assert view.page.inner_text("#kg-status") == "7 / 7 entités, 6 / 6 relations"
    legend = view.page.inner_text("#kg-types")
    assert "Personne" in legend and "Organisation" in legend and "Lieu" in legend
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    view.page.screenshot(path=str(ARTIFACTS / "viz_sample.png"))
    assert (ARTIFACTS / "viz_sample.png").stat().st_size > 10_000


@pytest.mark.parametrize("query", ["Odoo", "odoo", "ODOO", "openerp"])
def test_search_focuses_node(view: View, query: str) -> None:
    view.page.fill("#kg-search", query)
    assert view.page.inner_text("#kg-search-results").splitlines()[0].strip() == "Odoo"
    view.page.press("#kg-search", "Enter")
    view.page.wait_for_selector("#kg-panel:not([hidden])")
    assert view.evaluate("kgView.network.getSelectedNodes()") == [ODOO]
    assert view.page.inner_text("#kg-panel-body h3") == "Odoo"
    view.check_clean()


def test_search_ignores_accents_and_hyphens(view: View) -> None:
    search(view, "grand rosiere")
    assert view.page.inner_text("#kg-panel-body h3") == "Grand-Rosière"


def test_clicking_the_ceo_edge_shows_its_evidence(view: View) -> None:
    x, y = canvas_point(view, [LAURENT, OVH])
    view.page.mouse.click(x, y)
    view.page.wait_for_selector("#kg-panel:not([hidden])")
    text = panel_text(view)
    assert CEO_SENTENCE in text
    assert "Laurent Allard → PDG de → OVH" in text
    assert "OVH World Tour à Rennes" in text  # the source article
    assert "92\u202f%" in text  # the confidence
    view.check_clean()


def test_clicking_a_node_shows_attributes_and_geonames(view: View) -> None:
    x, y = canvas_point(view, [OVH])
    view.page.mouse.click(x, y)
    view.page.wait_for_selector("#kg-panel:not([hidden])")
    text = panel_text(view)
    for expected in (
        "OVH",
        "Organisation",
        "groupe OVH",
        "250 M€",
        "2\u202f500",
        "1999",
        "Laurent Allard → PDG de → OVH",
        "(démenti)",
    ):
        assert expected in text, expected
    search(view, "Roubaix")
    link = view.page.locator("#kg-panel-body a", has_text="GeoNames")
    assert link.get_attribute("href") == GEONAMES_ROUBAIX
    assert link.get_attribute("rel") == "noopener noreferrer"
    # A fact in the node panel opens the edge's evidence.
    search(view, "Laurent Allard")
    view.page.click("#kg-panel-body .kg-fact >> text=Laurent Allard → PDG de → OVH")
    assert CEO_SENTENCE in panel_text(view)
    view.check_clean()


def hidden(view: View, kind: str, ids: list[str]) -> list[bool]:
    return view.evaluate(f"(ids) => ids.map(id => Boolean(kgView.{kind}.get(id).hidden))", ids)


def test_type_relation_and_confidence_filters(view: View) -> None:
    view.page.uncheck("#kg-types input[data-id='Person']")
    assert hidden(view, "nodes", [LAURENT, OVH]) == [True, False]
    assert view.page.inner_text("#kg-status") == "5 / 7 entités, 4 / 6 relations"
    view.page.check("#kg-types input[data-id='Person']")
    view.page.uncheck("#kg-relations input[data-id='headquarteredIn']")
    assert view.page.inner_text("#kg-status") == "7 / 7 entités, 4 / 6 relations"
    view.page.check("#kg-relations input[data-id='headquarteredIn']")
    view.page.fill("#kg-confidence", "0.85")
    view.page.dispatch_event("#kg-confidence", "input")
    # ceoOf 0.92 and founderOf 0.85 stay; 0.8, 0.7, 0.6, 0.5 go.
    assert view.page.inner_text("#kg-status") == "7 / 7 entités, 2 / 6 relations"
    assert view.page.inner_text("#kg-confidence-value") == "85\u202f%"
    view.page.click("#kg-reset")
    assert view.page.inner_text("#kg-status") == "7 / 7 entités, 6 / 6 relations"
    view.check_clean()


def test_ego_view_depth_one_and_two(view: View) -> None:
    assert view.page.is_disabled("#kg-ego")
    search(view, "Laurent Allard")
    view.page.click("#kg-ego")
    assert view.page.inner_text("#kg-status").startswith("2 / 7 entités")
    view.page.select_option("#kg-ego-depth", "2")
    # Depth 2 adds OVH's neighbours: Roubaix and Odoo (partner).
    assert view.page.inner_text("#kg-status").startswith("4 / 7 entités")
    assert hidden(view, "nodes", [ODOO]) == [False]
    view.page.click("#kg-reset")
    assert view.page.inner_text("#kg-status").startswith("7 / 7 entités")
    view.check_clean()


def test_physics_toggle(view: View) -> None:
    assert not view.page.is_checked("#kg-physics")  # off once the capped stabilisation is done
    view.page.check("#kg-physics")
    assert view.evaluate("kgView.network.physics.options.enabled") is True
    view.page.uncheck("#kg-physics")
    assert view.evaluate("kgView.network.physics.options.enabled") is False
    view.check_clean()


def test_export_png(view: View) -> None:
    with view.page.expect_download() as download_info:
        view.page.click("#kg-export")
    download = download_info.value
    assert download.suggested_filename == "graph.png"
    with open(download.path(), "rb") as handle:
        content = handle.read()
    assert content[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(content) > 5_000
    view.check_clean()


def test_hostile_article_never_executes(view: View) -> None:
    search(view, "img src")
    assert view.page.inner_text("#kg-panel-body h3") == '<img src=x onerror="window.__kgXss=1">'
    view.page.click("#kg-panel-body .kg-fact >> nth=0")
    assert "</script><script>window.__kgXss=2</script>" in panel_text(view)
    assert view.evaluate("document.querySelectorAll('img, iframe, object, embed').length") == 0
    assert view.evaluate("document.scripts.length") == 3
    view.check_clean()


def test_partial_view_says_so(browser: Any, tmp_path: Path) -> None:
    kb = viz_kb()
    shown = select_view(kb, 4)
    notice = view_notice(len(shown.entities), len(kb.entities))
    assert notice is not None
    html = render_html(to_rdf(shown), title="kg — partiel", notice=f"{notice} {XSS}")
    view = open_view(browser, write_page(html, tmp_path / "partial.html"))
    assert view.page.is_visible("#kg-notice")
    assert view.page.inner_text("#kg-notice") == f"{notice} {XSS}"
    box = view.page.locator("#kg-notice").bounding_box()
    header = view.page.locator(".kg-bar").bounding_box()
    assert box and header and box["y"] >= header["y"] + header["height"] - 1 and box["y"] < 120
    assert view.page.inner_text("#kg-status").startswith("4 / 4 entités")
    assert view.evaluate("document.querySelectorAll('img').length") == 0
    view.check_clean()
    view.page.context.close()


def test_full_view_has_no_notice(view: View) -> None:
    assert view.page.locator("#kg-notice").count() == 0


# ------------------------------------------------------------------ large graph


def synthetic_kb(nodes: int = 5000, edges: int = 20000, seed: int = 0) -> KnowledgeBase:
    """A random typed graph with one evidence sentence per relation and a heavy-tailed degree."""
    rng = random.Random(seed)
    kinds: tuple[EntityType, ...] = ("Person", "Organization", "Place")
    segment = {"Person": "person", "Organization": "org", "Place": "place"}
    documents = [Document(f"d{i}", f"d{i}.txt", f"Article {i}", "Texte.") for i in range(50)]
    entities = {}
    for i in range(nodes):
        kind = kinds[i % 3]
        entities[f"{segment[kind]}/e{i}"] = Entity(f"{segment[kind]}/e{i}", kind, f"Entité {i}")
    ids = list(entities)
    predicates = RELATIONS
    seen: set[tuple[int, str, int]] = set()
    relations = []
    while len(relations) < edges:
        a = rng.randrange(nodes)
        b = (
            min(nodes - 1, int(rng.paretovariate(1.1)) - 1)
            if rng.random() < 0.5
            else rng.randrange(nodes)
        )
        predicate = rng.choice(predicates)
        if a == b or (a, predicate, b) in seen:
            continue
        seen.add((a, predicate, b))
        doc = documents[rng.randrange(len(documents))]
        sentence = (
            f"Phrase {len(relations)} : {entities[ids[a]].label} et {entities[ids[b]].label}."
        )
        evidence = Evidence(doc.id, sentence, 0, len(sentence), round(rng.random(), 2), "synthetic")
        relations.append(Relation(ids[a], predicate, ids[b], [evidence]))
    return KnowledgeBase(documents=documents, entities=entities, relations=relations)


def test_large_graph_becomes_interactive(browser: Any, tmp_path: Path) -> None:
    started = time.perf_counter()
    page_path = write_page(
        render_html(to_rdf(synthetic_kb()), title="5 000 nœuds"), tmp_path / "large.html"
    )
    python_seconds = time.perf_counter() - started
    view = open_view(browser, page_path)
    start = time.perf_counter()
    search(view, "Entité 4242")
    search_seconds = time.perf_counter() - start
    assert view.page.inner_text("#kg-panel-body h3") == "Entité 4242"
    assert view.page.inner_text("#kg-status") == "5000 / 5000 entités, 20000 / 20000 relations"
    view.check_clean()
    report = (
        f"5000 nodes / 20000 edges: page written in {python_seconds:.1f} s; "
        f"interactive in Chromium after {view.seconds_to_ready:.2f} s; "
        f"search+focus {search_seconds:.2f} s\n"
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "large_graph_timing.txt").write_text(report, encoding="utf-8")
    view.page.screenshot(path=str(ARTIFACTS / "large_graph.png"))
    print(report)
    # The target is 10 s on a 2-core machine; this ceiling only catches a broken page.
    assert view.seconds_to_ready < 30, report
    view.page.context.close()


# ------------------------------------------------------------------ seed build


def test_seed_graph_in_the_browser(browser: Any, seed_build: Any) -> None:
    """The page ``kg build seeds/`` writes: clean, searchable, with the CEO edge's evidence.

    Writes ``tests/artifacts/seed_graph.png``; with ``KG_UPDATE_SCREENSHOT=1`` also the README's
    ``docs/graph.png``.
    """
    view = open_view(browser, Path(seed_build.outputs["html"]))
    view.check_clean()
    search(view, "odoo")
    assert view.page.inner_text("#kg-panel-body h3") == "Odoo"
    # The CEO edge, reached the way a user would: search the person, open the fact.
    search(view, "Laurent Allard")
    view.page.click("#kg-panel-body .kg-fact >> text=/Laurent Allard → PDG de → OVH/ >> nth=0")
    assert CEO_SENTENCE in panel_text(view)
    view.page.fill("#kg-search", "")
    view.page.click("#kg-fit")
    view.page.wait_for_timeout(300)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    view.page.screenshot(path=str(ARTIFACTS / "seed_graph.png"))
    if os.environ.get("KG_UPDATE_SCREENSHOT"):
        (ROOT / "docs").mkdir(exist_ok=True)
        view.page.screenshot(path=str(ROOT / "docs" / "graph.png"))
    view.check_clean()
    view.page.context.close()
