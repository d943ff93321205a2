"""A mode whose customers live in Germany: euros and dates written the German way."""

import pytest
from playwright.sync_api import expect

from personas.formatting import Reader, long_date, money, written_for
from tests.e2e.conftest import manage

SET_BANKING_LOCALE = (
    "from chat.models import Mode; "
    "Mode.objects.filter(slug='banking').update(faker_locale='{}')"
)


@pytest.fixture
def german_bank(site_env):
    """The banking mode with de_DE customers, for this test only."""
    manage(site_env, "shell", "-c", SET_BANKING_LOCALE.format("de_DE"))
    yield
    manage(site_env, "shell", "-c", SET_BANKING_LOCALE.format("en_US"))


def test_german_customer_sees_euros_the_german_way(german_bank, visit_open):
    visit = visit_open().switch("banking")
    switch = visit.last("mode_switch")
    persona = switch["persona"]
    with written_for(Reader("de_DE", "EUR")):
        balance = money(persona["checking_balance"])
        since = long_date(persona["member_since"])

    assert (persona["currency"], switch["mode"]["locale"]) == ("EUR", "de-DE")
    assert balance.endswith("\xa0€") and "," in balance
    expect(visit.testid("checking-balance")).to_have_text(balance)
    expect(visit.page.locator("html")).to_have_attribute("lang", "de-DE")
    expect(visit.page.get_by_text(since).first).to_be_visible()
    visit.say("What's my checking balance?")
    assert visit.last("chat_end")["text"] == f"Your checking balance is {balance}."
    assert visit.console_errors == []
