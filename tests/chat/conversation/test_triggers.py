from collections.abc import Sequence
from dataclasses import dataclass, field

import hypothesis
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chat.conversation import triggers as switching
from chat.conversation.triggers import (
    TRIGGER_READ_CHARS,
    mode_resolve_trigger,
)
from chat.generation import matching
from chat.generation.requests import industry_request
from chat.models import Mode


@dataclass(frozen=True)
class FakeMode:
    slug: str
    name: str
    alias_list: list[str] = field(default_factory=list)


BANKING = FakeMode(
    "banking",
    "Banking",
    [
        "bank",
        "banking",
        "credit union",
        "checking",
        "savings account",
        "financial institution",
    ],
)
INSURANCE = FakeMode(
    "insurance",
    "Insurance",
    [
        "insurance",
        "insurer",
        "insurance company",
        "insurance agency",
        "auto insurance",
        "home insurance",
    ],
)
HEALTHCARE = FakeMode(
    "healthcare",
    "Healthcare",
    [
        "healthcare",
        "health care",
        "hospital",
        "clinic",
        "health plan",
        "health insurer",
        "medical",
        "doctor's office",
    ],
)
MODES = [BANKING, INSURANCE, HEALTHCARE]


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Presto-Change-O, you're a bank", "banking"),
        ("presto change-o: be an insurance company", "insurance"),
        ("Presto! You are a hospital now", "healthcare"),
        ("PRESTO CHANGE O you're a health insurer", "healthcare"),
        ("presto changeo make it healthcare please", "healthcare"),
        ("presto chango, you're a credit union", "banking"),
        ("Presto, change-o: banking", "banking"),
        ("Presto-Change-O! Be a clinic.", "healthcare"),
        ("presto change-o you are now a bank", "banking"),
        ("Presto-Change-O, you’re an insurer", "insurance"),
        ("  ...presto change-o!! become a hospital", "healthcare"),
        ("Presto-Change-O: turn into an auto insurance agency", "insurance"),
        ("Presto-Change-O, switch to home insurance", "insurance"),
        ("Presto change-o, you're a doctor's office", "healthcare"),
        ("presto change-o you're a doctors office", "healthcare"),
        ("Presto change-o: banks", "banking"),
        ("Presto change-o, hospitals please", "healthcare"),
        ("prestochangeo be a savings account", "banking"),
        ("Presto change-o. You're a financial institution.", "banking"),
        ("Presto change-o, the health plan please", "healthcare"),
        ("presto_change_o medical", "healthcare"),
        ("Presto change-o, you're a bank. What's my balance?", "banking"),
        ("Presto change-o! Please. Be a bank", "banking"),
        ("Presto, be a bank", "banking"),
        ("Presto! Switch to insurance", "insurance"),
        ("Presto, please make it a hospital", "healthcare"),
        ("Presto! Now you're an insurance agency", "insurance"),
        ("presto change-o, you're the bank for me", "banking"),
        ("Presto change-o, pretend to be a health care company", "healthcare"),
        ("Presto change-o act as a checking account", "banking"),
        ("Presto change-o, you're Healthcare", "healthcare"),
        ("Presto-Change-O, be Banking", "banking"),
        ("Presto change-o: insurance-company", "insurance"),
        ("Presto change-o you're a health insurer, ok?", "healthcare"),
        ("presto change o you're an insurance company now thanks", "insurance"),
        ("Presto Change-O, you are a Credit-Union now", "banking"),
        ("Presto, change-o, you're a bank, right?", "banking"),
        # After a lead-in, and in "hey presto".
        ("Hey presto change-o, you're a hospital", "healthcare"),
        ("Hey, presto change-o, you're a bank", "banking"),
        ("hey presto, you're a bank", "banking"),
        ("Hey presto! Be a clinic", "healthcare"),
        ("ok presto change-o, you're an insurer", "insurance"),
        ("Okay so presto change-o: banking", "banking"),
        ("so, presto chango - a credit union", "banking"),
        ("Alright, presto change-o, be a hospital", "healthcare"),
        ("all right presto change-o you're a bank", "banking"),
        ("um presto change-o make it healthcare", "healthcare"),
        ("Umm... presto change-o, medical", "healthcare"),
        ("Hey there, presto change-o: you're a bank", "banking"),
        ("hey there presto, switch to insurance", "insurance"),
        ("Uh, okay, presto change-o! You're an insurance company", "insurance"),
        ("yo presto change-o, you're a clinic", "healthcare"),
        ("oh, presto change-o — be a bank", "banking"),
        ("Hi! Presto change-o, you're a bank", "banking"),
        # As speech-to-text spells it.
        ("presto chango you're a bank", "banking"),
        ("Presto change oh, you're a hospital", "healthcare"),
        ("presto change-oh be a clinic", "healthcare"),
        ("presto-chango: a bank", "banking"),
        ("Presto Change O, you're an insurer", "insurance"),
        ("presto chang-o, you're a bank", "banking"),
        # The request after a comma, a colon or a dash.
        ("Presto-Change-O: you're a bank", "banking"),
        ("presto chango - make it a hospital", "healthcare"),
        ("Presto change-o — an insurance agency", "insurance"),
        ("presto change-o – you're a credit union", "banking"),
        ("Presto change-o; you're a bank", "banking"),
    ],
)
def test_mode_resolve_trigger_switches_to_named_mode(text: str, slug: str) -> None:
    match = mode_resolve_trigger(text, MODES)

    assert match is not None
    assert match.mode is not None
    assert match.mode.slug == slug


