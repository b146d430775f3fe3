"""Near-duplicate sentences across documents get one `group` id, so splits keep them together;
identical documents (one article syndicated by several sites) are found by `text_key`.

News articles reuse whole quotes from one another (the two seed articles share three), and a
model tested on a sentence it was trained on, reworded by one clause, learns nothing honest.
Two sentences are near duplicates when most word shingles of the shorter one occur in the
other (containment, not Jaccard: a quote with a longer attribution is still the same quote).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from itertools import combinations

from stance.core.unionfind import UnionFind

_WORD = re.compile(r"\w+")
# A shingle in more distinct sentences than this is a stock phrase, not evidence of a shared
# source; skipping it keeps the pair count linear on large corpora. Exact copies never depend
# on it: they are grouped by hash before shingles are compared.
MAX_POSTINGS = 50


def _shingles(text: str, k: int) -> set[int]:
    # Hashes, not word tuples: the index over a large corpus holds millions of shingles.
    # Within one process the hash is stable and 64-bit collisions are negligible.
    words = _WORD.findall(text.casefold())
    if len(words) < k:
        return {hash(tuple(words))} if words else set()
    return {hash(tuple(words[i : i + k])) for i in range(len(words) - k + 1)}


def group_ids(
    items: Sequence[tuple[str, str]], shingle_size: int = 5, threshold: float = 0.5
) -> dict[str, str]:
    """Map each sentence id to its group id: the smallest sentence id of its group.

    `items` are (sentence_id, text). Identical sentences (same words, any case or spacing)
    always share a group, however many documents repeat them: a wire sentence syndicated in a
    thousand articles is one group. Near duplicates are found among the distinct sentences by
    shingle containment. Groups are the connected components of both relations, so the result
    does not depend on input order.
    """
    linked = UnionFind(range(len(items)))
    # Exact duplicates first, by a hash of the normalised words: linear, whatever the corpus.
    first_of: dict[int, int] = {}
    distinct: list[int] = []
    for i, (_, text) in enumerate(items):
        key = hash(tuple(_WORD.findall(text.casefold())))
        j = first_of.setdefault(key, i)
        if j == i:
            distinct.append(i)
        else:
            linked.union(j, i)
    sets = {i: _shingles(items[i][1], shingle_size) for i in distinct}
    postings: dict[int, list[int]] = defaultdict(list)
    for i, s in sets.items():
        for sh in s:
            postings[sh].append(i)
    shared: Counter[tuple[int, int]] = Counter()
    for members in postings.values():
        if 1 < len(members) <= MAX_POSTINGS:
            shared.update(combinations(members, 2))  # counted in C, the hot loop at scale
    for (a, b), n in shared.items():
        if n / min(len(sets[a]), len(sets[b])) >= threshold:
            linked.union(a, b)

    first: dict[int, str] = {}
    for i, (sid, _) in enumerate(items):
        r = linked.find(i)
        if r not in first or sid < first[r]:
            first[r] = sid
    return {sid: first[linked.find(i)] for i, (sid, _) in enumerate(items)}


def text_key(texts: Iterable[str]) -> bytes:
    """A digest of the words of `texts`, ignoring case, spacing and punctuation: two copies
    of one article share it whatever markup, line breaks or typography each site gave them."""
    words = _WORD.findall("\n".join(texts).casefold())
    return hashlib.blake2b(" ".join(words).encode("utf-8"), digest_size=16).digest()
