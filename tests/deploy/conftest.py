"""Production-shaped servers for the deploy tests: Daphne processes on real databases.

One PostgreSQL cluster serves the whole run (each module makes its own database);
Redis and Daphne are started per module, so a module may restart or break them.
Static files are collected once, as `DEBUG` is off as in production.
"""

import os
from collections.abc import Iterator

import pytest

from bench.servers import PostgresServer, servers_missing
from tests.deploy.sites import manage

# Variables of the project that must come from the test, not from the shell.
PROJECT_PREFIXES = ("OPENAI_", "DJANGO_", "DATABASE_", "REDIS_", "CHAT_", "SECURE_")


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    if missing := servers_missing():
        pytest.skip(f"needs {', '.join(missing)} (installed by .ci/system-deps)")
    with PostgresServer() as server:
        yield server


@pytest.fixture(scope="session")
def base_env(tmp_path_factory) -> dict[str, str]:
    """A production-like environment: DEBUG off, collected static files, no model."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(PROJECT_PREFIXES)}
    env |= {
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "ENV_FILE": "",
        "DEBUG": "false",
        "STATIC_ROOT": str(tmp_path_factory.mktemp("static")),
        "OPENAI_API_KEY": "",
        "OPENAI_BASE_URL": "",
        "REDIS_URL": "",
        "PYTHONUNBUFFERED": "1",
    }
    manage(env, "collectstatic", "--no-input", "-v0")
    return env
