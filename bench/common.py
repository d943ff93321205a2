"""What bench/chat.py and bench/load.py share: servers, the visitor client, figures.

Servers are child processes on free 127.0.0.1 ports, each killed when the benchmark
ends however it ends (`Servers` is an ExitStack). The client is `websockets` in one
asyncio loop: each visitor fetches the page for a session cookie, opens the socket,
switches mode with the trigger phrase and chats, timing each step.
"""

import argparse
import asyncio
import contextlib
import gc
import json
import os
import platform
import random
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from websockets.asyncio.client import ClientConnection, connect

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.servers import (  # noqa: E402
    PostgresServer,
    RedisServer,
    free_port,
    port_wait,
    servers_missing,
)

BIN = Path(sys.executable).parent
TRIGGER = "Presto-Change-O, you're an insurance company"
QUESTIONS = (
    "What's my deductible on the auto policy?",
    "When does my home policy renew?",
    "Is my claim still open?",
)
SITE_APP = "demo_site.asgi:application"
ECHO_APP = "bench.echo_asgi:application"
RELAY_APP = "bench.relay_asgi:application"
# Generous: under full load on two cores a frame can wait seconds, never minutes.
FRAME_TIMEOUT = 60.0
PROBES = 20
# The last line of a traceback: "package.module.SomeError: what happened".
EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Timeout)\b")
# What differs between alike failures (keys, ports, ids), so they count as one.
DETAILS = re.compile(r"'[^'\s]{20,}'|\b\d{4,}\b")
# Visitors arriving at once: a burst bigger than this opens sockets faster than
# Daphne's 5 s handshake timeout lets a busy two-core server accept them.
RAMP = 50
# Below this a figure is noise (the echo consumer's own server_ms): no ratio.
MIN_DIVISOR = 0.1


def server_arguments(
    parser: argparse.ArgumentParser, *, timeout: float
) -> argparse.Namespace:
    """The options every server benchmark takes, then the parsed command line."""
    parser.add_argument("--logs", type=Path, help="keep the servers' logs here")
    parser.add_argument(
        "--ramp", type=int, default=RAMP, help="visitors arriving at once"
    )
    parser.add_argument(
        "--timeout", type=float, default=timeout, help="seconds before giving up"
    )
    return parser.parse_args()


class Servers(contextlib.ExitStack):
    """The benchmark's servers; leaving the block stops every one of them.

    With `server_cpu`, each Daphne runs on that CPU alone, and this client, the
    model and anything else on the other CPUs: the server's event loop and database
    thread then share one CPU, as a deployment pins one process per core
    (docs/performance.md measures what that saves)."""

    def __init__(
        self, *, logs: Path | None = None, server_cpu: int | None = None
    ) -> None:
        super().__init__()
        self.server_cpus = None
        if server_cpu is not None:
            self.server_cpus = {server_cpu}
            mine = os.sched_getaffinity(0)
            others = mine - self.server_cpus
            if server_cpu not in mine or not others:
                raise SystemExit(
                    f"--server-cpu {server_cpu}: name one of this machine's CPUs "
                    f"{sorted(mine)}, and leave it another"
                )
            if shutil.which("taskset") is None:
                raise SystemExit("--server-cpu needs taskset (util-linux)")
            os.sched_setaffinity(0, others)  # the children started from here too
        self.dir = Path(self.enter_context(tempfile.TemporaryDirectory()))
        if logs:  # runs after the servers stop, before the folder goes
            self.callback(
                shutil.copytree,
                self.dir,
                logs,
                dirs_exist_ok=True,
                ignore=shutil.ignore_patterns("static", "*.sqlite3*"),
            )

    def process(
        self, name: str, command: list, env: dict, port: int, *, server: bool = False
    ) -> "Process":
        """Start a child process that listens on `port`; it is stopped on exit. A
        server under test runs on `server_cpus` (when set); any other inherits this
        client's CPUs."""
        log = self.dir / f"{name}.log"
        cpus = self.server_cpus if server else None
        process = Process(name, command, env, port, log, cpus)
        self.callback(process.stop)
        process.start()
        return process

    def model(self) -> "Process":
        """The zero-latency OpenAI-compatible model server (bench/openai_server.py)."""
        port = free_port()
        command = [sys.executable, "-m", "bench.openai_server"]
        command += ["--port", str(port)]
        command += ["--latency", "0"]
        return self.process("model", command, os.environ.copy(), port)

    def daphne(self, name: str, app: str, env: dict) -> "Process":
        port = free_port()
        command = [BIN / "daphne", "-b", "127.0.0.1", "-p", str(port), app]
        return self.process(name, command, env, port, server=True)

    def static_root(self) -> Path:
        return self.dir / "static"

    def sqlite_url(self) -> str:
        return f"sqlite:///{self.dir / 'bench.sqlite3'}"

    def postgres_redis(self) -> tuple[str, str]:
        """Fresh local PostgreSQL and Redis servers: (DATABASE_URL, REDIS_URL)."""
        postgres = self.enter_context(PostgresServer())
        redis = self.enter_context(RedisServer())
        return postgres.database_create("bench"), redis.url


