"""Render a mode's system prompt and greeting for a customer; lint templates staff edit.

Prompts are Django template syntax rendered by a dedicated engine: autoescape is off
(prompts are plain text, so "O'Brien" stays "O'Brien"), only the tags and filters in
chat.prompting.library exist, and the context is plain dicts, never model instances:
`persona` (the customer, dates as `date` objects), `mode` (selectors.mode_payload),
`customer_card` (the customer's card as lines) and `help_articles` (the mode's help
articles that match the visitor's message, a title and its steps a line, bounded by
chat.articles; empty outside a chat turn); the money, long_date and clock_time
filters write in the customer's locale and currency.

Public API:
    render_system_prompt(mode, persona, *, version=None, articles=()) -> str
        Renders `version`, by default the mode's active one. A caller that records which
        version answered fetches it first (selectors.prompt_active_version) and passes
        it in, so the text and the record cannot disagree after a concurrent edit.
        `articles` are the turn's (chat.articles.articles_matching).
    render_greeting(mode, persona) -> str
    render_source(source, *, mode, persona, cancelled=None) -> str  (any source, e.g.
        an unsaved edit)
    render_checked(source, *, mode, persona, cancelled=None) -> (text, problems)
        (the admin preview)
    prompt_template_problems(source, persona_kind, *, cancelled=None) -> list[str]
        (empty when fine)
    prompt_compile(source) -> Template; prompt_cache_clear()
    await render_cancellable(render) -> render(cancelled)'s result, from a worker thread
Rendering raises PromptTemplateError for a template that does not compile or fails to
render, a mode without an active version, output past MAX_RENDERED_CHARS, or a render
past its budget of steps or time; the limits themselves live in chat.prompting.library.
Setting `cancelled` (a threading.Event) stops a render under way with
PromptRenderCancelled: a caller that has gone away stops paying for it.
"""

import asyncio
import functools
import re
import threading
from collections.abc import Callable
from datetime import date
from typing import NamedTuple

from asgiref.sync import sync_to_async
from django.template import Context, Engine, Template
from django.template.backends.django import get_installed_libraries
from django.template.base import TokenType
from django.template.library import import_library

from chat.articles import articles_prompt_text
from chat.models import Mode, PromptTemplate
from chat.payloads import mode_payload
from chat.prompting.library import (
    ALLOWED_TAGS,
    MAX_RENDERED_CHARS,
    MAX_SOURCE_CHARS,
    PromptLimitError,
    PromptRenderCancelled,
    render_budget,
)
from chat.prompting.lint import variable_problems
from chat.selectors import prompt_active_version
from personas import (
    SUPPORTED_LOCALES,
    generate_persona,
    kind_get,
    persona_emptied,
    persona_largest_seed,
)
from personas.articles import Article
from personas.card import card_render, card_text
from personas.formatting import Reader, written_for

# The lint renders each template for a spread of customers too: every locale at a
# few seeds, the one with the most list items and one with every list empty. A
# filter given the wrong value, or a loop too big for some customer, fails here, in
# front of staff, instead of in that customer's replies.
_SAMPLE_SEEDS = (1, 2, 3)
_SAMPLE_AS_OF = date(2026, 1, 15)
# Where the largest customer is looked for: every list length shows up well within it.
_LARGEST_AMONG_SEEDS = range(100)
# Django's own line and "load this tag" hints; the line goes in front, and prompts
# cannot load tags.
_DJANGO_HINTS = re.compile(r" on line \d+:?| Did you forget to register or load .*$")


class PromptTemplateError(Exception):
    """A prompt template that cannot be rendered; the message says why, for staff."""


class _PromptEngine(Engine):
    """An engine whose only built-ins are the prompt library's tags and filters."""

    default_builtins = ["chat.prompting.library"]


# debug=True only annotates errors with their line; rendering costs the same.
_ENGINE = _PromptEngine(autoescape=False, debug=True, loaders=[])


