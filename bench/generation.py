"""Conjuring a mode for a new industry, next to switching to an existing one.

Run: .venv/bin/python bench/generation.py

Starts the site on 127.0.0.1 (Daphne, a fresh migrated SQLite database, the
in-memory channel layer, the offline model and offline generation). One visitor says
"Presto-Change-O, you're a <industry>" for each industry of
chat/generation/industries.toml that no mode covers yet (a new mode each time), and
after each one "…you're an insurance company" (an existing mode). Prints the
server's own time from trigger to `mode_switch` (the frame's `server_ms`) and the
client's, p50 and p99, for both.
"""

import argparse
import sys
import time
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (  # noqa: E402
    ROOT,
    SITE_APP,
    Servers,
    chat_frame,
    frame_receive,
    machine,
    ms_since,
    percentile,
    reply_read,
    run_bounded,
    server_arguments,
    site_env,
    site_prepare,
    socket_open,
    table,
)

INDUSTRIES = ROOT / "chat" / "generation" / "industries.toml"
EXISTING = "Presto-Change-O, you're an insurance company"
# The visitor's budget of new modes, the site's cap, and the socket's frame rate
# (one visitor sends every trigger) out of the way.
UNLIMITED = {
    "CHAT_SOCKET_FRAMES_PER_SECOND": "10000",
    "CHAT_GENERATIONS_PER_WINDOW": "10000000",
    "CHAT_ADDRESS_GENERATIONS_PER_WINDOW": "10000000",
    "CHAT_GENERATED_MODES_MAX": "1000000",
}

EXPLANATION = """\
How to read this
- server: the frame's `server_ms`, from the trigger frame arriving to `mode_switch`
  going out: storing the message, matching, drafting offline, building, full_clean,
  saving the mode and its first prompt version (for a new industry), the new
  conversation and its customer.
- client: the same round trip as the client saw it; for a new industry it includes
  the `mode_generating` frame sent first.
- One request at a time, so these are latencies on an idle server, not throughput."""


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    return server_arguments(parser, timeout=600)


def industries() -> list[str]:
    """Every industry phrase of the offline generator's table."""
    table_rows = tomllib.loads(INDUSTRIES.read_text())
    return [row["phrase"] for row in next(iter(table_rows.values()))]


async def trigger_timed(socket, text: str) -> tuple[bool, float, float]:
    """(whether a mode was generated, server ms, client ms) of one trigger."""
    started = time.perf_counter()
    await socket.send(chat_frame(text))
    frame = await frame_receive(socket)
    generated = frame["type"] == "mode_generating"
    if generated:
        frame = await frame_receive(socket)
    if frame["type"] != "mode_switch":
        raise RuntimeError(f"expected mode_switch, got {frame['type']}")
    client_ms = ms_since(started)
    await reply_read(socket)  # the greeting
    return generated, frame["payload"]["server_ms"], client_ms


async def main(args: argparse.Namespace) -> int:
    print(f"Machine: {machine()}")
    with Servers(logs=args.logs) as servers:
        env = (
            site_env(
                database_url=servers.sqlite_url(),
                model=servers.model(),
                static_root=servers.static_root(),
            )
            | UNLIMITED
            | {"OPENAI_BASE_URL": "", "OPENAI_API_KEY": ""}
        )
        site_prepare(env)
        site = servers.daphne("site", SITE_APP, env)
        socket = await socket_open(site.port)
        figures = {"new": ([], []), "existing": ([], [])}
        skipped = 0
        for phrase in industries():
            generated, server_ms, client_ms = await trigger_timed(
                socket, f"Presto-Change-O, you're a {phrase}"
            )
            if not generated:  # a built-in mode, or an earlier one's synonym
                skipped += 1
                continue
            figures["new"][0].append(server_ms)
            figures["new"][1].append(client_ms)
            _, server_ms, client_ms = await trigger_timed(socket, EXISTING)
            figures["existing"][0].append(server_ms)
            figures["existing"][1].append(client_ms)
        await socket.close()
    report(figures, skipped)
    return 0


def report(figures: dict[str, tuple[list, list]], skipped: int) -> None:
    rows = []
    for index, source in enumerate(("server", "client")):
        for p in (50, 99):
            new, existing = (figures[k][index] for k in ("new", "existing"))
            rows.append(
                (
                    f"trigger→mode_switch p{p}, {source} (ms)",
                    f"{percentile(new, p):.2f}",
                    f"{percentile(existing, p):.2f}",
                )
            )
    count = len(figures["new"][0])
    rows.append(("switches", str(count), str(len(figures["existing"][0]))))
    print()
    print(
        f"Generation benchmark: {count} new industries, each followed by a switch to "
        f"an existing mode ({skipped} table phrases already covered, skipped)"
    )
    print(table(rows, ("", "new industry", "existing mode")))
    print()
    print(EXPLANATION)


if __name__ == "__main__":
    arguments_parsed = arguments()
    sys.exit(run_bounded(main(arguments_parsed), arguments_parsed.timeout))
