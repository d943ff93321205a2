"""The socket's Origin check, which a wildcard in ALLOWED_HOSTS does not switch off."""

import pytest
from channels.testing import WebsocketCommunicator

from chat.conversation.origins import origin_allowed
from demo_site.asgi import application
from tests.chat.socket import session_create

SITE = "demo.example.com"
ANY_HOST, OUR_HOSTS = ["*"], [SITE, ".presto.example"]
TRUSTED = ["https://admin.example.net", "https://*.partners.example"]

# (case, allowed hosts, Origin, Host, accepted)
ORIGIN_CASES = [
    ("wildcard-hosts-foreign-origin", ANY_HOST, "https://evil.example", SITE, False),
    ("wildcard-hosts-same-origin", ANY_HOST, f"https://{SITE}", SITE, True),
    ("same-origin", OUR_HOSTS, f"https://{SITE}", SITE, True),
    ("same-origin-with-port", OUR_HOSTS, f"http://{SITE}:8000", f"{SITE}:8000", True),
    ("same-origin-other-port", OUR_HOSTS, f"http://{SITE}:8001", f"{SITE}:8000", False),
    ("same-origin-host-case", OUR_HOSTS, f"https://{SITE}", SITE.upper(), True),
    (
        "allowed-subdomain",
        OUR_HOSTS,
        "https://a.presto.example",
        "a.presto.example",
        True,
    ),
    (
        "same-origin-host-not-allowed",
        OUR_HOSTS,
        "https://other.test",
        "other.test",
        False,
    ),
    ("foreign-origin", OUR_HOSTS, "https://evil.example", SITE, False),
    ("lookalike-suffix", OUR_HOSTS, f"https://{SITE}.evil.example", SITE, False),
    ("allowed-but-other-host", OUR_HOSTS, "https://b.presto.example", SITE, False),
    ("trusted-origin", OUR_HOSTS, "https://admin.example.net", SITE, True),
    ("trusted-origin-wrong-scheme", OUR_HOSTS, "http://admin.example.net", SITE, False),
    ("trusted-pattern", OUR_HOSTS, "https://x.partners.example", SITE, True),
    ("trusted-pattern-lookalike", OUR_HOSTS, "https://xpartners.example", SITE, False),
    ("missing-origin", ANY_HOST, None, SITE, False),
    ("missing-host", ANY_HOST, f"https://{SITE}", None, False),
    ("null-origin", ANY_HOST, "null", "null", False),
    ("not-a-url", ANY_HOST, SITE, SITE, False),
    ("broken-url", ANY_HOST, "https://[::1", "[::1", False),
]


@pytest.mark.parametrize(
    ("hosts", "origin", "host", "accepted"),
    [case[1:] for case in ORIGIN_CASES],
    ids=[case[0] for case in ORIGIN_CASES],
)
def test_origin_allowed(hosts, origin, host, accepted):
    allowed = origin_allowed(origin, host, allowed_hosts=hosts, trusted_origins=TRUSTED)
    assert allowed is accepted


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(
    ("origin", "accepted"),
    [(b"https://evil.example", False), (b"http://testserver", True)],
)
async def test_socket_origin_check_holds_with_wildcard_allowed_hosts(
    settings, origin, accepted
):
    settings.ALLOWED_HOSTS = ["*"]
    headers = [
        (b"host", b"testserver"),
        (b"origin", origin),
        (b"cookie", f"sessionid={await session_create()}".encode()),
    ]
    communicator = WebsocketCommunicator(application, "/ws/chat/", headers=headers)
    connected, _ = await communicator.connect()
    assert connected is accepted
    await communicator.disconnect()
