"""A build's files as one *generation*, switched in by a single rename.

Every file of a build is written into a fresh folder ``OUT/.kg-generations/<id>/``, together
with a ``manifest.json`` written last (the build's key, its files and sizes, the summary
counts). The build then points the symbolic link ``OUT/.kg-current`` at that folder with one
atomic ``rename``; ``OUT/graph.ttl`` and the other outputs are fixed links into
``.kg-current``. A reader therefore always sees one whole generation, whatever moment a build
is killed at: before the rename the previous one, after it the new one. Generations left by an
interrupted build, and the previous generation, are removed by the next build.

>>> import tempfile
>>> out = Path(tempfile.mkdtemp())
>>> with Generation.start(out) as new:
...     _ = new.path("graph.ttl").write_text("<urn:a> <urn:b> <urn:c> .\\n")
...     _ = new.commit({"key": "k1"})
>>> (out / "graph.ttl").read_text()
'<urn:a> <urn:b> <urn:c> .\\n'
>>> read_manifest(out)["key"], sorted(read_manifest(out)["files"])
('k1', ['graph.ttl'])
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = ["CURRENT", "GENERATIONS", "OWNED", "Generation", "current_outputs", "read_manifest"]

GENERATIONS = ".kg-generations"
CURRENT = ".kg-current"
MANIFEST = "manifest.json"
# The outputs a build owns: each build rewrites all of them, and removes those it did not make.
OWNED = ("graph.ttl", "graph.graphml", "graph.html", "inferred.ttl")


def _fsync(path: Path) -> None:
    """Flush a file or a folder to disk (folders: where the OS allows it)."""
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) if path.is_dir() else os.O_RDONLY
    try:
        fd = os.open(path, flags)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _link(target: str, at: Path) -> None:
    """Make ``at`` a symbolic link to ``target``, atomically (a link beside it, renamed over)."""
    if at.is_symlink() and os.readlink(at) == target:
        return
    temporary = at.with_name(f".{at.name}.{os.getpid()}.link")
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    os.symlink(target, temporary)
    os.replace(temporary, at)


class Generation:
    """The folder a build writes its files into, switched in by :meth:`commit`.

    Used as a context manager: leaving it without a commit (an error) removes the folder, and
    the previous generation stays in place.
    """

    def __init__(self, out_dir: Path, folder: Path) -> None:
        self.out_dir = out_dir
        self.folder = folder
        self.committed = False

    @classmethod
    def start(cls, out_dir: str | Path) -> Generation:
        """A new, empty generation of ``out_dir``, once leftovers of earlier builds are gone."""
        out = Path(out_dir)
        (out / GENERATIONS).mkdir(parents=True, exist_ok=True)
        remove_leftovers(out)
        folder = Path(tempfile.mkdtemp(prefix="g-", dir=out / GENERATIONS))
        os.chmod(folder, 0o755)
        return cls(out, folder)

    def path(self, name: str) -> Path:
        """Where to write the output ``name`` of this generation."""
        return self.folder / name

    def commit(self, manifest: dict[str, Any]) -> dict[str, Path]:
        """Write the manifest, switch this generation in, and return the outputs' paths.

        The files are flushed to disk first, then ``.kg-current`` is renamed to point here: the
        one step at which the outputs change. Outputs this generation does not hold (an HTML
        view a disk build does not write, a former ``inferred.ttl``) are removed.
        """
        files = sorted(p.name for p in self.folder.iterdir() if p.name != MANIFEST)
        for name in files:
            _fsync(self.folder / name)
        manifest = {
            **manifest,
            "files": {name: (self.folder / name).stat().st_size for name in files},
        }
        (self.folder / MANIFEST).write_text(
            json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
        _fsync(self.folder / MANIFEST)
        _fsync(self.folder)
        previous = _current_folder(self.out_dir)
        _link(f"{GENERATIONS}/{self.folder.name}", self.out_dir / CURRENT)
        _fsync(self.out_dir)
        self.committed = True
        for name in OWNED:
            target = self.out_dir / name
            if name in files:
                _link(f"{CURRENT}/{name}", target)
            elif target.is_symlink() or target.is_file():
                target.unlink()
        if previous is not None and previous != self.folder:
            shutil.rmtree(previous, ignore_errors=True)
        return {name: self.out_dir / name for name in files}

    def __enter__(self) -> Generation:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if not self.committed:
            shutil.rmtree(self.folder, ignore_errors=True)


def _current_folder(out_dir: Path) -> Path | None:
    """The generation ``.kg-current`` points at, if any."""
    current = out_dir / CURRENT
    if not current.is_symlink():
        return None
    return (out_dir / os.readlink(current)).resolve()


def remove_leftovers(out_dir: Path) -> list[Path]:
    """Remove what interrupted builds left in ``out_dir``: generations other than the current
    one, and temporary files of the old one-file-at-a-time writes. Returns what was removed."""
    current = _current_folder(out_dir)
    removed: list[Path] = []
    folder = out_dir / GENERATIONS
    if folder.is_dir():
        for path in folder.iterdir():
            if path.resolve() != current:
                shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink()
                removed.append(path)
    for pattern in (".graph.*.tmp", ".inferred.*.tmp", f".{CURRENT}.*.link", ".graph.*.link"):
        for path in out_dir.glob(pattern):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def read_manifest(out_dir: str | Path) -> dict[str, Any]:
    """The manifest of the current generation of ``out_dir`` (empty when there is none)."""
    try:
        text = (Path(out_dir) / CURRENT / MANIFEST).read_text(encoding="utf-8")
        manifest = json.loads(text)
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def current_outputs(out_dir: str | Path, key: str) -> dict[str, Path] | None:
    """The outputs of ``out_dir`` if its current generation was built under ``key`` and every
    one of its files is in place, whole; else ``None``."""
    out = Path(out_dir)
    manifest = read_manifest(out)
    if manifest.get("key") != key or not isinstance(manifest.get("files"), dict):
        return None
    paths: dict[str, Path] = {}
    for name, size in manifest["files"].items():
        path = out / name
        try:
            if path.stat().st_size != size:
                return None
        except OSError:
            return None
        paths[name] = path
    return paths


def iter_generations(out_dir: str | Path) -> Iterator[Path]:
    """Every generation folder in ``out_dir`` (the current one and any leftover)."""
    folder = Path(out_dir) / GENERATIONS
    if folder.is_dir():
        yield from sorted(folder.iterdir())
