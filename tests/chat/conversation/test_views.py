import json
import re

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chat.conversation.copy import CHAT_COPY
from chat.conversation.views import seed_parse
from chat.conversation.visits import (
    SEED_KEY,
    Customer,
    visit_open,
    visit_start,
    visitor_key,
)
from chat.models import Mode
from personas import MAX_SEED
from personas.registry import kind_names

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def one_window(settings) -> None:
    """No budget window ends mid-test, which would start every count again."""
    settings.CHAT_RATE_LIMIT_WINDOW_SECONDS = 3600


def test_chat_page_sets_a_session_cookie_and_loads_the_script(client):
    response = client.get(reverse("chat:page"))
    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME in response.cookies
    assert b'type="module" src="/static/chat/chat.js"' in response.content
    assert b"<script>" not in response.content


def test_chat_page_carries_its_copy_as_data_not_script(client):
    content = client.get(reverse("chat:page")).content.decode()
    block = re.search(
        r'<script id="chat-copy" type="application/json">(.*?)</script>', content, re.S
    )
    assert block is not None
    assert json.loads(block.group(1)) == CHAT_COPY


def test_chat_script_reads_only_copy_that_is_declared():
    """Every line chat.js looks up in the copy exists, so none shows as undefined."""
    script = (settings.BASE_DIR / "static" / "chat" / "chat.js").read_text()
    keys = set(re.findall(r'COPY\.(\w+)|say\("(\w+)"', script))
    used = {attribute or said for attribute, said in keys}
    assert used
    assert used - CHAT_COPY.keys() == set()


STATIC_SCRIPTS = settings.BASE_DIR / "static" / "chat"
CARD_SCRIPT = STATIC_SCRIPTS / "card.js"
# Words only the built-in kinds' cards used to carry, beside the kinds' names.
CARD_WORDS = ("checking", "policies", "deductible", "prescriptions")


def test_card_script_reads_only_card_copy_that_is_declared():
    """Every line card.js looks up exists, and every declared one is used."""
    used = set(re.findall(r"COPY\.card\.(\w+)", CARD_SCRIPT.read_text()))
    assert used
    assert used == CHAT_COPY["card"].keys()


DASHBOARD_SCRIPTS = ("charts.js", "dashboard.js")


def test_dashboard_scripts_read_only_dashboard_copy_that_is_declared():
    """Every line the dashboard looks up exists, and every declared one is used."""
    text = "".join((STATIC_SCRIPTS / name).read_text() for name in DASHBOARD_SCRIPTS)
    used = set(re.findall(r"COPY\.dashboard\.(\w+)", text))
    assert used == CHAT_COPY["dashboard"].keys()


@pytest.mark.parametrize("script", sorted(STATIC_SCRIPTS.glob("*.js")), ids=str)
def test_page_scripts_name_no_kind_of_customer(script):
    """The page draws any kind's card and copy from the server, so no script knows
    one: a new kind needs no edit in static/."""
    text = script.read_text().lower()
    words = (*kind_names(), *CARD_WORDS)
    assert [word for word in words if word in text] == []


def test_card_script_holds_no_capitalised_label():
    """The card's words come with the copy; its own strings are classes and keys."""
    script = re.sub(r"^\s*(//|/?\*).*$", "", CARD_SCRIPT.read_text(), flags=re.M)
    literals = re.findall(r'"[^"\n]*"|`[^`]*`|\'[^\'\n]*\'', script)
    labels = [text for text in literals if re.search(r"\b[A-Z][a-z]", text)]
    assert literals
    assert labels == []


