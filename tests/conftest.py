"""Fixtures shared by every test: no test reaches a real model unless it asks to."""

from collections.abc import AsyncIterator, Iterator

import pytest
from django.core.cache import cache
from django.db import connection

from bench.openai_server import OpenAIServer
from chat import selectors
from chat.llm.openai import clients_close


@pytest.fixture(autouse=True)
def offline_model(settings) -> None:
    """The offline model, even when the shell exports OPENAI_API_KEY."""
    settings.OPENAI_API_KEY = ""
    settings.OPENAI_BASE_URL = ""


@pytest.fixture(autouse=True)
def budgets_fresh() -> None:
    """Every test starts with unspent budgets (the cache holds their counters)."""
    cache.clear()


@pytest.fixture(autouse=True)
def process_caches_fresh() -> None:
    """Nothing kept from another test's rows: a flushed database reuses their ids."""
    selectors.modes_forget_all()
    selectors.modes_watched_forget_all()


@pytest.fixture
def openai_server() -> Iterator[OpenAIServer]:
    """A fresh local OpenAI-compatible server; steer it with `server.behaviour`."""
    with OpenAIServer() as server:
        yield server


@pytest.fixture
async def openai_backend(settings, openai_server: OpenAIServer) -> AsyncIterator:
    """Settings pointing chat.llm at `openai_server`, with timeouts short for tests.

    Yields the server; closes the loop's clients afterwards so no pooled
    connection outlives the test.
    """
    settings.OPENAI_BASE_URL = openai_server.base_url
    settings.OPENAI_API_KEY = "test-key"
    settings.OPENAI_MODEL = openai_server.model
    settings.OPENAI_TIMEOUT = 2.0
    settings.OPENAI_FIRST_TOKEN_TIMEOUT = 1.0
    settings.OPENAI_MAX_RETRIES = 1
    yield openai_server
    await clients_close()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker) -> Iterator[None]:
    """The test database, which PostgreSQL refuses to drop while others use it.

    A worker thread of an async test can keep its connection to the end of the run,
    so on PostgreSQL those sessions are ended before the database is dropped.
    """
    yield
    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
