"""Tell every open chat in a mode, in every server process, that staff changed it."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from chat.layers import UNREACHABLE_ERRORS
from chat.models import Mode
from chat.payloads import mode_payload

logger = logging.getLogger(__name__)


def mode_group_name(mode_pk: int) -> str:
    """The channel-layer group every socket showing this mode joins."""
    return f"mode-{mode_pk}"


def mode_updated_broadcast(mode: Mode) -> None:
    """Send `mode.updated` (handled by the consumer's `mode_updated`) to the mode.

    It runs after staff's change is committed, so a channel-layer outage must not fail
    the admin's request: it only costs open pages the live update, and is logged.
    """
    try:
        async_to_sync(get_channel_layer().group_send)(
            mode_group_name(mode.pk),
            {"type": "mode.updated", "mode": mode_payload(mode)},
        )
    except UNREACHABLE_ERRORS as exc:
        logger.warning("Open chats in %s missed its update: %s", mode.slug, exc)
