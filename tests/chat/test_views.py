import pytest
from django.conf import settings
from django.urls import reverse

from chat.visitors import SEED_KEY

pytestmark = pytest.mark.django_db


def test_chat_page_sets_a_session_cookie_and_loads_the_script(client):
    response = client.get(reverse("chat:page"))
    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME in response.cookies
    assert b'type="module" src="/static/chat/chat.js"' in response.content
    assert b"<script>" not in response.content


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


@pytest.mark.parametrize("seed", ["abc", "-3", "1.5", "", "99999999999", "٣"])
def test_chat_page_invalid_seed_is_ignored_with_a_notice(client, seed):
    response = client.get(reverse("chat:page"), {"seed": seed})
    assert SEED_KEY not in client.session
    assert b'data-testid="seed-notice"' in response.content


def test_chat_page_seed_zero_is_a_seed(client):
    client.get(reverse("chat:page"), {"seed": "0"})
    assert client.session[SEED_KEY] == 0