@dataclass
class Process:
    name: str
    command: list
    env: dict
    port: int
    log: Path
    cpus: set[int] | None = None  # the CPUs it may run on; None: any
    popen: subprocess.Popen | None = None

    def start(self) -> None:
        pinned = []
        if self.cpus:
            pinned = ["taskset", "-c", ",".join(map(str, sorted(self.cpus)))]
        with self.log.open("ab") as log:
            self.popen = subprocess.Popen(
                list(map(str, pinned + list(self.command))),
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            port_wait(self.port, timeout=60)
        except TimeoutError:
            raise RuntimeError(
                f"{self.name} did not start:\n{self.log_tail()}"
            ) from None

    def stop(self) -> None:
        """Terminate the process group (Daphne's and the model's threads with it)."""
        if self.popen is None or self.popen.poll() is not None:
            return
        os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=10)

    def rss_bytes(self) -> int:
        """Resident memory now, from /proc (Linux)."""
        status = Path(f"/proc/{self.popen.pid}/status").read_text()
        kib = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
        return int(kib.split()[1]) * 1024

    def cpu_seconds(self) -> float:
        """CPU time the process has used so far, user and system, from /proc (Linux)."""
        fields = Path(f"/proc/{self.popen.pid}/stat").read_text().rsplit(")", 1)[1]
        utime, stime = fields.split()[11:13]
        return (int(utime) + int(stime)) / os.sysconf("SC_CLK_TCK")

    def log_tail(self, lines: int = 20) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def log_exceptions(self, most: int = 8) -> str:
        """The exceptions the log records, most frequent first: why requests failed."""
        found = Counter(
            DETAILS.sub("…", line)[:160]
            for line in self.log.read_text(errors="replace").splitlines()
            if EXCEPTION_LINE.match(line)
        )
        return "\n".join(
            f"  {count} × {line}" for line, count in found.most_common(most)
        )


