"""Reading articles: formats, encodings, document ids, folder walking, boilerplate and skips."""

from __future__ import annotations

import io
import json
import os
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import InputError, UsageError
from kg.ingest import (
    IngestOptions,
    Skip,
    Unreadable,
    decode_text,
    extract_article,
    load_documents,
    strip_boilerplate,
    strip_tags,
)
from kg.records import Document

ARTICLE = (
    "Octave Klaba a fondé OVH à Roubaix en 1999.\n"
    "La société emploie 2.200 personnes et vise 1,5 milliard d'euros de chiffre d'affaires."
)


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def read(
    *paths: str | Path, options: IngestOptions | None = None
) -> tuple[list[Document], list[Skip]]:
    skips: list[Skip] = []
    documents = list(load_documents(paths, options=options, on_skip=skips.append))
    return documents, skips


# --- formats ------------------------------------------------------------------------------


def test_text_file(tmp_path: Path) -> None:
    (doc,), skips = read(write(tmp_path / "ovh.txt", ARTICLE))
    assert skips == []
    assert doc.id == "ovh.txt"
    assert doc.title == "Octave Klaba a fondé OVH à Roubaix en 1999."
    assert doc.text == ARTICLE


def test_markdown_file_loses_its_markup(tmp_path: Path) -> None:
    text = "# OVH lève des fonds\n\nLe fondateur [Octave Klaba](https://x.fr) parle **enfin**."
    (doc,), _ = read(write(tmp_path / "ovh.md", text))
    assert doc.title == "OVH lève des fonds"
    assert "Le fondateur Octave Klaba parle enfin." in doc.text
    assert "](" not in doc.text and "#" not in doc.text


