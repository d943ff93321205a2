"""The only tags and filters prompt templates get: text logic, bounded, and our formats.

Nothing that loads, links or leaks (`load`, `include`, `extends`, `url`, `debug`,
`csrf_token`…) exists here, so a prompt can only read the customer it is given. Staff
write the templates, so they are trusted not to be malicious but not to be careful:
every way to make a render deep, long, huge or slow from a few bytes of source is
capped.

Each render spends a budget (render_budget): a step per loop iteration and per
FILTER_READ_PER_STEP characters or items a filter reads, up to PROMPT_RENDER_MAX_STEPS,
and PROMPT_RENDER_MAX_MS of the rendering thread's own CPU time (not wall-clock time:
in a process busy with other sockets, a render waiting its turn for the interpreter
must not fail a template that renders in time). Loops and filters charge it as they run,
so a loop over widened strings stops after a few thousand steps, not 10⁸; the same
checks notice a render whose caller has gone away and stop it.
"""

import contextlib
import dataclasses
import functools
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar

from django.conf import settings
from django.template import (
    Context,
    Library,
    Node,
    NodeList,
    TemplateSyntaxError,
    defaultfilters,
    defaulttags,
)
from django.template.base import Parser, Token

from personas.formatting import clock_time, long_date, money

ALLOWED_TAGS = (
    "comment",
    "cycle",
    "filter",
    "firstof",
    "for",
    "if",
    "now",
    "spaceless",
    "verbatim",
    "with",
)
MAX_RENDERED_CHARS = 20_000
# Work outside loops and filters grows with the source; real prompts are ~3,000.
MAX_SOURCE_CHARS = 50_000
# Persona lists are a dozen items at most; two levels already covers every real prompt.
MAX_LOOP_DEPTH = 2
# Django's parser recurses once per open tag; this stays far from Python's limit.
MAX_TAG_DEPTH = 10
# Padding and precision beyond this are never formatting, only a way to blow up.
MAX_FILTER_WIDTH = 200
_WIDTH_FILTERS = frozenset({"center", "floatformat", "ljust", "rjust", "stringformat"})
# Django's filters cost up to ~10 µs per character or item they read (escapeseq,
# urlize, unordered_list); a loop iteration costs a few µs. The deadline covers
# the difference.
FILTER_READ_PER_STEP = 10
# The settings that size a render's budget; a limit error names the one it hit.
STEPS_SETTING = "PROMPT_RENDER_MAX_STEPS"
TIME_SETTING = "PROMPT_RENDER_MAX_MS"


class PromptLimitError(ValueError):
    """A template asked for more than a prompt may be: too wide, long, busy or slow.

    `limit` names the setting that was exceeded, or is None for a fixed limit.
    """

    def __init__(self, message: str, *, limit: str | None = None) -> None:
        super().__init__(message)
        self.limit = limit


class PromptRenderCancelled(Exception):
    """The render's caller gave up (a preview the browser abandoned): stop working."""


@dataclasses.dataclass
class RenderBudget:
    """What one render may still spend; loops and filters charge it as they run."""

    max_steps: int
    max_ms: float
    cancelled: threading.Event | None = None
    steps: int = 0
    chars: int = 0  # loop output so far, see MeteredBody
    started: float = dataclasses.field(default_factory=time.thread_time)

    def charge(self, steps: int) -> None:
        """Spend `steps`; past a limit, or once the caller has gone, stop the render."""
        self.steps += steps
        if self.steps > self.max_steps:
            raise PromptLimitError(
                f"This template does more than {self.max_steps:,} steps of work (a "
                f"step is one loop iteration, or {FILTER_READ_PER_STEP} characters or "
                "items a filter reads). Loop over fewer or shorter values, or raise "
                f"{STEPS_SETTING}.",
                limit=STEPS_SETTING,
            )
        if self.cancelled is not None and self.cancelled.is_set():
            raise PromptRenderCancelled
        if (time.thread_time() - self.started) * 1000 > self.max_ms:
            raise PromptLimitError(
                f"This template took more than {self.max_ms:,g} ms to render. Loop "
                f"over fewer or shorter values, or raise {TIME_SETTING}.",
                limit=TIME_SETTING,
            )


_BUDGET: ContextVar[RenderBudget | None] = ContextVar("prompt_budget", default=None)


@contextlib.contextmanager
def render_budget(
    *, cancelled: threading.Event | None = None
) -> Iterator[RenderBudget]:
    """A fresh budget from the settings for the renders inside this block."""
    budget = RenderBudget(
        max_steps=getattr(settings, STEPS_SETTING),
        max_ms=getattr(settings, TIME_SETTING),
        cancelled=cancelled,
    )
    token = _BUDGET.set(budget)
    try:
        yield budget
    finally:
        _BUDGET.reset(token)


