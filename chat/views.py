from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def chat_page(request: HttpRequest) -> HttpResponse:
    """The chat page; it makes sure the visitor has a session for the socket."""
    if not request.session.session_key:
        request.session.save()
    return render(request, "chat/page.html")
