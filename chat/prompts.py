"""Render a mode's system prompt and greeting for a customer; lint templates staff edit.

Prompts are Django template syntax rendered by a dedicated engine: autoescape is off
(prompts are plain text, so "O'Brien" stays "O'Brien"), only the tags and filters in
chat.prompt_library exist, and the context is plain dicts, never model instances:
`persona` (the customer, dates as `date` objects) and `mode` (selectors.mode_payload).

Public API:
    render_system_prompt(mode, persona, *, version=None) -> str
        Renders `version`, by default the mode's active one. A caller that records which
        version answered fetches it first (selectors.prompt_active_version) and passes
        it in, so the text and the record cannot disagree after a concurrent edit.
    render_greeting(mode, persona) -> str
    render_source(source, *, mode, persona) -> str  (any source, e.g. an unsaved edit)
    render_checked(source, *, mode, persona) -> (text, problems)  (the admin preview)
    prompt_template_problems(source, persona_kind) -> list[str]  (empty when fine)
    prompt_compile(source) -> Template; prompt_cache_clear()
Rendering raises PromptTemplateError for a template that does not compile or fails to
render, a mode without an active version, or output past MAX_RENDERED_CHARS; the
limits themselves live in chat.prompt_library.
"""

import functools
import re
from datetime import date

from django.template import Context, Engine, Template
from django.template.backends.django import get_installed_libraries
from django.template.base import TokenType
from django.template.library import import_library

from chat.models import Mode, PromptTemplate
from chat.prompt_library import ALLOWED_TAGS, MAX_RENDERED_CHARS, PromptLimitError
from chat.prompt_lint import variable_problems
from chat.selectors import mode_payload, prompt_active_version
from personas import PERSONA_MODELS, generate_persona

# The lint renders each template for these customers too: a filter given the wrong
# type of value fails here, in front of staff, instead of in every reply.
_SAMPLE_SEEDS = (1, 2, 3)
_SAMPLE_AS_OF = date(2026, 1, 15)
# Django's own line and "load this tag" hints; the line goes in front, and prompts
# cannot load tags.
_DJANGO_HINTS = re.compile(r" on line \d+:?| Did you forget to register or load .*$")


class PromptTemplateError(Exception):
    """A prompt template that cannot be rendered; the message says why, for staff."""


class _PromptEngine(Engine):
    """An engine whose only built-ins are the prompt library's tags and filters."""

    default_builtins = ["chat.prompt_library"]


# debug=True only annotates errors with their line; rendering costs the same.
_ENGINE = _PromptEngine(autoescape=False, debug=True, loaders=[])


def render_system_prompt(
    mode: Mode, persona: dict, *, version: PromptTemplate | None = None
) -> str:
    """The system prompt for this customer, from `version` or the active one."""
    version = version or prompt_active_version(mode)
    if version is None:
        raise PromptTemplateError(f"Mode {mode.slug!r} has no active prompt version.")
    return render_source(version.source, mode=mode, persona=persona)


def render_greeting(mode: Mode, persona: dict) -> str:
    """The first assistant message after a switch, addressed to this customer."""
    return render_source(mode.greeting_template, mode=mode, persona=persona)


def render_source(source: str, *, mode: Mode, persona: dict) -> str:
    """Render any template source (saved, or an edit being previewed) for a customer."""
    customer = PERSONA_MODELS[mode.persona_kind].model_validate(persona).model_dump()
    context = Context(
        {"persona": customer, "mode": mode_payload(mode)},
        autoescape=_ENGINE.autoescape,
    )
    template = prompt_compile(source)
    try:
        text = template.render(context)
    except Exception as error:  # a filter given the wrong type, a limit, a recursion…
        raise PromptTemplateError(_render_problem(error)) from error
    if len(text) > MAX_RENDERED_CHARS:
        raise PromptTemplateError(
            f"The rendered text is {len(text):,} characters; "
            f"the limit is {MAX_RENDERED_CHARS:,}."
        )
    return text


def render_checked(source: str, *, mode: Mode, persona: dict) -> tuple[str, list[str]]:
    """Lint, then render: the text, or what is wrong with the template (never both)."""
    if problems := prompt_template_problems(source, mode.persona_kind):
        return "", problems
    try:
        return render_source(source, mode=mode, persona=persona), []
    except PromptTemplateError as error:
        return "", [str(error)]


@functools.lru_cache(maxsize=128)
def prompt_compile(source: str) -> Template:
    """The parsed template, cached by source so every reply does not re-parse it.

    Keyed by the text itself, a saved edit can never be served stale, in any process.
    """
    try:
        return Template(source, engine=_ENGINE)
    except Exception as error:  # a tag's own checks raise more than syntax errors
        raise PromptTemplateError(_syntax_problem(error)) from error


def prompt_cache_clear() -> None:
    """Drop compiled templates; called when a version is saved so old ones go too."""
    prompt_compile.cache_clear()


def prompt_template_problems(source: str, persona_kind: str) -> list[str]:
    """Everything wrong with a template for this persona kind, each with its line.

    Staff see it all before saving, rather than a visitor getting a broken prompt.
    """
    try:
        template = prompt_compile(source)
    except PromptTemplateError as error:
        return [str(error)]
    problems = variable_problems(template.nodelist, persona_kind)
    return problems or _sample_render_problems(source, persona_kind)


def _sample_render_problems(source: str, persona_kind: str) -> list[str]:
    mode = Mode(persona_kind=persona_kind)
    for seed in _SAMPLE_SEEDS:
        try:
            render_source(source, mode=mode, persona=_sample(persona_kind, seed))
        except PromptTemplateError as error:
            return [str(error)]
    return []


@functools.cache
def _sample(persona_kind: str, seed: int) -> dict:
    return generate_persona(persona_kind, seed, as_of=_SAMPLE_AS_OF)


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
