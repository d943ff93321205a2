"""Help articles: the how-tos a service agent answers from ("how do I file a claim?").

Each kind carries default articles (`Kind.help_articles`); a mode's own, edited by
staff, are `chat.models.HelpArticle` rows, handed to the backends as `Article`s.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Article:
    title: str  # "File a claim"
    body: str  # the steps, in plain sentences
    keywords: tuple[str, ...]  # words a visitor might use: "claim", "accident"
