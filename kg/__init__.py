"""kg: offline French business news to a typed knowledge graph."""

__version__ = "0.1.0"
