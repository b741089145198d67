"""The KG namespace class and ``ontology/kg.ttl`` declare exactly the same terms."""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, Graph

from kg.namespace import ATTRIBUTES, KG, ONTOLOGY_DIR, RELATIONS, kg_term

_DECLARATIONS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "kg.ttl", format="turtle")


def _declared(ontology: Graph) -> set[str]:
    namespace = str(KG._NS)
    return {
        str(subject)[len(namespace) :]
        for kind in _DECLARATIONS
        for subject in ontology.subjects(RDF.type, kind)
        if str(subject).startswith(namespace)
    }


def _python_terms() -> set[str]:
    return set(KG.__annotations__)


def test_every_python_term_is_declared(ontology: Graph) -> None:
    assert _python_terms() - _declared(ontology) == set()


def test_every_declared_term_is_in_python(ontology: Graph) -> None:
    assert _declared(ontology) - _python_terms() == set()


def test_relations_and_attributes_are_terms() -> None:
    for name in (*RELATIONS, *ATTRIBUTES):
        assert kg_term(name) == KG._NS[name]


def test_typo_raises() -> None:
    with pytest.raises(AttributeError):
        kg_term("ceo0f")


@pytest.mark.parametrize("name", [*RELATIONS, *ATTRIBUTES, "hasCEO", "founder", "acquiredBy"])
def test_property_is_documented(ontology: Graph, name: str) -> None:
    from rdflib import RDFS

    prop = kg_term(name)
    assert ontology.value(prop, RDFS.domain) is not None
    assert ontology.value(prop, RDFS.range) is not None
    for predicate in (RDFS.label, RDFS.comment):
        languages = {literal.language for literal in ontology.objects(prop, predicate)}
        assert {"en", "fr"} <= languages, (name, predicate)


def test_alignments(ontology: Graph) -> None:
    from rdflib import RDFS, Namespace

    wdt = Namespace("http://www.wikidata.org/prop/direct/")
    sdo = Namespace("https://schema.org/")
    org = Namespace("http://www.w3.org/ns/org#")
    assert (KG.partnerOf, RDF.type, OWL.SymmetricProperty) in ontology
    assert (KG.ceoOf, OWL.inverseOf, KG.hasCEO) in ontology
    assert (KG.founderOf, OWL.inverseOf, KG.founder) in ontology
    assert (KG.ceoOf, RDFS.subPropertyOf, KG.worksFor) in ontology
    assert (KG.ceoOf, RDFS.subPropertyOf, org.headOf) in ontology
    assert (KG.headquarteredIn, RDFS.subPropertyOf, KG.locatedIn) in ontology
    assert (KG.founder, OWL.equivalentProperty, sdo.founder) in ontology
    assert (KG.locatedIn, RDFS.subPropertyOf, sdo.location) in ontology
    aligned = {str(o)[len(str(wdt)) :] for o in ontology.objects() if str(o).startswith(str(wdt))}
    assert {"P169", "P112", "P159", "P127", "P749"} <= aligned


def test_ontology_is_found_in_a_checkout_and_in_a_wheel(tmp_path):
    from kg.namespace import ONTOLOGY_DIR, ontology_dir

    assert (ONTOLOGY_DIR / "kg.ttl").is_file()
    checkout = tmp_path / "checkout"
    (checkout / "kg").mkdir(parents=True)
    (checkout / "ontology").mkdir()
    (checkout / "ontology" / "kg.ttl").write_text("", encoding="utf-8")
    assert ontology_dir(checkout / "kg") == checkout / "ontology"
    installed = tmp_path / "site-packages" / "kg"  # the wheel maps ontology/ to kg/ontology
    installed.mkdir(parents=True)
    assert ontology_dir(installed) == installed / "ontology"