def render_system_prompt(
    mode: Mode,
    persona: dict,
    *,
    version: PromptTemplate | None = None,
    articles: tuple[Article, ...] = (),
) -> str:
    """The system prompt for this customer, from `version` or the active one, with
    the help articles that match the visitor's message."""
    return render_source(
        _version_or_active(mode, version).source,
        mode=mode,
        persona=persona,
        articles=articles,
    )


def _version_or_active(mode: Mode, version: PromptTemplate | None) -> PromptTemplate:
    version = version or prompt_active_version(mode)
    if version is None:
        raise PromptTemplateError(f"Mode {mode.slug!r} has no active prompt version.")
    return version


def render_greeting(
    mode: Mode, persona: dict, *, version: PromptTemplate | None = None
) -> str:
    """The first assistant message after a switch, addressed to this customer, from
    `version` or the active one."""
    return render_source(
        _version_or_active(mode, version).greeting, mode=mode, persona=persona
    )


def _customer_card(mode: Mode, customer: dict) -> str:
    """The customer's card as lines, the figures exactly as the page shows them."""
    return card_text(card_render(kind_get(mode.persona_kind).card, customer))


def render_source(
    source: str,
    *,
    mode: Mode,
    persona: dict,
    cancelled: threading.Event | None = None,
    articles: tuple[Article, ...] = (),
) -> str:
    """Render any template source (saved, or an edit being previewed) for a customer."""
    schema = kind_get(mode.persona_kind).schema
    customer = schema.model_validate(persona).model_dump()
    context = Context(
        {
            "persona": customer,
            "mode": mode_payload(mode),
            # A callable: Django calls it only for a template that reads it.
            "customer_card": functools.partial(_customer_card, mode, customer),
            "help_articles": functools.partial(articles_prompt_text, articles),
        },
        autoescape=_ENGINE.autoescape,
    )
    template = prompt_compile(source)
    try:
        with render_budget(cancelled=cancelled), written_for(Reader.of(customer)):
            text = template.render(context)
    except PromptRenderCancelled:
        raise
    except Exception as error:  # a filter given the wrong type, a limit, a recursion…
        raise PromptTemplateError(_render_problem(error)) from error
    if len(text) > MAX_RENDERED_CHARS:
        raise PromptTemplateError(
            f"The rendered text is {len(text):,} characters; "
            f"the limit is {MAX_RENDERED_CHARS:,}."
        )
    return text


def render_checked(
    source: str,
    *,
    mode: Mode,
    persona: dict,
    cancelled: threading.Event | None = None,
) -> tuple[str, list[str]]:
    """Lint, then render: the text, or what is wrong with the template (never both)."""
    if problems := prompt_template_problems(
        source, mode.persona_kind, cancelled=cancelled
    ):
        return "", problems
    try:
        text = render_source(source, mode=mode, persona=persona, cancelled=cancelled)
        return text, []
    except PromptTemplateError as error:
        return "", [str(error)]


async def render_cancellable[T](render: Callable[[threading.Event], T]) -> T:
    """`render(cancelled)` in a worker thread, told to stop if the awaiter is cancelled.

    Cancelling a task cannot stop a thread, so the render's budget watches the event:
    a request Django cancels (its client went away) stops its render within a step.
    A thread of its own, not the shared sync one, so a slow render blocks no one else.
    """
    cancelled = threading.Event()
    try:
        return await sync_to_async(render, thread_sensitive=False)(cancelled)
    except asyncio.CancelledError:
        cancelled.set()
        raise


