import pytest

from chat.conversation.addresses import (
    budget_address,
    request_client_address,
    scope_client_address,
)


@pytest.mark.parametrize(
    ("address", "counted_as"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("2001:db8::1", "2001:db8::/64"),
        ("2001:db8::2", "2001:db8::/64"),
        ("2001:db8::ffff:ffff:ffff:ffff", "2001:db8::/64"),
        ("2001:db8:0:1::1", "2001:db8:0:1::/64"),
        ("2001:DB8:0000::1", "2001:db8::/64"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("fe80::1%eth0", "fe80::/64"),
        ("unknown", "unknown"),
        ("not-an-address" * 10, ("not-an-address" * 10)[:64]),
    ],
)
def test_budget_address_counts_an_ipv6_client_by_its_64(address, counted_as):
    assert budget_address(address) == counted_as


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "counted_as"),
    [
        ("2001:db8::1", "", [], "2001:db8::/64"),
        ("::ffff:192.0.2.1", "", [], "192.0.2.1"),
        # Behind a trusted proxy the forwarded client is counted, by its /64.
        ("::1", "2001:db8:0:1::9", ["::1"], "2001:db8:0:1::/64"),
        ("10.0.0.7", "::ffff:192.0.2.1", ["10.0.0.0/8"], "192.0.2.1"),
        # From an untrusted peer the header is ignored.
        ("2001:db8::1", "198.51.100.1", [], "2001:db8::/64"),
    ],
)
def test_request_and_scope_client_address_are_the_budget_address(
    settings, peer, forwarded, trusted, counted_as
):
    settings.TRUSTED_PROXIES = trusted
    meta = {"REMOTE_ADDR": peer, "HTTP_X_FORWARDED_FOR": forwarded}
    scope = {
        "client": (peer, 443),
        "headers": [(b"x-forwarded-for", forwarded.encode())],
    }
    assert request_client_address(meta) == counted_as
    assert scope_client_address(scope) == counted_as
