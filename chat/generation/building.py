"""Turn a draft into an unsaved Mode with its first prompt and greeting, so the caller
validates (full_clean) and saves them together."""

from datetime import datetime
from typing import NamedTuple

from chat.generation.drafts import ModeDraft
from chat.generation.prompts import greeting_source, system_prompt_source
from chat.models import Mode
from personas.catalogue import Catalogue, catalogue_dump
from personas.sampling import LOCALE_CURRENCIES, locale_check, prices_for

# After the built-in modes (10, 20, 30) in the picker, once staff approve them.
GENERATED_DISPLAY_ORDER = 100


class ModeParts(NamedTuple):
    mode: Mode  # unsaved
    source: str  # the system prompt's template source, version 1
    greeting: str  # the greeting's template source


def mode_build(
    draft: ModeDraft,
    *,
    locale: str = "en_US",
    request_text: str = "",
    generated_at: datetime | None = None,
) -> ModeParts:
    """The mode a draft describes, priced in the locale's currency, not yet saved."""
    locale_check(locale)
    mode = Mode(
        slug=draft.slug,
        name=draft.name,
        company_name=draft.company_name,
        tagline=draft.tagline,
        persona_kind=draft.persona_kind,
        aliases=", ".join(draft.aliases),
        primary_color=draft.primary_color,
        secondary_color=draft.secondary_color,
        background_color=draft.background_color,
        surface_color=draft.surface_color,
        text_color=draft.text_color,
        faker_locale=locale,
        catalogue=catalogue_dump(catalogue_priced(draft.catalogue, locale)),
        industry_notes=draft.industry_notes,
        # None of its own: the archetype kind's default tabs, kept up as they change.
        dashboard_tabs=[],
        origin=Mode.Origin.GENERATED,
        is_approved=False,
        request_text=request_text[: Mode._meta.get_field("request_text").max_length],
        generator=draft.generator,
        generated_at=generated_at,
        display_order=GENERATED_DISPLAY_ORDER,
    )
    kind = draft.persona_kind
    return ModeParts(mode, system_prompt_source(kind), greeting_source(kind))


def catalogue_priced(catalogue: Catalogue, locale: str) -> Catalogue:
    """A dollar catalogue restated in the locale's currency, to its smallest unit."""
    price = prices_for(LOCALE_CURRENCIES[locale])
    return tuple(
        item.model_copy(update={"low": price(item.low), "high": price(item.high)})
        for item in catalogue
    )