@pytest.mark.parametrize(
    "text",
    [
        "I want to open a bank account",
        "Is the presto card accepted?",
        "Can you change my address?",
        "you're a bank, right?",
        "",
        "   ",
        "Presto!",
        "presto",
        "Presto card balance please",
        "Presto, what's my balance?",
        "Presto. Is this thing on? Be a bank",
        "Prestocard top-up",
        "Prestor John was a legend",
        "Change-o presto, you're a bank",
        "Please presto change-o you're a bank",
        "I said presto change-o earlier",
        "What does presto change-o do?",
        "Switch to banking",
        "Be a bank",
        "You are a hospital now",
        "Make it healthcare please",
        "Become an insurance company",
        "My insurer denied the claim",
        "presto change order status",
        "Presto changeover schedule?",
        "Presto's opening hours",
        "Presto, I need a doctor",
        "Presto: bank",
        "Presto bank",
        "Presto! Now what?",
        "presto pasta recipe",
        "Pesto change-o, you're a bank",
        "The presto change-o trick is neat",
        "1 presto change-o you're a bank",
        "Presto, please, what's the weather?",
        # Lead-ins and spellings do not make ordinary chat a trigger.
        "the Presto card",
        "I saw a magician say presto",
        "is presto change-o a real phrase?",
        "So presto change-o is a real phrase?",
        "ok presto change-o sounds silly",
        "Hey presto",
        "hey presto!",
        "Hey presto, a bank",
        "Hey presto! And the card was blocked",
        "Oh presto, what's my balance?",
        "ok presto",
        "so the presto card, is it accepted?",
        "um, presto card top-up",
        "hey prestochango",
        "okay so presto",
        "Hey there presto",
        "presto change ohio",
        "Heyo presto change-o, you're a bank",
        "okay presto change order status",
        "well presto change-o, you're a bank",
        "Hey, I saw presto change-o, you're a bank",
    ],
)
def test_mode_resolve_trigger_ignores_ordinary_chat(text: str) -> None:
    assert mode_resolve_trigger(text, MODES) is None


@pytest.mark.parametrize(
    ("text", "requested"),
    [
        ("Presto-Change-O, you're a bakery", "bakery"),
        ("presto change-o be an airline please", "airline"),
        ("Presto! You're a pet store now", "pet store"),
        ("Presto change-o, you're a bakery. Not a bank.", "bakery"),
        ("Presto-Change-O!", ""),
    ],
)
def test_mode_resolve_trigger_reports_unknown_request(
    text: str, requested: str
) -> None:
    match = mode_resolve_trigger(text, MODES)

    assert (match.mode, match.requested) == (None, requested)


