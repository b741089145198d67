"""``python -m kgbench``: run the benchmark (see :mod:`kgbench.bench`)."""

from .bench import main

main()
