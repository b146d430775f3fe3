"""Union-find over hashable keys: the connected components that splits must keep whole.

Near-duplicate sentences, documents that share a sentence group, cross-validation groups: each
is "these belong together, transitively", and each uses this one structure.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


class UnionFind(Generic[K]):
    """Disjoint sets with path halving. The smallest key of a set is its root, so roots do
    not depend on the order in which pairs were joined (keys must be mutually comparable)."""

    def __init__(self, keys: Iterable[K] = ()):
        self._parent: dict[K, K] = {}
        for k in keys:
            self.add(k)

    def add(self, key: K) -> None:
        self._parent.setdefault(key, key)

    def __contains__(self, key: object) -> bool:
        return key in self._parent

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._parent)

    def find(self, key: K) -> K:
        parent = self._parent
        parent.setdefault(key, key)
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def union(self, a: K, b: K) -> K:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ra
        lo, hi = (ra, rb) if ra < rb else (rb, ra)  # type: ignore[operator]
        self._parent[hi] = lo
        return lo

    def components(self) -> dict[K, list[K]]:
        """Root -> its members, in insertion order."""
        out: dict[K, list[K]] = {}
        for k in self._parent:
            out.setdefault(self.find(k), []).append(k)
        return out
