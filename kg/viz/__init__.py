"""Interactive, self-contained HTML view of a graph: :func:`view_data` extracts, :func:`render_html` draws."""

from .data import view_data
from .html import render_html, render_page, write_view

__all__ = ["render_html", "render_page", "view_data", "write_view"]
