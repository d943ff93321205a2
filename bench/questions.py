"""The offline model's question table (tests/data/offline_questions.toml): visitor
questions over every kind, with the facts each answer must hold. bench/offline.py
times replies over it; tests/chat/llm/test_offline_questions.py checks them, reading
the facts with tests/support/facts.py.
"""

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from personas import generate_persona

TABLE = (
    Path(__file__).resolve().parents[1] / "tests" / "data" / "offline_questions.toml"
)
AS_OF = date(2026, 3, 1)


@dataclass(frozen=True)
class Question:
    """One row of the table: what the visitor asks, and what the answer must hold."""

    kind: str
    ask: str
    facts: tuple[str, ...] = ()
    before: tuple[str, ...] = ()  # the visitor's earlier messages, oldest first
    seed: int = 1
    locale: str = "en_US"
    unknown: bool = False  # the honest "I don't have that", with no figure

    def persona(self) -> dict:
        return generate_persona(self.kind, self.seed, as_of=AS_OF, locale=self.locale)


def questions_load(path: Path = TABLE) -> list[Question]:
    """Every row, each table of the file named for its kind ([[banking]], ...)."""
    table = tomllib.loads(path.read_text(encoding="utf-8"))
    return [
        Question(
            kind=kind,
            ask=row["ask"],
            facts=tuple(row.get("facts", ())),
            before=tuple(row.get("before", ())),
            seed=row.get("seed", 1),
            locale=row.get("locale", "en_US"),
            unknown=row.get("unknown", False),
        )
        for kind, rows in table.items()
        for row in rows
    ]
