"""One client must not hurt the others: each socket, visitor and address has a budget.

chat.conversation.gate meters frames as they arrive; chat.conversation.ratelimit counts
messages, conversations, sockets and sessions per visitor and per client address
(docs/security.md).
"""

import asyncio
import json
import threading

import pytest
from channels.db import database_sync_to_async
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

from bench.servers import free_port
from chat.broadcast import mode_group_name
from chat.conversation import listening
from chat.conversation.addresses import client_address
from chat.conversation.frames import CloseCode
from chat.conversation.gate import FrameQueue, GatedSocket, TokenBucket, open_sockets
from chat.conversation.ratelimit import Action, _count_one, abudgets_spend
from chat.models import Conversation, Mode
from tests.chat.socket import (
    REJOIN_SECONDS,
    group_members,
    idle_modes_left,
    reply_collect,
    send,
    session_create,
    socket_communicator,
    socket_open,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def one_window(settings) -> None:
    """No budget window ends mid-test, which would start every count again."""
    settings.CHAT_RATE_LIMIT_WINDOW_SECONDS = 3600


INVALID = '{"type": "dance"}'


async def outputs_until_close(communicator, limit: int = 200) -> list[dict]:
    """What the server sends until it closes the socket."""
    outputs = []
    for _ in range(limit):
        output = await communicator.receive_output(timeout=5)
        outputs.append(output)
        if output["type"] == "websocket.close":
            return outputs
    raise AssertionError(f"not closed after {limit} outputs")


@database_sync_to_async
def mode_pk(slug: str) -> int:
    return Mode.objects.get(slug=slug).pk


@database_sync_to_async
def conversation_count() -> int:
    return Conversation.objects.count()


def test_token_bucket_refills_at_its_rate_up_to_its_capacity():
    bucket = TokenBucket(rate=2, capacity=4, last=0.0)
    assert [bucket.take(1, 0.0) for _ in range(5)] == [True] * 4 + [False]
    assert bucket.take(1, 0.5) and not bucket.take(1, 0.5)
    assert bucket.take(4, 100.0) and not bucket.take(1, 100.0)


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "client"),
    [
        ("203.0.113.9", "", [], "203.0.113.9"),
        # An untrusted peer's header is the client's own words: ignored.
        ("203.0.113.9", "198.51.100.1", [], "203.0.113.9"),
        ("127.0.0.1", "198.51.100.1", [], "127.0.0.1"),
        ("127.0.0.1", "198.51.100.1", ["127.0.0.1"], "198.51.100.1"),
        # The client wrote the left part; the proxy appended what it saw.
        ("127.0.0.1", "6.6.6.6, 198.51.100.1", ["127.0.0.1"], "198.51.100.1"),
        ("10.1.2.3", "198.51.100.1, 10.0.0.7", ["10.0.0.0/8"], "198.51.100.1"),
        ("127.0.0.1", "", ["127.0.0.1"], "127.0.0.1"),
        ("127.0.0.1", "not-an-address", ["127.0.0.1"], "not-an-address"),
        ("::1", "2001:db8::5", ["::1"], "2001:db8::5"),
    ],
)
def test_client_address_believes_only_trusted_proxies(
    settings, peer, forwarded, trusted, client
):
    settings.TRUSTED_PROXIES = trusted
    assert client_address(peer, forwarded) == client


async def test_frames_faster_than_the_budget_close_with_4029(settings):
    settings.CHAT_SOCKET_FRAMES_PER_SECOND = 2
    settings.CHAT_SOCKET_MAX_INVALID_FRAMES = 1000
    communicator, _ = await socket_open(await session_create())
    for _ in range(20):
        await communicator.send_to(text_data=INVALID)
    outputs = await outputs_until_close(communicator)
    assert outputs[-1] == {"type": "websocket.close", "code": CloseCode.TOO_FAST}
    # The burst (twice the rate) was answered; nothing after it was.
    assert len(outputs) - 1 <= 4


async def test_bytes_faster_than_the_budget_close_with_4029(settings):
    settings.CHAT_SOCKET_BYTES_PER_SECOND = 1000
    settings.CHAT_MAX_FRAME_BYTES = 1000
    settings.CHAT_SOCKET_MAX_INVALID_FRAMES = 1000
    communicator, _ = await socket_open(await session_create())
    for _ in range(4):
        await communicator.send_to(text_data=" " * 900)
    outputs = await outputs_until_close(communicator)
    assert outputs[-1]["code"] == CloseCode.TOO_FAST
    assert len(outputs) - 1 <= 2