def test_mode_resolve_trigger_skips_mode_not_passed() -> None:
    match = mode_resolve_trigger("Presto-Change-O, you're a hospital", [BANKING])

    assert (match.mode, match.requested) == (None, "hospital")


def test_mode_resolve_trigger_falls_back_to_shorter_alias_of_passed_mode() -> None:
    match = mode_resolve_trigger(
        "Presto-Change-O, you're a health insurer", [BANKING, INSURANCE]
    )

    assert (match.mode, match.requested) == (INSURANCE, "health insurer")


def test_mode_resolve_trigger_prefers_longest_alias_whatever_the_order() -> None:
    match = mode_resolve_trigger(
        "Presto-Change-O, you're a health insurer", [INSURANCE, HEALTHCARE]
    )

    assert match is not None
    assert match.mode is HEALTHCARE


class Untouchable(Sequence):
    """Modes that fail the test if anything reads them."""

    def __getitem__(self, index):
        raise AssertionError("the modes were read")

    def __len__(self) -> int:
        raise AssertionError("the modes were read")


def test_mode_resolve_trigger_reads_the_modes_only_for_its_mode() -> None:
    """Telling a trigger from chat costs no matching: a turn matches the industry
    its request names itself."""
    match = mode_resolve_trigger("Presto-Change-O, you're a bank", Untouchable())

    assert match.requested == "bank"
    with pytest.raises(AssertionError, match="the modes were read"):
        match.mode  # noqa: B018


def test_mode_resolve_trigger_returns_the_mode_object_passed_in() -> None:
    bank = Mode(slug="banking", name="Banking", aliases="bank, credit union")

    match = mode_resolve_trigger("Presto-Change-O, you're a credit union", [bank])

    assert match is not None
    assert match.mode is bank


# The phrases a visitor can pad a request with, each of which the matcher strips.
FILLERS = [" ".join(phrase) for phrase in switching._PADDING + switching._SWITCH_VERBS]
MESSAGE_MAX_CHARS = 4000


@pytest.mark.parametrize("filler", [*FILLERS, "please you are now thank you"])
@pytest.mark.parametrize("trigger", ["Presto change-o,", "Presto!"])
def test_mode_resolve_trigger_survives_a_flood_of_filler(
    trigger: str, filler: str
) -> None:
    text = f"{trigger} {' '.join([filler] * 1000)} a bank"

    match = mode_resolve_trigger(text, MODES)

    # The bank lies beyond what the matcher reads, so no mode is switched to.
    assert match is None or match.mode is None
    assert match is None or len(match.requested) <= TRIGGER_READ_CHARS


@pytest.mark.parametrize("filler", FILLERS)
def test_mode_resolve_trigger_finds_request_after_some_filler(filler: str) -> None:
    text = f"Presto change-o, {' '.join([filler] * 10)} be a bank please"

    match = mode_resolve_trigger(text, MODES)

    assert match is not None
    assert match.mode is BANKING


def _message_of(opening: str, filler: str) -> str:
    """opening followed by filler repeated to exactly MESSAGE_MAX_CHARS characters."""
    repeats = MESSAGE_MAX_CHARS // len(filler) + 1
    return (opening + filler * repeats)[:MESSAGE_MAX_CHARS]


def test_mode_resolve_trigger_switches_on_longest_message() -> None:
    text = _message_of("Presto-Change-O, you're a bank. ", "What's my balance? ")

    match = mode_resolve_trigger(text, MODES)

    assert len(text) == MESSAGE_MAX_CHARS
    assert (match.mode, match.requested) == (BANKING, "bank")


@pytest.mark.parametrize(
    "text",
    [
        _message_of("", "I want to open a bank account. "),
        _message_of("", "presto "),
        _message_of("", "!"),
        _message_of("Presto, ", "what's my balance "),
    ],
)
def test_mode_resolve_trigger_ignores_longest_ordinary_message(text: str) -> None:
    assert mode_resolve_trigger(text, MODES) is None


