"""Which mode a visitor's industry words name: "pet stores" finds the pet store.

Shared by the trigger (chat.conversation.triggers) and the generator, which must
reuse a mode rather than make a second one for the same words (the database is the
cache). Pure and cheap: no database, plain word tuples.
"""

import functools
import re
from collections.abc import Iterable, Sequence
from typing import Protocol

# A word: letters and digits, apostrophes joining them ("you're" is "youre").
_WORD = re.compile(r"(?:[^\W_]|['’‘`])+")
_APOSTROPHE = re.compile(r"['’‘`]")
# Dropped everywhere, in requests and in mode names alike.
_IGNORED = frozenset({"a", "an", "the", "company", "companies"})


class ModeLike(Protocol):
    """What matching needs from a mode; chat.models.Mode fits, as does a test double."""

    @property
    def slug(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def alias_list(self) -> list[str]: ...


def words(text: str) -> tuple[str, ...]:
    """Lowercase words, no punctuation or articles: "An Insurer!" is "insurer"."""
    return tuple(word for word, _ in words_located(text))


def words_located(text: str) -> tuple[tuple[str, int], ...]:
    """`words`, each with where it ends in text, so text can be cut after one."""
    located = []
    for run in _WORD.finditer(text):
        word = _APOSTROPHE.sub("", run.group()).casefold()
        if word and word not in _IGNORED:
            located.append((word, run.end()))
    return tuple(located)


def mode_best[M: ModeLike](found: tuple[str, ...], modes: Sequence[M]) -> M | None:
    """The mode with the longest term in `found`: "health insurer" beats "insurer"."""
    stems = tuple(stem(word) for word in found)
    best, best_size = None, (0, 0)
    for mode in modes:
        for term in mode_terms(mode):
            size = (len(term), sum(map(len, term)))
            if size > best_size and contains(stems, term):
                best, best_size = mode, size
    return best


def mode_terms(mode: ModeLike) -> tuple[tuple[str, ...], ...]:
    """The mode's name, slug and aliases as stemmed word sequences."""
    return _phrases_terms((mode.name, mode.slug, *mode.alias_list))


@functools.lru_cache(maxsize=4096)
def _phrases_terms(phrases: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """Kept per mode's words: every trigger matches against every active mode."""
    terms = [tuple(stem(word) for word in words(phrase)) for phrase in phrases]
    return tuple(term for term in terms if term)


def phrase_term(phrase: str) -> str:
    """A phrase as matching compares it: "Pet Stores!" is "pet store"."""
    return " ".join(stem(word) for word in words(phrase))


def modes_terms(modes: Iterable[ModeLike]) -> frozenset[str]:
    """Every phrase the modes answer to, as `phrase_term` writes it: the words a new
    mode's aliases must not take."""
    return frozenset(" ".join(term) for mode in modes for term in mode_terms(mode))


def stem(word: str) -> str:
    """Fold simple plurals so "banks" finds "bank" and "clinics" finds "clinic"."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def contains(found: tuple[str, ...], term: tuple[str, ...]) -> bool:
    """Whether term appears in `found` as a run of whole words."""
    size = len(term)
    return any(found[i : i + size] == term for i in range(len(found) - size + 1))
