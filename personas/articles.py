"""Help articles: the how-tos a service agent answers from ("how do I file a claim?").

Each kind carries default articles (`Kind.help_articles`, read from
`personas/kinds/help/<kind>.toml`); a mode's own, edited by staff, are
`chat.models.HelpArticle` rows, handed to the backends as `Article`s. The offline
model answers a how-to question from the best of them (`how_to_answer`), naming the
customer's own record where the kind knows one (`Kind.help_mentions`).
"""

import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from personas.answers import Persona, Record, words
from personas.formatting import lower_first

if TYPE_CHECKING:
    from personas.registry import Kind

HELP_FOLDER = Path(__file__).with_name("kinds") / "help"
# What asks for steps rather than a fact: "how do I…", "I need to…", "can I…".
HOW_TO = words(
    r"how (?:do|can|could|should|would|will) (?:i|we|you)|how to|hows|"
    r"what (?:do|should|can) i do|where (?:do|can|should) i|"
    r"i (?:need|want|would like|have|wanna|got) to|i'?d like to|"
    r"(?:can|could|may) i|help me|is there a way|what'?s the (?:process|procedure)|"
    r"what are the steps|steps? (?:to|for)|process (?:to|for)"
)
_HOW_TO_TITLE = re.compile(r"^\s*how (?:to|do i|can i)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Article:
    title: str  # "File a claim"
    body: str  # the steps, in plain sentences
    keywords: tuple[str, ...]  # words a visitor might use: "claim", "accident"

    @property
    def about(self) -> str:
        """What the article is about, for a kind's mentions to recognise."""
        return " ".join((self.title, *self.keywords))


# How a how-to names the customer's own record: the phrase after "To file a claim"
# (" on your Auto policy AU-6435980"), from the customer and the question; None when
# they have none that fits.
Mention = Callable[[Persona, str], str | None]
# A kind's mentions: the first whose pattern the article's title or keywords match.
Mentions = tuple[tuple[re.Pattern[str], Mention], ...]


def articles_read(kind_name: str) -> tuple[Article, ...]:
    """A kind's default articles, kept as data in help/<kind>.toml."""
    with (HELP_FOLDER / f"{kind_name}.toml").open("rb") as file:
        data = tomllib.load(file)
    return tuple(
        Article(
            title=entry["title"],
            body=" ".join(entry["body"].split()),
            keywords=tuple(entry["keywords"]),
        )
        for entry in data["article"]
    )


def how_to_answer(
    question: str, articles: Iterable[Article], persona: Persona, kind: "Kind"
) -> str | None:
    """The steps of the best article for a "how do I…" question, naming the
    customer's record where it fits; None for any other question, or no article.

    `articles` are those matching the question, best first (ReplyRequest.articles).
    """
    best = next(iter(articles), None)
    if best is None or not HOW_TO.search(question):
        return None
    task = _HOW_TO_TITLE.sub("", best.title).strip().rstrip(".?!")
    mention = article_mention(best, persona, question, kind.help_mentions)
    return f"To {lower_first(task)}{mention}: {best.body}"


def article_mention(
    article: Article, persona: Persona, question: str, mentions: Mentions
) -> str:
    """The first fitting mention's phrase, or nothing (a persona of another shape
    names nothing rather than failing the answer)."""
    for pattern, mention in mentions:
        if pattern.search(article.about):
            try:
                return mention(persona, f"{question} {article.about}") or ""
            except (KeyError, TypeError, ValueError):
                return ""
    return ""


def record_named(
    records: list[Record], fields: tuple[str, ...], question: str
) -> Record | None:
    """The first record whose value of one of `fields` the question names ("my
    Lisinopril", "order R-10482"), whole words in any case."""
    for record in records:
        for field in fields:
            if _names(question, record.get(field)):
                return record
    return None


def record_named_or_only(
    records: list[Record], fields: tuple[str, ...], question: str
) -> Record | None:
    """The record the question names, else the customer's only one."""
    named = record_named(records, fields, question)
    return named if named is not None or len(records) != 1 else records[0]


def _names(question: str, value: Any) -> bool:
    if not isinstance(value, str) or not value.strip():
        return False
    return re.search(rf"\b{re.escape(value)}\b", question, re.IGNORECASE) is not None
