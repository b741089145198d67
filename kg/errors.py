"""User-facing errors. ``cli.py`` catches :class:`KgError` once and prints its message on one line."""

from __future__ import annotations


class KgError(Exception):
    """An error caused by the user's input or environment, reported without a traceback."""

    exit_code = 1


class UsageError(KgError):
    """Wrong usage: a missing path, an unknown option value."""

    exit_code = 2


class InputError(KgError):
    """A document or graph that cannot be read."""


class GraphParseError(InputError):
    """A graph file that is not valid RDF; the message names the file and, when known, the line."""
