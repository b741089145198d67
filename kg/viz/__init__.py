"""Interactive, self-contained HTML view of a graph.

:func:`view_data` extracts what is shown; :func:`render_html` draws it as one page.
"""

from .data import view_data
from .html import render_html, render_page, write_view

__all__ = ["render_html", "render_page", "view_data", "write_view"]
