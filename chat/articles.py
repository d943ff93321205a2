"""Which of a mode's help articles answer a visitor's message, and how they read in
a system prompt (the `help_articles` template variable).

Pure and cheap, since every chat turn runs it: the mode's articles come from the
process's cache (chat.selectors.help_articles_cached), never a query per turn.
"""

import functools
from collections.abc import Iterable

from chat.generation.matching import contains, stem, words
from chat.llm import QUESTION_READ_CHARS
from personas.articles import Article

# What a turn hands on: enough for the best few how-tos, bounded so a mode with long
# articles cannot crowd the prompt. One article of the longest (a 120-character
# title and a 2,000-character body) always fits.
ARTICLES_MATCHED = 3
ARTICLES_MAX_CHARS = 3000
# Words that say nothing about which task a visitor means.
_STOP_WORDS = frozenset(
    "i me my we our you your it its is are was be do does did can could would should "
    "will how what when where why who to of for on in at by with and or from this "
    "that there here please need want like help hi hello hey so just get".split()
)
# A keyword phrase the message holds weighs more than a word of the title it shares.
_KEYWORD_WEIGHT = 2


def articles_matching(
    question: str,
    articles: Iterable[Article],
    limit: int = ARTICLES_MATCHED,
    max_chars: int = ARTICLES_MAX_CHARS,
) -> tuple[Article, ...]:
    """The articles the question's words point to, best first (ties in the mode's
    order), at most `limit` of them and `max_chars` of titles and bodies together."""
    asked = _roots(question[:QUESTION_READ_CHARS])
    present = frozenset(asked)
    scored = [
        (_score(asked, present, article), index, article)
        for index, article in enumerate(articles)
    ]
    ranked = sorted((-score, index, a) for score, index, a in scored if score > 0)
    chosen: list[Article] = []
    size = 0
    for _, _, article in ranked[:limit]:
        size += len(article.title) + len(article.body)
        if size > max_chars:
            break
        chosen.append(article)
    return tuple(chosen)


def articles_prompt_text(articles: Iterable[Article]) -> str:
    """The articles as the system prompt reads them: a title and its steps a line."""
    return "\n".join(f"- {article.title}: {article.body}" for article in articles)


def _score(asked: tuple[str, ...], present: frozenset[str], article: Article) -> int:
    """Each keyword phrase found whole in the question, by its length, and each word
    of the title the question shares (`present`: the question's words, to skip a
    phrase with a word it lacks without a scan)."""
    phrases, title = _terms(article)
    found = sum(
        len(phrase) * _KEYWORD_WEIGHT
        for phrase in phrases
        if present.issuperset(phrase) and contains(asked, phrase)
    )
    return found + len(title & present)


@functools.lru_cache(maxsize=1024)
def _terms(article: Article) -> tuple[tuple[tuple[str, ...], ...], frozenset[str]]:
    """An article's keyword phrases and title words as matching compares them, worked
    out once per process rather than on every turn."""
    phrases = tuple(phrase for phrase in map(_roots, article.keywords) if phrase)
    return phrases, frozenset(_roots(article.title))


def _roots(text: str) -> tuple[str, ...]:
    """The telling words, folded so "filing", "filed" and "files" meet "file"."""
    return tuple(_root(word) for word in words(text) if word not in _STOP_WORDS)


def _root(word: str) -> str:
    root = stem(word)
    for suffix in ("ing", "ed", "e"):
        if root.endswith(suffix) and len(root) - len(suffix) >= 3:
            return root[: -len(suffix)]
    return root
