"""Visits: what a socket shows, which conversation a visit resumes, and the one mode
instance a process's visits share."""

from datetime import date

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chat import services
from chat.conversation import transcripts
from chat.conversation.visits import (
    AS_OF_KEY,
    SEED_KEY,
    Customer,
    visit_new_customer,
    visit_open,
    visit_open_payload,
    visit_refresh_mode,
    visit_start,
    visitor_key,
)
from chat.models import Conversation, Mode

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 4)


def visitor_session() -> SessionStore:
    """A visitor's saved session, as the page leaves it for the socket."""
    session = SessionStore()
    session.create()
    return SessionStore(session_key=session.session_key)


def test_visits_of_a_mode_share_it_until_staff_change_it():
    first, _ = visit_open(SessionStore(), today=TODAY)
    second, _ = visit_open(SessionStore(), today=TODAY)
    assert first.mode is second.mode
    mode = Mode.objects.get(pk=first.mode.pk)
    mode.name = "Renamed Bank"
    services.mode_save(mode=mode, user=None)
    refreshed = visit_refresh_mode(first)
    assert refreshed.mode.name == "Renamed Bank"
    assert refreshed.mode.company_name == first.mode.company_name
    assert visit_refresh_mode(second).mode is refreshed.mode
    assert visit_open(SessionStore(), today=TODAY)[0].mode is refreshed.mode


def test_visit_started_in_a_mode_read_again_holds_the_shared_one():
    first, _ = visit_open(SessionStore(), today=TODAY)
    again = visit_start(
        "", mode=Mode.objects.get(pk=first.mode.pk), customer=first.customer
    )
    assert again.mode is first.mode
    assert again.conversation.mode is first.mode


def test_a_visit_resumes_the_visitors_latest_conversation_in_its_mode():
    session = visitor_session()
    first, resumed = visit_open(session, today=TODAY)
    assert not resumed
    insurance = Mode.objects.get(slug="insurance")
    switched = visit_start(
        first.conversation.visitor_key, mode=insurance, customer=first.customer
    )
    again, resumed = visit_open(SessionStore(session.session_key), today=TODAY)
    assert resumed
    assert (again.conversation, again.mode) == (switched.conversation, insurance)
    assert again.persona == switched.persona
    assert again.conversation.mode is again.mode is switched.mode  # shared, no copy


def test_starting_a_conversation_writes_no_session():
    first, _ = visit_open(visitor_session(), today=TODAY)
    healthcare = Mode.objects.get(slug="healthcare")
    with CaptureQueriesContext(connection) as captured:
        visit_start(
            first.conversation.visitor_key, mode=healthcare, customer=first.customer
        )
    written = [q["sql"] for q in captured.captured_queries]
    assert len(written) == 1
    assert written[0].startswith('INSERT INTO "chat_conversation"')


def test_a_new_conversations_session_frame_reads_no_messages():
    """Its messages are none by construction; a resumed one's are read."""
    session = visitor_session()
    transcripts.replies_interrupt_stale_once()  # the process's start-up sweep, done
    with CaptureQueriesContext(connection) as captured:
        opened = visit_open_payload(session, today=TODAY)
    assert not opened.resumed and opened.payload["messages"] == []
    assert not [q for q in captured.captured_queries if "chat_message" in q["sql"]]
    transcripts.message_create_user(conversation=opened.visit.conversation, text="Hi")
    again = visit_open_payload(SessionStore(session.session_key), today=TODAY)
    assert again.resumed
    assert [m["content"] for m in again.payload["messages"]] == ["Hi"]


def test_a_visit_whose_mode_was_deactivated_starts_over_in_the_default_mode():
    session = visitor_session()
    first, _ = visit_open(session, today=TODAY)
    insurance = Mode.objects.get(slug="insurance")
    visit_start(first.conversation.visitor_key, mode=insurance, customer=first.customer)
    insurance.is_active = False
    services.mode_save(mode=insurance, user=None)
    again, resumed = visit_open(SessionStore(session.session_key), today=TODAY)
    assert not resumed
    assert again.mode.slug == first.mode.slug == "banking"


def test_a_new_customer_is_kept_in_the_session_and_its_conversation_resumed():
    session = visitor_session()
    first, _ = visit_open(session, today=TODAY)
    changed = visit_new_customer(session, visit=first)
    assert changed.customer.seed != first.customer.seed
    stored = SessionStore(session.session_key)
    assert stored[SEED_KEY] == changed.customer.seed
    again, resumed = visit_open(stored, today=TODAY)
    assert resumed
    assert again.conversation == changed.conversation


def test_a_visitor_without_a_session_never_resumes_a_conversation():
    """Not even one of the same customer, in the same mode: all blank keys alike."""
    cookieless = visit_start(
        "",
        mode=Mode.objects.get(slug="banking"),
        customer=Customer(seed=7, as_of=TODAY),
    )
    keyless = SessionStore()
    keyless.update({SEED_KEY: 7, AS_OF_KEY: TODAY.isoformat()})
    visit, resumed = visit_open(keyless, today=TODAY)
    assert not resumed
    assert visit.conversation != cookieless.conversation
    assert Conversation.objects.filter(visitor_key=visitor_key(None)).count() == 2
