"""Peak memory and time of ``kg build`` on one long article, at several lengths (issue 16).

A long article is parsed in sections joined into chapters and read chapter by chapter, never
whole (``kg.nlp.parse_chapters``), so its cost should grow linearly with its length: the target is a 3 MB article within 1.5x the peak memory of a 300 KB
one, and seconds per MB about constant. Each length is built in a fresh child process (one
process, no SHACL check, no HTML view), whose peak resident memory is its ``ru_maxrss``::

    python bench/long_document.py                 # 300 KB, 1 MB and 3 MB
    python bench/long_document.py --sizes 300000 3000000 --json bench/long_document.json

The article is generated articles of :mod:`kgbench.corpus` joined by blank lines: one text, many
distinct companies, as in a long report.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def long_article(size: int, seed: int = 0) -> str:
    """Generated articles joined by blank lines, cut at a paragraph to about ``size`` chars."""
    from kgbench.corpus import generate

    parts: list[str] = []
    total = 0
    for article in generate(size // 300 + 10, seed=seed):
        parts.append(article.text.strip())
        total += len(parts[-1]) + 2
        if total >= size:
            break
    return "\n\n".join(parts)[:size].rsplit("\n\n", 1)[0] + "\n"


def _child(size: int) -> None:
    """Build one article of ``size`` characters in this process; print seconds and peak MB."""
    from kg.config import Config
    from kg.nlp import load_pipeline
    from kg.pipeline import build

    config = Config.default()
    load_pipeline(config.model)  # the model's load is not the document's cost
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with tempfile.TemporaryDirectory(prefix="kg-bench-long-") as tmp:
        source = Path(tmp, "long.txt")
        source.write_text(long_article(size), encoding="utf-8")
        started = time.perf_counter()
        result = build([source], Path(tmp, "out"), Config(validate=False), log=lambda _: None)
        seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "chars": size,
                "seconds": seconds,
                "peak_mb": peak,
                "model_mb": base,
                "entities": len(result.kb.entities),
            }
        )
    )


def measure(size: int) -> dict[str, float]:
    """The child's figures for one length."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(size)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[300_000, 1_000_000, 3_000_000])
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child)
        return
    rows = [measure(size) for size in args.sizes]
    first = rows[0]
    print("| chars | seconds | s per MB | peak MB | peak ÷ smallest |")
    print("|---|---|---|---|---|")
    for row in rows:
        per_mb = row["seconds"] / (row["chars"] / 1e6)
        ratio = row["peak_mb"] / first["peak_mb"]
        print(
            f"| {row['chars']:,} | {row['seconds']:.1f} | {per_mb:.1f} | "
            f"{row['peak_mb']:.0f} | {ratio:.2f} |"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
