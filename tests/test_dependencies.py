"""Every third-party package that kg/ or the notebooks import is declared in pyproject.toml.

A fresh ``pip install -e ".[dev]"`` installs only what is declared; a package that merely happens
to be on the developer's machine (scipy under networkx's PageRank, once) must not be relied on.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]

# Imported only through another declared package's API, never by name in kg's code.
INDIRECT = {"scipy": "networkx.pagerank"}


def _normalise(name: str) -> str:
    """PEP 503 name: ``Dask[distributed]>=2024`` → ``dask``.

    >>> _normalise("lxml_html_clean>=0.4"), _normalise("dask[distributed]>=2024.1")
    ('lxml-html-clean', 'dask')
    """
    bare = re.split(r"[\s\[<>=!~;]", name.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", bare).lower()


def _declared(*groups: str) -> set[str]:
    names = [*PROJECT["dependencies"]]
    for group in groups:
        names += PROJECT["optional-dependencies"][group]
    return {_normalise(name) for name in names}


def imported_modules(source: str) -> set[str]:
    """Top-level names of the absolute imports in Python source.

    >>> sorted(imported_modules("import os.path\\nfrom rdflib import Graph\\nfrom . import x"))
    ['os', 'rdflib']
    """
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def third_party(modules: set[str]) -> set[str]:
    """The modules of ``modules`` that are neither the standard library nor kg itself."""
    return {
        m
        for m in modules
        if m not in sys.stdlib_module_names and m not in {"kg", "kgbench", "__future__"}
    }


def distributions(module: str) -> set[str]:
    """The normalised names of the installed distributions providing ``module``.

    A module that is not installed here (``tomli`` on Python 3.11+, where it is not needed) is
    taken to come from the distribution of the same name.
    """
    names = packages_distributions().get(module) or [module]
    return {_normalise(name) for name in names}


def _kg_imports() -> dict[str, set[Path]]:
    found: dict[str, set[Path]] = {}
    for path in sorted([*(ROOT / "kg").rglob("*.py"), *(ROOT / "kgbench").rglob("*.py")]):
        for module in third_party(imported_modules(path.read_text(encoding="utf-8"))):
            found.setdefault(module, set()).add(path.relative_to(ROOT))
    return found


def _notebook_imports() -> dict[str, set[Path]]:
    found: dict[str, set[Path]] = {}
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        source = "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "code")
        source = "\n".join(line for line in source.splitlines() if line.lstrip()[:1] not in "%!")
        for module in third_party(imported_modules(source)):
            found.setdefault(module, set()).add(path.relative_to(ROOT))
    return found


def _undeclared(found: dict[str, set[Path]], declared: set[str]) -> list[str]:
    problems = []
    for module, paths in sorted(found.items()):
        dists = distributions(module)
        where = ", ".join(str(p) for p in sorted(paths))
        if not dists & declared:
            problems.append(f"{module} (imported in {where}) comes from {sorted(dists)}")
    return problems


def test_imports_helper_sees_the_known_ones() -> None:
    assert {"rdflib", "spacy", "typer", "pyoxigraph"} <= set(_kg_imports())


def test_kg_and_kgbench_import_only_declared_packages() -> None:
    # The dask engine is the [dask] extra: its import sits inside the engine that needs it.
    assert _undeclared(_kg_imports(), _declared("dask")) == []


def test_notebooks_import_only_declared_packages() -> None:
    assert _undeclared(_notebook_imports(), _declared("dev")) == []


@pytest.mark.parametrize("module", sorted(INDIRECT))
def test_indirect_dependencies_are_declared(module: str) -> None:
    assert distributions(module) & _declared(), f"{module} is needed by {INDIRECT[module]}"


def test_detects_an_undeclared_import() -> None:
    assert _undeclared({"rdflib": {Path("kg/x.py")}}, set()) == [
        "rdflib (imported in kg/x.py) comes from ['rdflib']"
    ]
