"""What a build shows while it runs: one progress bar per stage on a terminal (rich), one status
line per stage elsewhere, and the time each stage took.

>>> shown = []
>>> stages = Stages(enabled=True, write=shown.append, terminal=False)
>>> with stages.stage("reading", "documents") as advance:
...     advance(3)
>>> shown
['reading: 3 documents']
>>> stages.summary().startswith("time: reading ")
True
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["Stages"]


class Stages:
    """The stages of one build (reading, parsing, resolving, validating, writing), timed, with
    a count of what each went through."""

    def __init__(
        self,
        *,
        enabled: bool = True,
        write: Callable[[str], None] | None = None,
        terminal: bool | None = None,
    ) -> None:
        self.enabled = enabled
        self.write = write or (lambda line: print(line, file=sys.stderr))
        self.terminal = sys.stderr.isatty() if terminal is None else terminal
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(
        self, name: str, unit: str = "", total: int | None = None
    ) -> Iterator[Callable[[int], None]]:
        """Time the stage ``name``; the callable it gives adds to its count of ``unit``."""
        count = 0
        bar: Any = None
        task: Any = None
        if self.enabled and self.terminal:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            bar = Progress(
                TextColumn(f"{name:<10}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn(unit),
                TimeElapsedColumn(),
                transient=True,
            )
            bar.start()
            task = bar.add_task(name, total=total)

        def advance(n: int = 1) -> None:
            nonlocal count
            count += n
            if bar is not None:
                bar.update(task, advance=n)

        started = time.perf_counter()
        try:
            yield advance
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started
            if bar is not None:
                bar.stop()
        if self.enabled:  # a stage that failed says nothing: the error is the one line
            self.write(f"{name}: {count} {unit}".rstrip())

    def summary(self) -> str:
        """One line: the time of each stage, and the total."""
        parts = [f"{name} {seconds:.2f} s" for name, seconds in self.seconds.items()]
        total = sum(self.seconds.values())
        return "time: " + ", ".join(parts) + f" (total {total:.2f} s)"
