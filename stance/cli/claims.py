"""Commands of the claim registry: `stance claims add`, `list` and `show`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stance.cli.app import DEFAULT_ACTORS, DEFAULT_CLAIMS, ActorsOpt, _Group, app, printable
from stance.core.errors import StanceError

claims_app = typer.Typer(
    cls=_Group,
    help="The claim registry (data/claims.yaml): add an accusation, list them, show one.\n\n"
    'Example: stance claims add "The FBI says North Korea hacked Sony Pictures" --date 2014-12-19',
    no_args_is_help=True,
)
app.add_typer(claims_app, name="claims")

ClaimsOpt = Annotated[Path, typer.Option("--claims", help="Claim registry (YAML).")]


def _roles(accusers: tuple[str, ...], accused: tuple[str, ...]) -> str:
    return f"{', '.join(accusers) or '?'} -> {', '.join(accused) or '?'}"


@claims_app.command("add")
def add(
    text: Annotated[str, typer.Argument(help="The accusation, as a sentence.")],
    date: Annotated[str, typer.Option("--date", help="When it was made public (YYYY-MM-DD).")],
    claim_id: Annotated[
        str | None,
        typer.Option("--id", help="Claim id (lower-case-with-hyphens); default: from the text."),
    ] = None,
    accuser: Annotated[
        list[str] | None,
        typer.Option("--accuser", help="Accuser actor id (repeatable); default: from the text."),
    ] = None,
    accused: Annotated[
        list[str] | None,
        typer.Option("--accused", help="Accused actor id (repeatable); default: from the text."),
    ] = None,
    claims: ClaimsOpt = DEFAULT_CLAIMS,
    actors: ActorsOpt = DEFAULT_ACTORS,
) -> None:
    """Append a claim to the registry; accusers and accused are read from the text unless given.

    Example: stance claims add "Britain blames Russia for the NotPetya attack" --date 2018-02-15
    """
    from stance.corpus.actors import load_registry
    from stance.corpus.claims import add_claim

    claim = add_claim(
        claims,
        text,
        load_registry(actors),
        date=date,
        claim_id=claim_id,
        accusers=accuser,
        accused=accused,
    )
    typer.echo(
        printable(f"{claim.id}\t{_roles(claim.accusers, claim.accused)}\t{claim.date} -> {claims}")
    )


@claims_app.command("list")
def list_claims(claims: ClaimsOpt = DEFAULT_CLAIMS, actors: ActorsOpt = DEFAULT_ACTORS) -> None:
    """List the registry: id, date, accusers -> accused, text.

    Example: stance claims list
    """
    from stance.corpus.actors import load_registry
    from stance.corpus.claims import load_claims

    for c in load_claims(claims, load_registry(actors)).values():
        # printable: a registry edited by hand may hold ESC or BEL, never sent raw to a terminal
        typer.echo(printable(f"{c.id}\t{c.date}\t{_roles(c.accusers, c.accused)}\t{c.text}"))


@claims_app.command("show")
def show(
    claim: Annotated[str, typer.Argument(help="A claim id, or an accusation as text.")],
    claims: ClaimsOpt = DEFAULT_CLAIMS,
    actors: ActorsOpt = DEFAULT_ACTORS,
) -> None:
    """One claim with its roles; for text that is no claim id, the roles read from the text
    (what the model uses for a claim it does not know).

    Example: stance claims show "North Korea was behind the Sony hack, the FBI said"
    """
    from stance.corpus.actors import load_registry
    from stance.corpus.claim_text import analyse_claim
    from stance.corpus.claims import load_claims

    reg = load_registry(actors)
    known = load_claims(claims, reg)
    if claim in known:
        c = known[claim]
        found = analyse_claim(c.text, reg)
        rows = [
            ("id", c.id),
            ("text", c.text),
            ("date", c.date),
            ("accusers", ", ".join(c.accusers)),
            ("accused", ", ".join(c.accused)),
            ("others", ", ".join(a for a in found.others if a not in c.accusers)),
        ]
    elif " " not in claim.strip():
        raise StanceError(
            f"no claim {claim!r} in {claims} (see `stance claims list`); give an accusation "
            f"as text to see the roles read from it"
        )
    else:
        found = analyse_claim(claim, reg)
        rows = [
            ("text", claim),
            ("accusers", ", ".join(found.accusers) or "(none found)"),
            ("accused", ", ".join(found.accused) or "(none found)"),
            ("others", ", ".join(found.others)),
        ]
    for key, value in rows:
        typer.echo(printable(f"{key}\t{value}"))


@claims_app.command("match")
def match(
    text: Annotated[str, typer.Argument(help="An accusation as text.")],
    claims: ClaimsOpt = DEFAULT_CLAIMS,
    actors: ActorsOpt = DEFAULT_ACTORS,
    top: Annotated[int, typer.Option("--top", min=1, help="Candidates to show.")] = 5,
) -> None:
    """Which registry claim an accusation text names: the candidates, scored by the same
    accused, a shared target or distinctive word, and the same year; the one a text resolves
    to in ingest and predict is marked `*`.

    Example: stance claims match "North Korea was behind the 2014 hack of Sony Pictures"
    """
    from stance.corpus.actors import load_registry
    from stance.corpus.claim_match import best_match, match_claims
    from stance.corpus.claims import load_claims

    if not text.strip():
        raise StanceError(
            "the claim text is empty: give the accusation, e.g. 'Russia hacked the DNC'"
        )
    reg = load_registry(actors)
    known = {c.id: c.info() for c in load_claims(claims, reg).values()}
    best = best_match(text, known, reg)
    # Only claims with some evidence for them: a text naming no known actor lists none.
    ranked = [c for c in match_claims(text, known, reg) if c.score > 0][:top]
    if ranked:
        typer.echo("\tclaim\tscore\tevidence")
    for c in ranked:
        mark = "*" if best is not None and c.id == best.id else " "
        typer.echo(f"{mark}\t{c.id}\t{c.score:.3f}\t{c.why()}")
    if best is None:
        typer.echo("no registry claim names this accused and event: the text is a claim of its own")
