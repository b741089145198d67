"""Typed access to the kg ontology (``ontology/kg.ttl``), in the manner of rdflib's namespaces.

A typo such as ``KG.ceo0f`` raises ``AttributeError``; ``tests/test_namespace.py`` checks that every
term here is declared in the ontology file and the other way round. The W3C namespaces kg uses
(``RDF``, ``SDO``…) are here too, as :class:`Terms`: rdflib's, with each term made only once.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Namespace, URIRef
from rdflib import namespace as _w3c
from rdflib.namespace import DefinedNamespace

BASE = "https://w3id.org/kg-news/"
ONTOLOGY_IRI = BASE + "ontology"
RES = Namespace(BASE + "resource/")


def ontology_dir(package: Path) -> Path:
    """Where the ontology files are for the kg package at ``package``: the repository's
    ``ontology/`` in a source checkout (or an editable install), ``kg/ontology`` in a wheel."""
    source = package.parent / "ontology"
    return source if (source / "kg.ttl").is_file() else package / "ontology"


ONTOLOGY_DIR = ontology_dir(Path(__file__).resolve().parent)


class KG(DefinedNamespace):
    """Terms of the kg ontology."""

    _fail = True
    _NS = Namespace(BASE + "ontology#")

    # classes
    Person: URIRef
    Organization: URIRef
    Place: URIRef
    Agent: URIRef
    BusinessEvent: URIRef
    FundingRound: URIRef
    Acquisition: URIRef
    # relations and their inverses
    worksFor: URIRef
    ceoOf: URIRef
    hasCEO: URIRef
    founderOf: URIRef
    founder: URIRef
    partnerOf: URIRef
    investedIn: URIRef
    acquired: URIRef
    acquiredBy: URIRef
    locatedIn: URIRef
    headquarteredIn: URIRef
    clientOf: URIRef
    subsidiaryOf: URIRef
    alumnusOf: URIRef
    # attributes
    revenue: URIRef
    valuation: URIRef
    fundsRaised: URIRef
    investment: URIRef
    employees: URIRef
    foundingYear: URIRef
    # events
    investor: URIRef
    acquirer: URIRef
    target: URIRef
    amount: URIRef
    eventDate: URIRef
    # places
    countryCode: URIRef
    # provenance
    evidence: URIRef
    startChar: URIRef
    endChar: URIRef
    confidence: URIRef
    extractionRule: URIRef
    modality: URIRef
    contentHash: URIRef
    sourceFile: URIRef


# Each term a plain class attribute: rdflib would otherwise make it anew on every access,
# through the metaclass (~1.5 µs), and writing a graph names a dozen terms per statement.
for _name in KG.__annotations__:
    setattr(KG, _name, KG._NS[_name])
del _name


class Terms:
    """An rdflib ``DefinedNamespace`` (``RDF``, ``SDO``…) whose terms are each made once, then
    read as plain attributes (see :data:`RDF` and the others below): rdflib makes ``RDF.type``
    anew on every access.

    >>> from rdflib import namespace
    >>> terms = Terms(namespace.RDF)
    >>> terms.type == namespace.RDF.type, terms.type is terms.type, str(terms)
    (True, True, 'http://www.w3.org/1999/02/22-rdf-syntax-ns#')
    """

    def __init__(self, namespace: type[DefinedNamespace]) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("__") or name == "_namespace":  # not a term (copy, pickle…)
            raise AttributeError(name)
        term: URIRef = getattr(self._namespace, name)
        setattr(self, name, term)
        return term

    def __str__(self) -> str:
        return str(self._namespace)


# The W3C and schema.org namespaces kg writes and reads, as Terms.
RDF = Terms(_w3c.RDF)
RDFS = Terms(_w3c.RDFS)
XSD = Terms(_w3c.XSD)
OWL = Terms(_w3c.OWL)
PROV = Terms(_w3c.PROV)
SKOS = Terms(_w3c.SKOS)
SDO = Terms(_w3c.SDO)
FOAF = Terms(_w3c.FOAF)
ORG = Terms(_w3c.ORG)


RELATIONS: tuple[str, ...] = (
    "ceoOf",
    "founderOf",
    "partnerOf",
    "investedIn",
    "acquired",
    "headquarteredIn",
    "locatedIn",
    "worksFor",
    "clientOf",
    "subsidiaryOf",
    "alumnusOf",
)
SYMMETRIC_RELATIONS: frozenset[str] = frozenset({"partnerOf"})
MONEY_ATTRIBUTES: frozenset[str] = frozenset({"revenue", "valuation", "fundsRaised", "investment"})
ATTRIBUTES: tuple[str, ...] = (
    "revenue",
    "employees",
    "valuation",
    "foundingYear",
    "fundsRaised",
    "investment",
)


def kg_term(name: str) -> URIRef:
    """The IRI of a kg term by name; an undeclared name raises ``AttributeError``.

    >>> kg_term("ceoOf") == KG.ceoOf
    True
    """
    term: URIRef = getattr(KG, name)
    return term


def ontology_files() -> list[Path]:
    """The Turtle files that make up the ontology (``kg.ttl`` first)."""
    main = ONTOLOGY_DIR / "kg.ttl"
    others = sorted(p for p in ONTOLOGY_DIR.glob("*.ttl") if p.name not in {"kg.ttl", "shapes.ttl"})
    return [main, *others]


# Which entity types each relation links (subject types, object types); facts that break these
# after entity resolution are dropped. Mirrors the domains and ranges of ontology/kg.ttl.
SIGNATURES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "ceoOf": (frozenset({"Person"}), frozenset({"Organization"})),
    "founderOf": (frozenset({"Person"}), frozenset({"Organization"})),
    "worksFor": (frozenset({"Person"}), frozenset({"Organization"})),
    "alumnusOf": (frozenset({"Person"}), frozenset({"Organization"})),
    "partnerOf": (frozenset({"Organization"}), frozenset({"Organization"})),
    "investedIn": (frozenset({"Person", "Organization"}), frozenset({"Organization"})),
    "acquired": (frozenset({"Organization"}), frozenset({"Organization"})),
    "clientOf": (frozenset({"Organization"}), frozenset({"Organization"})),
    "subsidiaryOf": (frozenset({"Organization"}), frozenset({"Organization"})),
    "headquarteredIn": (frozenset({"Organization"}), frozenset({"Place"})),
    "locatedIn": (frozenset({"Organization"}), frozenset({"Place"})),
}
