"""Graph stage: the resolved :class:`~kg.records.KnowledgeBase` as RDF (rdflib) and NetworkX."""

from .networkx import to_networkx
from .rdf import load_graph, to_rdf

__all__ = ["load_graph", "to_networkx", "to_rdf"]
