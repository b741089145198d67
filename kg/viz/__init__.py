"""Interactive, self-contained HTML view of a graph.

:func:`view_data` extracts what is shown; :func:`render_html` draws it as one page.
:func:`select_view` keeps the most connected part of a large knowledge base, and
:func:`view_notice` words the line that says so on the page.
"""

from .data import view_data
from .html import render_html, render_page, write_view
from .index import TripleIndex
from .select import select_view, view_notice

__all__ = [
    "TripleIndex",
    "render_html",
    "render_page",
    "select_view",
    "view_data",
    "view_notice",
    "write_view",
]
