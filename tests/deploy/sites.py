"""Setting up the servers' databases and reading their logs."""

import sys
from pathlib import Path

from bench.servers import ROOT, command_run
from tests.deploy.clients import STAFF_PASSWORD, STAFF_USERNAME


def manage(env: dict[str, str], *args: str) -> None:
    command_run([sys.executable, "manage.py", *args], cwd=ROOT, env=env)


def database_ready(env: dict[str, str], *, staff: bool = False) -> None:
    """Migrate the database of `env`, and create the staff user if asked."""
    manage(env, "migrate", "--no-input", "-v0")
    if staff:
        env = env | {"DJANGO_SUPERUSER_PASSWORD": STAFF_PASSWORD}
        manage(
            env,
            "createsuperuser",
            "--no-input",
            "--username",
            STAFF_USERNAME,
            "--email",
            "staff@example.com",
        )


def log_since(log: Path, offset: int) -> str:
    """What a server wrote to its log after `offset` bytes."""
    with log.open("rb") as file:
        file.seek(offset)
        return file.read().decode(errors="replace")