HTML_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<title>OVH lève 250 M€ - Le Journal</title></head><body>
<nav><a href="/">Accueil</a> <a href="/eco">Économie</a> <a>Menu principal du site</a></nav>
<div class="cookies">Nous utilisons des cookies pour améliorer votre expérience. Accepter</div>
<article><h1>OVH lève 250 M€</h1>
<p>Octave Klaba, fondateur d'OVH, a annoncé une levée de 250 millions d'euros auprès de KKR et
TowerBrook. L'entreprise basée à Roubaix emploie 2.200 personnes dans le monde.</p>
<p>Lire aussi : Scaleway recrute cent ingénieurs</p>
<p>La société vise le milliard de chiffre d'affaires en 2020, selon son directeur général
Laurent Allard, qui veut ouvrir des centres de données en Amérique du Nord.</p>
<script>document.write("<p>injected</p>")</script></article>
<footer>© 2021 Le Journal — Mentions légales — Plan du site</footer>
<div class="comments"><h3>3 commentaires</h3><p>Super article, merci !</p></div>
</body></html>"""


@pytest.mark.parametrize("suffix", [".html", ".htm"])
def test_html_article_is_extracted_without_boilerplate(tmp_path: Path, suffix: str) -> None:
    (doc,), skips = read(write(tmp_path / f"page{suffix}", HTML_PAGE))
    assert skips == []
    assert doc.title == "OVH lève 250 M€"
    assert "levée de 250 millions d'euros" in doc.text
    assert "Laurent Allard" in doc.text
    for boilerplate in (
        "Accueil",
        "cookies",
        "Lire aussi",
        "Mentions légales",
        "Super article",
        "injected",
        "<",
    ):
        assert boilerplate not in doc.text


def test_html_falls_back_to_the_tag_stripper() -> None:
    # Too short for trafilatura to call it an article, still text worth keeping.
    article = extract_article("<div><span>OVH</span> rachète <b>vCloud Air</b>.</div>")
    assert "OVH" in article.text and "vCloud Air" in article.text and "<" not in article.text


def test_strip_tags_drops_scripts_and_decodes_entities() -> None:
    markup = "<nav>Menu</nav><p>L&#39;entreprise &amp; ses <b>clients</b></p><style>p{}</style>"
    assert strip_tags(markup) == "L'entreprise & ses clients"


def test_json_object_and_list(tmp_path: Path) -> None:
    one = {"text": ARTICLE, "title": "OVH", "url": "https://ex.fr/ovh", "date": "2021-03-04"}
    write(tmp_path / "one.json", json.dumps(one))
    write(tmp_path / "many.json", json.dumps([{"text": "Qonto ouvre un bureau."}, one]))
    documents, skips = read(tmp_path)
    assert skips == []
    assert [d.id for d in documents] == ["many.json#1", "many.json#2", "one.json"]
    single = documents[2]
    assert (single.title, single.url, single.date) == ("OVH", "https://ex.fr/ovh", "2021-03-04")
    assert single.text == ARTICLE


def test_jsonl_lines_and_custom_fields(tmp_path: Path) -> None:
    lines = [
        {"body": "Premier article sur Qonto.", "headline": "Qonto"},
        {"body": "Second article sur OVH.", "link": "https://ex.fr/2", "published": "2020"},
    ]
    path = write(tmp_path / "feed.jsonl", "\n".join(json.dumps(x) for x in lines) + "\n\n")
    options = IngestOptions(
        text_field="body", title_field="headline", url_field="link", date_field="published"
    )
    documents, skips = read(path, options=options)
    assert skips == []
    assert [(d.id, d.title, d.url, d.date) for d in documents] == [
        ("feed.jsonl#1", "Qonto", None, None),
        ("feed.jsonl#2", "Second article sur OVH.", "https://ex.fr/2", "2020"),
    ]


def test_wrong_text_field_names_the_fields_found(tmp_path: Path) -> None:
    path = write(tmp_path / "feed.jsonl", json.dumps({"body": "Texte."}) + "\n")
    with pytest.raises(InputError):
        read(path)
    skips: list[Skip] = []
    with pytest.raises(InputError):
        list(load_documents([path], on_skip=skips.append))
    assert [str(s) for s in skips] == [
        f"{path}:1: no text in field 'text' (fields: body; see --text-field)"
    ]


def test_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(ARTICLE.encode("cp1252")), encoding="cp1252")
    monkeypatch.setattr(sys, "stdin", stdin)
    (doc,), skips = read("-")
    assert skips == []
    assert (doc.id, doc.path, doc.text) == ("stdin", "-", ARTICLE)


def test_standard_input_html(monkeypatch: pytest.MonkeyPatch) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(HTML_PAGE.encode()), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stdin)
    (doc,), _ = read("-")
    assert doc.id == "stdin" and "Mentions légales" not in doc.text and "KKR" in doc.text


# --- encodings ----------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"])
def test_encodings_are_detected(tmp_path: Path, encoding: str) -> None:
    text = "Société générale, 250 M€ de chiffre d'affaires à Orléans, « garçon » naïf."
    if encoding == "latin-1":
        text = text.replace("€", "EUR")  # latin-1 has no euro sign
    path = write(tmp_path / "a.txt", text.encode(encoding))
    (doc,), skips = read(path)
    assert skips == []
    assert doc.text == text


def test_cp1252_example() -> None:
    assert decode_text("Société générale, 250 M€".encode("cp1252")) == "Société générale, 250 M€"


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16"])
def test_whole_seed_articles_in_legacy_encodings(encoding: str) -> None:
    # Real articles, not just a phrase: detectors that guess from letter statistics stumble here.
    seeds = Path(__file__).resolve().parent.parent / "seeds"
    for path in sorted(seeds.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        assert decode_text(text.encode(encoding)) == text.replace("\r\n", "\n")


def test_windows_line_ends_are_normalised() -> None:
    assert decode_text(b"Un.\r\nDeux.\rTrois.") == "Un.\nDeux.\nTrois."


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ("UTF-8 é puis ".encode() + b"\xff\xfe\x80 fin", "invalid UTF-8 at byte 14"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary file (PNG image)"),
        (b"%PDF-1.4\n%\xe2\xe3", "binary file (PDF document)"),
        (b"texte\x00avec NUL", "binary file (NUL bytes)"),
        (bytes(range(1, 32)) * 10, "binary file (control characters)"),
    ],
)
def test_undecodable_bytes(tmp_path: Path, data: bytes, reason: str) -> None:
    bad = write(tmp_path / "bad.txt", data)
    good = write(tmp_path / "good.txt", ARTICLE)
    documents, skips = read(bad, good)
    assert [d.id for d in documents] == ["good.txt"]
    assert len(skips) == 1 and skips[0].path == str(bad)
    assert reason in skips[0].reason


# --- document ids and folders ---------------------------------------------------------------


def test_ids_use_relative_paths_only_when_names_clash(tmp_path: Path) -> None:
    write(tmp_path / "a" / "article.txt", "Premier.")
    write(tmp_path / "b" / "article.txt", "Second.")
    write(tmp_path / "b" / "other.txt", "Troisième.")
    documents, _ = read(tmp_path)
    assert [d.id for d in documents] == ["a/article.txt", "b/article.txt", "other.txt"]
    assert len({d.id for d in documents}) == 3


def test_ids_stay_unique_across_folders_given(tmp_path: Path) -> None:
    write(tmp_path / "x" / "article.txt", "Premier.")
    write(tmp_path / "y" / "article.txt", "Second.")
    documents, _ = read(tmp_path / "x", tmp_path / "y")
    ids = [d.id for d in documents]
    assert len(set(ids)) == 2 and all(i.endswith("article.txt") for i in ids)


def test_ids_are_stable(tmp_path: Path) -> None:
    write(tmp_path / "b.txt", "B.")
    write(tmp_path / "a.txt", "A.")
    first, _ = read(tmp_path)
    second, _ = read(tmp_path)
    assert [d.id for d in first] == [d.id for d in second] == ["a.txt", "b.txt"]


def test_same_file_twice_is_read_once(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "A.")
    documents, _ = read(path, tmp_path)
    assert [d.id for d in documents] == ["a.txt"]


def test_include_and_exclude_globs(tmp_path: Path) -> None:
    for name in ("a.txt", "b.md", "drafts/c.txt", "2021/drafts/d.txt", "2021/e.txt", ".hidden.txt"):
        write(tmp_path / name, f"Texte {name}.")
    write(tmp_path / "notes.csv", "pas un article")
    documents, skips = read(
        tmp_path, options=IngestOptions(include=("*.txt",), exclude=("drafts/*",))
    )
    assert [d.id for d in documents] == ["a.txt", "e.txt"]
    assert skips == []
    every, _ = read(tmp_path)
    assert sorted(d.id for d in every) == ["a.txt", "b.md", "c.txt", "d.txt", "e.txt"]


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="nonexistent: no such file or folder"):
        load_documents([tmp_path / "nonexistent"])  # raised at once, before any reading


def test_nothing_to_read_is_an_input_error(tmp_path: Path) -> None:
    write(tmp_path / "notes.csv", "a,b")
    with pytest.raises(InputError, match="no documents to read"):
        read(tmp_path)


def test_empty_folder_among_others_is_reported(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    good = write(tmp_path / "news" / "a.txt", ARTICLE)
    documents, skips = read(tmp_path / "empty", good)
    assert [d.id for d in documents] == ["a.txt"]
    assert [str(s) for s in skips] == [
        f"{tmp_path / 'empty'}: no documents in folder (.txt, .md, .html, .htm, .json, .jsonl)"
    ]


# --- skips ---------------------------------------------------------------------------------


def test_skip_is_one_line() -> None:
    assert str(Skip("a.jsonl", 4, "invalid JSON")) == "a.jsonl:4: invalid JSON"
    assert str(Skip("x\ny.txt", None, "two\nlines")) == "x\\ny.txt: two lines"


def test_bad_jsonl_lines_are_skipped_one_by_one(tmp_path: Path) -> None:
    lines = [
        json.dumps({"text": "Bon article."}),
        "{cassé",
        json.dumps(["pas", "un", "objet"]),
        json.dumps({"text": 42}),
        "",
        json.dumps({"text": "Autre bon article."}),
    ]
    path = tmp_path / "feed.jsonl"
    path.write_bytes("\n".join(lines).encode() + b'\n{"text": "\xc3\xa9\xff"}\n')
    documents, skips = read(path)
    assert [d.id for d in documents] == ["feed.jsonl#1", "feed.jsonl#6"]
    assert [s.line for s in skips] == [2, 3, 4, 7]
    assert "invalid JSON" in skips[0].reason
    assert "expected a JSON object, found a list" in skips[1].reason
    assert "undecodable" in skips[3].reason


def test_broken_json_file_names_the_line(tmp_path: Path) -> None:
    good = write(tmp_path / "a.txt", ARTICLE)
    bad = write(tmp_path / "b.json", '{\n  "text": "x",\n  oops\n}')
    _, skips = read(good, bad)
    assert [str(s) for s in skips] == [
        f"{bad}: invalid JSON at line 3: Expecting property name enclosed in double quotes"
    ]


def test_empty_and_boilerplate_only_files(tmp_path: Path) -> None:
    write(tmp_path / "empty.txt", "")
    write(tmp_path / "blank.md", "  \n\n\t\n")
    write(tmp_path / "furniture.txt", "Abonnez-vous maintenant\nLire aussi\nPartager\n")
    write(tmp_path / "good.txt", ARTICLE)
    documents, skips = read(tmp_path)
    assert [d.id for d in documents] == ["good.txt"]
    assert {Path(s.path).name: s.reason for s in skips} == {
        "blank.md": "empty file",
        "empty.txt": "empty file",
        "furniture.txt": "no article text",
    }


def test_oversized_file_is_refused_without_reading_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:  # sparse: 50 MB on paper, nothing on disk
        handle.truncate(50 * 1024 * 1024)
    good = write(tmp_path / "good.txt", ARTICLE)
    opened: list[Path] = []
    original_open = Path.open

    def spy(self: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        opened.append(self)
        return original_open(self, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", spy)
    documents, skips = read(big, good)
    assert [d.id for d in documents] == ["good.txt"]
    assert [str(s) for s in skips] == [
        f"{big}: file is 50 MB, above the 20 MB limit (see --max-size)"
    ]
    assert big not in opened


def test_size_limit_is_configurable_and_applies_per_jsonl_line(tmp_path: Path) -> None:
    text = write(tmp_path / "a.txt", "x" * 2000)
    feed = write(
        tmp_path / "feed.jsonl",
        json.dumps({"text": "court"})
        + "\n"
        + json.dumps({"text": "y" * 5000})
        + "\n"
        + json.dumps({"text": "encore court"})
        + "\n",
    )
    documents, skips = read(text, feed, options=IngestOptions(max_bytes=1000))
    assert [d.id for d in documents] == ["feed.jsonl#1", "feed.jsonl#3"]
    assert [(Path(s.path).name, s.line) for s in skips] == [("a.txt", None), ("feed.jsonl", 2)]


def test_unreadable_file_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = write(tmp_path / "locked.txt", ARTICLE)
    write(tmp_path / "open.txt", ARTICLE)
    original_open = Path.open

    def deny(self: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return original_open(self, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", deny)
    documents, skips = read(tmp_path)
    assert [d.id for d in documents] == ["open.txt"]
    assert [str(s) for s in skips] == [f"{locked}: cannot read: Permission denied"]


@pytest.mark.skipif(
    not hasattr(__import__("os"), "geteuid") or __import__("os").geteuid() == 0,
    reason="root reads files whatever their mode",
)
def test_unreadable_file_by_mode(tmp_path: Path) -> None:
    locked = write(tmp_path / "locked.txt", ARTICLE)
    write(tmp_path / "open.txt", ARTICLE)
    locked.chmod(0)
    try:
        documents, skips = read(tmp_path)
    finally:
        locked.chmod(0o644)
    assert [d.id for d in documents] == ["open.txt"]
    assert [s.reason for s in skips] == ["cannot read: Permission denied"]


def test_unsupported_file_named_explicitly(tmp_path: Path) -> None:
    good = write(tmp_path / "a.txt", ARTICLE)
    odd = write(tmp_path / "report.pdf", b"%PDF-1.4")
    _, skips = read(good, odd)
    assert [s.reason for s in skips] == [
        "unsupported file type '.pdf'; kg reads .txt, .md, .html, .htm, .json, .jsonl"
    ]


def test_default_on_skip_logs_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    write(tmp_path / "empty.txt", "")
    write(tmp_path / "good.txt", ARTICLE)
    list(load_documents([tmp_path]))
    assert f"skipped {tmp_path / 'empty.txt'}: empty file" in caplog.text


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.binary(max_size=3000),
    suffix=st.sampled_from([".txt", ".md", ".html", ".json", ".jsonl"]),
)
def test_random_bytes_give_documents_or_skips(tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"random{suffix}"
    path.write_bytes(data)
    skips: list[Skip] = []
    try:
        documents = list(load_documents([path], on_skip=skips.append))
    except InputError:  # nothing readable at all: the one error the build reports
        documents = []
        assert skips
    for document in documents:
        assert document.text.strip()
    assert all(s.path == str(path) and "\n" not in str(s) for s in skips)


@given(st.binary(max_size=2000))
def test_decode_text_returns_text_or_says_why(data: bytes) -> None:
    try:
        text = decode_text(data)
    except Unreadable as error:
        assert str(error)
    else:
        assert isinstance(text, str) and "\r" not in text


# --- boilerplate ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "Abonnez-vous maintenant",
        "Profitez d'un accès illimité au magazine pour moins de 3 € par semaine.",
        "Nous utilisons des cookies pour vous offrir la meilleure expérience",
        "En poursuivant, vous acceptez l'utilisation des cookies.",
        "Tout accepter",
        "Lire aussi",
        "A lire aussi",
        "À lire aussi : Scaleway recrute",
        "Lire également : OVH en Bourse",
        "Partager",
        "Partager cet article",
        "Twitter Facebook Linkedin Google + Email",
        "Suivez-nous sur Twitter",
        "Publicité",
        "Réagir",
        "×",
        "Il vous reste 80 % de cet article à lire.",
        "Inscrivez-vous à notre newsletter",
    ],
)
def test_boilerplate_lines_are_dropped(line: str) -> None:
    assert strip_boilerplate(f"OVH grandit.\n{line}\nQonto aussi.") == "OVH grandit.\nQonto aussi."


@pytest.mark.parametrize(
    "line",
    [
        "Facebook rachète Instagram pour un milliard de dollars.",
        "Partager les données avec ses clients est essentiel, dit Octave Klaba.",
        "Les cookies du Nord sont produits à Lille.",
        "Lire aussi le rapport annuel d'OVH est instructif, selon son CEO.",
    ],
)
def test_article_sentences_survive(line: str) -> None:
    assert strip_boilerplate(f"OVH grandit.\n{line}") == f"OVH grandit.\n{line}"


@pytest.mark.parametrize(
    "start",
    [
        "Laisser un commentaire",
        "* Les commentaires postés",
        "Recommandés pour vous",
        "Sur le même sujet",
    ],
)
def test_comment_section_is_cut(start: str) -> None:
    text = f"OVH ouvre un centre de données.\n{start}\nJean : super article\nMarie : bof"
    assert strip_boilerplate(text) == "OVH ouvre un centre de données."


@pytest.mark.parametrize("count", ["3 commentaires", "1 commentaire", "Commentaires (12)"])
def test_comment_count_costs_its_line_only(count: str) -> None:
    text = f"Acme ouvre une usine.\n{count}\nSon directeur est Paul Morel."
    assert strip_boilerplate(text) == "Acme ouvre une usine.\nSon directeur est Paul Morel."


def test_tail_marker_before_any_sentence_cuts_nothing() -> None:
    text = "Laisser un commentaire\nLa société Acme ouvre une usine à Lyon."
    assert strip_boilerplate(text) == "La société Acme ouvre une usine à Lyon."


def test_seed_boilerplate_is_removed() -> None:
    seeds = Path(__file__).resolve().parent.parent / "seeds"
    for path in sorted(seeds.glob("*.txt")):
        text = strip_boilerplate(path.read_text(encoding="utf-8"))
        for line in text.splitlines():
            assert line.strip() not in {"Abonnez-vous maintenant", "A lire aussi", "×", "Réagir"}
            assert not line.startswith("Twitter Facebook")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_fifo_in_a_folder_is_skipped_without_opening_it(tmp_path: Path) -> None:
    write(tmp_path / "news" / "a.txt", ARTICLE)
    os.mkfifo(tmp_path / "news" / "pipe.txt")  # opening it to read would block forever
    found: list[tuple[list[Document], list[Skip]]] = []
    reader = threading.Thread(target=lambda: found.append(read(tmp_path / "news")), daemon=True)
    reader.start()
    reader.join(10)
    assert found, "reading a folder holding a FIFO hung"
    documents, skips = found[0]
    assert [d.id for d in documents] == ["a.txt"]
    assert [str(s) for s in skips] == [
        f"{tmp_path / 'news' / 'pipe.txt'}: not a regular file (a FIFO)"
    ]
