"""OWL 2 RL reasoning (owlrl): the facts the ontology entails but the build did not assert.

``inferred(graph)`` returns only new instance-level triples — ``org kg:hasCEO person`` from
``kg:ceoOf``'s inverse, ``person kg:worksFor org`` from its super-property, ``x a schema:Person``
from class alignments — so they can be written apart from the asserted graph (``inferred.ttl``)
and asserted and inferred facts stay distinguishable.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import OWL, RDF, RDFS, BNode, Graph, URIRef
from rdflib.term import Node

from .graph.rdf import bind_prefixes
from .io import write_text_atomic
from .validate import load_ontology

__all__ = ["inferred", "write_inferred"]

# Entailments every resource gets; they tell a reader nothing.
_TRIVIAL_TYPES = frozenset({OWL.Thing, RDFS.Resource, OWL.NamedIndividual, RDFS.Class})
# Vocabularies whose own terms are not facts of the graph: rdf:Statement nodes typed by the
# ranges of rdf:subject and friends, terms typed as rdf:Property, and so on.
_META_PREFIXES = (str(RDF), str(RDFS), str(OWL), "http://www.w3.org/2001/XMLSchema#")


def inferred(graph: Graph, *, ontology: Graph | None = None) -> Graph:
    """The OWL 2 RL closure of ``graph`` with the ontology, minus what is asserted or trivial.

    >>> from kg.namespace import KG, RES
    >>> g = Graph()
    >>> _ = g.add((RES["person/a"], RDF.type, KG.Person))
    >>> _ = g.add((RES["person/a"], KG.ceoOf, RES["org/b"]))
    >>> (RES["org/b"], KG.hasCEO, RES["person/a"]) in inferred(g)
    True
    """
    import owlrl

    tbox = ontology if ontology is not None else load_ontology()
    closure = Graph()
    for triple in graph:
        closure.add(triple)
    for triple in tbox:
        closure.add(triple)
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False
    ).expand(closure)
    known = _tbox_terms(tbox)
    aliases = _external_aliases(graph)
    # Only facts about the graph's own nodes: the closure also re-derives the vocabularies'
    # axioms (``wdt:P159 rdfs:domain ...``), which are not facts of this graph.
    nodes = {s for s in graph.subjects()} | {
        o for p, o in graph.predicate_objects() if p != RDF.type
    }
    instances = {n for n in nodes if isinstance(n, URIRef)} - known - aliases
    result = bind_prefixes(Graph())
    result.bind("wdt", "http://www.wikidata.org/prop/direct/")
    result.bind("org", "http://www.w3.org/ns/org#")
    result.bind("foaf", "http://xmlns.com/foaf/0.1/")
    for triple in closure:
        if triple[0] not in instances or triple in graph:
            continue
        if _is_fact(triple, aliases):
            result.add(triple)
    return result


def write_inferred(graph: Graph, path: str | Path) -> Path:
    """Write the entailed triples of ``graph`` as Turtle to ``path`` (atomically)."""
    target = Path(path)
    write_text_atomic(target, inferred(graph).serialize(format="turtle"))
    return target


def _tbox_terms(tbox: Graph) -> set[Node]:
    """Every IRI the ontology describes: class and property facts about them are not data."""
    return {s for s in tbox.subjects() if isinstance(s, URIRef)}


def _external_aliases(graph: Graph) -> set[Node]:
    """Nodes a graph node is declared the same as (GeoNames IRIs): owl:sameAs would copy every
    fact onto them, doubling the output without saying anything new."""
    return set(graph.objects(None, OWL.sameAs))


def _is_fact(triple: tuple[Node, Node, Node], aliases: set[Node]) -> bool:
    """Whether an entailed triple about a graph node says something (not sameAs noise,
    not ``rdf:type owl:Thing``, not a blank node from a class expression)."""
    _subject, predicate, obj = triple
    if predicate == OWL.sameAs or obj in aliases or isinstance(obj, BNode):
        return False
    if predicate == RDF.type:
        return obj not in _TRIVIAL_TYPES and not str(obj).startswith(_META_PREFIXES)
    return not str(predicate).startswith(_META_PREFIXES)
