from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from chat.visitors import MAX_SEED, visitor_seed_pin


def seed_parse(raw: str | None) -> int | None:
    """The `?seed=N` value as a seed, or None when it is not one."""
    if raw is None or not raw.isascii() or not raw.isdigit():
        return None
    seed = int(raw)
    return seed if seed <= MAX_SEED else None


def chat_page(request: HttpRequest) -> HttpResponse:
    """The chat page; it makes sure the visitor has a session for the socket."""
    raw_seed = request.GET.get("seed")
    seed = seed_parse(raw_seed)
    if seed is not None:
        visitor_seed_pin(request.session, seed)
    if not request.session.session_key:
        request.session.save()
    context = {
        "seed_invalid": raw_seed is not None and seed is None,
        "max_message_chars": settings.CHAT_MAX_MESSAGE_CHARS,
    }
    return render(request, "chat/page.html", context)
