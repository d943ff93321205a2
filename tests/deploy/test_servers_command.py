"""`python -m bench.servers run -- ...`, the Makefile's second test run."""

import socket
import subprocess
import sys
from urllib.parse import urlsplit

import pytest

from bench.servers import ROOT, servers_missing

SERVERS_RUN = [sys.executable, "-m", "bench.servers", "run", "--"]
# Writes to both servers (a failure exits with 1), prints their URLs, exits with 3.
CHILD = """
import os, sys, psycopg, redis
with psycopg.connect(os.environ["DATABASE_URL"]) as db:
    db.execute("CREATE TABLE made_by_the_command (n int)")
redis.Redis.from_url(os.environ["REDIS_URL"]).set("made", "by the command")
print(os.environ["DATABASE_URL"], os.environ["REDIS_URL"])
sys.exit(3)
"""


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.skipif(
    bool(servers_missing()), reason="needs PostgreSQL and Redis (.ci/system-deps)"
)
def test_servers_run_gives_the_command_both_servers_and_its_exit_status():
    result = subprocess.run(
        [*SERVERS_RUN, sys.executable, "-c", CHILD],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 3, result.stderr
    database_url, redis_url = result.stdout.splitlines()[-1].split()
    assert urlsplit(database_url).scheme == "postgres"
    ports = [urlsplit(database_url).port, urlsplit(redis_url).port]
    assert not any(port_open(port) for port in ports), "a server is still running"
