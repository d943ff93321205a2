"""The industry table: wide enough for most requests, each row complete, and a
sensible entry for an industry it does not list."""

import pytest

from chat.generation.industries import (
    INDUSTRIES,
    archetype_guess,
    display_name,
    industry_fallback,
    industry_for,
    industry_match,
    plural,
)
from chat.generation.palettes import HUES
from chat.generation.requests import IndustryRequest, industry_request

# The customer kinds the table is written for: the four built-in ones and the six
# archetypes of issue 10, part 2.
ARCHETYPES = frozenset(
    "banking insurance healthcare generic retail subscription travel utilities "
    "appointments education".split()
)
# Industries the issue names, each with a phrase a visitor might use for it.
NAMED = [
    ("pet store", "pet store"), ("florist", "florist"), ("airline", "airline"),
    ("bakery", "bakery"), ("hotel", "hotel"), ("gym", "gym"), ("dentist", "dentist"),
    ("vet", "vet"), ("garage", "garage"), ("telecom", "telecom"),
    ("electricity", "electricity supplier"), ("university", "university"),
    ("driving school", "driving school"), ("bookshop", "bookshop"),
    ("coffee shop", "coffee shop"), ("restaurant", "restaurant"),
    ("car rental", "car rental"), ("cruise line", "cruise line"),
    ("law firm", "law firm"), ("accountant", "accountant"),
    ("streaming service", "streaming service"),
    ("software company", "software company"),
    ("insurance broker", "insurance broker"), ("credit union", "credit union"),
    ("pharmacy", "pharmacy"), ("clinic", "clinic"), ("hospital", "hospital"),
]  # fmt: skip
NAMES = [
    name for industry in INDUSTRIES for name in (industry.phrase, *industry.synonyms)
]


def test_industries_cover_at_least_sixty():
    assert len(INDUSTRIES) >= 60
    assert len({industry.phrase for industry in INDUSTRIES}) == len(INDUSTRIES)


@pytest.mark.parametrize("industry", INDUSTRIES, ids=lambda i: i.phrase)
def test_industry_row_is_complete(industry):
    assert industry.kind in ARCHETYPES
    assert industry.hue in HUES
    assert 6 <= len(industry.catalogue) <= 12
    assert all(item.low <= item.high for item in industry.catalogue)
    assert industry.company_firsts and industry.company_lasts
    assert industry.tagline and industry.name
    assert 1 <= industry.notes.count(".") <= 2 and industry.notes.endswith(".")


@pytest.mark.parametrize("industry", INDUSTRIES, ids=lambda i: i.phrase)
def test_industry_answers_to_its_phrase_synonyms_and_plurals(industry):
    for name in (industry.phrase, *industry.synonyms):
        assert industry_match(name) is industry
        assert industry_match(plural(name)) is industry
        assert industry_match(name.upper()) is industry


def test_industry_names_are_not_shared():
    assert len(NAMES) == len(set(NAMES))


@pytest.mark.parametrize("name", NAMES)
def test_industry_names_pass_the_request_cleaner(name):
    request = industry_request(f"a {name}")
    assert isinstance(request, IndustryRequest), request


@pytest.mark.parametrize(("asked", "phrase"), NAMED)
def test_industry_match_finds_the_issue_industries(asked, phrase):
    assert industry_match(asked).phrase == phrase


@pytest.mark.parametrize(
    ("words", "phrase"),
    [
        ("pet shop", "pet store"),
        ("pet stores", "pet store"),
        ("luxury pet store", "pet store"),
        ("local family dentist", "dentist"),
        ("cafe", "coffee shop"),
        ("bookstores", "bookshop"),
        ("b&b", "bed and breakfast"),
    ],
)
def test_industry_match_reads_synonyms_plurals_and_describing_words(words, phrase):
    assert industry_match(words).phrase == phrase


@pytest.mark.parametrize("words", ["kite maker", "pet clinic", "dog hotel", "zoo"])
def test_industry_match_leaves_unlisted_trades_alone(words):
    assert industry_match(words) is None


@pytest.mark.parametrize(
    ("words", "kind"),
    [
        ("kite shop", "retail"),
        ("candle store", "retail"),
        ("pet clinic", "appointments"),
        ("nail salon", "appointments"),
        ("book club", "subscription"),
        ("chess club", "subscription"),
        ("surf school", "education"),
        ("dog hotel", "travel"),
        ("boat hire", "travel"),
        ("solar energy", "utilities"),
        ("kite maker", "generic"),
        ("zoo", "generic"),
    ],
)
def test_archetype_guess_reads_the_head_noun(words, kind):
    assert archetype_guess(words) == kind


def test_industry_fallback_is_named_by_the_visitor_words():
    industry = industry_for("Kite  Shop")
    assert (industry.phrase, industry.name, industry.kind) == (
        "kite shop",
        "Kite Shop",
        "retail",
    )
    assert industry.hue in HUES and 6 <= len(industry.catalogue) <= 12
    assert industry_fallback("kite shop") == industry


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("pet store", "pet stores"),
        ("bakery", "bakeries"),
        ("bus company", "bus companies"),
        ("coach", "coaches"),
        ("day", "days"),
        ("bed and breakfast", "bed and breakfasts"),
        ("electricity", "electricity"),
        ("pet supplies", "pet supplies"),
        ("glass", "glasses"),
        ("salesperson", "salespersons"),
        ("person", "people"),
    ],
)
def test_plural_of_the_last_word(phrase, expected):
    assert plural(phrase) == expected


def test_display_name_keeps_minor_words_lowercase():
    assert display_name("bed and breakfast") == "Bed and Breakfast"
