"""Loyalty tiers that follow from points, for the kinds whose customers earn them."""

from collections.abc import Iterable
from typing import Any

from personas.answers import Answer, Persona
from personas.figures import Series, progress
from personas.formatting import count

# (points floor, tier name), lowest first; the first floor is 0.
Tiers = tuple[tuple[int, str], ...]


def tiers_of(floors: Iterable[int], names: Iterable[str]) -> Tiers:
    """A tier table from floors and names declared once (a schema's Literal)."""
    tiers = tuple(zip(floors, names, strict=True))
    if tiers[0][0] != 0 or list(tiers) != sorted(tiers):
        raise ValueError("Tier floors must start at 0 and rise.")
    return tiers


def tier_of(points: int, tiers: Tiers) -> str:
    """The highest tier whose floor the points reach."""
    return [name for floor, name in tiers if points >= floor][-1]


def tier_next(points: int, tiers: Tiers) -> tuple[str, int] | None:
    """The next tier up and the points still needed for it; None at the top."""
    return next(
        ((name, floor - points) for floor, name in tiers if floor > points), None
    )


def loyalty_standing(points: int, tiers: Tiers) -> dict[str, Any]:
    """Points, the tier they earn and the way to the next, as a persona holds them."""
    up = tier_next(points, tiers)
    return {
        "loyalty_points": points,
        "loyalty_tier": tier_of(points, tiers),
        "points_to_next_tier": up[1] if up else 0,
    }


def points_answer(tiers: Tiers) -> Answer:
    """The offline answer to "how many points do I have?" for a kind's tiers."""

    def answer(persona: Persona, question: str) -> str:
        points, tier = persona["loyalty_points"], persona["loyalty_tier"]
        up = tier_next(points, tiers)
        rest = f"; {count(up[1])} more to reach {up[0]}" if up else ", our top tier"
        return f"You have {count(points)} points ({tier}{rest})."

    return answer


def loyalty_progress(persona: Persona) -> tuple[Series, ...]:
    """A progress chart of the points held, then those still needed for the next
    tier (none at the top)."""
    points, to_next = persona["loyalty_points"], persona["points_to_next_tier"]
    return progress(
        "Loyalty points", points, points + to_next, ("Points", "To next tier")
    )
