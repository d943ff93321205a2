"""The backend in use is named by LLM_BACKEND; callers never know which they hold."""

from collections.abc import AsyncIterator

import pytest

from chat import llm
from chat.checks import llm_backend_check
from tests.chat.socket import reply_collect, send, session_create, socket_open


class EchoBackend:
    """A backend of the test's own: proof that the interface is all a backend needs."""

    def info(self) -> llm.BackendInfo:
        return llm.BackendInfo(backend="echo", model="echo-1")

    def reply_stream(self, request: llm.ReplyRequest) -> AsyncIterator[str]:
        question = request.messages[-1]["content"]
        return llm.text_pieces(f"{request.persona_kind} heard: {question}")


ECHO = f"{__name__}.EchoBackend"


@pytest.mark.parametrize(
    ("backend", "base_url", "answers"),
    [
        ("", "", "offline"),
        ("", "http://127.0.0.1:9/v1", "openai"),
        ("chat.llm.offline.OfflineBackend", "http://127.0.0.1:9/v1", "offline"),
        (ECHO, "", "echo"),
    ],
)
def test_backend_is_named_by_the_setting_or_implied_by_the_model_settings(
    settings, backend, base_url, answers
):
    settings.LLM_BACKEND, settings.OPENAI_BASE_URL = backend, base_url
    assert llm.backend_info().backend == answers


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_a_backend_of_our_own_answers_the_socket_unchanged(settings):
    settings.LLM_BACKEND = ECHO
    communicator, session = await socket_open(await session_create())
    assert session["llm"] == {"backend": "echo", "model": "echo-1"}
    await send(communicator, "chat", text="Are you there?")
    end = (await reply_collect(communicator))[-1]
    assert end["payload"]["text"] == "banking heard: Are you there?"
    await communicator.disconnect()


@pytest.mark.parametrize(
    ("backend", "problems"),
    [("", 0), ("chat.llm.offline.OfflineBackend", 0), ("chat.llm.nowhere.Backend", 1)],
)
def test_llm_backend_check_refuses_a_path_that_does_not_import(
    settings, backend, problems
):
    settings.LLM_BACKEND = backend
    errors = llm_backend_check(None)
    assert len(errors) == problems
    assert all("LLM_BACKEND" in error.msg and error.hint for error in errors)
