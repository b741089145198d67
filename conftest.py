"""Collection rules for the whole suite (tests/, notebooks/ and the doctests of kg/ and kgbench/).

Fixtures shared by the tests are in ``tests/conftest.py``; here only what applies to items
collected outside ``tests/``: the notebooks are ``slow`` (each runs a kernel and a build).
"""

from __future__ import annotations

import pytest

# Doctests known to fail in code another change owns, with the reason (xfail, not strict: the
# test passes again as soon as that code is fixed, and the entry can go).
KNOWN_FAILING_DOCTESTS: dict[str, str] = {}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.slow)
        reason = KNOWN_FAILING_DOCTESTS.get(item.name)
        if reason and type(item).__name__ == "DoctestItem":
            item.add_marker(pytest.mark.xfail(reason=reason, strict=False))
