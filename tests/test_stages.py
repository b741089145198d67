"""kg/extract/stages.py: extraction as named, versioned stages run over one state."""

from __future__ import annotations

import pytest

from kg.cache import pipeline_version
from kg.config import Config
from kg.extract import Extractor, State, register_stage, unregister_stage
from kg.extract.lexicon import default_lexicon
from kg.extract.stages import STAGES, run_stages, stage_versions
from kg.records import Document

TEXT = "Le groupe Varnel a racheté la société Quantix. Sophie Marchal dirige Varnel depuis 2019."


def document(text: str = TEXT) -> Document:
    return Document("d", "d.txt", "", text)


def test_the_packaged_stages_in_order():
    assert stage_versions() == (
        "sentences.v1",
        "mentions.v1",
        "coreference.v1",
        "context.v1",
        "speakers.v1",
        "relations.v1",
        "attributes.v1",
        "roles.v1",
    )


def test_each_stage_fills_its_part_of_the_state(nlp):
    state = State(document(), nlp(TEXT), default_lexicon())
    stages = list(STAGES.values())
    run_stages(state, stages[:2])  # sentences, mentions
    assert state.bounds == [(0, 46), (47, 88)]
    assert [s.name for s in state.named] == ["Varnel", "Quantix", "Sophie Marchal", "Varnel"]
    assert state.matches == []
    run_stages(state, stages[2:])
    assert state.context.topic is not None and state.context.topic.name == "Varnel"
    assert [s.masked for s in state.sentences] == [
        "Le groupe ⟨0:O⟩ a racheté la société ⟨1:O⟩.",
        "⟨0:P⟩ dirige ⟨1:O⟩ depuis 2019.",
    ]
    assert [(m.subject.name, m.predicate, m.object.name) for m in state.matches if m.object] == [
        ("Varnel", "acquired", "Quantix"),
        ("Sophie Marchal", "ceoOf", "Varnel"),
    ]


def test_coreference_adds_resolved_references(nlp):
    text = "Quantix est basée à Nantes. La start-up emploie 40 salariés."
    state = run_stages(State(document(text), nlp(text), default_lexicon()))
    assert [(s.name, s.via) for s in state.slots] == [
        ("Quantix", "name"),
        ("Nantes", "name"),
        ("Quantix", "description"),
    ]
    assert {(m.subject.name, m.property, m.value.value) for m in state.attribute_matches} == {
        ("Quantix", "employees", 40.0)
    }


def test_a_registered_stage_runs_and_goes_into_the_cache_key(nlp):
    """A stage that drops the facts of a junk subject: one function, one registration."""
    extract = Extractor(default_lexicon())
    before = pipeline_version(Config(), "m 1")

    @register_stage("drop_junk_subjects", after="roles")
    def _drop_junk_subjects(state: State) -> None:
        state.matches = [m for m in state.matches if m.subject.name != "Varnel"]

    try:
        assert stage_versions()[-2:] == ("roles.v1", "drop_junk_subjects.v1")
        assert pipeline_version(Config(), "m 1") != before
        facts = extract(document(), nlp(TEXT)).facts
        assert [(f.subject.text, f.predicate, f.object.text) for f in facts] == [
            ("Sophie Marchal", "ceoOf", "Varnel")
        ]
    finally:
        unregister_stage("drop_junk_subjects")
    assert "drop_junk_subjects.v1" not in stage_versions()
    assert pipeline_version(Config(), "m 1") == before
    facts = extract(document(), nlp(TEXT)).facts
    assert [(f.subject.text, f.predicate) for f in facts] == [
        ("Varnel", "acquired"),
        ("Sophie Marchal", "ceoOf"),
    ]


def test_a_stage_can_be_placed_before_another_and_replaced():
    def first(state: State) -> None: ...

    register_stage("test_first", before="sentences")(first)
    try:
        assert stage_versions()[0] == "test_first.v1"
        register_stage("test_first", version=2, after="sentences")(first)
        assert stage_versions()[:2] == ("sentences.v1", "test_first.v2")
    finally:
        unregister_stage("test_first")
    assert stage_versions()[0] == "sentences.v1"


def test_an_unknown_anchor_is_refused():
    with pytest.raises(KeyError, match="no extraction stage 'nowhere'"):
        register_stage("test_lost", after="nowhere")(lambda state: None)
    assert "test_lost.v1" not in stage_versions()


def test_before_and_after_together_are_refused():
    with pytest.raises(ValueError, match="either before or after"):
        register_stage("test_both", before="roles", after="sentences")


def test_deal_target_is_the_last_deal_of_the_two_sentences_before():
    from kg.extract.mentions import Slot
    from kg.extract.relations import RelationMatch
    from kg.extract.stages import deal_target

    varn, kelt = Slot(0, 4, "Organization", "Varn"), Slot(12, 16, "Organization", "Kelt")
    lumo = Slot(30, 34, "Organization", "Lumo")
    bought = RelationMatch(varn, "acquired", kelt, None, 0.9, "asserted", None)  # type: ignore[arg-type]
    works = RelationMatch(lumo, "worksFor", varn, None, 0.9, "asserted", None)  # type: ignore[arg-type]
    starts = [0, 20, 40, 60, 80]
    target = deal_target([bought, works], starts, 40)
    assert target is not None and (target.name, target.via) == ("Kelt", "topic")
    assert deal_target([bought], starts, 80) is None  # three sentences back: too far
    assert deal_target([bought], starts, 0) is None  # nothing before the first sentence


def test_deal_object_reads_the_previous_sentences_deal(nlp):
    text = (
        "Le fonds Altavia a racheté le chimiste Veltrix. "
        "Deux autres acquéreurs : la banque Norvia et le fonds Caldera."
    )
    state = run_stages(State(document(text), nlp(text), default_lexicon()))
    facts = {(m.subject.name, m.predicate, m.object.name) for m in state.matches if m.object}
    assert ("Norvia", "investedIn", "Veltrix") in facts
    assert ("Caldera", "investedIn", "Veltrix") in facts
