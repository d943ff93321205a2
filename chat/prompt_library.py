"""The only tags and filters prompt templates get: text logic, bounded, and our formats.

Nothing that loads, links or leaks (`load`, `include`, `extends`, `url`, `debug`,
`csrf_token`…) exists here, so a prompt can only read the customer it is given. Staff
write the templates, so they are trusted not to be malicious but not to be careful:
every way to make a render deep, long or huge from a few bytes of source is capped.
"""

import functools
import re
from collections.abc import Callable

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

from chat.formatting import clock_time, long_date, money

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
# Persona lists are a dozen items at most; two levels already covers every real prompt.
MAX_LOOP_DEPTH = 2
# Django's parser recurses once per open tag; this stays far from Python's limit.
MAX_TAG_DEPTH = 10
# Padding and precision beyond this are never formatting, only a way to blow up.
MAX_FILTER_WIDTH = 200
_WIDTH_FILTERS = frozenset({"center", "floatformat", "ljust", "rjust", "stringformat"})
_SPENT = "prompt_library.chars_spent"


class PromptLimitError(ValueError):
    """A template asked for more than a prompt may be: too wide, too long."""


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
    """A loop body that counts what the render has produced so far, so a loop stops
    as soon as the output passes MAX_RENDERED_CHARS rather than after building it."""

    child_nodelists = ("nodelist",)

    def __init__(self, nodelist: NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: Context) -> str:
        spent = context.render_context.get(_SPENT, 0)
        text = self.nodelist.render(context)
        # `text` includes inner loops' output, which they counted from `spent` on.
        spent += len(text)
        if spent > MAX_RENDERED_CHARS:
            raise PromptLimitError(
                f"This loop's output passed the limit of {MAX_RENDERED_CHARS:,} "
                "characters."
            )
        context.render_context[_SPENT] = spent
        return text


def _bounded(name: str, template_filter: Callable) -> Callable:
    """A filter whose width arguments and whose result are capped."""

    @functools.wraps(template_filter)
    def bounded_filter(value: object, *args: object, **kwargs: object) -> object:
        if name in _WIDTH_FILTERS:
            _check_width(name, args)
        result = template_filter(value, *args, **kwargs)
        if isinstance(result, str | list) and len(result) > MAX_RENDERED_CHARS:
            raise PromptLimitError(
                f"The {name} filter made {len(result):,} characters; "
                f"the limit is {MAX_RENDERED_CHARS:,}."
            )
        return result

    return bounded_filter


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
