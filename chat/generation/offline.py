"""Draft a mode from the industry table alone: no model, no network, and the same
request gives the same draft in every process, so a fresh database rebuilds the same
modes."""

import hashlib

from django.utils.text import slugify

from chat.generation.drafts import IndustryRequest, ModeDraft
from chat.generation.industries import Industry, industry_for, plural
from chat.generation.matching import stem, words
from chat.generation.palettes import palette_for
from personas.registry import kind_names

SLUG_MAX = 50
GENERATOR = "offline"


def draft_offline(
    request: IndustryRequest, *, taken: frozenset[str] = frozenset()
) -> ModeDraft:
    """A mode for the request's industry; `taken` are other modes' aliases, kept off
    this one's so it never answers a request meant for them."""
    industry = industry_for(request.industry)
    palette = palette_for(industry.phrase, industry.hue)
    return ModeDraft(
        industry=industry.phrase,
        persona_kind=_registered(industry.kind),
        name=industry.name,
        slug=mode_slug(industry.phrase),
        company_name=company_invent(industry),
        tagline=industry.tagline,
        aliases=mode_aliases(industry, request.industry, taken=taken),
        primary_color=palette.primary,
        secondary_color=palette.secondary,
        background_color=palette.background,
        surface_color=palette.surface,
        text_color=palette.text,
        catalogue=industry.catalogue,
        industry_notes=industry.notes,
        generator=GENERATOR,
    )


def mode_slug(phrase: str) -> str:
    """'pet store' -> 'pet-store'; words with no Latin letters get a stable digest."""
    slug = slugify(phrase)[:SLUG_MAX].strip("-")
    return slug or f"mode-{_digest(phrase):x}"[:SLUG_MAX]


def company_invent(industry: Industry) -> str:
    """A made-up company for the industry: the same one every time it is drafted."""
    names = [
        f"{first} {last}"
        for first in industry.company_firsts
        for last in industry.company_lasts
        if not _words_of(first) & _words_of(last)  # not "Press Room Press"
    ] or [f"{industry.company_firsts[0]} {industry.company_lasts[0]}"]
    return names[_digest(industry.phrase) % len(names)]


def mode_aliases(
    industry: Industry, requested: str, *, taken: frozenset[str] = frozenset()
) -> tuple[str, ...]:
    """The words the mode answers to: the phrase, synonyms, their plurals and what the
    visitor typed, less any another mode already answers to."""
    phrases = (industry.phrase, *industry.synonyms, requested)
    candidates = [form for phrase in phrases for form in (phrase, plural(phrase))]
    blocked = {alias_key(alias) for alias in taken}
    kept = (alias for alias in candidates if alias_key(alias) not in blocked | {()})
    return tuple(dict.fromkeys(kept))


def alias_key(phrase: str) -> tuple[str, ...]:
    """What an alias matches, folded as the trigger folds it: words, articles gone,
    plurals folded."""
    return tuple(stem(word) for word in words(phrase))


def _words_of(name: str) -> set[str]:
    return set(name.casefold().split())


def _registered(kind: str) -> str:
    """The table's kind, or generic while that archetype is not registered."""
    return kind if kind in kind_names() else "generic"


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest())
