"""The claims of one prediction run, each resolved once, as a reader would resolve them.

A row's claim (a registry id, a registry claim's text, or any accusation as text) is resolved
the first time it is seen and kept for the run:

- an id or text the model knows is that claim, with the registry's accusers and accused;
- a text that names a known claim's accused and event is that claim (stance.corpus.claim_match),
  with one note saying so;
- any other text is a claim of its own, its roles read from the text; when the text names no
  accuser, the accusers are read from the rows' sentences (stance.corpus.claim_input.accusers_in:
  "the FBI said ...", "US accusations", "Washington's claims"), with one note naming them. The
  model then sees it with those roles, as if it were in the registry.

Every predicted row carries `claim`, `claim_text`, `accusers` and `accused`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from stance.core.errors import InputError


class ClaimUse(NamedTuple):
    id: str
    text: str
    accusers: tuple[str, ...]
    accused: tuple[str, ...]
    value: str  # what the model is given as the row's claim: the id, or the text itself


class ClaimResolver:
    """Resolves claim values for one run against a model's claims and actor tagger."""

    def __init__(self, known: dict[str, dict[str, Any]], registry: Any):
        self.known = known
        self.registry = registry
        self.texts = {cid: str(info.get("text", "")) for cid, info in known.items()}
        self.cache: dict[str, ClaimUse] = {}
        self.notes: list[str] = []
        # Claims given as text whose accusers were read from the rows: the model is given
        # them as claims of its own (stance.model.claim_use.add_claims).
        self.extra: dict[str, dict[str, Any]] = {}

    def resolve(
        self,
        values: Sequence[str],
        sentences: Sequence[str] = (),
        where: str = "claim",
        offset: int = 0,
    ) -> list[ClaimUse]:
        """The claim of each row; `sentences` (the rows' own) are where accusers are looked
        for. A mistyped id is an error naming `where` and its row (counted from offset + 1)."""
        for row, value in enumerate(values, start=offset + 1):
            if value not in self.cache:
                try:
                    self.cache[value] = self._one(value, values, sentences)
                except InputError as exc:
                    raise InputError(f"{where}: row {row}: {exc}") from None
        return [self.cache[v] for v in values]

    def _one(self, value: str, values: Sequence[str], sentences: Sequence[str]) -> ClaimUse:
        from stance.corpus.claim_input import accusers_in, likely_accusers, resolve_claim
        from stance.corpus.claim_text import claim_roles

        ref = resolve_claim(value, self.texts, "claim", claims=self.known, registry=self.registry)
        if ref.known:
            if ref.note:
                self.notes.append(ref.note)
            info = self.known[ref.id]
            return ClaimUse(
                ref.id,
                ref.text,
                tuple(info.get("accusers") or ()),
                tuple(info.get("accused") or ()),
                ref.id,
            )
        roles = claim_roles(ref.text, self.registry)
        if roles.accusers or not roles.accused:
            return ClaimUse(ref.id, ref.text, roles.accusers, roles.accused, ref.text)
        # Each sentence once: a sentence recurs once per actor in it.
        mine = list(dict.fromkeys(s for v, s in zip(values, sentences, strict=False) if v == value))
        who = tuple(likely_accusers(accusers_in(mine, roles.accused, self.registry)))
        if not who:
            return ClaimUse(ref.id, ref.text, (), roles.accused, ref.text)
        self.notes.append(
            f"claim {ref.text!r} names no accuser: {', '.join(who)} read from the rows "
            f"({len(mine)} sentences) as accusing {', '.join(roles.accused)}"
        )
        self.extra[ref.id] = {
            "text": ref.text,
            "accusers": list(who),
            "accused": list(roles.accused),
        }
        return ClaimUse(ref.id, ref.text, who, roles.accused, ref.id)
