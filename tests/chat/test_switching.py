from dataclasses import dataclass, field

import pytest

from chat.models import Mode
from chat.switching import TriggerMatch, mode_resolve_trigger


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
        "Hey, presto change-o, you're a bank",
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
    assert mode_resolve_trigger(text, MODES) == TriggerMatch(
        mode=None, requested=requested
    )


def test_mode_resolve_trigger_skips_mode_not_passed() -> None:
    match = mode_resolve_trigger("Presto-Change-O, you're a hospital", [BANKING])

    assert match == TriggerMatch(mode=None, requested="hospital")


def test_mode_resolve_trigger_falls_back_to_shorter_alias_of_passed_mode() -> None:
    match = mode_resolve_trigger(
        "Presto-Change-O, you're a health insurer", [BANKING, INSURANCE]
    )

    assert match == TriggerMatch(mode=INSURANCE, requested="health insurer")


def test_mode_resolve_trigger_prefers_longest_alias_whatever_the_order() -> None:
    match = mode_resolve_trigger(
        "Presto-Change-O, you're a health insurer", [INSURANCE, HEALTHCARE]
    )

    assert match is not None
    assert match.mode is HEALTHCARE


def test_mode_resolve_trigger_returns_the_mode_object_passed_in() -> None:
    bank = Mode(slug="banking", name="Banking", aliases="bank, credit union")

    match = mode_resolve_trigger("Presto-Change-O, you're a credit union", [bank])

    assert match is not None
    assert match.mode is bank
