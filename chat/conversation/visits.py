"""Whose customer: a visitor's seed and as-of date, kept in their Django session.

The seed is a stable hash of the session key (never Python's salted `hash()`), so a
visitor keeps their customer across reloads, tabs and server processes.

Where they are is the database's: a visit resumes the visitor's latest conversation
(and its mode). A switch writes its conversation and nothing else; the session is
saved only when the customer changes.

The session key is a login: whoever holds it is that visitor, or that staff user. So it
is never stored or shown; conversations carry `visitor_key`, a keyed hash of it.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date

from django.contrib.sessions.backends.base import SessionBase
from django.utils.crypto import salted_hmac

from chat import llm
from chat.conversation import transcripts
from chat.conversation.transcripts import conversation_latest, conversation_start
from chat.dashboard.tabs import dashboard_payload
from chat.models import Conversation, Mode
from chat.payloads import card_payload, mode_as_named, mode_payload
from chat.selectors import mode_shared, modes_active, modes_pickable
from personas import MAX_SEED
from personas.registry import generate_persona

SEED_KEY = "persona_seed"
AS_OF_KEY = "persona_as_of"
VISITOR_KEY_SALT = "chat.visitor"


@dataclass(frozen=True)
class Customer:
    seed: int
    as_of: date


def seed_from_session_key(session_key: str) -> int:
    """A seed that is the same for a session key in every process, every day."""
    digest = hashlib.sha256(session_key.encode()).digest()
    return int.from_bytes(digest[:4], "big") & MAX_SEED


def visitor_key(session_key: str | None) -> str:
    """What stands for a session key at rest: without SECRET_KEY it cannot be undone
    or forged, and it is no cookie; "" for a visitor without a session."""
    if not session_key:
        return ""
    return salted_hmac(VISITOR_KEY_SALT, session_key, algorithm="sha256").hexdigest()


def seed_random() -> int:
    return secrets.randbelow(MAX_SEED)


def visitor_customer(session: SessionBase, *, today: date) -> Customer:
    """The visitor's customer, fixing seed and as-of in the session the first time."""
    seed = session.get(SEED_KEY)
    if seed is None:
        key = session.session_key
        seed = seed_from_session_key(key) if key else seed_random()
        session[SEED_KEY] = seed
    as_of = session.get(AS_OF_KEY)
    if as_of is None:
        as_of = today.isoformat()
        session[AS_OF_KEY] = as_of
    return Customer(seed=seed, as_of=date.fromisoformat(as_of))


def visitor_seed_change_ends_conversation(session: SessionBase, seed: int) -> bool:
    """Whether pinning `seed` would end the conversation the visitor's next visit
    would resume (their latest, with the customer they have now)."""
    current = session.get(SEED_KEY)
    if current is None or current == seed:
        return False
    latest = conversation_latest(visitor_key=visitor_key(session.session_key))
    return latest is not None and latest.seed == current


def visitor_seed_pin(session: SessionBase, seed: int) -> None:
    """Pin the customer to `seed` (the page's `?seed=N`), for a reproducible demo:
    the visitor's conversation with another customer is not resumed."""
    if session.get(SEED_KEY) != seed:
        session[SEED_KEY] = seed


def session_changes_save(session: SessionBase) -> None:
    """Save what changed in the visitor's session (their customer, the first time or
    a new one); a socket without a session has none to save."""
    if session.modified and session.session_key:
        session.save()
        session.modified = False


@dataclass(frozen=True)
class Visit:
    """What one socket is showing: the mode, the customer and the conversation."""

    mode: Mode
    customer: Customer
    persona: dict
    conversation: Conversation

    @property
    def mode_shown(self) -> Mode:
        """The mode as this conversation shows it: under the visitor's company, if
        they named one. Payloads and prompts read this; the database, `mode`."""
        return mode_as_named(self.mode, self.conversation.company_name)