async def test_consecutive_invalid_frames_close_with_4022(settings):
    settings.CHAT_SOCKET_MAX_INVALID_FRAMES = 3
    communicator, _ = await socket_open(await session_create())
    for raw in (INVALID, INVALID, '{"type": "clear"}', INVALID, INVALID, INVALID):
        await communicator.send_to(text_data=raw)
    outputs = await outputs_until_close(communicator)
    errors = [
        json.loads(o["text"])["payload"]["code"]
        for o in outputs
        if o["type"] == "websocket.send" and '"type": "error"' in o["text"]
    ]
    # The valid clear in between started the count again.
    assert errors == ["invalid_frame"] * 5
    assert outputs[-1]["code"] == CloseCode.TOO_MANY_INVALID_FRAMES


@pytest.mark.parametrize(
    "abuse",
    [
        pytest.param(("x" * 5000,), id="frame too large"),
        pytest.param((INVALID,) * 30, id="invalid frames"),
        pytest.param(('{"type": "clear"}',) * 30, id="too fast"),
    ],
)
async def test_a_closed_socket_ends_its_tasks_and_leaves_its_group(settings, abuse):
    settings.CHAT_MAX_FRAME_BYTES = 1000
    settings.CHAT_SOCKET_MAX_INVALID_FRAMES = 5
    settings.CHAT_GROUP_REJOIN_SECONDS = REJOIN_SECONDS
    group = mode_group_name(await mode_pk("banking"))
    before = await group_members(group)  # sockets other tests left open
    communicator, session = await socket_open(await session_create())
    assert session["mode"]["slug"] == "banking"
    assert await group_members(group) == before + 1
    for raw in abuse:
        await communicator.send_to(text_data=raw)
    assert (await outputs_until_close(communicator))[-1]["type"] == "websocket.close"
    await communicator.wait(timeout=5)
    assert open_sockets.total() == 0
    assert not any(listening.listener().inboxes.values())  # no inbox is held
    await idle_modes_left()
    assert await group_members(group) == before
    assert listening.listener().inboxes == {}


async def test_frame_queue_hands_frames_over_in_order_when_they_arrive():
    queue = FrameQueue()
    waiting = asyncio.create_task(queue.get())
    await asyncio.sleep(0)
    assert not waiting.done()
    queue.put_nowait({"n": 1})
    queue.put_nowait({"n": 2})
    assert await asyncio.wait_for(waiting, timeout=1) == {"n": 1}
    assert await queue.get() == {"n": 2}


async def test_frame_queue_serves_again_after_a_wait_is_cancelled():
    queue = FrameQueue()
    cancelled = asyncio.create_task(queue.get())
    await asyncio.sleep(0)
    cancelled.cancel()
    await asyncio.gather(cancelled, return_exceptions=True)
    waiting = asyncio.create_task(queue.get())
    await asyncio.sleep(0)
    queue.put_nowait({"n": 3})
    assert await asyncio.wait_for(waiting, timeout=1) == {"n": 3}


def gate_before_an_app_that_never_reads():
    """A gated socket whose app takes nothing from its queue: the gate, what the
    client sends it, what it sends the client, and its running task."""
    arrivals: asyncio.Queue[dict] = asyncio.Queue()
    sent: list[dict] = []

    async def record(message: dict) -> None:
        sent.append(message)

    async def app_that_never_reads(scope, receive, send) -> None:
        await asyncio.sleep(3600)

    gated = GatedSocket(arrivals.get, record)
    running = asyncio.create_task(gated.run(app_that_never_reads, {}))
    return gated, arrivals, sent, running


async def test_a_queue_the_app_does_not_drain_is_bounded(settings):
    """Frames the app has not taken yet are capped, whatever the arrival rate."""
    settings.CHAT_SOCKET_QUEUE_FRAMES = 5
    settings.CHAT_SOCKET_FRAMES_PER_SECOND = 1_000_000
    gated, arrivals, sent, running = gate_before_an_app_that_never_reads()
    for _ in range(100):
        arrivals.put_nowait({"type": "websocket.receive", "text": INVALID})
    await asyncio.sleep(0.1)
    assert sent == [{"type": "websocket.close", "code": CloseCode.TOO_FAST}]
    # What waits is the app's disconnect, nothing the client sent after the bound.
    assert [frame["type"] for frame in gated.queue.frames] == ["websocket.disconnect"]
    running.cancel()


