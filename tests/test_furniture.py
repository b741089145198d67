"""Page furniture is dropped line by line: every page is kept, no furniture reaches the graph.

All pages here are our own sentences about invented companies; none is copied from a real page.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.config import Config
from kg.furniture import clean_lines, is_article_sentence, load_furniture
from kg.ingest import Skip, load_documents
from kg.pipeline import BuildResult, build, format_summary

HEADLINE = "Brocéliande Énergie ouvre une usine à Vitré"
ARTICLE = [
    "La société Brocéliande Énergie a inauguré mardi une usine de panneaux solaires à Vitré.",
    "Son directeur général, Yann Le Goff, prévoit d'embaucher quarante personnes cette année.",
    "Le fonds Armor Capital a investi 12 millions d'euros dans Brocéliande Énergie en mars.",
]

# One list of lines per kind of furniture, as pages show them.
FURNITURE: dict[str, list[str]] = {
    "share": [
        "Facebook Twitter LinkedIn E-mail",
        "Partager sur Facebook",
        "Partager | X | WhatsApp | Copier le lien",
        "Imprimer",
    ],
    "credit": [
        "© Studio Lumière",
        "Photo : Agence Kerlan",
        "Crédit photo : Studio Lumière",
        "Crédits : Agence Kerlan / Studio Lumière",
        "La nouvelle chaîne de montage de Vitré. © Studio Lumière",
        "La nouvelle chaîne de montage de Vitré. Image: Léa Morvan-B",
        "Léa Morvan / Fotolia",
    ],
    "subscription": [
        "Abonnez-vous pour lire la suite",
        "Cet article est réservé aux abonnés.",
        "Il vous reste 70 % de cet article à lire.",
        "Déjà abonné ? Connectez-vous",
        "Profitez d'un accès illimité à toute l'actualité pour 1 € le premier mois.",
    ],
    "consent": [
        "Nous et nos partenaires utilisons des cookies pour mesurer l'audience du site.",
        "Ce site utilise des cookies pour améliorer votre navigation.",
        "Tout accepter",
        "Continuer sans accepter",
        "Paramétrer les cookies",
    ],
    "menu": [
        "Menu Accueil Économie Entreprises",
        "Se connecter",
        "Rechercher",
        "Mot de passe oublié ?",
        "Mon compte | Newsletter | Contact",
    ],
    "link": [
        "Lire aussi : Une autre usine ouvre ses portes à Brest",
        "À lire aussi",
        "Voir la version complète",
        "La suite sur : La Gazette de Vitré",
    ],
    "byline": [
        "Par Claire Martin",
        "Par Claire Martin, journaliste",
        "Publié le 12 mars 2024 à 10h15",
        "mardi 12 mars 2024, par Claire Martin",
        "Source : La Gazette de Vitré",
        "Claire Martin",
    ],
    "caption": [
        "De gauche à droite, Capucine Roux et Hervé Tanguy lors de l'inauguration.",
        "Capucine Roux, fondatrice de Kerlan Conseil, devant le site (photo d'archives).",
    ],
    "comments": [
        "3 commentaires",
        "Soyez le premier à commenter",
        "Votre adresse e-mail ne sera pas publiée.",
    ],
}
# Names that appear only in furniture: none may become an entity.
FURNITURE_NAMES = {
    "Studio Lumière",
    "Agence Kerlan",
    "Léa Morvan",
    "Fotolia",
    "Claire Martin",
    "Gazette de Vitré",
    "La Gazette de Vitré",
    "Capucine Roux",
    "Hervé Tanguy",
    "Kerlan Conseil",
    "Facebook",
    "Twitter",
    "LinkedIn",
    "WhatsApp",
    "Brest",
    "Menu",
    "Accueil",
}


def page(kind: str) -> str:
    """A page: headline, then the article's paragraphs with each furniture line once between."""
    furniture = FURNITURE[kind]
    lines = [HEADLINE, furniture[0]]
    for number, paragraph in enumerate(ARTICLE, 1):
        lines += [paragraph, *furniture[number : number + 1]]
    return "\n".join([*lines, *furniture[len(ARTICLE) + 1 :]]) + "\n"


