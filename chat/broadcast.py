"""Tell every open chat in a mode, in every server process, that staff changed it."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from chat.layers import UNREACHABLE_ERRORS
from chat.models import Mode
from chat.payloads import mode_payload

logger = logging.getLogger(__name__)


def mode_group_name(mode_pk: int) -> str:
    """The channel-layer group of every process with a socket showing this mode."""
    return f"mode-{mode_pk}"


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
