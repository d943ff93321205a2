"""The two dashboard tools, each declared once as a pydantic model: the OpenAI tool
schema a backend sends, and the check every call gets, come from the same class.

`dataset` and `keys` are enumerations of the customer kind's own names, so the
schema is made per kind. A call is checked and run on its own: one bad call becomes
a `tool_error` for that call, never a failed reply.
"""

import json
import unicodedata
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
    field_validator,
)

from chat.llm import TOOL_ARGUMENTS_MAX_CHARS, ToolCall
from personas import Kind
from personas.figures import (
    CHART_TYPES,
    FigureError,
    Persona,
    chart_compute,
    metrics_compute,
)
from personas.formatting import lower_first

TITLE_MAX_CHARS = 80
METRICS_MAX = 8
# What a reply made only of tool calls says, one line per call's tool.
CAPTIONS = {
    "show_chart": "Here is a chart of your {title}.",
    "show_metrics": "Here are the figures you asked for.",
}


class ShowChart(BaseModel):
    """Draw one of the customer's datasets as a chart on their dashboard."""

    model_config = ConfigDict(extra="forbid")

    dataset: str = Field(description="Which of the customer's datasets to chart.")
    chart_type: Literal[CHART_TYPES] | None = Field(  # type: ignore[valid-type]
        default=None, description="How to draw it; leave out for the usual chart."
    )
    title: str | None = Field(
        default=None, max_length=TITLE_MAX_CHARS, description="A short title."
    )

    @field_validator("title")
    @classmethod
    def _title_plain(cls, title: str | None) -> str | None:
        """The model's title reaches the page and, in a caption, the history: one
        line of printable text, its runs of spaces collapsed."""
        if title is None:
            return None
        if any(unicodedata.category(c)[0] == "C" for c in title if c not in "\t\n"):
            raise ValueError("a title holds only printable characters")
        return " ".join(title.split()) or None


class ShowMetrics(BaseModel):
    """Show some of the customer's key figures as tiles on their dashboard."""

    model_config = ConfigDict(extra="forbid")

    keys: list[str] = Field(
        min_length=1, max_length=METRICS_MAX, description="Which figures to show."
    )


@dataclass(frozen=True)
class ToolOutcome:
    """A call's fate: its result, or the error the page is told (`code`, `message`)."""

    call_id: str
    tool: str
    arguments: dict | str  # as parsed, or the raw text when it was no JSON object
    result: dict | None = None
    error: dict | None = None

    def stored(self) -> dict:
        """As `Message.tool_calls` keeps it."""
        outcome = (
            {"result": self.result} if self.error is None else {"error": self.error}
        )
        return {
            "call_id": self.call_id,
            "tool": self.tool,
            "arguments": self.arguments,
            **outcome,
        }


type KindTools = tuple[Kind, dict[str, type[BaseModel]], tuple[dict, ...]]
# id(kind) -> (kind, its tools, their schemas): a kind registered again under the
# same name (a test's throwaway) gets its own; the kind is kept so its id is never
# reused. Schemas are made once: every turn sends them, and making them takes ~0.5 ms.
_narrowed: dict[int, KindTools] = {}


def _kind_tools(kind: Kind) -> KindTools:
    if (known := _narrowed.get(id(kind))) is None or known[0] is not kind:
        models = _narrow(kind)
        known = _narrowed[id(kind)] = (kind, models, _schemas(models))
    return known


def _kind_models(kind: Kind) -> dict[str, type[BaseModel]]:
    """The tools narrowed to this kind's names, so the schema enumerates them."""
    return _kind_tools(kind)[1]


def _narrow(kind: Kind) -> dict[str, type[BaseModel]]:
    models: dict[str, type[BaseModel]] = {}
    if kind.datasets:
        dataset = Literal[tuple(d.name for d in kind.datasets)]  # type: ignore[valid-type]
        models["show_chart"] = _fields_narrowed(
            ShowChart, "show_chart", dataset=dataset
        )
    if kind.metrics:
        key = Literal[tuple(m.name for m in kind.metrics)]  # type: ignore[valid-type]
        models["show_metrics"] = _fields_narrowed(
            ShowMetrics, "show_metrics", keys=list[key]
        )
    return models


def _fields_narrowed(base: type[BaseModel], name: str, **types: Any) -> type[BaseModel]:
    """`base` with these fields' types narrowed, each keeping its own constraints
    and description."""
    fields = {field: (kind, base.model_fields[field]) for field, kind in types.items()}
    return create_model(name, __base__=base, __doc__=base.__doc__, **fields)


def tool_schemas(kind: Kind) -> tuple[dict, ...]:
    """The OpenAI tool schemas for this kind (none when it has no dashboard)."""
    return _kind_tools(kind)[2]


def _schemas(models: dict[str, type[BaseModel]]) -> tuple[dict, ...]:
    return tuple(
        {
            "type": "function",
            "function": {
                "name": name,
                "description": (model.__doc__ or "").strip(),
                "parameters": model.model_json_schema(),
            },
        }
        for name, model in models.items()
    )


def tool_run(call: ToolCall, *, kind: Kind, persona: Persona) -> ToolOutcome:
    """Check one call against this kind's tools and compute its figures."""
    if len(call.arguments) > TOOL_ARGUMENTS_MAX_CHARS:
        return _refused(
            call,
            "",
            "tool_malformed",
            f"The call's arguments are longer than {TOOL_ARGUMENTS_MAX_CHARS} "
            "characters.",
        )
    try:
        arguments = json.loads(call.arguments or "{}")
    except (ValueError, RecursionError):  # RecursionError: nested too deep to read
        arguments = None
    if not isinstance(arguments, dict):
        return _refused(
            call,
            call.arguments,
            "tool_malformed",
            "The call's arguments are not a JSON object.",
        )
    model = _kind_models(kind).get(call.name)
    if model is None:
        known = ", ".join(_kind_models(kind)) or "none"
        return _refused(
            call,
            arguments,
            "tool_unknown",
            f"There is no tool {call.name[:60]!r}; use one of: {known}.",
        )
    try:
        checked = model.model_validate(arguments)
    except ValidationError as exc:
        return _refused(call, arguments, "tool_invalid", _first_problem(exc))
    try:
        if call.name == "show_chart":
            result = chart_compute(
                kind.datasets,
                checked.dataset,
                persona,
                chart_type=checked.chart_type,
                title=checked.title,
            )
        else:
            result = metrics_compute(kind.metrics, checked.keys, persona)
    except FigureError as exc:
        return _refused(call, arguments, exc.code, str(exc))
    return ToolOutcome(call.call_id, call.name, arguments, result=result)


def _refused(
    call: ToolCall, arguments: dict | str, code: str, message: str
) -> ToolOutcome:
    return ToolOutcome(
        call.call_id, call.name, arguments, error={"code": code, "message": message}
    )


def _first_problem(exc: ValidationError) -> str:
    """The first problem pydantic found, in words the page can show."""
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"]) or "arguments"
    return f"{where}: {error['msg']}"[:200]


def tool_caption(outcomes: list[ToolOutcome]) -> str:
    """The line a reply made only of tool calls says."""
    for outcome in outcomes:
        if outcome.result is not None:
            title = lower_first(outcome.result.get("title", "the chart"))
            return CAPTIONS[outcome.tool].format(title=title)
    return "I couldn't draw that here."
