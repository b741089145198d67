"""kg/extract/lexicon.py: the data files loaded, merged with a user's, and compiled."""

from __future__ import annotations

import re

import pytest

from kg.errors import InputError
from kg.extract.lexicon import (
    LazyRegex,
    Lexicon,
    _alternation,
    _RememberedAnalysis,
    compile_pattern,
    default_lexicon,
    group_names,
    load_lexicon,
    school_regex,
    typing_regex,
)
from kg.extract.prefilter import required_words

USER_FILE = """
[titles]
ceo = ["grand timonier"]

[demonyms]
"quantivien" = "Quantiville"

[region_demonyms]
"varnelois" = "Varnelie"

[country_demonyms]
"zembrien" = "Zembrie"

[descriptors]
school = ["Académie Quantix"]

[typing]
test_cue = ["\\\\bchez\\\\s+$"]

[[relation]]
name = "test-timonier"
predicate = "ceoOf"
pattern = "{S:PER}\\\\s*,\\\\s*{CEO}\\\\s+{DE}{O:ORG}"
confidence = 0.8

[[attribute]]
name = "test-effectif"
property = "employees"
pattern = "{O:ORG} compte {AMOUNT} agents"
money = false
"""


@pytest.fixture(scope="module")
def lexicon(tmp_path_factory) -> Lexicon:
    path = tmp_path_factory.mktemp("lexicon") / "mine.toml"
    path.write_text(USER_FILE, encoding="utf-8")
    return load_lexicon([path])


def test_a_user_file_adds_to_the_packaged_lists(lexicon):
    packaged = default_lexicon()
    assert lexicon.ceo_titles == [*packaged.ceo_titles, "grand timonier"]
    assert lexicon.relations[-1].name == "test-timonier"
    assert len(lexicon.relations) == len(packaged.relations) + 1
    assert (lexicon.attributes[-1].name, lexicon.attributes[-1].money) == ("test-effectif", False)
    assert lexicon.relations[-1].confidence == 0.8
    assert lexicon.relations[-1].coordinate is True  # a default of the pattern keys


def test_a_user_title_reaches_the_macros_of_patterns(lexicon):
    regex = lexicon.relations[-1].regex
    assert regex.search("⟨0:P⟩, grand timonier de ⟨1:O⟩").group("s", "o") == ("0", "1")


def test_demonyms_in_every_inflection(lexicon):
    assert lexicon.demonym_place("Quantivienne") == ("Quantiville", False)
    assert lexicon.demonym_place("varneloises") == ("Varnelie", True)
    assert lexicon.demonym_place("Quantix") is None
    assert lexicon.is_nationality("Zembriennes")
    assert not lexicon.is_nationality("Quantivien")


def test_compiled_regexes_of_word_lists(lexicon):
    assert school_regex(lexicon).search("diplômé de l'Académie Quantix")
    assert not school_regex(lexicon).search("la société Quantix")
    assert typing_regex(lexicon, "test_cue").search("il travaille chez ")
    assert typing_regex(lexicon, "no_such_cue").search("anything") is None


@pytest.mark.parametrize(
    ("pattern", "masked", "groups"),
    [
        ("{S:PER} dirige {O:ORG}", "⟨0:P⟩ dirige ⟨1:O⟩", ("0", "1")),
        ("{S:AGENT} investit dans {O:ORG}", "⟨2:O⟩ investit dans ⟨3:O⟩", ("2", "3")),
        ("{S:ORG} est basée à {O:LOC}", "⟨0:O⟩ est basée à ⟨1:P⟩", None),
    ],
)
def test_compile_pattern_slot_classes(pattern, masked, groups):
    found = compile_pattern(pattern, {}).search(masked)
    assert (found.group("s", "o") if found else None) == groups


def test_compile_pattern_ignores_case():
    assert compile_pattern("{S:ORG} RACHÈTE {O:ORG}", {}).flags & re.IGNORECASE


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("{S:CAT} dirige {O:ORG}", "unknown slot type 'CAT'"),
        ("{S:PER} {NOPE} {O:ORG}", "unknown placeholder {NOPE}"),
        ("{S:PER} (dirige {O:ORG}", "invalid pattern"),
    ],
)
def test_compile_pattern_errors(pattern, message):
    with pytest.raises(InputError, match=re.escape(message)):
        compile_pattern(pattern, {})


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '[[relation]]\nname = "x"\npattern = "{S:PER}"\n',
            "relation pattern 'x' lacks 'predicate'",
        ),
        (
            '[[attribute]]\nname = "y"\npattern = "{O:ORG}"\n',
            "attribute pattern 'y' lacks 'property'",
        ),
        ("[titles\n", "invalid TOML"),
    ],
)
def test_bad_user_files_are_clear_errors(tmp_path, content, message):
    path = tmp_path / "bad.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=re.escape(message)):
        load_lexicon([path])


def test_a_missing_user_file_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="no such pattern file"):
        load_lexicon([tmp_path / "absent.toml"])


def test_packaged_patterns_compile_when_first_searched_and_all_compile():
    lexicon = load_lexicon()
    patterns = [*lexicon.relations, *lexicon.attributes]
    assert all(isinstance(p.regex, LazyRegex) and p.regex._compiled is None for p in patterns)
    for pattern in patterns:
        assert isinstance(pattern.regex, LazyRegex)
        assert pattern.regex.compiled.flags & re.IGNORECASE
        assert group_names(pattern.regex) == set(pattern.regex.compiled.groupindex)


def test_a_user_pattern_compiles_at_load(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(
        '[[relation]]\nname = "mine"\npredicate = "ceoOf"\npattern = "{S:PER} pilote {O:ORG}"\n',
        encoding="utf-8",
    )
    mine = next(p for p in load_lexicon([path]).relations if p.name == "mine")
    assert isinstance(mine.regex, re.Pattern)
    path.write_text(path.read_text(encoding="utf-8").replace("pilote", "(pilote"), "utf-8")
    with pytest.raises(InputError, match="invalid pattern"):
        load_lexicon([path])


def test_prefilter_words_are_remembered_across_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path))
    remembered = _RememberedAnalysis()
    regex = compile_pattern("{S:ORG} a racheté {O:ORG}", {}, lazy=True)
    assert remembered(regex) == (required_words(regex), "(?=[⟨])")
    remembered.save()
    assert remembered.path().parent == tmp_path and remembered.path().is_file()
    again = _RememberedAnalysis()
    assert again(regex) == remembered(regex) and not again.added


def test_the_same_words_give_the_same_regex():
    words = ["PDG", "patron", "directeur général", "fondateur", "DG", "pdg"]
    assert _alternation(words) == _alternation(list(reversed(words)))


def test_an_unreadable_remembered_file_is_derived_again(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path))
    remembered = _RememberedAnalysis()
    remembered.path().write_bytes(b"not a pickle")
    regex = compile_pattern("{S:ORG} a cédé {O:ORG}", {}, lazy=True)
    assert remembered(regex)[0] == required_words(regex) and remembered.added