async def test_events_the_listener_puts_in_the_queue_spend_none_of_its_bound(settings):
    settings.CHAT_SOCKET_QUEUE_FRAMES = 2
    settings.CHAT_SOCKET_FRAMES_PER_SECOND = 1_000_000
    gated, arrivals, sent, running = gate_before_an_app_that_never_reads()
    for _ in range(5):
        gated.queue.put_nowait({"type": "mode.updated"})
    for _ in range(2):
        arrivals.put_nowait({"type": "websocket.receive", "text": INVALID})
    await asyncio.sleep(0.1)
    assert (sent, len(gated.queue.frames)) == ([], 7)
    arrivals.put_nowait({"type": "websocket.receive", "text": INVALID})
    await asyncio.sleep(0.1)
    assert sent == [{"type": "websocket.close", "code": CloseCode.TOO_FAST}]
    running.cancel()


async def test_sockets_open_at_once_per_address_are_capped(settings):
    settings.CHAT_ADDRESS_OPEN_SOCKETS = 2
    key = await session_create()
    sockets = [(await socket_open(key, client="198.51.100.7"))[0] for _ in range(2)]
    refused = socket_communicator(key, client="198.51.100.7")
    assert (await refused.connect())[0]
    assert await refused.receive_output(timeout=5) == {
        "type": "websocket.close",
        "code": CloseCode.TOO_MANY_SOCKETS,
    }
    await refused.disconnect()  # the client goes, as a browser would
    other, _ = await socket_open(key, client="198.51.100.8")
    await sockets.pop().disconnect()
    again, _ = await socket_open(key, client="198.51.100.7")
    for communicator in (*sockets, other, again):
        await communicator.disconnect()


async def test_sockets_arriving_together_are_capped_too(settings):
    settings.CHAT_ADDRESS_OPEN_SOCKETS = 2
    key = await session_create()
    sockets = [socket_communicator(key, client="198.51.100.10") for _ in range(6)]
    await asyncio.gather(*(communicator.connect() for communicator in sockets))
    first = await asyncio.gather(
        *(communicator.receive_output(timeout=5) for communicator in sockets)
    )
    refused = [output for output in first if output["type"] == "websocket.close"]
    assert len(refused) == 4
    assert {output["code"] for output in refused} == {CloseCode.TOO_MANY_SOCKETS}
    for communicator in sockets:
        await communicator.disconnect()


async def test_a_reconnect_storm_spends_the_address_budget(settings):
    settings.CHAT_ADDRESS_CONNECTIONS_PER_WINDOW = 3
    for _ in range(3):
        communicator, _ = await socket_open(client="198.51.100.9")
        await communicator.disconnect()
    refused = socket_communicator(await session_create(), client="198.51.100.9")
    await refused.connect()
    assert (await refused.receive_output(timeout=5))["code"] == (
        CloseCode.TOO_MANY_SOCKETS
    )


def test_a_counter_is_made_at_its_first_count_and_made_again_once_culled():
    """On this run's cache (local memory, or Redis with `make test-pg`)."""
    key = "chat-rate:message:counted:0"
    cache.delete(key)
    counts = [_count_one(key, timeout=60) for _ in range(3)]
    cache.delete(key)  # as a full cache culls it
    counts += [_count_one(key, timeout=60) for _ in range(2)]
    assert counts == [1, 2, 3, 1, 2]


# The threads each cache backend below was called in.
cache_threads: list[int] = []


class ThreadNoting:
    """A cache noting the thread of each call a count makes."""

    def incr(self, *args, **kwargs):
        cache_threads.append(threading.get_ident())
        return super().incr(*args, **kwargs)

    def add(self, *args, **kwargs):
        cache_threads.append(threading.get_ident())
        return super().add(*args, **kwargs)


class ThreadNotingLocMemCache(ThreadNoting, LocMemCache):
    pass


class ThreadNotingRedisCache(ThreadNoting, RedisCache):
    pass


@pytest.mark.parametrize(
    ("backend", "location", "in_loop"),
    [
        (ThreadNotingLocMemCache, "budgets", True),
        (ThreadNotingRedisCache, "redis://127.0.0.1:{port}/0", False),
    ],
)
async def test_budgets_are_counted_in_the_loop_only_when_the_cache_is_in_process(
    settings, backend, location, in_loop
):
    """A local-memory count costs less than a thread hop; a network one must not
    hold the event loop (the Redis here is unreachable: counted as let through)."""
    settings.CACHES = {
        "default": {
            "BACKEND": f"{backend.__module__}.{backend.__qualname__}",
            "LOCATION": location.format(port=free_port()),
        }
    }
    cache_threads.clear()

    wait = await abudgets_spend(Action.CONNECTION, address="192.0.2.7")

    assert wait is None
    assert cache_threads and all(
        (thread == threading.get_ident()) is in_loop for thread in cache_threads
    )


