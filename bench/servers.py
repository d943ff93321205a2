"""Real PostgreSQL, Redis and Daphne servers on free local ports, for tests and make.

Each server is a context manager that starts on enter and stops cleanly on exit::

    with PostgresServer() as db, RedisServer() as redis:
        env = {"DATABASE_URL": db.url, "REDIS_URL": redis.url}

From the Makefile, run a command against fresh servers (their URLs exported to it);
the exit status is the command's::

    python -m bench.servers run -- python -m pytest

PostgreSQL refuses to run as root, so as root it runs as the `postgres` system user
(through runuser), with its data and socket in a temporary folder that user owns.
"""

import argparse
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Self

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
POSTGRES_USER = "postgres"
INITDB_OPTIONS = ["--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"]
# Local connections only; durability is worthless for a throwaway cluster, speed not.
POSTGRES_OPTIONS = (
    "-c listen_addresses=127.0.0.1 "
    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
)
# Local connections only, and nothing kept on disk.
REDIS_OPTIONS = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_wait(port: int, *, up: bool = True, timeout: float = 30.0) -> None:
    """Wait until something listens on `port` (or, with up=False, nothing does)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.2)
            if (sock.connect_ex(("127.0.0.1", port)) == 0) == up:
                return
        time.sleep(0.05)
    raise TimeoutError(f"port {port} still {'closed' if up else 'open'}")


def postgres_bin(name: str) -> Path | None:
    """A PostgreSQL program of the newest version installed (Debian's layout)."""
    found = Path("/usr/lib/postgresql").glob(f"*/bin/{name}")
    newest = sorted(found, key=lambda path: int(path.parts[-3]), reverse=True)
    return newest[0] if newest else None


def servers_missing() -> list[str]:
    """The programs PostgresServer and RedisServer need that are not installed."""
    missing = [name for name in ("initdb", "pg_ctl", "psql") if not postgres_bin(name)]
    return missing + ([] if shutil.which("redis-server") else ["redis-server"])


def command_run(command: list, **kwargs) -> None:
    """Run a server's control command; a failure raises with what it printed."""
    result = subprocess.run(
        list(map(str, command)), capture_output=True, text=True, timeout=60, **kwargs
    )
    if result.returncode:
        raise RuntimeError(f"{command[0]} failed: {result.stdout}{result.stderr}")


class PostgresServer:
    """A throwaway PostgreSQL cluster; `url` connects as its superuser, `postgres`."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="presto-pg-"))
        self.data = self.dir / "data"
        root = os.geteuid() == 0
        self.as_owner = ["runuser", "-u", POSTGRES_USER, "--"] if root else []

    @property
    def url(self) -> str:
        return self.database_url(POSTGRES_USER)

    def database_url(self, name: str) -> str:
        return f"postgres://{POSTGRES_USER}@127.0.0.1:{self.port}/{name}"

    def start(self) -> Self:
        if self.as_owner:
            shutil.chown(self.dir, user=POSTGRES_USER, group=POSTGRES_USER)
        self.run("initdb", "-D", self.data, "-U", POSTGRES_USER, *INITDB_OPTIONS)
        options = f"-p {self.port} -k {self.dir} {POSTGRES_OPTIONS}"
        log = self.dir / "log"
        self.run("pg_ctl", "start", "-w", "-D", self.data, "-l", log, "-o", options)
        return self

    def stop(self) -> None:
        """Stop the cluster (a fast shutdown ends open sessions) and delete it."""
        if (self.data / "postmaster.pid").exists():
            self.run("pg_ctl", "stop", "-w", "-m", "fast", "-D", self.data)
        shutil.rmtree(self.dir, ignore_errors=True)

    def database_create(self, name: str) -> str:
        """A new, empty database on this cluster; returns its URL."""
        address = ["-h", self.dir, "-p", self.port, "-U", POSTGRES_USER]
        self.run("psql", *address, "-d", "postgres", "-qc", f'CREATE DATABASE "{name}"')
        return self.database_url(name)

    def run(self, program: str, *args: object) -> None:
        command_run([*self.as_owner, postgres_bin(program), *args], cwd=self.dir)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class RedisServer:
    """A Redis server that keeps nothing on disk; restartable on the same port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> Self:
        command = ["redis-server", "--port", str(self.port), *REDIS_OPTIONS]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        port_wait(self.port)
        return self

    def stop(self) -> None:
        """Stop the server; everything it held is gone, as after a crash."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        port_wait(self.port, up=False)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class DaphneServer:
    """The project served by Daphne, as in production; its output goes to `log`."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Self:
        self.launch()
        port_wait(self.port)
        return self

    def launch(self) -> None:
        """Start the process without waiting for it to listen."""
        command = [BIN / "daphne", "-b", "127.0.0.1", "-p", str(self.port)]
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [*command, "demo_site.asgi:application"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


@contextlib.contextmanager
def daphnes_running(env: dict[str, str], log: Path, count: int) -> Iterator[list]:
    """`count` Daphne processes sharing one environment, started side by side."""
    daphnes = [DaphneServer(env, log) for _ in range(count)]
    with contextlib.ExitStack() as stack:
        for daphne in daphnes:
            daphne.launch()
            stack.callback(daphne.stop)
        for daphne in daphnes:
            port_wait(daphne.port)
        yield daphnes


@contextlib.contextmanager
def servers_running() -> Iterator[dict[str, str]]:
    """Fresh PostgreSQL and Redis servers; yields DATABASE_URL and REDIS_URL."""
    with PostgresServer() as postgres, RedisServer() as redis:
        yield {"DATABASE_URL": postgres.url, "REDIS_URL": redis.url}


def main(argv: list[str] | None = None) -> int:
    """`run -- command...`: the command's exit status, run against fresh servers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    actions = parser.add_subparsers(dest="action", required=True)
    run = actions.add_parser("run", help="run a command with the servers' URLs")
    run.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("name a command to run, e.g. run -- python -m pytest")
    if missing := servers_missing():
        parser.error(f"not installed: {', '.join(missing)} (see .ci/system-deps)")
    with servers_running() as urls:
        database, redis = urls["DATABASE_URL"], urls["REDIS_URL"]
        print(f"PostgreSQL at {database}, Redis at {redis}", flush=True)
        return subprocess.run(command, env=os.environ | urls).returncode


if __name__ == "__main__":
    sys.exit(main())
