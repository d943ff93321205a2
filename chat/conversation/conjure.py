"""A trigger naming an industry no mode covers: its mode is conjured in a worker
thread (a model's request may take seconds), never on the event loop, and never on the
one database thread every socket of the process shares."""

from channels.db import database_sync_to_async

from chat.conversation.frames import ModeGeneratingPayload
from chat.generation.conjuring import Conjured, mode_conjure
from chat.generation.drafts import IndustryRequest

# mode_switch's reason for a mode made for this visitor's request.
GENERATED = "generated"

mode_conjure_threaded = database_sync_to_async(mode_conjure, thread_sensitive=False)


def mode_generating_payload(request: IndustryRequest) -> dict:
    """What the page shows while it waits: only the sanitised industry words."""
    return ModeGeneratingPayload(requested=request.industry).model_dump()


def conjured_reason(conjured: Conjured) -> str:
    """ "generated" for a new mode; "switch" when one already covered the industry
    (another visitor's, made a moment before)."""
    return GENERATED if conjured.generated else "switch"
