"""Tell every open chat in a mode, in every server process, that staff changed it; and
every process, that modes changed (the words triggers match)."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from chat.layers import UNREACHABLE_ERRORS
from chat.models import Mode
from chat.payloads import mode_payload
from chat.selectors import EVERY_MODE

logger = logging.getLogger(__name__)
# Every process's listener is in it: each save of any mode reaches them all, as a
# save of EVERY_MODE (the listener forgets every mode's words).
MODES_GROUP = "modes"
MODES_CHANGED = {"type": "modes.changed", "mode_pk": EVERY_MODE}


def mode_group_name(mode_pk: int) -> str:
    """The channel-layer group of every process with a socket showing this mode (of
    every process, for EVERY_MODE)."""
    return MODES_GROUP if mode_pk == EVERY_MODE else f"mode-{mode_pk}"


def mode_updated_event(mode: Mode) -> dict:
    """The group message saying staff changed `mode`."""
    return {"type": "mode.updated", "mode_pk": mode.pk, "mode": mode_payload(mode)}


def mode_updated_broadcast(mode: Mode) -> None:
    """Send `mode.updated` to the mode's group: each process's listener hands it to
    its sockets showing the mode (chat.conversation.listening), whose consumer's
    `mode_updated` handles it.

    It runs after staff's change is committed, so a channel-layer outage must not fail
    the admin's request: it only costs open pages the live update, and is logged.
    """
    try:
        async_to_sync(get_channel_layer().group_send)(
            mode_group_name(mode.pk), mode_updated_event(mode)
        )
    except UNREACHABLE_ERRORS as exc:
        logger.warning("Open chats in %s missed its update: %s", mode.slug, exc)


def modes_changed_broadcast() -> None:
    """Send `modes.changed` to every process: its listener forgets the words triggers
    match (one listener hears its messages in order, so before a `mode.updated` sent
    after it)."""
    try:
        async_to_sync(get_channel_layer().group_send)(MODES_GROUP, MODES_CHANGED)
    except UNREACHABLE_ERRORS as exc:
        logger.warning("Other processes missed a change of modes: %s", exc)
