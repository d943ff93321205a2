"""The top frames of a py-spy raw profile (`py-spy record -f raw`), by share of samples.

Run: .venv/bin/python bench/profile_top.py PROFILE [--top 25] [--under FRAME]

"self" counts the samples whose innermost frame is that function, "inclusive" the
samples with it anywhere on the stack; with --under, only stacks through a frame
whose name contains FRAME count (e.g. `Reply.run`). Line numbers are dropped, so a
function counts once however many of its lines were sampled. Idle threads (the
thread pool waiting for work, the selector waiting for sockets) are left out: they
cost no CPU.
"""

import argparse
import re
from collections import Counter
from pathlib import Path

LINE_NUMBER = re.compile(r":\d+\)")
IDLE = ("Condition.wait", "EpollSelector.select", "_worker (concurrent")


def stacks(path: Path, under: str | None):
    """(frames, samples) for each sampled stack that is not idle."""
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        stack, _, count = line.rpartition(" ")
        frames = [LINE_NUMBER.sub(")", frame) for frame in stack.split(";")]
        if frames and frames[-1].startswith(IDLE):
            continue
        if under and not any(under in frame for frame in frames):
            continue
        yield frames, int(count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--under", help="only stacks through this frame")
    args = parser.parse_args()
    own, anywhere, total = Counter(), Counter(), 0
    for frames, count in stacks(args.profile, args.under):
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            anywhere[frame] += count
    print(f"{total} busy samples")
    for title, counter in (("self", own), ("inclusive", anywhere)):
        print(f"\n{title}:")
        for frame, count in counter.most_common(args.top):
            print(f"{100 * count / total:6.1f}%  {frame[:140]}")


if __name__ == "__main__":
    main()
