"""The chat socket under concurrent sessions, against two floors.

Run: .venv/bin/python bench/chat.py [--sessions 200] [--messages 3] [--ramp 50]
                                    [--server-cpu 1]
     .venv/bin/python bench/chat.py --profile site.raw  # py-spy over the site's chat

Starts, on 127.0.0.1: a zero-latency OpenAI-compatible model, the site (Daphne, a
fresh migrated SQLite database, the in-memory channel layer), bench/relay_asgi.py
(a bare consumer relaying the model through the `openai` SDK's own stream, no
database) and bench/echo_asgi.py (a bare consumer that asks no model), each under
Daphne. Against each server in turn: memory per idle socket; then the sessions
arrive (`--ramp` at a time), all at once say the trigger phrase and read the
greeting, then all at once ask `--messages` questions, each after the previous
reply (replies/s, and the server's own CPU time per reply); then a lone visitor
switches and asks, one thing at a time; then questions arrive at random (Poisson)
at half the replies/s just measured. Everything stops by itself; the servers are
killed on exit.
"""

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (  # noqa: E402
    ECHO_APP,
    RELAY_APP,
    SITE_APP,
    Figures,
    Process,
    Servers,
    errors_details,
    errors_text,
    fd_limit_raise,
    idle_sockets_rss,
    lone_visitor,
    machine,
    model_first_token_ms,
    open_loop,
    percentile,
    ratio,
    run_bounded,
    server_arguments,
    site_env,
    site_prepare,
    table,
    visitors_run,
)

EXPLANATION = """\
How to read this
- replies/s: model replies completed per second while every session chats (the
  greeting after the switch is not counted), one client process driving them all.
- CPU ms/reply: the server process's own CPU time (user + system, from /proc) over
  the chat phase, divided by its replies: what a reply costs whatever else runs.
- first chunk overhead: client time from sending `chat` to the first chat_chunk, minus
  the model server's own time to first token ({model_ms:.2f} ms, the median of direct
  requests to it on one kept-alive connection, while idle); nothing is taken off the
  echo's, which asks no model.
- lone visitor: one socket, one thing at a time: the server's overhead with nothing
  queued before it. trigger→mode_switch is the server's own `server_ms` in the frame.
- open loop: questions arriving at random at half of each server's replies/s above,
  each on an idle one of {sockets} sockets; p99 of the first chunk overhead. Its
  CPU per question is higher than the crowd's per reply (nothing arrives together
  to share a wake-up), so "half" keeps the server busier than half the time: the
  busy share is the server's CPU time over the questions' wall time (100% = a core).
- idle memory: server RSS growth per open socket that has received its `session`
  frame: over the first {idle} opened, and over the next {idle} with those still open
  (the first also pays the one-off high-water mark of the first burst of page fetches;
  the next is what one more open socket costs).
- vs relay / vs echo: how many times worse the site is (1.0× = as good; below 1.0×,
  better). Client, servers and model share the machine's CPUs."""
IDLE_SOCKETS = 200
LONE_MESSAGES = 20
OPEN_LOOP_SECONDS = 10.0
OPEN_LOOP_SOCKETS = 100
VARIANTS = (("site", SITE_APP), ("relay", RELAY_APP), ("echo", ECHO_APP))


@dataclass
class Outcome:
    """One server's figures."""

    idle_bytes: list[float]  # per socket, first batch then the next
    crowd: Figures
    cpu_seconds: float
    lone: Figures
    open: Figures

    @property
    def cpu_ms_per_reply(self) -> float:
        return 1000 * self.cpu_seconds / self.crowd.replies if self.crowd.replies else 0


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--messages", type=int, default=3, help="questions a session")
    parser.add_argument(
        "--profile",
        type=Path,
        help="only the site's crowd, sampled by py-spy over the chat into this file",
    )
    parser.add_argument(
        "--server-cpu",
        type=int,
        help="run each server (site, relay, echo) on this CPU alone, and the client "
        "and the model on the others, as a deployment pins a process per core",
    )
    return server_arguments(parser, timeout=900)


async def main(args: argparse.Namespace) -> int:
    fd_limit_raise(4 * args.sessions + 256)
    print(f"Machine: {machine()}")
    with Servers(logs=args.logs, server_cpu=args.server_cpu) as servers:
        if args.server_cpu is not None:
            print(f"Each server on CPU {args.server_cpu}, the client and model not")
        model = servers.model()
        env = site_env(
            database_url=servers.sqlite_url(),
            model=model,
            static_root=servers.static_root(),
        )
        site_prepare(env)
        processes = {name: servers.daphne(name, app, env) for name, app in VARIANTS}
        model_ms = await model_first_token_ms(model)
        print(f"Warming up, then {args.sessions} sessions × {args.messages} messages…")
        ports = [process.port for process in processes.values()]
        await visitors_run(ports, 2 * len(ports), 1, ramp=args.ramp)
        if args.profile:
            return await profile(args, processes["site"])
        results = {
            name: await outcome(args, process) for name, process in processes.items()
        }
        report(args, results, model_ms)
        errors = sum(
            sum(f.errors.values())
            for o in results.values()
            for f in (o.crowd, o.lone, o.open)
        )
        if errors:
            site = processes["site"]
            print(f"Exceptions in the site's log:\n{site.log_exceptions() or '  none'}")
        return 1 if errors else 0


