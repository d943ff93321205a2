"""The mode for an industry a visitor names: the database is the cache.

A mode that already answers to the industry's words ("pet shop", "pet stores") is
returned as it is. Otherwise one is drafted (by the model when one is configured,
else offline), built, checked and saved with its first prompt version in one
transaction. Two requests racing for the same new industry draft the same slug, so
the database's unique slug lets one row through and the other request returns it.

Sync and blocking (the model's request included): the socket runs it in a worker
thread, off the event loop.
"""

from dataclasses import dataclass

from asgiref.sync import async_to_sync
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from chat import llm
from chat.generation.building import ModeParts, mode_build
from chat.generation.drafts import IndustryRequest, ModeDraft
from chat.generation.matching import mode_best, modes_terms, words
from chat.generation.modelled import draft_modelled
from chat.generation.offline import draft_offline
from chat.models import Mode
from chat.selectors import modes_active
from chat.services import mode_save

# Drafts are written in English, so their customers are too.
DRAFT_LOCALE = "en_US"


@dataclass(frozen=True)
class Conjured:
    mode: Mode
    generated: bool  # False: a mode that was already there covers the industry


class GenerationRefused(Exception):
    """No mode is made; `message` tells the visitor why, and what to do instead."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def mode_conjure(request: IndustryRequest) -> Conjured:
    """The active mode for the request's industry, made and saved if none covers it."""
    modes = list(Mode.objects.all())
    if (found := mode_existing(request.industry, modes)) is not None:
        return Conjured(found, generated=False)
    generated_modes_check()
    taken = modes_terms(modes)
    parts = mode_build(
        mode_draft(request, taken=taken),
        locale=DRAFT_LOCALE,
        request_text=request.text,
        generated_at=timezone.now(),
    )
    parts.mode.slug = slug_free(parts.mode.slug, {mode.slug for mode in modes})
    return mode_store(parts)


def mode_existing(industry: str, modes: list[Mode]) -> Mode | None:
    """The active mode the industry's words name, or the one a retired mode that
    they name was merged into; a retired mode otherwise stays retired."""
    found = words(industry)
    active = {mode.pk: mode for mode in modes if mode.is_active}
    if (mode := mode_best(found, list(active.values()))) is not None:
        return mode
    retired = mode_best(found, [mode for mode in modes if not mode.is_active])
    if retired is None:
        return None
    if retired.merged_into_id in active:
        return active[retired.merged_into_id]
    raise GenerationRefused(
        "mode_retired",
        f"The {retired.name} mode has been retired here; please pick one of the "
        "modes in the menu.",
    )


def generated_modes_check() -> None:
    """Refuse a new mode once the site holds CHAT_GENERATED_MODES_MAX of them."""
    held = Mode.objects.filter(origin=Mode.Origin.GENERATED).count()
    if held >= settings.CHAT_GENERATED_MODES_MAX:
        raise GenerationRefused(
            "generation_full",
            "This demo cannot take on any new industries right now; please pick "
            "one of the modes in the menu.",
        )


def mode_draft(request: IndustryRequest, *, taken: frozenset[str]) -> ModeDraft:
    """The model's draft when a model answers (each bad field the offline draft's),
    else the offline one."""
    offline = draft_offline(request, taken=taken)
    if llm.backend_info().backend != "openai":
        return offline
    return async_to_sync(draft_modelled)(request.industry, offline=offline, taken=taken)


def slug_free(slug: str, used: set[str]) -> str:
    """`slug`, or with the first free number after it when a retired mode holds it:
    the same for every request that sees the same modes, so a race still collides."""
    candidate, number = slug, 1
    while candidate in used:
        number += 1
        candidate = f"{slug}-{number}"
    return candidate


def mode_store(parts: ModeParts) -> Conjured:
    """Save the mode and its first version; a request that lost a race for the slug
    returns the winner's mode."""
    try:
        mode = mode_save(
            mode=parts.mode,
            user=None,
            system_prompt=parts.source,
            greeting=parts.greeting,
        )
    except (IntegrityError, ValidationError):
        winner = modes_active().filter(slug=parts.mode.slug).first()
        if winner is None:
            raise
        return Conjured(winner, generated=False)
    return Conjured(mode, generated=True)