def test_chat_page_csp_forbids_inline_script(client):
    csp = client.get(reverse("chat:page"))["Content-Security-Policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert "'self'" in script_src
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-inline'" not in csp


def test_chat_page_seed_pins_the_customer(client):
    response = client.get(reverse("chat:page"), {"seed": "7"})
    assert client.session[SEED_KEY] == 7
    assert b'data-testid="seed-notice"' not in response.content


@pytest.mark.parametrize(
    ("raw", "seed"),
    [
        ("7", 7),
        ("0", 0),
        ("0000000007", 7),
        (str(MAX_SEED), MAX_SEED),
        (str(MAX_SEED + 1), None),
        ("9" * 5000, None),
        ("00000000007", None),
        ("-1", None),
        ("+1", None),
        (" 1", None),
        ("1.5", None),
        ("٣", None),
        ("²", None),
        ("", None),
        (None, None),
    ],
)
def test_seed_parse_accepts_only_a_bounded_whole_number(raw, seed):
    assert seed_parse(raw) == seed


@pytest.mark.parametrize(
    "seed", ["abc", "-3", "1.5", "", "99999999999", "٣", "9" * 5000]
)
def test_chat_page_invalid_seed_is_ignored_with_a_notice(client, seed):
    response = client.get(reverse("chat:page"), {"seed": seed})
    assert SEED_KEY not in client.session
    assert b'data-testid="seed-notice"' in response.content


def test_chat_page_seed_zero_is_a_seed(client):
    client.get(reverse("chat:page"), {"seed": "0"})
    assert client.session[SEED_KEY] == 0


def visitor_with_conversation(seed: int, *, enforce_csrf_checks=False) -> Client:
    """A visitor who already chats with customer #`seed`."""
    client = Client(enforce_csrf_checks=enforce_csrf_checks)
    session = client.session
    session.update({SEED_KEY: seed})
    session.save()
    visit_start(
        visitor_key(session.session_key),
        mode=Mode.objects.get(slug="banking"),
        customer=Customer(seed=seed, as_of=timezone.localdate()),
    )
    return client


def conversation_resumes(client: Client) -> bool:
    """Whether the visitor's next visit resumes their conversation."""
    _, resumed = visit_open(client.session, today=timezone.localdate())
    return resumed


def test_chat_page_other_seed_asks_before_ending_the_conversation():
    client = visitor_with_conversation(3)
    response = client.get(reverse("chat:page"), {"seed": "7"})
    assert client.session[SEED_KEY] == 3
    assert conversation_resumes(client)
    page = response.content.decode()
    assert "Start over with customer #7? Your current conversation will end." in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert f'action="{reverse("chat:seed_pin")}"' in page
    assert (
        f'class="seed-confirm-button seed-confirm-keep" href="{reverse("chat:page")}"'
        in page
    )


def test_chat_page_same_seed_asks_nothing():
    client = visitor_with_conversation(3)
    response = client.get(reverse("chat:page"), {"seed": "3"})
    assert b'data-testid="seed-confirm"' not in response.content
    assert conversation_resumes(client)


def test_seed_pin_starts_over_with_the_seed_and_shows_it():
    client = visitor_with_conversation(3, enforce_csrf_checks=True)
    page = client.get(reverse("chat:page"), {"seed": "7"}).content.decode()
    form = dict(re.findall(r'name="(\w+)" value="([^"]+)"', page))
    assert form["seed"] == "7"
    response = client.post(reverse("chat:seed_pin"), form)
    assert response.status_code == 302
    assert response.url == f"{reverse('chat:page')}?seed=7"
    assert client.session[SEED_KEY] == 7
    assert not conversation_resumes(client)
    page = client.get(response.url)
    assert b'data-testid="seed-confirm"' not in page.content


def test_chat_page_after_a_pin_asks_nothing_of_another_seed():
    """The pinned customer has no conversation yet: another pin ends nothing."""
    client = visitor_with_conversation(3)
    client.post(reverse("chat:seed_pin"), {"seed": "7"})
    response = client.get(reverse("chat:page"), {"seed": "8"})
    assert b'data-testid="seed-confirm"' not in response.content
    assert client.session[SEED_KEY] == 8


@pytest.mark.parametrize("seed", ["abc", str(MAX_SEED + 1), "9" * 5000, ""])
def test_seed_pin_refuses_a_bad_seed_and_keeps_the_conversation(seed):
    client = visitor_with_conversation(3)
    response = client.post(reverse("chat:seed_pin"), {"seed": seed})
    assert response.status_code == 400
    assert client.session[SEED_KEY] == 3
    assert conversation_resumes(client)


def test_seed_pin_needs_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("chat:seed_pin"), {"seed": "7"})
    assert response.status_code == 403
    assert SEED_KEY not in client.session


