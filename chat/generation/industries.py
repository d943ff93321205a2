"""The industries a visitor is likely to name (the table in industries.toml), each with
the customer kind that fits it and what an offline-drafted mode needs: a name,
synonyms, a colour family, the parts of a company name, a tagline, a catalogue in
dollars and a line of notes.

An industry nobody listed still gets an entry (`industry_for`): the visitor's words as
its name and the kind its head noun suggests ("... shop" sells, "... clinic" books).
"""

import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from chat.generation.palettes import HUES
from personas.catalogue import Catalogue, catalogue_of

# Words with no plural of their own: "electricity" stays "electricity".
_UNCOUNTABLE = frozenset(
    "electricity water gas energy power broadband insurance healthcare software "
    "telecom internet tv childcare catering security accounting plumbing banking "
    "travel news fitness hardware furniture jewellery jewelry clothing equipment "
    "transport electronics goods supplies cable fiber fibre mobile wireless".split()
)
_IRREGULAR = {"person": "people", "child": "children", "man": "men", "woman": "women"}
# Kept lowercase inside a display name: "Bed and Breakfast".
# Words that describe a business without changing its trade.
_MODIFIERS = frozenset(
    "luxury local family small big large independent online new best friendly "
    "premium budget discount cheap fancy vintage organic boutique neighbourhood "
    "neighborhood 24 hour 24-hour express modern traditional high-end little".split()
)
_MINOR_WORDS = frozenset({"and", "of", "the", "for", "&", "a", "an", "in", "on"})


@dataclass(frozen=True)
class Industry:
    """One industry as the offline generator drafts it."""

    phrase: str  # the words it is known by, singular and lowercase: "pet store"
    kind: str  # the registered customer kind (archetype) that fits it: "retail"
    name: str  # the mode's display name: "Pet Store"
    synonyms: tuple[str, ...]  # other names for it, singular: "pet shop"
    hue: str  # a colour family of chat.generation.palettes.HUES
    company_firsts: tuple[str, ...]  # a company is one of these ...
    company_lasts: tuple[str, ...]  # ... then one of these: "Happy Paws Pet Supply"
    tagline: str
    catalogue: Catalogue  # in dollars
    notes: str  # a sentence or two about the trade, for the prompt


def plural(phrase: str) -> str:
    """'pet store' -> 'pet stores', 'bakery' -> 'bakeries'; the last word only."""
    *head, last = phrase.split(" ")
    return " ".join([*head, _plural_word(last)])


def _plural_word(word: str) -> str:
    if word in _UNCOUNTABLE or word in _IRREGULAR.values():
        return word
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith("ies") or (word.endswith("s") and not word.endswith(("ss", "us"))):
        return word  # already plural: "pet supplies", "sports"
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    return word + "s"


def display_name(phrase: str) -> str:
    """'bed and breakfast' -> 'Bed and Breakfast'."""
    words = phrase.split(" ")
    return " ".join(
        word if i and word in _MINOR_WORDS else word[:1].upper() + word[1:]
        for i, word in enumerate(words)
    )


def _industries_load(path: Path) -> tuple[tuple[Industry, ...], dict]:
    """The table and the fallback parts, checked as they load."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return tuple(_industry(row) for row in data["industry"]), data["fallback"]


def _industry(row: dict) -> Industry:
    if row["hue"] not in HUES:
        raise ValueError(f"{row['phrase']!r}: unknown colour family {row['hue']!r}.")
    return Industry(
        phrase=row["phrase"],
        kind=row["kind"],
        name=row.get("name") or display_name(row["phrase"]),
        synonyms=tuple(row["synonyms"]),
        hue=row["hue"],
        company_firsts=tuple(row["company_firsts"]),
        company_lasts=tuple(row["company_lasts"]),
        tagline=row["tagline"],
        catalogue=catalogue_of(row["catalogue"]),
        notes=row["notes"],
    )


INDUSTRIES, _FALLBACK = _industries_load(Path(__file__).with_name("industries.toml"))

_ARCHETYPE_WORDS: tuple[tuple[str, frozenset[str]], ...] = tuple(
    (kind, frozenset(words.split()))
    for kind, words in (
        ("banking", "bank banking lender lending loan loans credit"),
        ("insurance", "insurance insurer insurers assurance cover underwriter"),
        ("healthcare", "hospital health medical pharmacy surgery doctor doctors"),
        ("retail", "shop shops store stores boutique market outlet emporium supplier "
         "supplies dealer dealership merchant bakery deli mart seller"),
        ("appointments", "clinic salon studio parlour parlor practice repair "
         "repairs service services agency consultant consultancy firm"),
        ("subscription", "club membership subscription subscriptions box streaming "
         "app platform"),
        ("travel", "hotel hotels airline airlines travel tours tour hostel resort "
         "cruise cruises rental rentals hire airways"),
        ("utilities", "power energy electric electricity water gas broadband "
         "internet mobile telecom utility utilities network"),
        ("education", "school schools academy college university institute "
         "tutoring tutor courses course lessons training"),
    )
)  # fmt: skip


def _index() -> dict[str, Industry]:
    """Every name an industry goes by, singular and plural, to its entry."""
    index: dict[str, Industry] = {}
    for industry in INDUSTRIES:
        for phrase in (industry.phrase, *industry.synonyms):
            index.setdefault(phrase, industry)
            index.setdefault(plural(phrase), industry)
    return index


_INDEX = _index()


def industry_match(words: str) -> Industry | None:
    """The listed industry the words name, whole or after describing words ("luxury
    pet store" is a pet store, "pet clinic" is not a clinic); None when none fits."""
    parts = words.casefold().split()
    for start in range(len(parts)):
        found = _INDEX.get(" ".join(parts[start:]))
        if found and (start == 0 or _MODIFIERS.issuperset(parts[:start])):
            return found
    return None


def industry_for(words: str) -> Industry:
    """The listed industry, or one made from the visitor's own words."""
    return industry_match(words) or industry_fallback(words)


def industry_fallback(words: str) -> Industry:
    """'kite maker' -> a generic 'Kite Maker'; 'kite shop' -> a retail one."""
    phrase = " ".join(words.casefold().split())
    kind = archetype_guess(phrase)
    return Industry(
        phrase=phrase,
        kind=kind,
        name=display_name(phrase),
        synonyms=(),
        hue=_fallback_hue(phrase),
        company_firsts=tuple(_FALLBACK["company_firsts"]),
        company_lasts=(display_name(phrase),),
        tagline=_FALLBACK[kind]["tagline"],
        catalogue=catalogue_of(_FALLBACK[kind]["catalogue"]),
        notes="",
    )


def archetype_guess(phrase: str) -> str:
    """The kind an unlisted industry's words suggest, the last word first."""
    for word in reversed(phrase.split()):
        for kind, keywords in _ARCHETYPE_WORDS:
            if word in keywords:
                return kind
    return "generic"


def _fallback_hue(phrase: str) -> str:
    """Any colour family, the same one for the same words in every process."""
    digest = hashlib.blake2b(phrase.encode(), digest_size=4).digest()
    families = sorted(HUES)
    return families[int.from_bytes(digest, "big") % len(families)]