def visit_open(session: SessionBase, *, today: date) -> tuple[Visit, bool]:
    """The visitor's visit, and whether it resumed their latest conversation: it does
    while its mode is active with the same kind of customer, and the customer is
    still theirs; else a new one starts in that mode (or, inactive, the default)."""
    customer = visitor_customer(session, today=today)
    session_changes_save(session)
    key = visitor_key(session.session_key)
    latest = conversation_latest(visitor_key=key)
    active = latest is not None and latest.mode.is_active
    mode = mode_shared(latest.mode if active else _mode_default())
    if latest is not None and _resumes(latest, mode, customer):
        latest.mode = mode  # the one instance its sockets share, not a copy each
        return Visit(mode, customer, latest.persona, latest), True
    return visit_start(key, mode=mode, customer=customer), False


def _resumes(conversation: Conversation, mode: Mode, customer: Customer) -> bool:
    return (conversation.mode_id, conversation.persona_kind, conversation.seed) == (
        mode.pk,
        mode.persona_kind,
        customer.seed,
    )


def _mode_default() -> Mode:
    """Where a new visitor lands: the picker's first mode, not an unapproved generated
    one; any active mode if none is pickable."""
    return modes_pickable().first() or modes_active().first()


def visit_start(
    visitor_key: str, *, mode: Mode, customer: Customer, company_name: str = ""
) -> Visit:
    """A new conversation of the visitor's (`visitor_key`) in `mode`, with the
    customer's persona for that mode, under `company_name` when they named one: from
    now on the one their visits resume."""
    mode = mode_shared(mode)
    persona = generate_persona(
        mode.persona_kind,
        customer.seed,
        as_of=customer.as_of,
        locale=mode.faker_locale,
        catalogue=mode.catalogue,
    )
    conversation = conversation_start(
        visitor_key=visitor_key,
        mode=mode,
        seed=customer.seed,
        as_of=customer.as_of,
        persona=persona,
        company_name=company_name,
    )
    return Visit(mode, customer, persona, conversation)


def visit_new_customer(session: SessionBase, *, visit: Visit) -> Visit:
    """A new customer for this visitor, kept in the session for their next visits."""
    customer = Customer(seed=seed_random(), as_of=visit.customer.as_of)
    started = visit_start(
        visit.conversation.visitor_key, mode=visit.mode, customer=customer
    )
    session[SEED_KEY] = customer.seed
    session_changes_save(session)
    return started


@dataclass(frozen=True)
class VisitOpened:
    visit: Visit
    payload: dict  # the `session` frame's
    resumed: bool  # False when the visit started a new conversation


def visit_open_payload(session: SessionBase, *, today) -> VisitOpened:
    """The socket's visit and its `session` frame, in one trip to the database."""
    transcripts.replies_interrupt_stale_once()
    visit, resumed = visit_open(session, today=today)
    return VisitOpened(visit, session_payload(visit, resumed=resumed), resumed)


def session_payload(visit: Visit, *, resumed: bool) -> dict:
    """The `session` frame: a conversation this visit just started has no messages
    yet, so only a resumed one's are read (two statements a new visitor saves)."""
    info = llm.backend_info()
    messages = (
        transcripts.conversation_messages_payload(conversation=visit.conversation)
        if resumed
        else []
    )
    return {
        "mode": mode_payload(visit.mode_shown),
        "persona": visit.persona,
        "card": card_payload(visit.mode, visit.persona),
        "dashboard": dashboard_payload(visit.mode, visit.persona),
        "modes": [{"slug": m.slug, "name": m.name} for m in modes_pickable()],
        "conversation_id": visit.conversation.pk,
        "messages": messages,
        "llm": {"backend": info.backend, "model": info.model},
    }


def mode_switch_payload(visit: Visit, reason: str) -> dict:
    return {
        "mode": mode_payload(visit.mode_shown),
        "persona": visit.persona,
        "card": card_payload(visit.mode, visit.persona),
        "dashboard": dashboard_payload(visit.mode, visit.persona),
        "conversation_id": visit.conversation.pk,
        "reason": reason,
    }


def mode_updated_payload(visit: Visit) -> dict:
    """What the page redraws after staff changed its mode: the header and the tabs."""
    return {
        "mode": mode_payload(visit.mode_shown),
        "dashboard": dashboard_payload(visit.mode, visit.persona),
    }


def visit_refresh_mode(visit: Visit) -> Visit:
    """The visit with its mode re-read, after staff changed it."""
    mode = mode_shared(Mode.objects.get(pk=visit.mode.pk))
    return Visit(mode, visit.customer, visit.persona, visit.conversation)
