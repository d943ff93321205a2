"""The serialized forms every room uses: what the page, the prompt templates and the
broadcast to open chats see of a mode."""

import copy

from chat.models import Mode


def mode_payload(mode: Mode) -> dict:
    """The protocol's `mode` object: what the page and the prompt templates see."""
    return {
        "slug": mode.slug,
        "name": mode.name,
        "company_name": mode.company_name,
        "tagline": mode.tagline,
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