async def test_forwarded_for_from_an_untrusted_peer_buys_no_fresh_budget(settings):
    settings.CHAT_ADDRESS_CONNECTIONS_PER_WINDOW = 2
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    for fake in ("192.0.2.1", "192.0.2.2"):
        communicator, _ = await socket_open(
            client="203.0.113.5", headers=((b"x-forwarded-for", fake.encode()),)
        )
        await communicator.disconnect()
    refused = socket_communicator(
        client="203.0.113.5", headers=((b"x-forwarded-for", b"192.0.2.3"),)
    )
    await refused.connect()
    assert (await refused.receive_output(timeout=5))["code"] == (
        CloseCode.TOO_MANY_SOCKETS
    )
    # Behind the trusted proxy, each forwarded client has a budget of its own.
    for client in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
        communicator, _ = await socket_open(
            client="127.0.0.1", headers=((b"x-forwarded-for", client.encode()),)
        )
        await communicator.disconnect()


async def chat_code(communicator) -> str:
    """Send a message; what came back first (the reply's end, or an error code)."""
    await send(communicator, "chat", text="What's my checking balance?")
    frames = await reply_collect(communicator)
    return frames[-1]["type"] if len(frames) > 1 else frames[0]["payload"]["code"]


async def test_cookieless_sockets_share_their_addresss_visitor_budget(settings):
    settings.CHAT_RATE_LIMIT_MESSAGES = 2
    first, _ = await socket_open(client="198.51.100.20")
    assert [await chat_code(first) for _ in range(2)] == ["chat_end"] * 2
    second, _ = await socket_open(client="198.51.100.20")
    assert await chat_code(second) == "rate_limited"
    elsewhere, _ = await socket_open(client="198.51.100.21")
    assert await chat_code(elsewhere) == "chat_end"
    for communicator in (first, second, elsewhere):
        await communicator.disconnect()


async def test_fresh_sessions_from_one_address_share_its_message_budget(settings):
    settings.CHAT_ADDRESS_MESSAGES_PER_WINDOW = 3
    codes = []
    for _ in range(4):
        communicator, _ = await socket_open(
            await session_create(), client="198.51.100.30"
        )
        codes.append(await chat_code(communicator))
        await communicator.disconnect()
    assert codes == ["chat_end"] * 3 + ["rate_limited"]


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "clear"},
        {"type": "new_persona"},
        {"type": "switch_mode", "payload": {"mode": "insurance"}},
    ],
)
async def test_every_new_conversation_counts_against_the_visitor(settings, frame):
    settings.CHAT_CONVERSATIONS_PER_WINDOW = 3  # the first visit is one
    communicator, session = await socket_open(await session_create())
    for _ in range(2):
        await communicator.send_json_to(frame)
        switch = await communicator.receive_json_from(timeout=5)
        assert switch["type"] == "mode_switch"
        await reply_collect(communicator)
    before = await conversation_count()
    await communicator.send_json_to(frame)
    refused = await communicator.receive_json_from(timeout=5)
    assert refused["payload"]["code"] == "rate_limited"
    assert refused["payload"]["retry_after"] > 0
    assert await conversation_count() == before
    assert await communicator.receive_nothing(timeout=0.1)
    await communicator.disconnect()


async def test_a_trigger_phrase_counts_as_a_new_conversation(settings):
    settings.CHAT_CONVERSATIONS_PER_WINDOW = 1
    communicator, _ = await socket_open(await session_create())
    before = await conversation_count()
    await send(communicator, "chat", text="Presto-Change-O, you're an insurer")
    refused = await communicator.receive_json_from(timeout=5)
    assert refused["payload"]["code"] == "rate_limited"
    assert await conversation_count() == before
    await communicator.disconnect()


async def test_unknown_modes_count_as_invalid_frames(settings):
    """Each costs a query, so a stream of them is closed like any invalid frame."""
    settings.CHAT_SOCKET_MAX_INVALID_FRAMES = 3
    communicator, _ = await socket_open(await session_create())
    for _ in range(3):
        await communicator.send_json_to(
            {"type": "switch_mode", "payload": {"mode": "no-such-mode"}}
        )
    outputs = await outputs_until_close(communicator)
    assert outputs[-1]["code"] == CloseCode.TOO_MANY_INVALID_FRAMES
    codes = [json.loads(o["text"])["payload"]["code"] for o in outputs[:-1]]
    assert codes == ["unknown_mode"] * 3
