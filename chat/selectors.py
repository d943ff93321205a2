"""Reads of modes and prompt versions for the consumer, the admin and prompts."""

from django.db.models import QuerySet

from chat.models import Mode, PromptTemplate


def modes_active() -> QuerySet[Mode]:
    """The modes a visitor can switch to, in picker order."""
    return Mode.objects.filter(is_active=True).order_by("display_order", "name")


def mode_get_active(slug: str) -> Mode | None:
    return modes_active().filter(slug=slug).first()


def prompt_active_version(mode: Mode) -> PromptTemplate | None:
    """The version that answers now; replies record it so any answer can be traced."""
    return mode.prompts.filter(is_active=True).first()


def modes_pickable() -> QuerySet[Mode]:
    """The active modes the page offers: a generated one only once staff approve it
    (any active mode stays reachable by its trigger)."""
    return modes_active().exclude(origin=Mode.Origin.GENERATED, is_approved=False)
