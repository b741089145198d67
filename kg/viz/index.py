"""Triples held for :func:`~kg.viz.data.view_data` without an rdflib store.

A build's view is made from its own triples (:func:`kg.graph.rdf.triples`), tens of thousands
of them: an rdflib ``Graph`` spends most of the page's time filling its store and answering
through it. :class:`TripleIndex` keeps the triples in two nested dictionaries, the subject and
the predicate ones of rdflib's ``SimpleMemory`` store, and answers the few lookups the view makes
exactly as a ``Graph`` on that store would, in the same order: the page is the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from rdflib import Graph
from rdflib.namespace import NamespaceManager
from rdflib.term import Node

__all__ = ["TripleIndex"]

_Objects = dict[Node, dict[Node, None]]  # predicate -> objects (or object -> subjects), in order


class TripleIndex:
    """Triples looked up by subject or by predicate, read like an rdflib ``Graph``.

    Each lookup yields what ``Graph(store="SimpleMemory")`` holding the same triples, added in
    the same order, yields: a triple added twice counts once, at its first place.
    ``namespace_manager`` shortens IRIs with the prefixes of ``prefixes`` (a graph whose
    bindings are copied; rdflib's own by default).

    >>> from rdflib import RDF, RDFS, Literal, URIRef
    >>> a = URIRef("urn:a")
    >>> index = TripleIndex([(a, RDF.type, RDFS.Class), (a, RDFS.label, Literal("A"))])
    >>> list(index.subjects(RDF.type, RDFS.Class)), index.value(a, RDFS.label)
    ([rdflib.term.URIRef('urn:a')], rdflib.term.Literal('A'))
    """

    def __init__(
        self, triples: Iterable[tuple[Node, Node, Node]], *, prefixes: Graph | None = None
    ) -> None:
        self._spo: dict[Node, _Objects] = {}
        self._pos: dict[Node, _Objects] = {}
        for subject, predicate, obj in triples:
            self._spo.setdefault(subject, {}).setdefault(predicate, {})[obj] = None
            self._pos.setdefault(predicate, {}).setdefault(obj, {})[subject] = None
        self.namespace_manager: NamespaceManager = (
            prefixes if prefixes is not None else Graph()
        ).namespace_manager

    def __iter__(self) -> Iterator[tuple[Node, Node, Node]]:
        for subject, by_predicate in self._spo.items():
            for predicate, objects in by_predicate.items():
                for obj in objects:
                    yield subject, predicate, obj

    def __len__(self) -> int:
        return sum(len(objects) for by in self._spo.values() for objects in by.values())

    def __contains__(self, triple: tuple[Node, Node, Node]) -> bool:
        subject, predicate, obj = triple
        return obj in self._spo.get(subject, {}).get(predicate, {})

    def objects(self, subject: Node, predicate: Node) -> Iterator[Node]:
        """The objects of ``subject``'s ``predicate``."""
        yield from self._spo.get(subject, {}).get(predicate, {})

    def subjects(self, predicate: Node, obj: Node) -> Iterator[Node]:
        """The subjects whose ``predicate`` is ``obj``."""
        yield from self._pos.get(predicate, {}).get(obj, {})

    def predicate_objects(self, subject: Node) -> Iterator[tuple[Node, Node]]:
        """Every ``(predicate, object)`` of ``subject``, grouped by predicate."""
        for predicate, objects in self._spo.get(subject, {}).items():
            for obj in objects:
                yield predicate, obj

    def subject_objects(self, predicate: Node) -> Iterator[tuple[Node, Node]]:
        """Every ``(subject, object)`` linked by ``predicate``, grouped by object."""
        for obj, subjects in self._pos.get(predicate, {}).items():
            for subject in subjects:
                yield subject, obj

    def value(self, subject: Node, predicate: Node) -> Node | None:
        """The first object of ``subject``'s ``predicate``, or None."""
        return next(self.objects(subject, predicate), None)
