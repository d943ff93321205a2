"""The serialized forms every room uses: what the page, the prompt templates and the
broadcast to open chats see of a mode, and the customer card the page draws."""

import copy

from chat.models import Mode
from personas.card import card_render
from personas.registry import kind_get


def mode_payload(mode: Mode) -> dict:
    """The protocol's `mode` object: what the page and the prompt templates see."""
    return {
        "slug": mode.slug,
        "name": mode.name,
        "company_name": mode.company_name,
        "tagline": mode.tagline,
        "industry_notes": mode.industry_notes,
        "persona_kind": mode.persona_kind,
        # BCP 47 ("de-DE"), what the page's lang and the browser's Intl take.
        "locale": mode.faker_locale.replace("_", "-"),
        "theme": {
            "primary": mode.primary_color,
            "secondary": mode.secondary_color,
            "background": mode.background_color,
            "surface": mode.surface_color,
            "text": mode.text_color,
        },
        **kind_page_copy(mode.persona_kind),
    }


def mode_as_named(mode: Mode, company_name: str) -> Mode:
    """The mode as one conversation shows it, under the company its visitor named
    ("you're a bank called Contoso"): an unsaved copy, so the shared mode is never
    renamed for anyone else."""
    if not company_name:
        return mode
    named = copy.copy(mode)
    named.company_name = company_name
    return named


def kind_page_copy(persona_kind: str) -> dict[str, str]:
    """The page's lines for a kind of customer, so static/ holds no kind's copy.

    An unsaved mode with no kind yet (the lint reads the payload's shape from one)
    has none; a kind nobody registered raises, naming the known kinds.
    """
    if not persona_kind:
        return {"hero": "", "chat_subtitle": ""}
    kind = kind_get(persona_kind)
    return {"hero": kind.hero, "chat_subtitle": kind.chat_subtitle}


def card_payload(mode: Mode, persona: dict) -> dict:
    """The customer card, laid out by the mode's kind and written for the customer
    (docs/protocol.md, "The customer card")."""
    return card_render(kind_get(mode.persona_kind).card, persona)
