"""Tests of the graph view's data extraction, formatting and page rendering (no browser)."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import FOAF, OWL

from kg.graph.rdf import to_rdf
from kg.naming import entity_iri
from kg.records import (
    Attribute,
    Document,
    Entity,
    EntityType,
    Evidence,
    KnowledgeBase,
    Quantity,
    Relation,
)
from kg.viz import render_html, render_page, select_view, view_data, view_notice
from kg.viz.format import THIN_SPACE, format_count, format_decimal, format_money
from kg.viz.html import script_json, with_layout
from kg.viz.layout import force_layout

if TYPE_CHECKING:
    from conftest import KgCli

XSS = '<img src=x onerror="window.__kgXss=1">'
XSS_SCRIPT = "</script><script>window.__kgXss=2</script>"
CEO_SENTENCE = "Laurent Allard, CEO du groupe OVH, a fait le déplacement."
GEONAMES_ROUBAIX = "https://sws.geonames.org/2982652/"

# ------------------------------------------------------------------ hand-made graph


def _evidence(doc: Document, sentence: str, confidence: float, rule: str = "test") -> Evidence:
    start = doc.text.index(sentence)
    return Evidence(doc.id, sentence, start, start + len(sentence), confidence, rule)


def viz_kb() -> KnowledgeBase:
    """Three articles: OVH and its CEO, Odoo in Grand-Rosière, and a hostile article whose title,
    entity name and sentence carry HTML that must never run."""
    ovh_text = (
        f"{CEO_SENTENCE} Basé à Roubaix, OVH affiche un chiffre d'affaires de 250 millions "
        "d'euros et compte 2500 salariés. OVH n'a pas racheté Odoo."
    )
    odoo_text = (
        "Fabien Pinckaers a fondé Odoo à Grand-Rosière. Odoo est valorisé 3 milliards d'euros. "
        "Odoo s'associe à OVH pour l'hébergement."
    )
    xss_text = f"La société {XSS} a racheté Odoo. {XSS_SCRIPT}"
    ovh = Document("ovh", "seeds/ovh.txt", "OVH World Tour à Rennes", ovh_text, date="2016-07-01")
    odoo = Document(
        "odoo",
        "seeds/odoo.txt",
        "Odoo, la licorne belge",
        odoo_text,
        url="https://example.org/odoo",
    )
    xss = Document("xss", "seeds/xss.txt", f"Titre {XSS}", xss_text, url="javascript:alert(1)")

    def entity(kind: EntityType, entity_id: str, label: str, *aliases: str) -> Entity:
        return Entity(
            entity_id, kind, label, aliases=set(aliases), documents=set(), mention_count=1
        )

    entities = [
        entity("Person", "person/laurent-allard", "Laurent Allard"),
        entity("Organization", "org/ovh", "OVH", "groupe OVH", "OVHcloud"),
        entity("Organization", "org/odoo", "Odoo", "OpenERP"),
        entity("Person", "person/fabien-pinckaers", "Fabien Pinckaers"),
        entity("Place", "place/roubaix", "Roubaix"),
        entity("Place", "place/grand-rosiere", "Grand-Rosière"),
        entity("Organization", "org/xss", XSS),
    ]
    relations = [
        Relation("person/laurent-allard", "ceoOf", "org/ovh", [_evidence(ovh, CEO_SENTENCE, 0.92)]),
        Relation(
            "org/ovh", "headquarteredIn", "place/roubaix", [_evidence(ovh, "Basé à Roubaix", 0.6)]
        ),
        Relation(
            "person/fabien-pinckaers",
            "founderOf",
            "org/odoo",
            [_evidence(odoo, "Fabien Pinckaers a fondé Odoo à Grand-Rosière.", 0.85)],
        ),
        Relation(
            "org/odoo",
            "headquarteredIn",
            "place/grand-rosiere",
            [_evidence(odoo, "Fabien Pinckaers a fondé Odoo à Grand-Rosière.", 0.7)],
        ),
        Relation(
            "org/odoo",
            "partnerOf",
            "org/ovh",
            [_evidence(odoo, "Odoo s'associe à OVH pour l'hébergement.", 0.8)],
        ),
        Relation(
            "org/xss",
            "acquired",
            "org/odoo",
            [
                _evidence(xss, f"La société {XSS} a racheté Odoo.", 0.5),
                _evidence(xss, XSS_SCRIPT, 0.4),
            ],
        ),
        Relation(
            "org/ovh",
            "acquired",
            "org/odoo",
            [_evidence(ovh, "OVH n'a pas racheté Odoo.", 0.7)],
            modality="negated",
        ),
    ]
    attributes = [
        Attribute(
            "org/ovh",
            "revenue",
            Quantity(250_000_000.0, "EUR"),
            [_evidence(ovh, "Basé à Roubaix", 0.8)],
        ),
        Attribute(
            "org/ovh", "employees", Quantity(2500.0), [_evidence(ovh, "Basé à Roubaix", 0.8)]
        ),
        Attribute("org/ovh", "foundingYear", Quantity(1999.0), []),
        Attribute(
            "org/odoo",
            "valuation",
            Quantity(3_000_000_000.0, "EUR"),
            [_evidence(odoo, "Odoo est valorisé 3 milliards d'euros.", 0.9)],
        ),
    ]
    return KnowledgeBase(
        documents=[ovh, odoo, xss],
        entities={e.id: e for e in entities},
        relations=relations,
        attributes=attributes,
    )


def viz_graph() -> Graph:
    """The RDF of :func:`viz_kb`, plus a GeoNames link such as the places helper adds."""
    graph = to_rdf(viz_kb())
    graph.add((entity_iri("place/roubaix"), OWL.sameAs, URIRef(GEONAMES_ROUBAIX)))
    return graph


@pytest.fixture(scope="module")
def graph() -> Graph:
    return viz_graph()


@pytest.fixture(scope="module")
def data(graph: Graph) -> dict:
    return view_data(graph)


@pytest.fixture(scope="module")
def page(graph: Graph) -> str:
    return render_html(graph, title="Test <kg>")


def node(data: dict, entity_id: str) -> dict:
    return next(n for n in data["nodes"] if n["id"] == str(entity_iri(entity_id)))


def edge(data: dict, subject: str, relation: str, obj: str) -> dict:
    ends = {str(entity_iri(subject)), str(entity_iri(obj))}
    return next(
        e for e in data["edges"] if e["relation"] == relation and {e["from"], e["to"]} == ends
    )


# ------------------------------------------------------------------ formatting


@pytest.mark.parametrize(
    ("value", "currency", "expected"),
    [
        (250_000_000, "EUR", "250 M€"),
        (3_000_000_000, "EUR", "3 Md€"),
        (1_500_000_000, "EUR", "1,5 Md€"),
        (2_450_000, "EUR", "2,45 M€"),
        (12_000_000, "USD", "12 M$"),
        (40_000_000, "CHF", "40 M CHF"),
        (800_000, "EUR", f"800{THIN_SPACE}000 €"),
        (1_234_000_000_000, "EUR", "1,23 Bn€"),
        (Decimal("250000000"), None, "250 M€"),
    ],
)
def test_format_money(value: object, currency: str | None, expected: str) -> None:
    assert format_money(value, currency) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0"),
        (999, "999"),
        (2500, f"2{THIN_SPACE}500"),
        (1_234_567, f"1{THIN_SPACE}234{THIN_SPACE}567"),
        (-4200, f"-4{THIN_SPACE}200"),
    ],
)
def test_format_count(value: int, expected: str) -> None:
    assert format_count(value) == expected


def test_format_decimal_drops_trailing_zeros() -> None:
    assert format_decimal(0.5) == "0,5"
    assert format_decimal(3.0) == "3"
    assert format_decimal(1234.5) == f"1{THIN_SPACE}234,5"


def test_format_rejects_non_numbers() -> None:
    with pytest.raises(ValueError, match="not a number"):
        format_count("beaucoup")


# ------------------------------------------------------------------ view_data


def test_nodes_have_type_label_aliases_and_degree(data: dict) -> None:
    ovh = node(data, "org/ovh")
    assert (ovh["label"], ovh["type"]) == ("OVH", "Organization")
    assert ovh["aliases"] == ["OVHcloud", "groupe OVH"]
    # ceoOf, headquarteredIn, partnerOf; the negated acquisition is not drawn so not counted.
    assert ovh["degree"] == 3
    assert node(data, "person/laurent-allard")["type"] == "Person"
    assert node(data, "place/roubaix")["type"] == "Place"


def test_attributes_are_formatted_in_french(data: dict) -> None:
    ovh = {a["property"]: a for a in node(data, "org/ovh")["attributes"]}
    assert ovh["revenue"]["value"] == "250 M€"
    assert ovh["revenue"]["label"] == "chiffre d'affaires"
    assert ovh["employees"]["value"] == f"2{THIN_SPACE}500"
    assert ovh["foundingYear"]["value"] == "1999"
    assert ovh["revenue"]["confidence"] == 0.8
    assert ovh["revenue"]["evidence"][0]["sentence"] == "Basé à Roubaix"
    assert [a["property"] for a in node(data, "org/ovh")["attributes"]] == [
        "revenue",
        "employees",
        "foundingYear",
    ]
    odoo = {a["property"]: a["value"] for a in node(data, "org/odoo")["attributes"]}
    assert odoo == {"valuation": "3 Md€"}


def test_geonames_link(data: dict) -> None:
    assert node(data, "place/roubaix")["links"] == [{"href": GEONAMES_ROUBAIX, "label": "GeoNames"}]
    assert node(data, "place/grand-rosiere")["links"] == []


def test_edges_carry_french_label_evidence_source_and_confidence(data: dict) -> None:
    ceo = edge(data, "person/laurent-allard", "ceoOf", "org/ovh")
    assert ceo["from"] == str(entity_iri("person/laurent-allard"))
    assert ceo["directed"] is True and ceo["asserted"] is True
    assert ceo["confidence"] == 0.92
    [evidence] = ceo["evidence"]
    assert evidence["sentence"] == CEO_SENTENCE
    [source] = [data["sources"][i] for i in evidence["sources"]]
    assert source["headline"] == "OVH World Tour à Rennes"
    assert source["file"] == "ovh.txt"
    assert source["date"] == "2016-07-01"
    relations = {r["id"]: r for r in data["relations"]}
    assert relations["ceoOf"]["label"] == "PDG de"
    assert relations["ceoOf"]["count"] == 1


def test_partner_of_is_undirected(data: dict) -> None:
    partner = edge(data, "org/odoo", "partnerOf", "org/ovh")
    assert partner["directed"] is False
    assert {r["id"]: r["directed"] for r in data["relations"]}["partnerOf"] is False


def test_symmetric_relation_stated_both_ways_is_one_edge(graph: Graph) -> None:
    both = Graph()
    for triple in graph:
        both.add(triple)
    kg = Namespace("https://w3id.org/kg-news/ontology#")
    both.add((entity_iri("org/ovh"), kg.partnerOf, entity_iri("org/odoo")))
    partners = [e for e in view_data(both)["edges"] if e["relation"] == "partnerOf"]
    assert len(partners) == 1
    assert partners[0]["evidence"][0]["sentence"] == "Odoo s'associe à OVH pour l'hébergement."


def test_multiple_evidence_sorted_by_confidence(data: dict) -> None:
    bought = edge(data, "org/xss", "acquired", "org/odoo")
    assert [row["confidence"] for row in bought["evidence"]] == [0.5, 0.4]
    assert bought["confidence"] == 0.5


def test_negated_statement_is_kept_but_not_asserted(data: dict) -> None:
    negated = edge(data, "org/ovh", "acquired", "org/odoo")
    assert negated["asserted"] is False
    assert negated["modality"] == "negated"
    assert negated["evidence"][0]["sentence"] == "OVH n'a pas racheté Odoo."


def test_unsafe_source_url_is_dropped(data: dict) -> None:
    by_file = {s.get("file"): s for s in data["sources"]}
    assert "url" not in by_file["xss.txt"]
    assert by_file["odoo.txt"]["url"] == "https://example.org/odoo"


def test_types_and_relations_listed_in_registry_order(data: dict) -> None:
    assert [t["id"] for t in data["types"]] == ["Person", "Organization", "Place"]
    assert [t["label"] for t in data["types"]] == ["Personne", "Organisation", "Lieu"]
    assert [r["id"] for r in data["relations"]] == [
        "ceoOf",
        "founderOf",
        "partnerOf",
        "acquired",
        "headquarteredIn",
    ]


def test_without_ontology_labels_fall_back_to_local_names(graph: Graph) -> None:
    relations = {r["id"]: r for r in view_data(graph, ontology=Graph())["relations"]}
    assert relations["ceoOf"]["label"] == "ceoOf"
    assert relations["partnerOf"]["directed"] is False  # known symmetric even without the ontology


def test_view_data_is_json_and_sorted(data: dict) -> None:
    json.dumps(data, allow_nan=False)
    ids = [n["id"] for n in data["nodes"]]
    assert ids == sorted(ids)
    assert [e["id"] for e in data["edges"]] == [f"e{i}" for i in range(len(data["edges"]))]


def test_foreign_vocabulary_graph_renders() -> None:
    ex = Namespace("http://example.org/")
    graph = Graph()
    graph.add((ex.alice, RDF.type, FOAF.Person))
    graph.add((ex.alice, FOAF.name, Literal("Alice")))
    graph.add((ex.acme, RDF.type, FOAF.Organization))
    graph.add((ex.alice, ex.worksAt, ex.acme))
    data = view_data(graph, ontology=Graph())
    assert [(n["label"], n["type"]) for n in data["nodes"]] == [
        ("acme", "Organization"),
        ("Alice", "Person"),
    ]
    assert [(e["relation"], e["directed"]) for e in data["edges"]] == [
        ("http://example.org/worksAt", True)
    ]
    assert [r["label"] for r in data["relations"]] == ["worksAt"]


def test_untyped_graph_falls_back_to_linked_resources() -> None:
    ex = Namespace("http://example.org/")
    graph = Graph()
    graph.add((ex.a, ex.knows, ex.b))
    graph.add((ex.a, ex.age, Literal(42)))
    data = view_data(graph, ontology=Graph())
    assert [n["type"] for n in data["nodes"]] == ["Other", "Other"]
    assert node_by_label(data, "a")["attributes"][0]["value"] == "42"


def node_by_label(data: dict, label: str) -> dict:
    return next(n for n in data["nodes"] if n["label"] == label)


# ------------------------------------------------------------------ page


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.styles: list[str] = []
        self._open: tuple[str, dict[str, str | None]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in {"script", "style"}:
            self._open = (tag, dict(attrs))

    def handle_data(self, data: str) -> None:
        if self._open:
            tag, attrs = self._open
            if tag == "script":
                self.scripts.append((attrs, data))
            else:
                self.styles.append(data)
            self._open = None


def parse(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    return parser


def embedded_data(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S)
    assert match
    return json.loads(match.group(1))


def test_page_loads_nothing_from_outside(page: str) -> None:
    tags = parse(page).tags
    for tag, attrs in tags:
        assert tag not in {"link", "iframe", "img", "object", "embed"}, tag
        for name in ("src", "href", "srcset", "data", "action"):
            assert name not in attrs, (tag, attrs)
    metas = {a.get("http-equiv"): a.get("content") for t, a in tags if t == "meta"}
    assert "default-src 'none'" in (metas["Content-Security-Policy"] or "")
    assert "connect-src 'none'" in (metas["Content-Security-Policy"] or "")


def test_every_inline_script_and_style_is_allowed_by_hash(page: str) -> None:
    parsed = parse(page)
    csp = next(a["content"] for t, a in parsed.tags if t == "meta" and a.get("http-equiv"))
    assert csp
    code = [text for attrs, text in parsed.scripts if attrs.get("type") != "application/json"]
    assert len(code) == 2  # vis-network and ours
    for text in [*code, *parsed.styles]:
        digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    assert "unsafe-inline" not in csp.split("style-src-attr")[0]


def test_vis_network_comes_from_the_installed_pyvis(page: str) -> None:
    import pyvis

    vis = (Path(pyvis.__file__).parent / "lib" / "vis-9.1.2" / "vis-network.min.js").read_text()
    assert vis.split("//# sourceMappingURL")[0].strip()[:2000] in page


def test_hostile_text_never_appears_as_markup(page: str) -> None:
    assert "<img" not in page.lower()
    assert "window.__kgXss" in page  # present, but only inside the escaped JSON
    assert page.count("</script>") == 3
    data = embedded_data(page)
    assert any(XSS in n["label"] for n in data["nodes"])
    assert "<title>Test &lt;kg&gt;</title>" in page


def test_script_json_round_trips_dangerous_text() -> None:
    text = "</script><!-- & <img src=x onerror=alert(1)> \u2028"
    encoded = script_json({"t": text})
    assert "<" not in encoded and ">" not in encoded and "&" not in encoded
    assert json.loads(encoded) == {"t": text}


def test_embedded_data_is_view_data(page: str, data: dict) -> None:
    assert embedded_data(page) == json.loads(json.dumps(data))


def test_same_graph_gives_byte_identical_page(graph: Graph, page: str, tmp_path: Path) -> None:
    assert render_html(viz_graph(), title="Test <kg>") == page
    # Through Turtle and back (as `kg view` reads it): same page.
    path = tmp_path / "graph.ttl"
    path.write_text(graph.serialize(format="turtle"), encoding="utf-8")
    reread = Graph().parse(path, format="turtle")
    assert render_html(reread, title="Test <kg>") == page


def test_placeholders_in_data_are_not_expanded() -> None:
    graph = Graph()
    ex = Namespace("http://example.org/")
    graph.add((ex.a, ex.knows, ex["{{vis_js}}"]))
    page = render_html(graph)
    assert page.count("sourceMappingURL") == 0
    assert "{{vis_js}}" in page
    assert len(page) < len(render_html(Graph())) + 2000


# ------------------------------------------------------------------ large graphs


def test_force_layout_is_seeded_and_keeps_neighbours_close() -> None:
    edges = [(i, i + 1) for i in range(199)]
    first = force_layout(200, edges, seed=3)
    assert (first == force_layout(200, edges, seed=3)).all()
    neighbour = sum(float(((first[i] - first[i + 1]) ** 2).sum()) ** 0.5 for i in range(199)) / 199
    far = (
        sum(float(((first[i] - first[(i + 100) % 200]) ** 2).sum()) ** 0.5 for i in range(200))
        / 200
    )
    assert neighbour < far / 3


def test_force_layout_edge_cases() -> None:
    assert force_layout(0, []).shape == (0, 2)
    assert force_layout(1, [(0, 0)]).shape == (1, 2)


def test_large_graphs_get_fixed_positions(data: dict) -> None:
    laid = with_layout(data)
    assert laid["layout"] == {"fixed": True}
    assert all(isinstance(n["x"], int) and isinstance(n["y"], int) for n in laid["nodes"])
    assert "x" not in data["nodes"][0]  # the input is not modified
    page = render_page(data, layout_threshold=3)
    assert embedded_data(page)["layout"] == {"fixed": True}
    assert "layout" not in embedded_data(render_page(data))


# ------------------------------------------------------------------ kg view


def test_kg_view_renders_a_turtle_file(
    graph: Graph, page: str, tmp_path: Path, run_kg: KgCli
) -> None:
    source = tmp_path / "graph.ttl"
    source.write_text(graph.serialize(format="turtle"), encoding="utf-8")
    out = tmp_path / "view.html"
    result = run_kg("view", str(source), "-o", str(out), "--title", "Test <kg>")
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8") == page


def test_kg_view_bad_input_is_one_line_error(tmp_path: Path, run_kg: KgCli) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("this is not turtle <<<", encoding="utf-8")
    for path in (broken, tmp_path / "missing.ttl"):
        result = run_kg("view", str(path), "-o", str(tmp_path / "v.html"))
        assert result.returncode != 0
        assert result.stderr.startswith("kg: error:")
        assert len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "v.html").exists()


# ------------------------------------------------------------------ partial view


def ranked_kb() -> KnowledgeBase:
    """Degrees: hub 3 (one asserted, one planned, one negated; a duplicate not counted), b, a and
    z 2 (mentions 5, 4, 4), c 1, solo 0 (but 50 mentions). Orders are scrambled on purpose."""
    docs = {i: Document(i, f"{i}.txt", f"Article {i}", "Texte.") for i in ("d1", "d2", "d3", "d4")}

    def evidence(doc_id: str) -> list[Evidence]:
        return [Evidence(doc_id, "Texte.", 0, 6, 0.9, "test")]

    def entity(entity_id: str, mentions: int, *documents: str) -> Entity:
        kind: EntityType = "Place" if entity_id.startswith("place/") else "Organization"
        return Entity(entity_id, kind, entity_id, {entity_id}, set(documents), mentions)

    entities = [
        entity("org/solo", 50, "d4"),
        entity("org/c", 9, "d3"),
        entity("place/z", 4, "d4"),
        entity("org/b", 5, "d2"),
        entity("org/a", 4, "d1"),
        entity("org/hub", 1, "d1", "gone"),  # "gone" is no document of the kb
    ]
    relations = [
        Relation("org/a", "headquarteredIn", "place/z", evidence("d4")),
        Relation("org/hub", "acquired", "org/a", evidence("d1")),
        Relation("org/b", "headquarteredIn", "place/z", evidence("d2")),
        Relation("org/hub", "partnerOf", "org/b", evidence("d2"), modality="planned"),
        Relation("org/hub", "acquired", "org/c", evidence("d3"), modality="negated"),
        Relation("org/hub", "acquired", "org/a", evidence("d1")),  # the same relation again
    ]
    attributes = [
        Attribute("org/c", "revenue", Quantity(1.0, "EUR"), evidence("d4")),
        Attribute("org/a", "employees", Quantity(12.0), evidence("d3")),
    ]
    return KnowledgeBase(
        documents=[docs["d3"], docs["d1"], docs["d4"], docs["d2"]],
        entities={e.id: e for e in entities},
        relations=relations,
        attributes=attributes,
    )


@pytest.mark.parametrize(
    ("max_nodes", "expected"),
    [
        (1, ["org/hub"]),  # planned and negated relations count towards the degree
        (2, ["org/b", "org/hub"]),  # b before a: more mentions
        (3, ["org/b", "org/a", "org/hub"]),  # a before z: same mentions, smaller id
        (4, ["place/z", "org/b", "org/a", "org/hub"]),  # degree beats mentions (c, solo)
        (5, ["org/c", "place/z", "org/b", "org/a", "org/hub"]),
    ],
)
def test_select_view_keeps_the_most_connected_in_kb_order(
    max_nodes: int, expected: list[str]
) -> None:
    assert list(select_view(ranked_kb(), max_nodes).entities) == expected


def test_select_view_keeps_what_links_the_kept_entities() -> None:
    kb = ranked_kb()
    before = copy.deepcopy(kb)
    view = select_view(kb, 3)
    assert view.relations == [kb.relations[1], kb.relations[3], kb.relations[5]]
    assert view.attributes == [kb.attributes[1]]
    # Cited by a kept relation (d1, d2), a kept attribute (d3) or a kept entity; in kb order.
    assert [d.id for d in view.documents] == ["d3", "d1", "d2"]
    assert {i: e.documents for i, e in view.entities.items()} == {
        "org/b": {"d2"},
        "org/a": {"d1"},
        "org/hub": {"d1"},
    }
    hub = view.entities["org/hub"]
    assert (hub.label, hub.type, hub.aliases, hub.mention_count) == (
        "org/hub",
        "Organization",
        {"org/hub"},
        1,
    )
    assert hub is not kb.entities["org/hub"]
    assert hub.aliases is not kb.entities["org/hub"].aliases
    assert kb == before  # nothing of the input was modified


def test_select_view_returns_small_kbs_as_they_are() -> None:
    kb = ranked_kb()
    for max_nodes in (0, -1, 6, 300):
        assert select_view(kb, max_nodes) is kb
    assert select_view(KnowledgeBase(), 1) == KnowledgeBase()


def test_select_view_of_the_sample_renders() -> None:
    view = select_view(viz_kb(), 4)
    assert set(view.entities) == {"org/odoo", "org/ovh", "org/xss", "person/fabien-pinckaers"}
    assert {n["label"] for n in view_data(to_rdf(view))["nodes"]} == {
        "Odoo",
        "OVH",
        XSS,
        "Fabien Pinckaers",
    }


def test_view_notice() -> None:
    assert view_notice(300, 2793) == f"300 entités les plus reliées affichées sur 2{THIN_SPACE}793"
    assert view_notice(1, 5) == "1 entité la plus reliée affichée sur 5"
    assert view_notice(7, 7) is None
    assert view_notice(0, 0) is None


def test_notice_is_shown_escaped_and_only_when_given(graph: Graph, page: str) -> None:
    noticed = render_html(graph, title="Test <kg>", notice=f"3 entités & {XSS} sur 7")
    escaped = "3 entités &amp; &lt;img src=x onerror=&#34;window.__kgXss=1&#34;&gt; sur 7"
    assert f'<p id="kg-notice" class="kg-notice" role="note">{escaped}</p>' in noticed
    assert "<img" not in noticed.lower()
    assert 'id="kg-notice"' not in page
    assert render_html(graph, title="Test <kg>", notice=None) == page
    test_every_inline_script_and_style_is_allowed_by_hash(noticed)
    assert embedded_data(noticed) == embedded_data(page)
