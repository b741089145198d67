"""The HTML pages kg writes, from jinja2 templates in this package: ``view.html`` (the graph
view, :mod:`kg.viz`) and ``query.html`` (the query page of :mod:`kg.serve`).

Values are escaped for HTML unless they are :class:`~markupsafe.Markup`: callers wrap what is
already safe to insert (inlined scripts and styles they have checked, JSON escaped for a
``<script>`` element).

>>> render_template("query.html", title="<g>", examples=Markup("[]")).count("&lt;g&gt;")
2
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jinja2
from markupsafe import Markup

__all__ = ["Markup", "environment", "render_template"]


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The templates of this package: HTML-escaped, strict about undefined values, and with a
    template's last newline kept (a page is written exactly as its template ends)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("kg", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        auto_reload=False,
    )


def render_template(name: str, **values: Any) -> str:
    """The page of template ``name`` filled with ``values``."""
    return environment().get_template(name).render(**values)
