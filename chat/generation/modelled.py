"""A mode drafted by the configured model: one structured-output request (a JSON
schema from `DraftReply`), every field then checked on its own.

A field that fails its check is the offline draft's; a reply that is late (past
CHAT_GENERATION_TIMEOUT), refused, not JSON, or any other failure gives the offline
draft whole, and the log says why. The model's words stay data: they fill fields that
templates show as variables, and the slug is never the model's, so two visitors
asking for the same industry at once always collide on one row.
"""

import asyncio
import json
import logging
import re
from typing import Any

from django.conf import settings
from pydantic import BaseModel, ConfigDict, ValidationError

from chat.generation.drafts import ModeDraft
from chat.generation.matching import phrase_term, words
from chat.generation.palettes import Palette, palette_problems
from chat.generation.requests import reads_as_instructions
from chat.llm import ModelError
from chat.llm.openai import structured_reply
from personas.catalogue import catalogue_parse
from personas.registry import kind_names, kinds

logger = logging.getLogger(__name__)

SCHEMA_NAME = "mode_draft"
# Colours judged together, in `Palette`'s order: each may be fine alone and a pair
# of them unreadable.
PALETTE = (
    "primary_color",
    "secondary_color",
    "background_color",
    "surface_color",
    "text_color",
)
# The model's aliases beside the offline ones, at most.
MODEL_ALIASES_MAX = 8
# One line of plain words: no line breaks or control characters in a name.
_ONE_LINE = re.compile(r"^[^\x00-\x1f\x7f]*$")
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


class CatalogueLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    low: float
    high: float


class DraftReply(BaseModel):
    """What the model is asked for: plain types, since the checks are ModeDraft's,
    field by field (a strict schema needs every field, and no others)."""

    model_config = ConfigDict(extra="forbid")

    persona_kind: str
    name: str
    company_name: str
    tagline: str
    aliases: list[str]
    primary_color: str
    secondary_color: str
    background_color: str
    surface_color: str
    text_color: str
    catalogue: list[CatalogueLine]
    industry_notes: str


async def draft_modelled(
    industry: str, *, offline: ModeDraft, taken: frozenset[str]
) -> ModeDraft:
    """The model's draft for `industry`, each bad field `offline`'s; `offline` whole
    when the model fails or is late."""
    try:
        async with asyncio.timeout(settings.CHAT_GENERATION_TIMEOUT):
            text = await structured_reply(
                draft_messages(industry, offline),
                schema_name=SCHEMA_NAME,
                schema=draft_schema(),
            )
        reply = json.loads(text)
    except TimeoutError:
        return _offline_logged(offline, "no reply within CHAT_GENERATION_TIMEOUT")
    except ModelError as exc:  # logged by chat.llm.openai, details and all
        return _offline_logged(offline, exc.code)
    except ValueError:
        return _offline_logged(offline, "the reply is not JSON")
    if not isinstance(reply, dict):
        return _offline_logged(offline, "the reply is not a JSON object")
    return draft_merge(offline, reply, taken=taken, generator=settings.OPENAI_MODEL)


def _offline_logged(offline: ModeDraft, why: str) -> ModeDraft:
    logger.warning("Mode draft for %r is the offline one: %s", offline.industry, why)
    return offline


def draft_schema() -> dict[str, Any]:
    """The JSON schema sent, its customer kinds the ones registered now."""
    schema = DraftReply.model_json_schema()
    schema["properties"]["persona_kind"]["enum"] = list(kind_names())
    return schema


def draft_messages(industry: str, offline: ModeDraft) -> list[dict]:
    """The request: only the sanitised industry words come from the visitor."""
    kinds_text = "; ".join(f"{kind.name}: {kind.fits}" for kind in kinds())
    example = offline.model_dump(include=set(DraftReply.model_fields), mode="json")
    system = (
        "You set up a customer-service demo for a business in a given industry. "
        "Answer with JSON that fits the schema: the customer kind that fits best "
        f"({kinds_text}); a mode name for the industry; an invented, plausible "
        "company name; a short tagline; aliases a visitor might use for this "
        "industry (its plural and close synonyms); a palette of #rrggbb colours "
        "where text is readable on the background, the surface and the primary "
        "colour; up to 12 catalogue items with price ranges in US dollars; and "
        "two or three sentences of industry notes for the assistant. Plain "
        "words only: no instructions, no template syntax."
    )
    user = (
        f"Industry: {industry}\n"
        f"A draft to improve on: {json.dumps(example, ensure_ascii=False)}"
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def draft_merge(
    offline: ModeDraft, reply: dict[str, Any], *, taken: frozenset[str], generator: str
) -> ModeDraft:
    """The offline draft with each of the reply's fields that passes its check."""
    fields = {
        name: value
        for name in DraftReply.model_fields
        if name not in PALETTE
        and (value := _field_checked(offline, name, reply.get(name), taken)) is not None
    }
    palette = {name: reply.get(name) for name in PALETTE}
    if palette_readable(palette):
        fields |= {name: colour.lower() for name, colour in palette.items()}
    if rejected := sorted(set(DraftReply.model_fields) - set(fields)):
        logger.warning(
            "Mode draft for %r: the model's %s failed the checks; the offline "
            "draft's are used",
            offline.industry,
            ", ".join(rejected),
        )
    return offline.model_copy(update=fields | {"generator": generator})


def _field_checked(
    offline: ModeDraft, name: str, value: Any, taken: frozenset[str]
) -> Any:
    """`value` as the draft's field `name` would hold it, or None when it fails."""
    if name == "persona_kind" and value not in kind_names():
        return None
    if name == "aliases":
        value = _aliases_merged(offline.aliases, value, taken)
    if name == "catalogue":
        try:
            value = catalogue_parse(value) if value else None
        except (TypeError, ValueError):
            return None
    if isinstance(value, str) and (
        not _ONE_LINE.fullmatch(value) or reads_as_instructions(value)
    ):
        return None
    if name in ("aliases", "catalogue") and _any_instructions(value):
        return None
    if name == "name" and isinstance(value, str) and phrase_term(value) in taken:
        return None  # a mode answers to its name: never another mode's words
    try:
        checked = ModeDraft.model_validate(offline.model_dump() | {name: value})
    except ValidationError:
        return None
    return getattr(checked, name)


def _any_instructions(value: Any) -> bool:
    """A list's words (aliases, catalogue names) screened like the request."""
    if isinstance(value, tuple | list):
        texts = [v.name if hasattr(v, "name") else v for v in value]
        return any(isinstance(t, str) and reads_as_instructions(t) for t in texts)
    return False


def _aliases_merged(
    offline: tuple[str, ...], value: Any, taken: frozenset[str]
) -> tuple[str, ...] | None:
    """The offline aliases (they keep the cache finding this mode), then the model's
    that no other mode uses, as plain words (a comma would split one in two)."""
    if not isinstance(value, list):
        return None
    spoken = [" ".join(words(alias)) for alias in value if isinstance(alias, str)]
    fresh = [
        alias
        for alias in dict.fromkeys(spoken)
        if alias and alias not in offline and phrase_term(alias) not in taken
    ]
    return (*offline, *fresh[:MODEL_ALIASES_MAX])


def palette_readable(palette: dict[str, Any]) -> bool:
    """Whether every pairing the page uses reads (chat.generation.palettes)."""
    if not all(isinstance(c, str) and _HEX.fullmatch(c) for c in palette.values()):
        return False
    colours = Palette(*(palette[name].lower() for name in PALETTE))
    return not palette_problems(colours)
