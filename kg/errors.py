"""User-facing errors. ``cli.py`` catches :class:`KgError` once and prints its message on one line.

Exit codes: 2 when the command cannot start from what it was given (wrong usage, a missing or
unreadable input, a graph that does not parse, invalid SPARQL); 1 when the work ran and failed
(SHACL violations found, a graph store that refuses, no chain of facts, inputs skipped under
``--strict``).
"""

from __future__ import annotations


class KgError(Exception):
    """An error caused by the user's input or environment, reported without a traceback."""

    exit_code = 1


class UsageError(KgError):
    """Wrong usage: a missing path, an unknown option value."""

    exit_code = 2


class InputError(KgError):
    """A document or graph that cannot be read: bad input, like a usage error."""

    exit_code = 2


class SkippedInputs(InputError):
    """Inputs were skipped and ``--strict`` refuses to go on: the build failed."""

    exit_code = 1


class GraphParseError(InputError):
    """A graph file that is not valid RDF; the message names the file and, when known, the line."""


def describe_parse_error(error: Exception) -> str:
    """One line saying where and why a parser failed, from the error types RDF parsers raise.

    Knows rdflib's Turtle/N3 ``BadSyntax`` (0-based ``lines``, ``_why``), ``json.JSONDecodeError``
    and SAX errors (RDF/XML); anything else gives its message on one line.

    >>> import json
    >>> try:
    ...     json.loads('{\\n  "a": 1,\\n  oops\\n}')
    ... except ValueError as error:
    ...     describe_parse_error(error)
    'line 3: Expecting property name enclosed in double quotes'
    """
    line: int | None = None
    why = ""
    if hasattr(error, "lines") and hasattr(error, "_why"):  # rdflib.plugins.parsers.notation3
        line, why = int(error.lines) + 1, str(error._why)
    elif hasattr(error, "lineno") and hasattr(error, "msg"):  # json.JSONDecodeError
        line, why = int(error.lineno), str(error.msg)
    elif hasattr(error, "getLineNumber") and hasattr(error, "getMessage"):  # SAXParseException
        line, why = int(error.getLineNumber()), str(error.getMessage())
    why = " ".join((why or str(error) or type(error).__name__).split())
    return f"line {line}: {why}" if line is not None else why[:300]
