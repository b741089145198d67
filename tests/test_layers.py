"""The package layout is the data flow: kg's modules import only down the layers of the README's
"How it works" table (or within their own layer), and no import chain comes back to its start."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Each module's layer, lowest first; a module matches the longest prefix listed.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("kg", "kg.records", "kg.config", "kg.errors", "kg.io", "kg.namespace", "kg.naming"),
    ("kg.progress", "kg.generation", "kg.templates"),
    ("kg.furniture", "kg.ingest"),
    ("kg.nlp",),
    ("kg.extract", "kg.engine"),
    ("kg.resolve",),
    ("kg.graph", "kg.link"),
    ("kg.cache", "kg.validate", "kg.reason", "kg.viz", "kg.outputs", "kg.query", "kg.push"),
    ("kg.serve", "kg.export", "kg.analytics", "kg.evaluate", "kg.explain", "kg.stores"),
    ("kg.pipeline",),
    ("kg.cli",),
)


def module_name(path: Path) -> str:
    """``kg/viz/html.py`` → ``kg.viz.html``; a package's ``__init__.py`` is the package.

    >>> module_name(ROOT / "kg" / "viz" / "__init__.py"), module_name(ROOT / "kg" / "cli.py")
    ('kg.viz', 'kg.cli')
    """
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """The kg modules ``path`` imports, at its top or inside functions, relative or absolute."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            target = ".".join(base + ([node.module] if node.module else []))
            found.update(f"{target}.{a.name}" for a in node.names)
            found.add(target)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "kg":
            found.add(str(node.module))
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "kg")
    return found


MODULES = {module_name(p): p for p in sorted((ROOT / "kg").rglob("*.py"))}


def _module(name: str) -> str | None:
    """The kg module an imported name is (``kg.__version__`` → ``kg``)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


GRAPH = {
    name: {m for m in map(_module, imports(path)) if m is not None and m != name}
    for name, path in MODULES.items()
}


def layer(name: str) -> int:
    """The rank in :data:`LAYERS` of the longest prefix naming module ``name``.

    >>> layer("kg.viz.html") > layer("kg.graph.rdf") > layer("kg.records")
    True
    """
    ranks = [
        (len(prefix), rank)
        for rank, prefixes in enumerate(LAYERS)
        for prefix in prefixes
        if name == prefix or name.startswith(prefix + ".")
    ]
    assert ranks, f"{name} is in no layer: add it to LAYERS (and to the README's table)"
    return max(ranks)[1]


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_go_down_the_layers(name: str) -> None:
    upward = sorted(m for m in GRAPH[name] if layer(m) > layer(name))
    assert upward == [], f"{name} imports from a later stage"


def test_no_import_cycle() -> None:
    done: set[str] = set()

    def visit(name: str, chain: tuple[str, ...]) -> None:
        assert name not in chain, " → ".join((*chain, name))
        if name not in done:
            for other in sorted(GRAPH[name]):
                visit(other, (*chain, name))
            done.add(name)

    for name in sorted(MODULES):
        visit(name, ())


def test_the_readme_table_names_every_module() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## How it works", 1)[1]
    table = section[section.index("| stage |") :].split("\n\n", 1)[0]
    for name, path in MODULES.items():
        if name == "kg":
            continue
        where = path.relative_to(ROOT)
        named = where.parent if where.name == "__init__.py" else where.with_suffix("")
        folder = f"`{named.parent.as_posix()}/`"  # a folder listed whole: kg/viz/
        assert f"`{named.as_posix()}" in table or folder in table, f"{where} is not in the table"
