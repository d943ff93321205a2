"""What a generator produces: a `ModeDraft`, every field plain data checked on its own,
from an `IndustryRequest` (what the visitor asked for, already cleaned)."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from personas.catalogue import CatalogueItem

HexColour = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class IndustryRequest(BaseModel):
    """'you're a bakery called Sweet Crumbs' as industry words and a named company."""

    model_config = ConfigDict(frozen=True)

    text: str  # what the visitor typed after the trigger, for the admin's record
    industry: str  # sanitised industry words: "bakery"
    company: str | None = None  # "Sweet Crumbs": this conversation's only


class ModeDraft(BaseModel):
    """A new mode's fields. Generated text is data for template variables, never
    template source: the prompts are ours, per customer kind."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    industry: Line  # the industry words it was made for: "pet store"
    persona_kind: str  # a registered kind (an archetype): "retail"
    name: Annotated[str, StringConstraints(min_length=1, max_length=80)]
    slug: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
    company_name: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    tagline: Annotated[str, StringConstraints(max_length=200)]
    aliases: tuple[Line, ...]
    primary_color: HexColour
    secondary_color: HexColour
    background_color: HexColour
    surface_color: HexColour
    text_color: HexColour
    catalogue: tuple[CatalogueItem, ...] = Field(max_length=40)  # in dollars
    industry_notes: Annotated[str, StringConstraints(max_length=600)] = ""
    generator: str  # "offline", or the model's name
