import math

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from chat.conversation.addresses import request_client_address
from chat.conversation.copy import CHAT_COPY
from chat.conversation.ratelimit import Action, budgets_spend
from chat.conversation.routing import CHAT_SOCKET_PATH
from chat.conversation.visits import (
    visitor_seed_change_ends_conversation,
    visitor_seed_pin,
)
from personas import MAX_SEED

# No seed has more digits, so a longer string is refused before int() reads it.
SEED_MAX_DIGITS = len(str(MAX_SEED))


def seed_parse(raw: str | None) -> int | None:
    """The `?seed=N` value as a seed, or None when it is not one."""
    if raw is None or len(raw) > SEED_MAX_DIGITS:
        return None
    if not raw.isascii() or not raw.isdigit():
        return None
    seed = int(raw)
    return seed if seed <= MAX_SEED else None


def chat_page(request: HttpRequest) -> HttpResponse:
    """The chat page; it makes sure the visitor has a session for the socket.

    `?seed=N` pins the customer, unless that would end the visitor's conversation
    with another one: then the page asks first (`seed_pin` does it on a yes).
    """
    if refused := sessions_refused(request):
        return refused
    raw_seed = request.GET.get("seed")
    seed = seed_parse(raw_seed)
    seed_to_confirm = None
    if seed is not None and visitor_seed_change_ends_conversation(
        request.session, seed
    ):
        seed_to_confirm = seed
    elif seed is not None:
        visitor_seed_pin(request.session, seed)
    if not request.session.session_key:
        request.session.save()
    context = {
        "seed_invalid": raw_seed is not None and seed is None,
        "seed_to_confirm": seed_to_confirm,
        "max_message_chars": settings.CHAT_MAX_MESSAGE_CHARS,
        "chat_copy": CHAT_COPY,
        "socket_path": CHAT_SOCKET_PATH,
    }
    return render(request, "chat/page.html", context)


def visitor_has_session(session: SessionBase) -> bool:
    """Whether the visitor has a session yet: a cookie naming no session keeps its
    key until the session is loaded, so it is loaded (read) first."""
    session.keys()
    return session.session_key is not None


def sessions_refused(request: HttpRequest) -> HttpResponse | None:
    """A 429 when a visitor without a session comes from an address that started
    too many sessions lately: a fresh cookie per socket must not buy a fresh budget.
    Every view that may create a session asks this first."""
    if visitor_has_session(request.session):
        return None
    address = request_client_address(request.META)
    retry_after = budgets_spend(Action.SESSION, address=address)
    if retry_after is None:
        return None
    seconds = math.ceil(retry_after)
    response = HttpResponse(
        f"Too many new visits from your network; try again in {seconds} seconds.",
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(seconds)
    return response


@require_POST
def seed_pin(request: HttpRequest) -> HttpResponse:
    """The visitor said yes to starting over with customer #N: pin it, then show it."""
    if refused := sessions_refused(request):
        return refused
    seed = seed_parse(request.POST.get("seed"))
    if seed is None:
        return HttpResponseBadRequest(
            f"The seed must be a whole number from 0 to {MAX_SEED}."
        )
    visitor_seed_pin(request.session, seed)
    return redirect(f"{reverse('chat:page')}?seed={seed}")
