"""Check every variable a prompt template reads against what the customer has.

The valid names come from the persona's pydantic model (nested list items included)
and from selectors.mode_payload, so the lint cannot drift from the data. A misspelt
`{{ persona.checking_balanse }}` would otherwise render as nothing, silently.
"""

from collections.abc import Iterator

from django.template.base import (
    FilterExpression,
    Node,
    NodeList,
    Variable,
    VariableNode,
)
from django.template.defaulttags import (
    CycleNode,
    FilterNode,
    FirstOfNode,
    ForNode,
    IfNode,
    TemplateLiteral,
    WithNode,
)
from pydantic import BaseModel

from chat.models import Mode
from chat.payloads import mode_payload
from personas import kind_get

# A "shape" is what a name holds: a dict of named fields, a one-item list
# holding the shape of every item, or one of these two markers.
Shape = dict[str, "Shape"] | list["Shape"] | str
_VALUE = "value"  # a str, number or date: nothing to look up inside
_UNCHECKED = "unchecked"  # not known to the lint (e.g. unpacked loop variables)
_CONSTANTS = frozenset({"True", "False", "None"})
_FORLOOP: Shape = {
    **dict.fromkeys(
        ("counter", "counter0", "revcounter", "revcounter0", "first", "last", "length"),
        _VALUE,
    ),
    "parentloop": _UNCHECKED,
}


def variable_problems(nodelist: NodeList, persona_kind: str) -> list[str]:
    """Each unknown variable the template reads, with its line and the valid names."""
    scope = {
        "persona": persona_shape(persona_kind),
        "mode": _payload_shape(),
        "customer_card": _VALUE,  # the customer's card as lines (personas.card)
        "help_articles": _VALUE,  # the turn's matching articles, as lines
    }
    return list(_nodelist_problems(nodelist, scope))


def persona_shape(persona_kind: str) -> Shape:
    """The variables a persona kind offers, read from its registered schema."""
    return _annotation_shape(kind_get(persona_kind).schema)


def _annotation_shape(annotation: object) -> Shape:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        fields = annotation.model_fields.items()
        return {name: _annotation_shape(field.annotation) for name, field in fields}
    if getattr(annotation, "__origin__", None) is list:
        return [_annotation_shape(annotation.__args__[0])]
    return _VALUE


def _payload_shape(payload: object = None) -> Shape:
    """The variables `mode` offers, read from the payload so the two cannot drift."""
    payload = mode_payload(Mode()) if payload is None else payload
    if isinstance(payload, dict):
        return {key: _payload_shape(value) for key, value in payload.items()}
    return _VALUE


def _nodelist_problems(nodelist: NodeList, scope: dict[str, Shape]) -> Iterator[str]:
    # `scope` is shared with `if` branches on purpose: like Django's context, only
    # `for` and `with` open a new level, and `as` names last to the end of the level.
    for node in nodelist:
        for variable in _node_variables(node):
            if problem := _variable_problem(variable, scope):
                yield f"Line {node.token.lineno}: {problem}"
        yield from _children_problems(node, scope)
        if name := getattr(node, "asvar", None) or getattr(node, "variable_name", None):
            scope[name] = _VALUE


def _children_problems(node: Node, scope: dict[str, Shape]) -> Iterator[str]:
    if isinstance(node, ForNode):
        yield from _nodelist_problems(node.nodelist_loop, _loop_scope(node, scope))
        yield from _nodelist_problems(node.nodelist_empty, scope)
    elif isinstance(node, WithNode):
        names = {k: _shape_of(e, scope) for k, e in node.extra_context.items()}
        yield from _nodelist_problems(node.nodelist, {**scope, **names})
    else:
        for attribute in node.child_nodelists:
            yield from _nodelist_problems(getattr(node, attribute, []), scope)


def _loop_scope(node: ForNode, scope: dict[str, Shape]) -> dict[str, Shape]:
    """The names inside a loop body: the item (a row's fields) and `forloop`."""
    sequence = _shape_of(node.sequence, scope)
    item = sequence[0] if isinstance(sequence, list) else _UNCHECKED
    if len(node.loopvars) > 1:
        item = _UNCHECKED
    return {**scope, "forloop": _FORLOOP, **dict.fromkeys(node.loopvars, item)}


def _node_variables(node: Node) -> Iterator[Variable]:
    """The variables a node reads, including variable arguments of its filters."""
    match node:
        case VariableNode():
            expressions = [node.filter_expression]
        case ForNode():
            expressions = [node.sequence]
        case IfNode():
            conditions = (c for c, _ in node.conditions_nodelists)
            expressions = [e for c in conditions for e in _condition_expressions(c)]
        case WithNode():
            expressions = list(node.extra_context.values())
        case FirstOfNode():
            expressions = node.vars
        case CycleNode():
            expressions = node.cyclevars
        case FilterNode():  # its input is the block's own output; only args are read
            yield from _filter_arguments(node.filter_expr)
            return
        case _:
            expressions = []
    for expression in expressions:
        if expression.is_var:
            yield expression.var
        yield from _filter_arguments(expression)


def _filter_arguments(expression: FilterExpression) -> Iterator[Variable]:
    for _, arguments in expression.filters:
        yield from (argument for is_var, argument in arguments if is_var)


def _condition_expressions(condition: object) -> Iterator[FilterExpression]:
    """The operands of an `if` condition; a loop, since `a or b or …` nests deep."""
    pending = [condition]
    while pending:
        operator = pending.pop()
        if isinstance(operator, TemplateLiteral):
            yield operator.value
        elif operator is not None:
            pending += [operator.second, operator.first]


def _shape_of(expression: FilterExpression, scope: dict[str, Shape]) -> Shape:
    """What an expression holds; an unknown name is reported where it is read."""
    if not expression.is_var or expression.var.lookups is None:
        return _VALUE
    try:
        return _resolve(expression.var.lookups, scope)
    except _UnknownVariable:
        return _UNCHECKED


def _variable_problem(variable: Variable, scope: dict[str, Shape]) -> str | None:
    if variable.lookups is None:  # a literal: "text" or 42
        return None
    try:
        _resolve(variable.lookups, scope)
    except _UnknownVariable as unknown:
        return str(unknown)
    return None


class _UnknownVariable(Exception):
    pass


def _resolve(lookups: tuple[str, ...], scope: dict[str, Shape]) -> Shape:
    """Follow a dotted path; where it breaks, raise naming what is valid there."""
    shape: Shape = scope
    for depth, bit in enumerate(lookups):
        if shape == _UNCHECKED:
            return shape
        if depth == 0 and bit in _CONSTANTS:
            shape = _VALUE
        elif isinstance(shape, list) and bit.isdigit():
            shape = shape[0]
        elif isinstance(shape, dict) and bit in shape:
            shape = shape[bit]
        else:
            written, parent = ".".join(lookups), ".".join(lookups[:depth])
            raise _UnknownVariable(
                f"Unknown variable {written}; {_valid(parent, shape)}"
            )
    return shape


def _valid(parent: str, shape: Shape) -> str:
    """What could have been written after `parent`, for the unknown-variable message."""
    if isinstance(shape, list):
        return f"{parent} is a list: loop over it, or pick one item as {parent}.0"
    if not isinstance(shape, dict):
        return f"{parent} is a single value with no fields"
    prefix = f"{parent}." if parent else ""
    return "valid: " + ", ".join(f"{prefix}{name}" for name in shape)
