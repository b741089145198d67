"""Development tools of kg, kept out of the runtime package: the benchmark (:mod:`kgbench.bench`,
``kg bench`` or ``python -m kgbench``) and the synthetic corpus it builds
(:mod:`kgbench.corpus`). They use kg's public API; kg itself never imports them, except for the
thin ``kg bench`` command."""