@pytest.mark.parametrize(
    ("kind", "line"), [(kind, line) for kind, lines in FURNITURE.items() for line in lines]
)
def test_furniture_line_is_classified(kind: str, line: str) -> None:
    assert load_furniture().kind(line) == kind


@pytest.mark.parametrize(
    "line",
    [
        *ARTICLE,
        HEADLINE,
        "Facebook rachète une start-up lyonnaise pour 40 millions d'euros.",
        "Crédit Agricole investit dans Brocéliande Énergie.",
        "Crédit Mutuel Arkéa finance l'usine de Vitré",
        "Par ailleurs, Armor Capital prépare une nouvelle levée de fonds.",
        "Par Yann Le Goff, l'usine a été conçue pour durer.",
        "Photovoltaïque : Brocéliande Énergie double sa production",
        "Lire aussi le rapport annuel de Brocéliande Énergie est utile, selon Yann Le Goff.",
        "Abonnés et clients de Brocéliande Énergie recevront une remise.",
        "Source de fierté pour Vitré, l'usine emploie quarante personnes.",
        "Yann Le Goff, PDG de Brocéliande Énergie.",
        "Les cookies de la biscuiterie Morvan sont produits à Vitré.",
        "Twitter et LinkedIn ont ouvert un bureau à Rennes.",
    ],
)
def test_article_line_is_kept(line: str) -> None:
    assert load_furniture().kind(line) is None


def test_clean_lines_counts_what_it_dropped() -> None:
    cleaned = clean_lines(page("share"))
    assert cleaned.text.splitlines() == [HEADLINE, *ARTICLE]
    assert dict(cleaned.dropped) == {"share": len(FURNITURE["share"])}


def test_repeated_headline_is_dropped() -> None:
    text = "\n".join([HEADLINE, ARTICLE[0], HEADLINE.upper(), HEADLINE, ARTICLE[1]])
    cleaned = clean_lines(text)
    assert cleaned.text.splitlines() == [HEADLINE, ARTICLE[0], ARTICLE[1]]
    assert dict(cleaned.dropped) == {"repeated": 2}


def test_symbol_lines_are_dropped() -> None:
    assert clean_lines(f"{ARTICLE[0]}\n0\n*\n— —\n{ARTICLE[1]}").text == "\n".join(ARTICLE[:2])


def test_the_tail_is_cut_after_the_article() -> None:
    text = "\n".join([*ARTICLE, "Laisser un commentaire", "Jean Moal : bravo à Armor Capital !"])
    cleaned = clean_lines(text)
    assert cleaned.text.splitlines() == ARTICLE
    assert dict(cleaned.dropped) == {"cut": 2}


def test_is_article_sentence() -> None:
    assert [is_article_sentence(s) for s in (ARTICLE[0], "Pérennité", "Yann Le")] == [
        True,
        False,
        False,
    ]


def test_own_rules_file(tmp_path: Path) -> None:
    rules = tmp_path / "furniture.toml"
    rules.write_text(
        '[macros]\nWHO = "(?:Kerlan|Lumière)"\n'
        '[kinds.promo]\nwords = ["promo", "soldes"]\npatterns = ["offert par {WHO}"]\n',
        encoding="utf-8",
    )
    furniture = load_furniture(rules)
    assert [furniture.kind(s) for s in ("Soldes | Promo", "Offert par Kerlan", ARTICLE[0])] == [
        "promo",
        "promo",
        None,
    ]


