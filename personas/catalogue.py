"""A mode's catalogue: the industry's own goods or services with price ranges, so a pet
store's orders read as pet products while every number stays seeded."""

from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    model_validator,
)

CATALOGUE_MAX_ITEMS = 40
ITEM_NAME_MAX = 80
# The most one line of a catalogue may cost, in any currency (yen included).
PRICE_MAX = 10_000_000


class CatalogueItem(BaseModel):
    """One thing the business sells, e.g. "Grain-free salmon kibble, 12 lb", 38–64."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Annotated[
        str,
        StringConstraints(
            strip_whitespace=True, min_length=1, max_length=ITEM_NAME_MAX
        ),
    ]
    low: float = Field(ge=0, le=PRICE_MAX)
    high: float = Field(ge=0, le=PRICE_MAX)

    @model_validator(mode="after")
    def _ordered(self) -> "CatalogueItem":
        if self.high < self.low:
            raise ValueError(
                f"{self.name!r}: the high price ({self.high:g}) is below the low "
                f"price ({self.low:g})."
            )
        return self

    def priced(self, per_unit: float) -> "CatalogueItem":
        """The same item with its range restated at a rate (dollars to a currency)."""
        return self.model_copy(
            update={"low": self.low * per_unit, "high": self.high * per_unit}
        )


Catalogue = tuple[CatalogueItem, ...]
_ITEMS = TypeAdapter(list[CatalogueItem])


def catalogue_parse(data: Iterable[Any] | None) -> Catalogue:
    """Stored or typed items as a catalogue; a ValueError says which item is wrong."""
    items = list(data or [])
    if len(items) > CATALOGUE_MAX_ITEMS:
        raise ValueError(
            f"A catalogue holds at most {CATALOGUE_MAX_ITEMS} items; this one has "
            f"{len(items)}."
        )
    try:
        parsed = tuple(_ITEMS.validate_python(items))
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ValueError(f"Catalogue item {where}: {first['msg']}.") from None
    names = [item.name.casefold() for item in parsed]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate is not None:
        raise ValueError(f"The catalogue lists {duplicate!r} twice.")
    return parsed


def catalogue_of(rows: Iterable[tuple[str, float, float]]) -> Catalogue:
    """A catalogue written as (name, low, high) rows, checked like any other."""
    return catalogue_parse({"name": n, "low": lo, "high": hi} for n, lo, hi in rows)


def catalogue_dump(catalogue: Catalogue) -> list[dict[str, Any]]:
    """JSON-ready, as a mode stores it."""
    return [item.model_dump() for item in catalogue]