def site_env(
    *, database_url: str, model: Process, static_root: Path, redis_url: str = ""
) -> dict:
    """The site's environment: test settings, the local model, and no budget that
    the benchmark's crowd, all from one address, would spend."""
    unlimited = dict.fromkeys(
        [
            "CHAT_RATE_LIMIT_MESSAGES",
            "CHAT_CONVERSATIONS_PER_WINDOW",
            *(
                f"CHAT_ADDRESS_{budget}_PER_WINDOW"
                for budget in ("CONNECTIONS", "SESSIONS", "CONVERSATIONS", "MESSAGES")
            ),
        ],
        "10000000",
    )
    env = (
        os.environ.copy()
        | unlimited
        | {
            "STATIC_ROOT": str(static_root),
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": database_url,
            "OPENAI_BASE_URL": f"http://127.0.0.1:{model.port}/v1",
            "OPENAI_API_KEY": "x",
            "OPENAI_TIMEOUT": "120",
            "OPENAI_FIRST_TOKEN_TIMEOUT": "120",
            "CHAT_ADDRESS_OPEN_SOCKETS": "1000000",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
    )
    env.pop("REDIS_URL", None)
    return env | ({"REDIS_URL": redis_url} if redis_url else {})


def site_prepare(env: dict) -> None:
    """Migrate the database and collect static files, as a deployment does."""
    for command in (["migrate"], ["collectstatic"]):
        subprocess.run(
            [sys.executable, "manage.py", *command, "--no-input", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=300,
        )


def fd_limit_raise(needed: int) -> int:
    """Raise this process's (and its children's) open-file limit towards `needed`."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard == resource.RLIM_INFINITY else min(hard, max(soft, needed))
    resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return target


# The client.


@dataclass
class Figures:
    """What the visitors measured; milliseconds unless named otherwise."""

    first_chunk_ms: list[float] = field(default_factory=list)
    switch_server_ms: list[float] = field(default_factory=list)
    switch_client_ms: list[float] = field(default_factory=list)
    connect_ms: list[float] = field(default_factory=list)
    replies: int = 0
    chat_seconds: float = 0.0
    chat_cpu_seconds: float = 0.0  # the servers' CPU time over the chat (when asked)
    errors: Counter = field(default_factory=Counter)

    @property
    def replies_per_second(self) -> float:
        return self.replies / self.chat_seconds if self.chat_seconds else 0.0


@dataclass
class Visitor:
    """One browser tab: its socket once open, and whether it got through so far."""

    port: int
    socket: ClientConnection | None = None
    ok: bool = True


async def session_cookie(port: int) -> str:
    """GET / as a browser does first; the `sessionid` the page sets."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    writer.write(request.encode())
    head = await reader.readuntil(b"\r\n\r\n")
    await reader.read()
    writer.close()
    status, *headers = head.decode("latin-1").split("\r\n")
    for line in headers:
        name, _, value = line.partition(":")
        if name.lower() == "set-cookie" and value.strip().startswith("sessionid="):
            return value.strip().split(";")[0]
    raise RuntimeError(f"GET / set no session cookie ({status})")


async def socket_open(port: int, *, cookie: bool = True) -> ClientConnection:
    """The chat socket after its `session` frame, as the page opens it."""
    headers = {"Cookie": await session_cookie(port)} if cookie else {}
    socket = await connect(
        f"ws://127.0.0.1:{port}/ws/chat/",
        origin=f"http://127.0.0.1:{port}",
        additional_headers=headers,
        compression=None,
        ping_interval=None,
        open_timeout=FRAME_TIMEOUT,
        max_size=2**20,
    )
    if (await frame_receive(socket))["type"] != "session":
        raise RuntimeError("the first frame was not `session`")
    return socket


async def frame_receive(socket: ClientConnection) -> dict:
    async with asyncio.timeout(FRAME_TIMEOUT):
        frame = json.loads(await socket.recv())
    if frame["type"] == "error":
        raise FrameError(frame["payload"]["code"])
    return frame


class FrameError(Exception):
    """The server answered with an `error` frame; the code names it."""


async def reply_read(socket: ClientConnection) -> float | None:
    """Read one streamed reply to its chat_end; when its first chunk came."""
    first = None
    while (frame := await frame_receive(socket))["type"] != "chat_end":
        if frame["type"] == "chat_chunk" and first is None:
            first = time.perf_counter()
    return first


async def visitor_connect(visitor: Visitor, figures: Figures) -> None:
    started = time.perf_counter()
    visitor.socket = await socket_open(visitor.port)
    figures.connect_ms.append(ms_since(started))


async def visitor_switch(visitor: Visitor, figures: Figures) -> None:
    """The trigger phrase, timed to `mode_switch`; then the greeting to its end."""
    started = time.perf_counter()
    await visitor.socket.send(chat_frame(TRIGGER))
    frame = await frame_receive(visitor.socket)
    if frame["type"] != "mode_switch":
        raise RuntimeError(f"expected mode_switch, got {frame['type']}")
    figures.switch_client_ms.append(ms_since(started))
    figures.switch_server_ms.append(frame["payload"]["server_ms"])
    await reply_read(visitor.socket)


async def visitor_chat(visitor: Visitor, figures: Figures, messages: int) -> None:
    """`messages` questions, each sent when the previous reply has ended."""
    for index in range(messages):
        started = time.perf_counter()
        await visitor.socket.send(chat_frame(QUESTIONS[index % len(QUESTIONS)]))
        first = await reply_read(visitor.socket)
        if first is None:
            raise RuntimeError("a reply ended without a chat_chunk")
        figures.first_chunk_ms.append((first - started) * 1000)
        figures.replies += 1


async def visitors_run(
    ports: list[int],
    count: int,
    messages: int,
    *,
    ramp: int,
    processes: list["Process"] = (),
    profile: Path | None = None,
) -> Figures:
    """`count` visitors spread over `ports`: they arrive (`ramp` at a time), then all
    at once switch mode (and read the greeting), then chat `messages` times; the
    CPU time `processes` spent on the chat is counted too, and with `profile`,
    py-spy samples them over the chat into that file."""
    figures = Figures()
    visitors = [Visitor(ports[i % len(ports)]) for i in range(count)]
    with collector_paused():
        await arrive(visitors, figures, ramp)
        await phase(visitors, figures, visitor_switch)
        cpu = sum(p.cpu_seconds() for p in processes)
        started = time.perf_counter()
        recording = py_spy_recording(processes[0], profile) if profile else None
        with recording or contextlib.nullcontext():
            await phase(visitors, figures, visitor_chat, messages)
        figures.chat_seconds = time.perf_counter() - started
        figures.chat_cpu_seconds = sum(p.cpu_seconds() for p in processes) - cpu
    await asyncio.gather(*(v.socket.close() for v in visitors if v.socket))
    return figures


@contextlib.contextmanager
def collector_paused():
    """No cyclic garbage collection in this client while it times the servers: a
    full one (30 ms seen) would be counted as theirs. What piled up is collected
    first, before any clock starts; the rest waits for the next."""
    collecting = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


@contextlib.contextmanager
def py_spy_recording(process: "Process", path: Path):
    """py-spy sampling `process` (100 Hz, without pausing it) while the block runs;
    its raw stacks land in `path` (bench/profile_top.py sums them)."""
    spy = subprocess.Popen(
        [BIN / "py-spy", "record", "--nonblocking", "-r", "100", "-f", "raw"]
        + ["-o", str(path), "--pid", str(process.popen.pid)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    time.sleep(0.5)  # py-spy attaches before the work starts
    if spy.poll() is not None:
        raise RuntimeError(f"py-spy could not sample: {spy.stderr.read().decode()}")
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
        try:
            spy.wait(timeout=30)
        except subprocess.TimeoutExpired:
            spy.kill()
            raise
    if not path.exists():
        raise RuntimeError(f"py-spy wrote no profile: {spy.stderr.read().decode()}")


async def arrive(visitors: list[Visitor], figures: Figures, ramp: int) -> None:
    """Open the visitors' sockets, `ramp` at a time, each batch once the last is in."""
    for start in range(0, len(visitors), ramp):
        await phase(visitors[start : start + ramp], figures, visitor_connect)


async def phase(visitors: list[Visitor], figures: Figures, step, *args) -> None:
    """Run `step` for every visitor still in the running; count what fails."""

    async def guarded(visitor: Visitor) -> None:
        try:
            await step(visitor, figures, *args)
        except Exception as error:  # counted and shown, never hidden
            visitor.ok = False
            figures.errors[error_name(error)] += 1

    await asyncio.gather(*(guarded(v) for v in visitors if v.ok))


def error_name(error: Exception) -> str:
    """What went wrong, short enough to count alike failures together."""
    if isinstance(error, FrameError):
        return f"error frame {error}"
    if isinstance(error, RuntimeError):
        return f"{type(error).__name__}: {str(error)[:80]}"
    return type(error).__name__


def chat_frame(text: str) -> str:
    return json.dumps({"type": "chat", "payload": {"text": text}})


def ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


async def lone_visitor(port: int, messages: int) -> Figures:
    """One visitor alone on the server: switches and questions one after another,
    so each figure is the server's own cost with nothing queued before it."""
    figures = Figures()
    with collector_paused():
        for _ in range(messages):  # a socket each: one would spend its frame budget
            await phase([Visitor(port)], figures, lone_step)
    return figures


async def lone_step(visitor: Visitor, figures: Figures) -> None:
    await visitor_connect(visitor, figures)
    try:
        await visitor_switch(visitor, figures)
        await visitor_chat(visitor, figures, 1)
    finally:
        await visitor.socket.close()


async def open_loop(
    process: "Process", rate: float, seconds: float, *, sockets: int
) -> Figures:
    """Questions arriving at random (a Poisson process of `rate` a second) for
    `seconds`, each on an idle one of `sockets` open sockets: unlike a closed loop,
    arrivals do not wait for the server, so queueing shows in the latency. The
    server's CPU time over the questions is counted too."""
    figures = Figures()
    visitors = [Visitor(process.port) for _ in range(sockets)]
    await arrive(visitors, figures, RAMP)
    idle: asyncio.Queue[Visitor] = asyncio.Queue()
    for visitor in visitors:
        if visitor.ok:
            idle.put_nowait(visitor)
    rng = random.Random(1)

    async def ask(visitor: Visitor) -> None:
        try:
            await visitor_chat(visitor, figures, 1)
        except Exception as error:  # counted and shown, never hidden
            figures.errors[error_name(error)] += 1
        idle.put_nowait(visitor)

    asks = []
    with collector_paused():
        cpu = process.cpu_seconds()
        started = arrival = time.perf_counter()
        while (arrival := arrival + rng.expovariate(rate)) < started + seconds:
            await asyncio.sleep(max(0.0, arrival - time.perf_counter()))
            asks.append(asyncio.create_task(ask(await idle.get())))
        await asyncio.gather(*asks)
        figures.chat_seconds = time.perf_counter() - started
        figures.chat_cpu_seconds = process.cpu_seconds() - cpu
    await asyncio.gather(*(v.socket.close() for v in visitors if v.socket))
    return figures


async def idle_sockets_rss(
    processes: list[Process], count: int, *, ramp: int, batches: int = 1
) -> tuple[list[float], Counter]:
    """Server memory per idle socket, for each of `batches` batches of `count` sockets
    opened one batch after another, all kept open until the last is measured.

    The first batch also pays what only the first burst of visitors costs (the
    allocator's high-water mark of 50 page fetches at once, ~4 MB here, which later
    bursts reuse); a later batch's figure is what one more open socket costs.
    """
    figures = Figures()
    per_socket, opened = [], []
    for _ in range(batches):
        visitors = [Visitor(processes[i % len(processes)].port) for i in range(count)]
        before = sum(p.rss_bytes() for p in processes)
        await arrive(visitors, figures, ramp)
        await asyncio.sleep(1.0)  # let the servers settle after the last batch
        after = sum(p.rss_bytes() for p in processes)
        batch = [v.socket for v in visitors if v.ok]
        per_socket.append((after - before) / max(len(batch), 1))
        opened += batch
    await asyncio.gather(*(socket.close() for socket in opened))
    return per_socket, figures.errors


async def model_first_token_ms(model: Process) -> float:
    """The model server's own time to first token: the median of PROBES requests on
    one kept-alive connection, as the site's SDK client sends them."""
    body = json.dumps(
        {"model": "m", "stream": True, "messages": [{"role": "user", "content": "hi"}]}
    ).encode()
    request = (
        f"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    reader, writer = await asyncio.open_connection("127.0.0.1", model.port)
    times = []
    for _ in range(PROBES + 1):  # the first one opens the connection: not counted
        started = time.perf_counter()
        writer.write(request)
        first = None
        while (line := await reader.readline()) != b"0\r\n":  # the last chunk
            if first is None and line.startswith(b"data: {") and _has_text(line):
                first = ms_since(started)
        await reader.readline()
        times.append(first)
    writer.close()
    return statistics.median(times[1:])


def _has_text(line: bytes) -> bool:
    choices = json.loads(line[len(b"data: ") :])["choices"]
    return bool(choices and choices[0]["delta"].get("content"))


# Figures.


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile (p in 0..100); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, round(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def machine() -> str:
    """nproc, CPU model, Python, date and how busy the machine already was."""
    cpu = platform.processor() or "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    load = os.getloadavg()[0]
    return (
        f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}, {date.today().isoformat()}, "
        f"load average {load:.1f} at the start"
    )


def table(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> str:
    """A plain text table, first column left-aligned and the rest right-aligned."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(row: tuple[str, ...]) -> str:
        cells = [row[0].ljust(widths[0])]
        cells += [
            cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)
        ]
        return "  ".join(cells)

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(header), rule, *map(line, rows)])


def ratio(site: float, echo: float, *, higher_is_better: bool) -> str:
    """How many times worse the site is than the echo floor (1.0× is as good)."""
    if not site > 0 or not echo >= MIN_DIVISOR:  # also NaN: no values
        return "n/a"
    value = echo / site if higher_is_better else site / echo
    return f"{value:.1f}×"


def errors_text(errors: Counter) -> str:
    return str(sum(errors.values()))


def errors_details(named: dict[str, Counter]) -> str:
    """Each kind of failure and how often, below the table (empty when none)."""
    lines = [
        f"  {name}: {count} × {error}"
        for name, errors in named.items()
        for error, count in errors.most_common()
    ]
    return "\n".join(["Errors:", *lines]) if lines else ""


def run_bounded(coroutine, seconds: float) -> int:
    """Run the benchmark, giving up after `seconds`; SIGTERM stops it cleanly too,
    so the servers (in their own sessions, untouched by the terminal) are killed."""

    def stop(signum, frame):
        raise SystemExit(f"stopped by signal {signum}")

    signal.signal(signal.SIGTERM, stop)

    async def bounded() -> int:
        try:
            async with asyncio.timeout(seconds):
                return await coroutine
        except TimeoutError:
            print(f"Gave up after {seconds:g} s (raise --timeout?).")
            return 2

    return asyncio.run(bounded())


def postgres_redis_missing() -> list[str]:
    """What the two-process set-up needs that this machine lacks."""
    return servers_missing()