@pytest.mark.parametrize("kind", sorted(FURNITURE))
def test_every_page_is_kept_without_its_furniture(tmp_path: Path, kind: str) -> None:
    (tmp_path / f"{kind}.txt").write_text(page(kind), encoding="utf-8")
    skips: list[Skip] = []
    documents = list(load_documents([tmp_path], on_skip=skips.append))
    assert skips == []
    assert [d.text.splitlines() for d in documents] == [[HEADLINE, *ARTICLE]]
    assert documents[0].title == HEADLINE
    assert documents[0].furniture == len(FURNITURE[kind])


HTML_PAGE = f"""<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Menu Accueil</title></head>
<body>
<div class="cookies"><p>{FURNITURE["consent"][0]}</p><button>Tout accepter</button></div>
<nav><ul><li>Menu</li><li>Accueil</li><li>Économie</li></ul></nav>
<header><p>Se connecter</p></header>
<article>
<h1>{HEADLINE}</h1>
<p class="byline">Par Claire Martin</p>
<ul class="share"><li>Facebook</li><li>Twitter</li><li>LinkedIn</li></ul>
<p>{ARTICLE[0]}</p>
<figure><img src="usine.jpg" alt=""><figcaption>{FURNITURE["caption"][0]} © Studio Lumière</figcaption></figure>
<p>{ARTICLE[1]}</p>
<p>Lire aussi : Une autre usine ouvre ses portes à Brest</p>
<p>{ARTICLE[2]}</p>
<p>Il vous reste 70 % de cet article à lire.</p>
</article>
<footer><p>Mentions légales</p></footer>
</body></html>
"""


def test_html_page_headline_comes_from_the_article(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text(HTML_PAGE, encoding="utf-8")
    (document,) = load_documents([tmp_path])
    assert document.title == HEADLINE
    assert document.text.splitlines() == [HEADLINE, *ARTICLE][-len(document.text.splitlines()) :]
    assert all(paragraph in document.text for paragraph in ARTICLE)
    for name in FURNITURE_NAMES:
        assert name not in document.text


def test_html_page_whose_extractor_finds_only_furniture(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kg.ingest

    def banner_only(markup: str) -> kg.ingest.Article:
        return kg.ingest.Article(text=FURNITURE["consent"][0], title="Menu Accueil")

    monkeypatch.setattr(kg.ingest, "extract_article", banner_only)
    (tmp_path / "page.html").write_text(HTML_PAGE, encoding="utf-8")
    (document,) = load_documents([tmp_path])
    assert document.title == HEADLINE
    assert all(paragraph in document.text for paragraph in ARTICLE)


def _graph(folder: Path, out: Path) -> tuple[BuildResult, set[str], set[tuple[str, str, str]]]:
    result = build([folder], out, Config(validate=False), log=lambda message: None)
    names = {e.id: e.label for e in result.kb.entities.values()}
    relations = {(names[r.subject], r.predicate, names[r.object]) for r in result.kb.relations}
    return result, set(names.values()), relations


def test_no_furniture_reaches_the_graph(tmp_path: Path, nlp: object) -> None:
    clean, pages = tmp_path / "clean", tmp_path / "pages"
    clean.mkdir()
    pages.mkdir()
    (clean / "article.txt").write_text("\n".join([HEADLINE, *ARTICLE]) + "\n", encoding="utf-8")
    for kind in FURNITURE:
        (pages / f"{kind}.txt").write_text(page(kind), encoding="utf-8")
    (pages / "page.html").write_text(HTML_PAGE, encoding="utf-8")
    _, expected_entities, expected_relations = _graph(clean, tmp_path / "out-clean")
    result, entities, relations = _graph(pages, tmp_path / "out-pages")
    assert len(result.kb.documents) == len(FURNITURE) + 1 and result.skipped == []
    assert entities == expected_entities
    assert relations == expected_relations
    assert not entities & FURNITURE_NAMES
    dropped = sum(len(lines) for lines in FURNITURE.values())
    assert result.furniture["lines"] >= dropped
    assert f"page furniture dropped: {result.furniture['lines']} lines in 10 documents" in (
        format_summary(result)
    )