def _current_budget() -> RenderBudget:
    """The budget of the render under way; rendering without one would be unbounded."""
    budget = _BUDGET.get()
    if budget is None:
        raise RuntimeError("Prompt templates render only inside render_budget().")
    return budget


register = Library()


def _depth_bounded(compile_tag: Callable) -> Callable:
    """A tag compiler that refuses to open past MAX_TAG_DEPTH nested tags."""

    @functools.wraps(compile_tag)
    def compile_bounded(parser: Parser, token: Token) -> Node:
        if len(parser.command_stack) > MAX_TAG_DEPTH:
            raise TemplateSyntaxError(
                f"Tags may be nested at most {MAX_TAG_DEPTH} deep."
            )
        return compile_tag(parser, token)

    return compile_bounded


def bounded_for(parser: Parser, token: Token) -> Node:
    """Django's `for`, at most MAX_LOOP_DEPTH deep, its body metered as it renders."""
    depth = sum(command == "for" for command, _ in parser.command_stack)
    if depth > MAX_LOOP_DEPTH:
        raise TemplateSyntaxError(
            f"Loops may be nested at most {MAX_LOOP_DEPTH} deep; this 'for' is "
            f"{depth} deep."
        )
    node = defaulttags.do_for(parser, token)
    body = MeteredBody(node.nodelist_loop)
    body.token, body.origin = token, parser.origin
    node.nodelist_loop = NodeList([body])
    return node


class MeteredBody(Node):
    """A loop body that charges a step per iteration and counts the output so far, so
    a loop stops as soon as either passes its limit rather than after the work."""

    child_nodelists = ("nodelist",)

    def __init__(self, nodelist: NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: Context) -> str:
        budget = _current_budget()
        budget.charge(1)
        spent = budget.chars
        text = self.nodelist.render(context)
        # `text` includes inner loops' output, which they counted from `spent` on.
        spent += len(text)
        if spent > MAX_RENDERED_CHARS:
            raise PromptLimitError(
                f"This loop's output passed the limit of {MAX_RENDERED_CHARS:,} "
                "characters."
            )
        budget.chars = spent
        return text


def _bounded(name: str, template_filter: Callable) -> Callable:
    """A filter charged for what it reads, its widths, joins and result capped."""

    @functools.wraps(template_filter)
    def bounded_filter(value: object, *args: object, **kwargs: object) -> object:
        read = sum(_size(operand) for operand in (value, *args))
        _current_budget().charge(read // FILTER_READ_PER_STEP)
        if name in _WIDTH_FILTERS:
            _check_width(name, args)
        if name == "join":
            _check_join(value, *args)
        result = template_filter(value, *args, **kwargs)
        if isinstance(result, str | list) and len(result) > MAX_RENDERED_CHARS:
            raise PromptLimitError(
                f"The {name} filter made {len(result):,} characters; "
                f"the limit is {MAX_RENDERED_CHARS:,}."
            )
        return result

    return bounded_filter


def _size(operand: object) -> int:
    """How many characters or items a filter has to read from one operand."""
    return len(operand) if isinstance(operand, str | list | tuple | dict) else 0


def _check_join(value: object, separator: object = "") -> None:
    """Refuse a join before it runs: n items joined by n characters make n², in RAM."""
    if not isinstance(value, str | list | tuple):
        return
    joined = sum(len(str(item)) for item in value)
    joined += len(str(separator)) * max(len(value) - 1, 0)
    if joined > MAX_RENDERED_CHARS:
        raise PromptLimitError(
            f"The join filter would make {joined:,} characters; "
            f"the limit is {MAX_RENDERED_CHARS:,}."
        )


def _check_width(name: str, args: tuple) -> None:
    widths = [int(digits) for arg in args for digits in re.findall(r"\d+", str(arg))]
    if any(width > MAX_FILTER_WIDTH for width in widths):
        raise PromptLimitError(
            f"The {name} filter's width is {max(widths):,}; "
            f"the limit is {MAX_FILTER_WIDTH}."
        )


def _forgiving(format_value: Callable[[object], str]) -> Callable[[object], str]:
    """A formatter as a filter that, like Django's own, renders "" for a bad value."""

    def template_filter(value: object) -> str:
        try:
            return format_value(value)
        except (TypeError, ValueError, AttributeError):
            return ""

    return template_filter


_TAGS = {name: defaulttags.register.tags[name] for name in ALLOWED_TAGS}
for _name, _compile in (_TAGS | {"for": bounded_for}).items():
    register.tag(_name, _depth_bounded(_compile))
_FILTERS = {
    **defaultfilters.register.filters,
    "money": _forgiving(money),
    "long_date": _forgiving(long_date),
    "clock_time": _forgiving(clock_time),
}
for _name, _filter in _FILTERS.items():
    register.filter(_name, _bounded(_name, _filter))
