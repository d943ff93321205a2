"""One channel-layer channel per process hears staff saves for every chat socket, on
the layer in use (in memory, or Redis under make test-pg)."""

import asyncio
import logging

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from chat import selectors
from chat.broadcast import (
    mode_group_name,
    mode_updated_broadcast,
    mode_updated_event,
    modes_changed_broadcast,
)
from chat.conversation import listening
from chat.conversation.gate import FrameQueue
from chat.models import Mode
from tests.chat.socket import (
    REJOIN_SECONDS,
    group_members,
    idle_modes_left,
    mode_read,
    reply_collect,
    send,
    session_create,
    socket_open,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


async def sockets_open(count: int) -> list:
    """`count` sockets of new visitors, each showing the default mode (banking)."""
    return [(await socket_open(await session_create()))[0] for _ in range(count)]


async def save_broadcast(mode: Mode) -> None:
    """What a staff save sends once committed, in any process."""
    await database_sync_to_async(mode_updated_broadcast)(mode)


async def heard(communicator) -> bool:
    """Whether the socket's next frame is a `mode_updated`, or nothing comes."""
    if await communicator.receive_nothing(timeout=0.3):
        return False
    return (await communicator.receive_json_from(timeout=5))["type"] == "mode_updated"


async def trusted_and_heard_after_the_tick(communicator, mode: Mode, wait: float):
    """After `wait` seconds the re-join tick has joined the mode's group again: the
    mode is trusted and a save reaches the socket, which is then closed."""
    await asyncio.sleep(wait)
    assert selectors.mode_watched(mode.pk)
    await save_broadcast(mode)
    assert await heard(communicator)
    await communicator.disconnect()


async def test_the_listener_hears_every_change_of_modes_from_its_start():
    """Its channel is in every process's group once it starts: modes deleted
    elsewhere (which no chat shows) leave the words triggers match."""
    banking = await mode_read("banking")
    (communicator,) = await sockets_open(1)
    assert selectors.mode_watched(selectors.EVERY_MODE)
    words = database_sync_to_async(selectors.modes_to_match)
    kept = await words()
    assert await words() is kept
    await database_sync_to_async(modes_changed_broadcast)()
    # Sent after it, on the same channel: once heard, the change has been handled.
    await get_channel_layer().group_send(
        mode_group_name(banking.pk), mode_updated_event(banking)
    )
    assert await heard(communicator)
    assert await words() is not kept
    await communicator.disconnect()


async def test_sockets_of_a_mode_share_one_channel_in_its_group_until_idle(settings):
    settings.CHAT_GROUP_REJOIN_SECONDS = REJOIN_SECONDS
    banking = await mode_read("banking")
    group = mode_group_name(banking.pk)
    before = await group_members(group)  # channels other tests left in it
    sockets = await sockets_open(3)
    assert await group_members(group) == before + 1
    assert len(listening.listener().inboxes[banking.pk]) == 3
    for communicator in sockets:
        await communicator.disconnect()
    # The last has left, but the group is kept a while, and the mode trusted.
    assert listening.listener().inboxes == {banking.pk: set()}
    assert await group_members(group) == before + 1
    assert selectors.mode_watched(banking.pk)
    await idle_modes_left()
    assert await group_members(group) == before
    assert not selectors.mode_watched(banking.pk)
    assert listening.listener().inboxes == {}


async def test_a_save_reaches_every_socket_of_the_mode_and_only_those():
    banking, insurance = await mode_read("banking"), await mode_read("insurance")
    sockets = await sockets_open(3)
    await send(sockets[2], "chat", text="Presto-Change-O, you're an insurer")
    await reply_collect(sockets[2])  # mode_switch, then the greeting
    await save_broadcast(banking)
    assert [await heard(communicator) for communicator in sockets] == [
        True,
        True,
        False,
    ]
    await save_broadcast(insurance)
    assert [await heard(communicator) for communicator in sockets] == [
        False,
        False,
        True,
    ]
    for communicator in sockets:
        await communicator.disconnect()


async def test_a_socket_switching_modes_moves_to_the_new_modes_group(settings):
    settings.CHAT_GROUP_REJOIN_SECONDS = REJOIN_SECONDS
    banking, insurance = await mode_read("banking"), await mode_read("insurance")
    groups = [mode_group_name(banking.pk), mode_group_name(insurance.pk)]
    before = [await group_members(group) for group in groups]
    communicator, _ = await socket_open(await session_create())
    await send(communicator, "chat", text="Presto-Change-O, you're an insurer")
    await reply_collect(communicator)
    inboxes = listening.listener().inboxes
    assert (inboxes.get(banking.pk), len(inboxes[insurance.pk])) in [
        (set(), 1),  # kept a while
        (None, 1),  # left already, on a slow machine
    ]
    await idle_modes_left()
    assert [await group_members(group) for group in groups] == [
        before[0],
        before[1] + 1,
    ]
    assert not selectors.mode_watched(banking.pk)
    assert selectors.mode_watched(insurance.pk)
    await communicator.disconnect()
    await idle_modes_left()
    assert [await group_members(group) for group in groups] == before


@pytest.mark.parametrize(
    "failure",
    [OSError("the channel layer is down"), RuntimeError("a fault of the layer's")],
)
async def test_a_failed_join_is_retried_by_the_tick_and_only_then_trusted(
    monkeypatch, settings, failure
):
    settings.CHAT_GROUP_REJOIN_SECONDS = 0.2
    layer = get_channel_layer()  # the one the listener uses

    async def layer_down(group, channel):
        raise failure

    monkeypatch.setattr(layer, "group_add", layer_down)
    banking = await mode_read("banking")
    before = await group_members(mode_group_name(banking.pk))
    communicator = (await sockets_open(1))[0]
    await asyncio.sleep(0.3)  # a tick while the layer is still down
    assert not selectors.mode_watched(banking.pk)
    assert await group_members(mode_group_name(banking.pk)) == before
    monkeypatch.undo()
    await trusted_and_heard_after_the_tick(communicator, banking, wait=0.3)


async def test_a_socket_closing_as_a_save_arrives_stops_no_other():
    banking = await mode_read("banking")
    sockets = await sockets_open(3)
    await sockets[1].send_input({"type": "websocket.disconnect", "code": 1000})
    await save_broadcast(banking)  # before the closing socket's consumer has ended
    assert [await heard(sockets[0]), await heard(sockets[2])] == [True, True]
    await sockets[1].wait(timeout=5)
    await save_broadcast(banking)
    assert [await heard(sockets[0]), await heard(sockets[2])] == [True, True]
    for communicator in (sockets[0], sockets[2]):
        await communicator.disconnect()


async def test_a_message_that_fails_is_logged_and_the_next_save_still_arrives(
    caplog,
):
    banking = await mode_read("banking")
    communicator = (await sockets_open(1))[0]
    with caplog.at_level(logging.ERROR, logger="chat.conversation.listening"):
        await get_channel_layer().group_send(
            mode_group_name(banking.pk), {"type": "mode.updated"}
        )
        await save_broadcast(banking)
        assert await heard(communicator)
    assert "A channel-layer message was not handed on" in caplog.text
    await communicator.disconnect()


async def test_a_receive_that_fails_untrusts_every_mode_and_listening_goes_on(
    monkeypatch, settings, caplog
):
    settings.CHAT_GROUP_REJOIN_SECONDS = 0.3
    monkeypatch.setattr(listening, "RECEIVE_RETRY_SECONDS", 0.05)
    layer = get_channel_layer()
    banking = await mode_read("banking")
    communicator = (await sockets_open(1))[0]
    receive, failed = layer.receive, []

    async def receive_failing_once(channel):
        if not failed:
            failed.append(channel)
            raise RuntimeError("a fault of the layer's")
        return await receive(channel)

    # Noted as it happens: the re-join tick trusts the mode again within 0.3 s,
    # which a slow machine can take to get from the failure to an assert.
    untrusted = []

    def unwatch_noted(mode_pk: int) -> None:
        selectors.mode_unwatch(mode_pk)
        untrusted.append(mode_pk)

    monkeypatch.setattr(listening, "mode_unwatch", unwatch_noted)
    monkeypatch.setattr(layer, "receive", receive_failing_once)
    with caplog.at_level(logging.ERROR, logger="chat.conversation.listening"):
        await save_broadcast(banking)  # the receive under way hands it on
        assert await heard(communicator)
        await asyncio.sleep(0.1)  # the next receive fails
    assert failed
    assert "The chat sockets' channel could not be read" in caplog.text
    assert untrusted == [selectors.EVERY_MODE, banking.pk]
    await trusted_and_heard_after_the_tick(communicator, banking, wait=0.4)
    assert selectors.mode_watched(selectors.EVERY_MODE)


async def test_a_mode_shown_again_before_the_tick_needs_no_new_join(monkeypatch):
    banking = await mode_read("banking")
    ear, first, second = listening.listener(), FrameQueue(), FrameQueue()
    await ear.show(first, banking.pk)
    ear.hide(first, banking.pk)
    joins = []

    async def group_add_counted(group, channel):
        joins.append(group)

    monkeypatch.setattr(ear.layer, "group_add", group_add_counted)
    await ear.show(second, banking.pk)
    assert (joins, ear.idle_for(banking.pk)) == ([], 0.0)
    assert selectors.mode_watched(banking.pk)
    ear.hide(second, banking.pk)


async def test_a_leave_cancelled_midway_leaves_the_mode_untrusted(monkeypatch):
    banking = await mode_read("banking")
    ear, inbox = listening.listener(), FrameQueue()
    await ear.show(inbox, banking.pk)
    ear.hide(inbox, banking.pk)
    assert selectors.mode_watched(banking.pk)

    async def group_discard_stuck(group, channel):
        await asyncio.Event().wait()  # a slow Redis, say

    monkeypatch.setattr(ear.layer, "group_discard", group_discard_stuck)
    leaving = asyncio.create_task(ear.leave(banking.pk))
    await asyncio.sleep(0.01)
    leaving.cancel()
    await asyncio.gather(leaving, return_exceptions=True)
    assert not selectors.mode_watched(banking.pk)
    assert banking.pk not in ear.inboxes


async def test_a_socket_showing_a_joined_mode_never_waits_for_a_tick():
    banking = await mode_read("banking")
    ear, first, second = listening.listener(), FrameQueue(), FrameQueue()
    await ear.show(first, banking.pk)
    ear.hide(first, banking.pk)
    async with ear.lock:  # a re-join tick holds it, say on a slow Redis
        await asyncio.wait_for(ear.show(second, banking.pk), timeout=1)
    assert selectors.mode_watched(banking.pk)
    ear.hide(second, banking.pk)


async def test_a_failed_join_is_tried_again_by_the_modes_next_socket(monkeypatch):
    banking = await mode_read("banking")
    ear, first, second = listening.listener(), FrameQueue(), FrameQueue()

    async def layer_down(group, channel):
        raise OSError("the channel layer is down")

    monkeypatch.setattr(ear.layer, "group_add", layer_down)
    await ear.show(first, banking.pk)
    ear.hide(first, banking.pk)
    assert not selectors.mode_watched(banking.pk)
    monkeypatch.undo()
    await ear.show(second, banking.pk)
    assert selectors.mode_watched(banking.pk)
    ear.hide(second, banking.pk)
