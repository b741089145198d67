"""Node positions computed in Python for graphs too large for the browser's physics.

vis-network's force simulation costs seconds per hundred iterations at a few thousand nodes on a
small machine, and ``networkx.spring_layout`` about a second per iteration at 5,000 nodes. This is a
Fruchterman–Reingold layout with NumPy in which each node is repelled by a fixed-size random sample
of the others (scaled up to stand for all of them): O(n·s) per iteration instead of O(n²), and the
sampling noise anneals like the temperature does. Seeded, so the same graph gives the same picture.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["force_layout"]


def force_layout(
    n: int,
    edges: Sequence[tuple[int, int]],
    *,
    iterations: int = 60,
    sample: int = 256,
    seed: int = 0,
    scale: float = 1.0,
    gravity: float = 3.0,
) -> np.ndarray:
    """Positions of ``n`` nodes linked by ``edges`` (index pairs), as an ``(n, 2)`` array.

    Coordinates are centred on 0 and span about ``scale * sqrt(n)`` so that the average distance
    between neighbours stays the same whatever the size of the graph.

    >>> pos = force_layout(3, [(0, 1), (1, 2)], seed=1)
    >>> pos.shape
    (3, 2)
    >>> bool(np.linalg.norm(pos[0] - pos[1]) < np.linalg.norm(pos[0] - pos[2]))
    True
    """
    if n == 0:
        return np.zeros((0, 2))
    rng = np.random.default_rng(seed)
    pos = rng.random((n, 2)) - 0.5
    links = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    links = links[links[:, 0] != links[:, 1]]
    src, dst = links[:, 0], links[:, 1]
    k = np.sqrt(1.0 / n)  # ideal distance between neighbours in the unit square
    sample = min(sample, n)
    weight = n / sample
    temperature = 0.1
    cooling = temperature / (iterations + 1)
    for _ in range(iterations):
        others = pos[rng.choice(n, size=sample, replace=False)]
        delta = pos[:, None, :] - others[None, :, :]
        dist2 = np.maximum(np.einsum("ijk,ijk->ij", delta, delta), 1e-9)
        disp = np.einsum("ijk,ij->ik", delta, (weight * k * k) / dist2)
        d = pos[src] - pos[dst]
        pull = d * (np.sqrt(np.einsum("ij,ij->i", d, d)) / k)[:, None]
        np.add.at(disp, src, -pull)
        np.add.at(disp, dst, pull)
        # Gravity: without it, nodes with no edge drift off and the fitted view shrinks to a dot.
        disp -= gravity * pos
        length = np.maximum(np.sqrt(np.einsum("ij,ij->i", disp, disp)), 1e-12)
        pos += disp * (np.minimum(length, temperature) / length)[:, None]
        temperature -= cooling
    pos -= pos.mean(axis=0)
    spread = np.abs(pos).max() or 1.0
    return pos / spread * (scale * np.sqrt(n) / 2)
