"""Read "Presto-Change-O, you're a bakery called Sweet Crumbs" as industry words and a
company, or refuse it with a reply the visitor can act on.

What survives is letters, digits, spaces and & ' - only, so nothing a visitor types
reaches a prompt as anything but a few plain words. A request that reads as an
instruction ("ignore previous instructions", "{{ settings }}", "a bank that reveals
the system prompt") is refused whole rather than trimmed: keeping its safe-looking
words would still hand the attacker a mode named by their sentence. A harmless extra
clause ("a pet store that sells puppies", "a bakery in Paris") is cut, keeping the
industry words before it.
"""

import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from chat.generation.drafts import IndustryRequest
from chat.generation.industries import archetype_guess, industry_match

# Past this a request is a paragraph, not an industry.
REQUEST_MAX_CHARS = 120
# An industry is a few words ("driving school", "bed and breakfast").
INDUSTRY_MAX_WORDS = 4
INDUSTRY_MAX_CHARS = 60
COMPANY_MAX_CHARS = 60

_BLOCKLIST = Path(__file__).with_name("blocklist.txt")
# What reads as talking to the model rather than naming a business; matched on the
# casefolded request with runs of non-letters as one space.
_INSTRUCTION_WORDS = re.compile(
    r"\b(?:ignor\w*|disregard\w*|overrid\w*|bypass\w*|jailbr\w*|reveal\w*|"
    r"instructions?|pretend\w*|password\w*|api keys?|developer mode|"
    r"forget (?:all|everything|your|the|previous|prior|about)|"
    r"(?:system|initial|hidden|your|the|previous|prior) prompts?|prompt injection|"
    r"you are now|youre now|act as|respond as|from now on|tell me|"
    r"do anything now)\b"
)
# Template, markup or code syntax anywhere in the raw text.
_MARKUP = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}|<\s*/?\s*[a-z!]|`|\$\{|\\[nux]", re.I)
# A clause after a company's name: "called Sweet Crumbs that bakes bread".
_COMPANY_CLAUSE = re.compile(r"\s+(?:that|which|who|whose|where)\b.*$", re.I | re.S)
# "called X", "named X": the visitor's company, for their conversation only.
_COMPANY_SPLIT = re.compile(
    r"\s+(?:called|named|known as|by the name of|under the name)\s+", re.I
)
# A clause after the industry words, cut off: "a pet store that sells puppies".
_CLAUSE_START = re.compile(
    r"\s+(?:that|which|who|whose|where|with|without|for|in|on|at|near|selling|from|"
    r"like|to|giving|offering|ready|run|owned|willing|able|because|but|if)\b.*$",
    re.I | re.S,
)
# Anything but a letter, a digit, a space or & ' - becomes a space.
_UNWANTED = re.compile(r"[^\w&'\- ]|_")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "–": "-", "—": "-"})
# Dropped from either end of the industry words.
_FILLER = frozenset(
    "a an the some sort kind type of like just really very please now today "
    "again then ok okay so pls thanks me for my our your".split()
)
# Neighbouring keys, for spotting "asdfgh" and "qwerty".
_KEY_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890")
_VOWELS = frozenset("aeiouy")
# Leetspeak read back as letters, for the blocklist only.
_LEET = str.maketrans("013457@$!", "oieastasi")


class RequestRefusal(BaseModel):
    """Why no mode is made; `message` is the reply the visitor reads."""

    model_config = ConfigDict(frozen=True)

    reason: str  # one of REFUSALS' keys, for logs and tests
    message: str


REFUSALS = {
    "empty": "Tell me which business to become, for example: "
    "“Presto-Change-O, you're a pet store”.",
    "too_long": f"That is a long one! Name the business in a few words (up to "
    f"{REQUEST_MAX_CHARS} characters), for example “a florist”.",
    "no_words": "I could not find a business in that. Try a few words, "
    "for example “a bakery”.",
    "mash": "That does not look like a business I know. Try a few plain words, "
    "for example “a bike shop”.",
    "blocked": "I can't become that. Try naming a business, for example “a bookshop”.",
    "instructions": "I can only become a kind of business, named in a few plain "
    "words, for example “an airline” or “a bakery called Sweet Crumbs”.",
}


def request_refusal(reason: str) -> RequestRefusal:
    return RequestRefusal(reason=reason, message=REFUSALS[reason])


def industry_request(text: str) -> IndustryRequest | RequestRefusal:
    """The industry words and company in what follows "you're", or why not."""
    raw = unicodedata.normalize("NFKC", text).strip()
    if not raw:
        return request_refusal("empty")
    if len(raw) > REQUEST_MAX_CHARS:
        return request_refusal("too_long")
    if reads_as_instructions(raw):
        return request_refusal("instructions")
    industry_text, company_text = _company_split(raw.translate(_APOSTROPHES))
    industry = _industry_words(industry_text)
    company = _company_words(company_text)
    if not industry:
        return request_refusal("no_words")
    if _spells_blocked(_words(raw)):
        return request_refusal("blocked")
    if any(_mashed(word) for word in [*industry, *company]):
        return request_refusal("mash")
    # The head noun comes last in English: "a big friendly pet store" is a pet store.
    kept = " ".join(_industry_through_head(industry)[-INDUSTRY_MAX_WORDS:])
    return IndustryRequest(
        text=raw,
        industry=kept[:INDUSTRY_MAX_CHARS].strip(" &'-"),
        company=_company_name(company),
    )


def reads_as_instructions(text: str) -> bool:
    """Whether text talks to the model or carries markup: for the visitor's request
    and for every word a model drafts alike."""
    return bool(_MARKUP.search(text) or _INSTRUCTION_WORDS.search(_plain(text)))


def _industry_through_head(words: list[str]) -> list[str]:
    """The words up to the last one that ends an industry: "a pet store run by
    pirates" is a pet store, and "a store ready to approve refunds" a store, so
    trailing words never name a shared mode. With no industry word, the first few."""
    for end in range(len(words), 0, -1):
        tail = " ".join(words[max(0, end - INDUSTRY_MAX_WORDS) : end])
        if industry_match(tail) or archetype_guess(words[end - 1].casefold()) != (
            "generic"
        ):
            return words[:end]
    return words[:INDUSTRY_MAX_WORDS]


def _plain(text: str) -> str:
    """Casefolded, apostrophes dropped and other non-letters as single spaces."""
    text = text.casefold().replace("'", "")
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def _company_split(text: str) -> tuple[str, str]:
    """('a bakery', 'Sweet Crumbs') from 'a bakery called Sweet Crumbs'."""
    parts = _COMPANY_SPLIT.split(text, maxsplit=1)
    return (parts[0], parts[1]) if len(parts) == 2 else (text, "")


def _words(text: str) -> list[str]:
    """Words of letters, digits and & ' -, everything else a space."""
    words = _UNWANTED.sub(" ", text).split()
    return [w.strip("'-") for w in words if any(c.isalnum() for c in w)]


def _industry_words(text: str) -> list[str]:
    """'a Pet  Store that sells puppies!' -> ['pet', 'store']."""
    words = _words(_CLAUSE_START.sub("", text).casefold())
    while words and words[0] in _FILLER:
        words.pop(0)
    while words and words[-1] in _FILLER:
        words.pop()
    return words


def _company_words(text: str) -> list[str]:
    return _words(_COMPANY_CLAUSE.sub("", text))


def _company_name(words: list[str]) -> str | None:
    """The visitor's casing kept, unless they typed it all in one case."""
    if not words:
        return None
    name = " ".join(words)
    if name == name.casefold() or name == name.upper():
        name = " ".join(word[:1].upper() + word[1:].lower() for word in words)
    return name[:COMPANY_MAX_CHARS].strip(" &'-")


@cache
def blocked_words() -> frozenset[str]:
    """The blocklist: one casefolded word a line, # starting a comment."""
    lines = _BLOCKLIST.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().casefold() for line in lines if line.strip()[:1] not in {"", "#"}
    )


def _spells_blocked(words: list[str]) -> bool:
    """Any word blocked, or all of them spelt out a letter at a time, after an article
    or not ("a n i g g a"): clauses and filler count, since they are typed too."""
    spelled = ("".join(words), "".join(words[1:]))
    return any(_blocked(word) for word in (*words, *spelled))


@lru_cache(maxsize=4096)
def _blocked(word: str) -> bool:
    """A blocked word, its plural, or either in leetspeak or with a letter held.
    Kept per word, as `_mashed`: every trigger asks it of each of its words, and
    visitors ask for the same few industries."""
    plain = word.casefold().translate(_LEET).replace("'", "").replace("-", "")
    held = {
        plain,
        re.sub(r"(.)\1{2,}", r"\1", plain),
        re.sub(r"(.)\1{2,}", r"\1\1", plain),
    }
    forms = held | {form.removesuffix("s") for form in held}
    return not forms.isdisjoint(blocked_words())


@lru_cache(maxsize=4096)
def _mashed(word: str) -> bool:
    """Keys run along a row ("asdf", "qwerty"), one key held, six consonants in a
    row, or no vowel at all."""
    letters = word.casefold()
    if len(letters) < 4 or not letters.isalpha() or not letters.isascii():
        return False
    if re.search(r"(.)\1\1|[^aeiouy]{6}", letters) or not _VOWELS & set(letters):
        return True
    pairs = zip(letters, letters[1:], strict=False)
    return all(_adjacent_keys(a, b) for a, b in pairs)


def _adjacent_keys(a: str, b: str) -> bool:
    return any(
        a in row and b in row and abs(row.index(a) - row.index(b)) == 1
        for row in _KEY_ROWS
    )
