"""The offline model's toolkit: what a question names, and which row it picks."""

import pytest

from personas.answers import first_match, listed, ordinal_in, words

TYPES = {"Auto": words("auto|car"), "Home": words("home|house")}


def test_first_match_is_the_earliest_mention():
    assert first_match(TYPES, "and home? what's my auto deductible") == "Home"
    assert first_match(TYPES, "my car, then the house") == "Auto"
    assert first_match(TYPES, "my boat") is None


@pytest.mark.parametrize(
    ("question", "row"),
    [
        ("the second one?", 1),
        ("and the 3rd", 2),
        ("number 4 please", 3),
        ("the last one", -1),
        ("the first one?", 0),
        ("and the one after that?", 1),
        ("when was my last payment?", None),  # the newest, not the list's last
        ("my first appointment", None),
    ],
)
def test_ordinal_in(question, row):
    assert ordinal_in(question) == row


ROWS = [{"name": "a"}, {"name": "b"}]
ANSWER = listed(
    lambda persona: ROWS, lambda row: f"It is {row['name']}.", lambda p, q: "All."
)


@pytest.mark.parametrize(
    ("question", "reply"),
    [
        ("show them", "All."),
        ("the second one?", "It is b."),
        ("the last one", "It is b."),
        ("the fifth one", "I only see 2 of those."),
    ],
)
def test_listed_answers_the_row_picked_else_the_list(question, reply):
    assert ANSWER({}, question) == reply
