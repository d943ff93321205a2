"""The offline model's cost per reply, over the question table of every kind
(tests/data/offline_questions.toml), beside a baseline in the same process.

Run: .venv/bin/python -m bench.offline  (no Django settings needed)

The model is `reply_text` with each row's earlier visitor messages. The baseline is
the previous implementation, kept here only: the first intent that matches the whole
message answers, else the list of topics (no clauses, follow-ups, respelling or
examples offered), on today's intents.
Personas are made before timing. Each runs ROUNDS rounds of ROUND_SECONDS and its best
round counts; the ratio is of CPU time, which a busy machine disturbs less than wall
time.
"""

import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.questions import Question, questions_load  # noqa: E402
from chat.llm.offline import reply_text  # noqa: E402
from personas import kind_get, kind_names  # noqa: E402
from personas.formatting import Reader, written_for  # noqa: E402

ROUNDS = 5
ROUND_SECONDS = 0.2
Reply = Callable[[Question, dict], str]


def model_reply(question: Question, persona: dict) -> str:
    return reply_text(
        question=question.ask,
        persona_kind=question.kind,
        persona=persona,
        earlier=question.before,
    )


def first_match_reply(question: Question, persona: dict) -> str:
    """The previous implementation: the first intent matching the whole message, else
    the list of topics."""
    kind = kind_get(question.kind)
    with written_for(Reader.of(persona)):
        for pattern, answer in kind.answers:
            if pattern.search(question.ask):
                return answer(persona, question.ask)
        return f"I can answer questions about {kind.topics}. Try {kind.example!r}"


def round_timed(reply: Reply, rows: list[tuple[Question, dict]]) -> tuple[float, float]:
    """Wall and CPU seconds per reply over whole passes of the rows."""
    replies, wall, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - wall < ROUND_SECONDS:
        for question, persona in rows:
            reply(question, persona)
        replies += len(rows)
    return (
        (time.perf_counter() - wall) / replies,
        (time.process_time() - cpu) / replies,
    )


def best_of(reply: Reply, rows: list[tuple[Question, dict]]) -> tuple[float, float]:
    timings = [round_timed(reply, rows) for _ in range(ROUNDS)]
    return min(t[0] for t in timings), min(t[1] for t in timings)


def main() -> None:
    by_kind: dict[str, list[tuple[Question, dict]]] = {
        name: [] for name in kind_names()
    }
    for question in questions_load():
        by_kind[question.kind].append((question, question.persona()))
    by_kind["all kinds"] = [row for rows in by_kind.values() for row in rows]
    print("µs per reply (wall / CPU), best of rounds; baseline = first-match path;")
    print("ratio = model CPU / baseline CPU (wall swings on a shared machine)")
    print(f"{'kind':<13}{'rows':>5}{'model':>16}{'baseline':>16}{'ratio':>8}")
    for name, rows in by_kind.items():
        model = best_of(model_reply, rows)
        baseline = best_of(first_match_reply, rows)
        print(
            f"{name:<13}{len(rows):>5}"
            f"{model[0] * 1e6:>9.1f} / {model[1] * 1e6:<5.1f}"
            f"{baseline[0] * 1e6:>9.1f} / {baseline[1] * 1e6:<5.1f}"
            f"{model[1] / baseline[1]:>7.2f}×"
        )


if __name__ == "__main__":
    main()