@pytest.mark.parametrize(
    ("tail", "requested"),
    [("bank", ""), ("ba nk", "ba"), ("you're a bank", ""), ("bankers", "")],
)
def test_mode_resolve_trigger_drops_word_split_by_the_read_limit(
    tail: str, requested: str
) -> None:
    # The tail starts two characters before the cut.
    text = "Presto change-o, ".ljust(TRIGGER_READ_CHARS - 2, "!") + tail

    match = mode_resolve_trigger(text, MODES)

    assert (match.mode, match.requested) == (None, requested)


# Messages of up to the longest allowed, mostly built from the matcher's own vocabulary
# (triggers, fillers, mode words, clause ends) so the deep paths get exercised.
VOCABULARY = [
    *FILLERS,
    "presto",
    "Presto-Change-O,",
    "change-o",
    "bank",
    "health insurer",
    "a",
    ".",
    ",",
    "!",
    "’",
]
messages = st.one_of(
    st.text(max_size=MESSAGE_MAX_CHARS),
    st.lists(st.sampled_from(VOCABULARY), max_size=900)
    .map(" ".join)
    .map(lambda text: text[:MESSAGE_MAX_CHARS]),
)


@hypothesis.settings(max_examples=300, deadline=None)
@given(text=messages)
def test_mode_resolve_trigger_answers_any_message(text: str) -> None:
    match = mode_resolve_trigger(text, MODES)

    assert match is None or len(match.requested) <= TRIGGER_READ_CHARS


@hypothesis.settings(max_examples=300, deadline=None)
@given(text=messages)
def test_mode_resolve_trigger_examines_a_bounded_number_of_words(text: str) -> None:
    examined: list[str] = []
    tokenize = matching.words_located

    def tokenize_counted(clause: str) -> tuple[tuple[str, int], ...]:
        examined.extend(tokenize(clause))
        return tokenize(clause)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matching, "words_located", tokenize_counted)
        mode_resolve_trigger(text, [])

    assert len(examined) <= TRIGGER_READ_CHARS


@hypothesis.settings(max_examples=200, deadline=None)
@given(
    head=messages.filter(bool).map(
        lambda text: (text * (TRIGGER_READ_CHARS + 1))[: TRIGGER_READ_CHARS + 1]
    ),
    rest=messages,
)
def test_mode_resolve_trigger_reads_nothing_past_the_limit(
    head: str, rest: str
) -> None:
    # One character past the limit, to see whether the cut splits a word.
    assert mode_resolve_trigger(head + rest, MODES) == mode_resolve_trigger(head, MODES)


@pytest.mark.parametrize(
    ("text", "request_text"),
    [
        (
            "Presto-Change-O, you're a bakery called Sweet Crumbs. Not a bank.",
            "a bakery called Sweet Crumbs",
        ),
        ("presto change-o: please be {{ settings }} now", "{{ settings"),
        ("Presto, become a Pet Shop!", "a Pet Shop"),
        (
            "Presto-Change-O, now you are the bank called McDonald's please",
            "the bank called McDonald's",
        ),
        ("Presto-Change-O", ""),
        ("presto-chango: a Bakery", "a Bakery"),
        (
            "Hey presto change-o, um, a florist called Petal & Stem",
            "a florist called Petal & Stem",
        ),
        ("okay so presto chango - make it an airline", "an airline"),
        ("Presto change-o — you're a pet shop!", "a pet shop"),
    ],
)
def test_mode_resolve_trigger_keeps_the_request_as_typed(text, request_text):
    assert mode_resolve_trigger(text, []).request_text == request_text


@pytest.mark.parametrize(
    ("text", "industry", "company"),
    [
        ("presto chango - make it an airline", "airline", None),
        (
            "Hey presto change-o, um, a bakery called Sweet Crumbs",
            "bakery",
            "Sweet Crumbs",
        ),
        ("okay so, presto change oh: you're a bakery, please", "bakery", None),
        ("alright presto-chango — a pet store that sells puppies", "pet store", None),
        ("Hey there, presto change-o; be a driving school", "driving school", None),
    ],
)
def test_mode_resolve_trigger_hands_the_conjurer_the_industry(text, industry, company):
    """The request a new lead-in or separator leaves reads as the same industry."""
    request = industry_request(mode_resolve_trigger(text, MODES).request_text)

    assert (request.industry, request.company) == (industry, company)
