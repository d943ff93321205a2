"""Visits: what a socket shows, and the one mode instance a process's visits share."""

from datetime import date

import pytest
from django.contrib.sessions.backends.db import SessionStore

from chat import services
from chat.conversation.visits import visit_open, visit_refresh_mode, visit_start
from chat.models import Mode

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 4)


def test_visits_of_a_mode_share_it_until_staff_change_it():
    first = visit_open(SessionStore(), today=TODAY)
    second = visit_open(SessionStore(), today=TODAY)
    assert first.mode is second.mode
    mode = Mode.objects.get(pk=first.mode.pk)
    mode.name = "Renamed Bank"
    services.mode_save(mode=mode, user=None)
    refreshed = visit_refresh_mode(first)
    assert refreshed.mode.name == "Renamed Bank"
    assert refreshed.mode.company_name == first.mode.company_name
    assert visit_refresh_mode(second).mode is refreshed.mode
    assert visit_open(SessionStore(), today=TODAY).mode is refreshed.mode


def test_visit_started_in_a_mode_read_again_holds_the_shared_one():
    first = visit_open(SessionStore(), today=TODAY)
    again = visit_start(
        SessionStore(), mode=Mode.objects.get(pk=first.mode.pk), customer=first.customer
    )
    assert again.mode is first.mode
    assert again.conversation.mode is first.mode