@functools.lru_cache(maxsize=128)
def prompt_compile(source: str) -> Template:
    """The parsed template, cached by source so every reply does not re-parse it.

    Keyed by the text itself, a saved edit can never be served stale, in any process.
    """
    if len(source) > MAX_SOURCE_CHARS:
        line = source.count("\n", 0, MAX_SOURCE_CHARS) + 1
        raise PromptTemplateError(
            f"Line {line}: The template passes the limit of {MAX_SOURCE_CHARS:,} "
            f"characters here; it is {len(source):,}."
        )
    try:
        return Template(source, engine=_ENGINE)
    except Exception as error:  # a tag's own checks raise more than syntax errors
        raise PromptTemplateError(_syntax_problem(error)) from error


def prompt_cache_clear() -> None:
    """Drop compiled templates; called when a version is saved so old ones go too."""
    prompt_compile.cache_clear()


def prompt_template_problems(
    source: str, persona_kind: str, *, cancelled: threading.Event | None = None
) -> list[str]:
    """Everything wrong with a template for this persona kind, each with its line.

    Staff see it all before saving, rather than a visitor getting a broken prompt.
    """
    try:
        template = prompt_compile(source)
    except PromptTemplateError as error:
        return [str(error)]
    problems = variable_problems(template.nodelist, persona_kind)
    return problems or _sample_render_problems(source, persona_kind, cancelled)


def _sample_render_problems(
    source: str, persona_kind: str, cancelled: threading.Event | None
) -> list[str]:
    """How the template fails for the first sample customer it fails for, named."""
    mode = Mode(persona_kind=persona_kind)
    for sample in _samples(persona_kind):
        try:
            render_source(
                source, mode=mode, persona=sample.persona, cancelled=cancelled
            )
        except PromptTemplateError as error:
            return [f"{error} (rendering for {sample.customer})"]
    return []


class _Sample(NamedTuple):
    customer: str  # who this is, for the problem message
    persona: dict


@functools.cache
def _samples(persona_kind: str) -> tuple[_Sample, ...]:
    """The customers the lint renders for, generated once per process."""
    every_locale = [
        _Sample(f"customer {seed} in {locale}", _sample(persona_kind, seed, locale))
        for seed in _SAMPLE_SEEDS
        for locale in SUPPORTED_LOCALES
    ]
    largest = persona_largest_seed(
        persona_kind, seeds=_LARGEST_AMONG_SEEDS, as_of=_SAMPLE_AS_OF
    )
    persona = _sample(persona_kind, largest, "en_US")
    extremes = [_Sample(f"customer {largest}, the one with the most items", persona)]
    if (emptied := persona_emptied(persona)) != persona:
        extremes.append(_Sample("a customer with every list empty", emptied))
    return (*every_locale, *extremes)


def _sample(persona_kind: str, seed: int, locale: str) -> dict:
    return generate_persona(persona_kind, seed, as_of=_SAMPLE_AS_OF, locale=locale)


def _render_problem(error: Exception) -> str:
    """A render error for staff: where, and what (a limit explains itself)."""
    message = str(error)
    if not isinstance(error, PromptLimitError):
        message = f"Could not render: {message}"
    line = getattr(error, "template_debug", {}).get("line")
    return f"Line {line}: {message}" if line else message


def _syntax_problem(error: Exception) -> str:
    """Django's parse error for staff: the line first, and banned tags named."""
    token = getattr(error, "token", None)
    if token is None:
        return str(error)
    words = token.contents.split() if token.token_type == TokenType.BLOCK else []
    command = words[0] if words else ""
    if command in _django_tag_names() and command not in ALLOWED_TAGS:
        message = (
            f"The {{% {command} %}} tag is not allowed in prompt templates; "
            f"allowed tags: {', '.join(ALLOWED_TAGS)}."
        )
    else:
        message = _DJANGO_HINTS.sub("", str(error))
    return f"Line {token.lineno}: {message}"


@functools.cache
def _django_tag_names() -> frozenset[str]:
    """Every tag Django or an installed app defines: these are banned, not typos."""
    paths = [*Engine.default_builtins, *get_installed_libraries().values()]
    return frozenset(name for path in paths for name in import_library(path).tags)
