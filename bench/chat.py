"""The chat socket under concurrent sessions, against a bare echo consumer.

Run: .venv/bin/python bench/chat.py [--sessions 200] [--messages 3] [--ramp 50]

Starts, on 127.0.0.1: a zero-latency OpenAI-compatible model, the site (Daphne, a
fresh migrated SQLite database, the in-memory channel layer) and bench/echo_asgi.py
(Daphne too). Then, against each server in turn, the sessions arrive (`--ramp` at a
time: each fetches the page and opens the socket), then all at once say the trigger
phrase and read the greeting, then all at once ask `--messages` questions, each
after the previous reply. Prints replies per second, the server's
overhead to the first chunk of a reply and the time to `mode_switch`, with the echo
consumer's figures and the ratio. Everything stops by itself; the servers are
killed on exit.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (  # noqa: E402
    ECHO_APP,
    SITE_APP,
    Figures,
    Servers,
    errors_details,
    errors_text,
    fd_limit_raise,
    machine,
    model_first_token_ms,
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
- first chunk overhead: client time from sending `chat` to the first chat_chunk, minus
  the model server's own time to first token ({model_ms:.2f} ms, the median of direct
  requests to it on one kept-alive connection, while idle); nothing is taken off the
  echo's. It is what the server adds: validating and storing the message, rendering
  the prompt, the model request through the SDK, the frames.
- trigger to mode_switch: `server_ms` is the server's own figure in the frame (trigger
  frame in to mode_switch out); "client" is measured by the client round trip.
- ratio: how many times slower the site is than the echo consumer (1.0× = as fast).
- Client, servers and model share the machine's CPUs, so under load each figure also
  includes waiting for a CPU."""


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--messages", type=int, default=3, help="questions a session")
    return server_arguments(parser, timeout=900)


async def main(args: argparse.Namespace) -> int:
    fd_limit_raise(4 * args.sessions + 256)
    print(f"Machine: {machine()}")
    with Servers(logs=args.logs) as servers:
        model = servers.model()
        env = site_env(
            database_url=servers.sqlite_url(),
            model=model,
            static_root=servers.static_root(),
        )
        site_prepare(env)
        site = servers.daphne("site", SITE_APP, env)
        echo = servers.daphne("echo", ECHO_APP, env)
        model_ms = await model_first_token_ms(model)
        print(f"Warming up, then {args.sessions} sessions × {args.messages} messages…")
        await visitors_run([site.port, echo.port], 4, 1, ramp=args.ramp)
        results = {}
        for name, server in (("site", site), ("echo", echo)):
            results[name] = await visitors_run(
                [server.port], args.sessions, args.messages, ramp=args.ramp
            )
        report(args, results, model_ms)
        errors = sum(sum(f.errors.values()) for f in results.values())
        if errors:
            print(f"Exceptions in the site's log:\n{site.log_exceptions() or '  none'}")
        return 1 if errors else 0


def report(args: argparse.Namespace, results: dict[str, Figures], model_ms: float):
    site, echo = results["site"], results["echo"]
    # The echo consumer asks no model, so nothing is taken off its figures.
    overhead = {
        "site": [ms - model_ms for ms in site.first_chunk_ms],
        "echo": echo.first_chunk_ms,
    }
    rows = [
        row("replies/s", site.replies_per_second, echo.replies_per_second, True, 1),
    ]
    for p in (50, 99):
        rows.append(
            row(
                f"first chunk overhead p{p} (ms)",
                percentile(overhead["site"], p),
                percentile(overhead["echo"], p),
                False,
            )
        )
    for source in ("server", "client"):
        for p in (50, 99):
            rows.append(
                row(
                    f"trigger→mode_switch p{p}, {source} (ms)",
                    percentile(getattr(site, f"switch_{source}_ms"), p),
                    percentile(getattr(echo, f"switch_{source}_ms"), p),
                    False,
                )
            )
    rows.append(
        ("replies", str(site.replies), str(echo.replies), ""),
    )
    rows.append(("errors", errors_text(site.errors), errors_text(echo.errors), ""))
    print()
    print(f"Chat benchmark: {args.sessions} sessions × {args.messages} messages")
    print(table(rows, ("", "site", "echo", "site vs echo")))
    if details := errors_details({"site": site.errors, "echo": echo.errors}):
        print(details)
    print()
    print(EXPLANATION.format(model_ms=model_ms))


def row(label: str, site: float, echo: float, higher_is_better: bool, digits=2):
    return (
        label,
        f"{site:.{digits}f}",
        f"{echo:.{digits}f}",
        ratio(site, echo, higher_is_better=higher_is_better),
    )


if __name__ == "__main__":
    options = arguments()
    sys.exit(run_bounded(main(options), options.timeout))