def test_seed_pin_is_post_only():
    client = visitor_with_conversation(3)
    assert client.get(reverse("chat:seed_pin"), {"seed": "7"}).status_code == 405
    assert conversation_resumes(client)


def fresh_visit(address: str, **headers: str) -> int:
    """The status of a first visit (no cookie) from `address`."""
    return Client(REMOTE_ADDR=address, **headers).get(reverse("chat:page")).status_code


def test_chat_page_caps_new_sessions_per_address(settings):
    settings.CHAT_ADDRESS_SESSIONS_PER_WINDOW = 2
    returning = Client(REMOTE_ADDR="198.51.100.40")
    assert returning.get(reverse("chat:page")).status_code == 200
    assert fresh_visit("198.51.100.40") == 200
    response = Client(REMOTE_ADDR="198.51.100.40").get(reverse("chat:page"))
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= settings.CHAT_RATE_LIMIT_WINDOW_SECONDS
    assert "try again" in response.content.decode()
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    # A visitor who kept their cookie, and other addresses, are not affected.
    assert returning.get(reverse("chat:page")).status_code == 200
    assert fresh_visit("198.51.100.41") == 200


@pytest.mark.parametrize(
    ("trusted", "second_status"), [([], 429), (["198.51.100.50"], 200)]
)
def test_chat_page_session_cap_believes_forwarded_for_only_from_a_proxy(
    settings, trusted, second_status
):
    settings.CHAT_ADDRESS_SESSIONS_PER_WINDOW = 1
    settings.TRUSTED_PROXIES = trusted
    proxy = "198.51.100.50"
    assert fresh_visit(proxy, HTTP_X_FORWARDED_FOR="192.0.2.10") == 200
    assert fresh_visit(proxy, HTTP_X_FORWARDED_FOR="192.0.2.11") == second_status


BOGUS_SESSION = "x" * 32
# A script can set its own CSRF cookie and echo it: the token guards the visitor's
# session, not the server's budget.
SCRIPT_CSRF = "a" * 32


def new_visitor_request(view: str, address: str) -> HttpResponse:
    """`view` by a script with no real session: a bogus cookie, its own CSRF token."""
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR=address)
    client.cookies[settings.SESSION_COOKIE_NAME] = BOGUS_SESSION
    client.cookies[settings.CSRF_COOKIE_NAME] = SCRIPT_CSRF
    if view == "chat:seed_pin":
        form = {"seed": "5", "csrfmiddlewaretoken": SCRIPT_CSRF}
        return client.post(reverse(view), form)
    return client.get(reverse(view), {"seed": "5"})


@pytest.mark.parametrize(
    ("view", "allowed"), [("chat:page", 200), ("chat:seed_pin", 302)]
)
def test_session_cap_counts_bogus_cookies_and_seed_pins(settings, view, allowed):
    settings.CHAT_ADDRESS_SESSIONS_PER_WINDOW = 2
    statuses = [
        new_visitor_request(view, "198.51.100.60").status_code for _ in range(3)
    ]
    assert statuses == [allowed, allowed, 429]
    refused = new_visitor_request(view, "198.51.100.60")
    assert 0 < int(refused["Retry-After"]) <= settings.CHAT_RATE_LIMIT_WINDOW_SECONDS
    assert Session.objects.count() == 2  # the refused ones created none


def test_session_cap_never_refuses_a_returning_visitor(settings):
    settings.CHAT_ADDRESS_SESSIONS_PER_WINDOW = 1
    returning = visitor_with_conversation(3)
    returning.defaults["REMOTE_ADDR"] = "198.51.100.70"
    assert fresh_visit("198.51.100.70") == 200
    assert fresh_visit("198.51.100.70") == 429
    assert returning.get(reverse("chat:page"), {"seed": "3"}).status_code == 200
    assert returning.post(reverse("chat:seed_pin"), {"seed": "7"}).status_code == 302
    assert returning.session[SEED_KEY] == 7


def test_session_cap_counts_an_ipv6_network_as_one_address(settings):
    settings.CHAT_ADDRESS_SESSIONS_PER_WINDOW = 1
    assert fresh_visit("2001:db8::1") == 200
    assert fresh_visit("2001:db8::2") == 429
    assert fresh_visit("2001:db8:0:1::1") == 200
