"""Many visitors at once, and the memory an idle socket costs, in both deployments.

Run: .venv/bin/python bench/load.py [--visitors 500] [--idle 1000]
         [--pg-url postgres://… --redis-url redis://…]

1. One Daphne process on SQLite with the in-memory channel layer (the default).
2. Two Daphne processes sharing PostgreSQL and Redis, visitors spread over both:
   against --pg-url and --redis-url when given, else against PostgreSQL and Redis
   started here when they are installed; otherwise the output says it was skipped.

In each, after a warm-up, `--idle` sockets are opened (`--ramp` at a time) and left
idle: the server's resident memory before and with them open gives the cost of one.
They close; then the visitors arrive (`--ramp` at a time: each fetches the page and
opens the socket), all at once switch mode with the trigger phrase, then all at once
ask `--messages` questions of a zero-latency local OpenAI-compatible model. The bare
echo consumer (bench/echo_asgi.py), in as many processes, is measured the same way
in the same run. Everything stops by itself; the servers are killed on exit.
"""

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (  # noqa: E402
    ECHO_APP,
    SITE_APP,
    Figures,
    Process,
    Servers,
    errors_details,
    errors_text,
    fd_limit_raise,
    idle_sockets_rss,
    machine,
    model_first_token_ms,
    percentile,
    postgres_redis_missing,
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
- replies/s: model replies completed per second while every visitor chats (after all
  have switched mode), one client process driving them all.
- first chunk overhead: client time from sending `chat` to the first chat_chunk, minus
  the model server's own time to first token ({model_ms:.2f} ms, measured directly);
  the echo consumer asks no model, so nothing is taken off its figures.
- memory per idle socket: resident memory (VmRSS) of the server process(es) with
  {idle:,} idle sockets open (each fetched the page first, so it has a real session
  and conversation) minus before opening them, divided by the sockets opened.
- ratio: how many times worse the site is than the echo consumer (1.0× = as good).
- Client, servers, model, and in the second set-up PostgreSQL and Redis, share the
  machine's CPUs: under load every figure includes waiting for a CPU."""


@dataclass
class Outcome:
    figures: Figures
    idle_bytes: float
    idle_errors: object


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, default=500)
    parser.add_argument("--idle", type=int, default=1000, help="idle sockets")
    parser.add_argument("--messages", type=int, default=1, help="questions each")
    parser.add_argument("--pg-url", default="", help="PostgreSQL for two processes")
    parser.add_argument("--redis-url", default="", help="Redis for two processes")
    return server_arguments(parser, timeout=1800)


async def main(args: argparse.Namespace) -> int:
    fd_limit_raise(2 * (args.visitors + args.idle) + 256)
    print(f"Machine: {machine()}")
    failures = 0
    with Servers(logs=args.logs) as servers:
        model = servers.model()
        model_ms = await model_first_token_ms(model)
        env = site_env(
            database_url=servers.sqlite_url(),
            model=model,
            static_root=servers.static_root(),
        )
        site_prepare(env)
        single = [servers.daphne("site", SITE_APP, env)]
        echo = [servers.daphne("echo", ECHO_APP, env)]
        title = "One process: SQLite, in-memory channel layer"
        failures += await setup_report(title, single, echo, args, model_ms)
        for process in single + echo:  # idle from here on: give back the CPU
            process.stop()
        two = two_processes(servers, model, args)
        if isinstance(two, str):
            print(f"\nTwo processes: skipped — {two}")
        else:
            echo = [servers.daphne(f"echo{i}", ECHO_APP, env) for i in (1, 2)]
            title = "Two processes: PostgreSQL and Redis shared"
            failures += await setup_report(title, two, echo, args, model_ms)
    print()
    print(EXPLANATION.format(model_ms=model_ms, idle=args.idle))
    return 1 if failures else 0


