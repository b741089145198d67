"""kg/nlp.py: the French pipeline, with sentence boundaries from senter and no parser."""

from __future__ import annotations

from kg.nlp import load_pipeline


def test_pipeline_runs_senter_not_parser_or_lemmatizer(nlp) -> None:
    assert load_pipeline() is nlp  # loaded once per process
    assert "senter" in nlp.pipe_names
    assert "parser" not in nlp.pipe_names and "lemmatizer" not in nlp.pipe_names
    assert "ner" in nlp.pipe_names


def test_sentences_are_split(nlp) -> None:
    doc = nlp("OVH recrute. Odoo grandit.")
    assert [s.text for s in doc.sents] == ["OVH recrute.", "Odoo grandit."]
    assert not doc.has_annotation("DEP")


def test_attribute_ruler_keeps_the_rules_of_attributes_kg_reads(nlp) -> None:
    rules = nlp.get_pipe("attribute_ruler").patterns
    assert rules and all({"POS", "MORPH"} & set(rule["attrs"]) for rule in rules)
    doc = nlp("OVH recrute.\n\nOdoo grandit.")
    assert [(t.pos_, str(t.morph)) for t in doc if t.is_space] == [("SPACE", "")]