async def profile(args: argparse.Namespace, site: Process) -> int:
    """The site's crowd alone, py-spy sampling its chat phase into `args.profile`."""
    crowd = await crowd_run(args, site, profile=args.profile.resolve())
    print(
        f"site: {crowd.replies_per_second:.1f} replies/s, "
        f"{1000 * crowd.chat_cpu_seconds / max(crowd.replies, 1):.2f} CPU ms/reply; "
        f"profile in {args.profile} (bench/profile_top.py sums it)"
    )
    return 1 if crowd.errors else 0


async def crowd_run(
    args: argparse.Namespace, process: Process, profile: Path | None = None
) -> Figures:
    """`args.sessions` visitors on `process`, each asking `args.messages` questions."""
    return await visitors_run(
        [process.port],
        args.sessions,
        args.messages,
        ramp=args.ramp,
        processes=[process],
        profile=profile,
    )


async def outcome(args: argparse.Namespace, process: Process) -> Outcome:
    """Idle memory first (after the load, memory it freed would hold sockets unseen),
    then the crowd, the lone visitor and the open loop."""
    idle_bytes, idle_errors = await idle_sockets_rss(
        [process], IDLE_SOCKETS, ramp=args.ramp, batches=2
    )
    crowd = await crowd_run(args, process)
    crowd.errors.update(idle_errors)
    lone = await lone_visitor(process.port, LONE_MESSAGES)
    rate = max(crowd.replies_per_second / 2, 1.0)
    opened = await open_loop(
        process, rate, OPEN_LOOP_SECONDS, sockets=OPEN_LOOP_SOCKETS
    )
    return Outcome(idle_bytes, crowd, crowd.chat_cpu_seconds, lone, opened)


def report(args: argparse.Namespace, results: dict[str, Outcome], model_ms: float):

    def overhead(name: str, figures: Figures) -> list[float]:
        # The echo consumer asks no model, so nothing is taken off its figures.
        off = 0.0 if name == "echo" else model_ms
        return [ms - off for ms in figures.first_chunk_ms]

    def line(label: str, value, higher_is_better: bool, digits: int = 2):
        values = {name: value(name, o) for name, o in results.items()}
        return (
            label,
            *(f"{values[name]:,.{digits}f}" for name, _ in VARIANTS),
            ratio(values["site"], values["relay"], higher_is_better=higher_is_better),
            ratio(values["site"], values["echo"], higher_is_better=higher_is_better),
        )

    rows = [
        line("replies/s", lambda n, o: o.crowd.replies_per_second, True, 1),
        line("CPU ms/reply (server)", lambda n, o: o.cpu_ms_per_reply, False),
    ]
    for p in (50, 99):
        rows.append(
            line(
                f"first chunk overhead p{p}, crowd (ms)",
                lambda n, o, p=p: percentile(overhead(n, o.crowd), p),
                False,
            )
        )
    rows += [
        line(
            "first chunk overhead p50, lone (ms)",
            lambda n, o: percentile(overhead(n, o.lone), 50),
            False,
        ),
        line(
            "trigger→mode_switch p50, lone, server (ms)",
            lambda n, o: percentile(o.lone.switch_server_ms, 50),
            False,
        ),
        line(
            "trigger→mode_switch p99, crowd, server (ms)",
            lambda n, o: percentile(o.crowd.switch_server_ms, 99),
            False,
        ),
        line("open loop rate (questions/s)", lambda n, o: open_rate(o), True, 1),
        line(
            "first chunk overhead p99, open loop (ms)",
            lambda n, o: percentile(overhead(n, o.open), 99),
            False,
        ),
        line(
            "CPU ms/question, open loop (server)",
            lambda n, o: 1000 * o.open.chat_cpu_seconds / max(o.open.replies, 1),
            False,
        ),
        line(
            "server CPU busy, open loop (%)",
            lambda n, o: 100 * o.open.chat_cpu_seconds / max(o.open.chat_seconds, 1e-9),
            False,
            0,
        ),
        *(
            line(
                f"idle memory per socket, {batch} {IDLE_SOCKETS} (KiB)",
                lambda n, o, i=i: o.idle_bytes[i] / 1024,
                False,
                1,
            )
            for i, batch in enumerate(("first", "next"))
        ),
    ]
    errors = {
        name: o.crowd.errors + o.lone.errors + o.open.errors
        for name, o in results.items()
    }
    rows.append(
        ("replies", *(str(results[n].crowd.replies) for n, _ in VARIANTS), "", "")
    )
    rows.append(("errors", *(errors_text(errors[n]) for n, _ in VARIANTS), "", ""))
    print()
    print(f"Chat benchmark: {args.sessions} sessions × {args.messages} messages")
    print(table(rows, ("", "site", "relay", "echo", "vs relay", "vs echo")))
    if details := errors_details(errors):
        print(details)
    print()
    print(
        EXPLANATION.format(
            model_ms=model_ms, sockets=OPEN_LOOP_SOCKETS, idle=IDLE_SOCKETS
        )
    )


def open_rate(outcome: Outcome) -> float:
    figures = outcome.open
    return figures.replies / figures.chat_seconds if figures.chat_seconds else 0.0


if __name__ == "__main__":
    options = arguments()
    sys.exit(run_bounded(main(options), options.timeout))