def two_processes(
    servers: Servers, model: Process, args: argparse.Namespace
) -> list[Process] | str:
    """Two site processes on shared PostgreSQL and Redis, or why there are none."""
    if bool(args.pg_url) != bool(args.redis_url):
        return "give both --pg-url and --redis-url, or neither"
    try:
        if args.pg_url:
            database_url, redis_url = args.pg_url, args.redis_url
        elif missing := postgres_redis_missing():
            return (
                f"not installed here: {', '.join(missing)}; pass --pg-url/--redis-url"
            )
        else:
            database_url, redis_url = servers.postgres_redis()
        env = site_env(
            database_url=database_url,
            model=model,
            static_root=servers.static_root(),
            redis_url=redis_url,
        )
        site_prepare(env)
        return [servers.daphne(f"site{i}", SITE_APP, env) for i in (1, 2)]
    except Exception as error:  # shown instead of the figures, never swallowed
        return f"could not start: {type(error).__name__}: {error}"


async def setup_report(
    title: str,
    sites: list[Process],
    echos: list[Process],
    args: argparse.Namespace,
    model_ms: float,
) -> int:
    """Measure the site and the echo consumer alike; print them; count the errors."""
    print(f"\n{title}: {args.idle:,} idle sockets, then {args.visitors} visitors…")
    site = await outcome(sites, args)
    echo = await outcome(echos, args)
    print(outcome_table(site, echo, len(sites), model_ms))
    details = errors_details(
        {
            "site, visitors": site.figures.errors,
            "site, idle sockets": site.idle_errors,
            "echo, visitors": echo.figures.errors,
            "echo, idle sockets": echo.idle_errors,
        }
    )
    if details:
        print(details)
    errors = [site.figures.errors, echo.figures.errors]
    failed = sum(sum(e.values()) for e in [*errors, site.idle_errors, echo.idle_errors])
    if site.figures.errors or site.idle_errors:
        for process in sites:
            print(f"Exceptions in the log of {process.name}:")
            print(process.log_exceptions() or "  none")
    return failed


async def outcome(processes: list[Process], args: argparse.Namespace) -> Outcome:
    ports = [p.port for p in processes]
    await visitors_run(ports, 2 * len(ports), 1, ramp=args.ramp)  # warm-up
    # Idle sockets first: after the load, memory it freed would hold them unseen.
    (idle_bytes,), idle_errors = await idle_sockets_rss(
        processes, args.idle, ramp=args.ramp
    )
    figures = await visitors_run(ports, args.visitors, args.messages, ramp=args.ramp)
    return Outcome(figures, idle_bytes, idle_errors)


def outcome_table(site: Outcome, echo: Outcome, processes: int, model_ms: float):
    overhead = [ms - model_ms for ms in site.figures.first_chunk_ms]
    echo_ms = echo.figures.first_chunk_ms
    rows = [
        (
            "replies/s",
            f"{site.figures.replies_per_second:.1f}",
            f"{echo.figures.replies_per_second:.1f}",
            ratio(
                site.figures.replies_per_second,
                echo.figures.replies_per_second,
                higher_is_better=True,
            ),
        )
    ]
    for p in (50, 99):
        site_p, echo_p = percentile(overhead, p), percentile(echo_ms, p)
        rows.append(
            (
                f"first chunk overhead p{p} (ms)",
                f"{site_p:.1f}",
                f"{echo_p:.1f}",
                ratio(site_p, echo_p, higher_is_better=False),
            )
        )
    site_kib, echo_kib = site.idle_bytes / 1024, echo.idle_bytes / 1024
    rows += [
        (
            "memory per idle socket (KiB)",
            f"{site_kib:.1f}",
            f"{echo_kib:.1f}",
            ratio(site_kib, echo_kib, higher_is_better=False),
        ),
        ("replies", str(site.figures.replies), str(echo.figures.replies), ""),
        (
            "errors (visitors)",
            errors_text(site.figures.errors),
            errors_text(echo.figures.errors),
            "",
        ),
        (
            "errors (idle sockets)",
            errors_text(site.idle_errors),
            errors_text(echo.idle_errors),
            "",
        ),
    ]
    header = ("", f"site ×{processes}", f"echo ×{processes}", "site vs echo")
    return table(rows, header)


if __name__ == "__main__":
    options = arguments()
    sys.exit(run_bounded(main(options), options.timeout))
