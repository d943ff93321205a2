"""Education students: terms on the right side of as_of for their status, progress and
grades that follow, and a tuition balance that is fees less payments."""

from hypothesis import given

from personas.formatting import long_date, money
from personas.kinds import education
from personas.registry import generate_persona
from personas.sampling import prices_for
from tests.personas.archetypes import (
    AS_OF,
    days,
    in_range,
    kind_answer,
    locales,
    many,
    own_catalogues,
    persona_where,
    seeds,
)


def status_of(enrolment: dict, as_of: str) -> str:
    if enrolment["term_end"] < as_of:
        return "completed"
    return "upcoming" if enrolment["term_start"] > as_of else "in_progress"


@many
@given(seeds, days, locales)
def test_education_statuses_fit_the_terms(seed, as_of, locale):
    persona = generate_persona("education", seed, as_of=as_of, locale=locale)
    today = as_of.isoformat()
    enrolments = persona["enrolments"]
    assert [e["term_start"] for e in enrolments] == sorted(
        e["term_start"] for e in enrolments
    )
    assert any(e["status"] == "in_progress" for e in enrolments)
    for e in enrolments:
        assert persona["enrolled_since"] < e["term_start"] < e["term_end"]
        assert e["status"] == status_of(e, today)


@many
@given(seeds, days, locales)
def test_education_progress_and_grades_follow_the_status(seed, as_of, locale):
    persona = generate_persona("education", seed, as_of=as_of, locale=locale)
    for e in persona["enrolments"]:
        done, total = e["lessons_completed"], e["lessons_total"]
        expected = {"completed": total, "upcoming": 0}.get(e["status"], done)
        assert 0 <= done == expected <= total
        assert (e["grade"] in education._GRADES) == (e["status"] == "completed")
        assert e["grade"] is None or e["status"] == "completed"
    current = [e for e in persona["enrolments"] if e["status"] == "in_progress"]
    assert persona["current_lessons_completed"] == sum(
        e["lessons_completed"] for e in current
    )
    assert persona["current_lessons_total"] == sum(e["lessons_total"] for e in current)


@many
@given(seeds, days, locales)
def test_education_balance_is_fees_less_payments(seed, as_of, locale):
    persona = generate_persona("education", seed, as_of=as_of, locale=locale)
    price = prices_for(persona["currency"])
    fees = price.exact(sum(e["tuition"] for e in persona["enrolments"]))
    paid = price.exact(sum(p["amount"] for p in persona["payments"]))
    assert persona["tuition_fees"] == fees
    assert persona["tuition_paid"] == paid
    assert persona["tuition_balance"] == price.exact(fees - paid) >= 0
    completed = sum(
        e["tuition"] for e in persona["enrolments"] if e["status"] == "completed"
    )
    assert paid >= price.exact(completed)


@many
@given(seeds, days, locales)
def test_education_payments_are_dated_since_enrolling(seed, as_of, locale):
    persona = generate_persona("education", seed, as_of=as_of, locale=locale)
    dates = [p["date"] for p in persona["payments"]]
    assert len(dates) <= 4
    assert dates == sorted(set(dates), reverse=True)
    assert all(persona["enrolled_since"] <= d <= as_of.isoformat() for d in dates)
    assert all(p["amount"] > 0 for p in persona["payments"])


@many
@given(seeds, locales, own_catalogues())
def test_education_courses_come_from_the_catalogue(seed, locale, catalogue):
    persona = generate_persona(
        "education", seed, as_of=AS_OF, locale=locale, catalogue=catalogue
    )
    ranges = {item["name"]: (item["low"], item["high"]) for item in catalogue}
    courses = [e["course"] for e in persona["enrolments"]]
    assert len(set(courses)) == len(courses)
    for e in persona["enrolments"]:
        assert in_range(e["tuition"], *ranges[e["course"]], persona["currency"])


def graded(persona: dict) -> bool:
    return any(e["grade"] for e in persona["enrolments"])


def test_education_answers_grades_of_completed_courses():
    persona = persona_where("education", graded)
    reply = kind_answer("education", persona, "What are my grades?")
    for e in (e for e in persona["enrolments"] if e["grade"]):
        assert f"{e['course']}: {e['grade']}" in reply


def test_education_answers_no_grades_before_any_course_ends():
    persona = persona_where("education", lambda p: not graded(p))
    assert "no grades yet" in kind_answer("education", persona, "my grades")


def test_education_answers_progress_term_dates_and_student_id():
    persona = generate_persona("education", 4, as_of=AS_OF)
    current = next(e for e in persona["enrolments"] if e["status"] == "in_progress")
    progress = kind_answer("education", persona, "How many lessons have I done?")
    assert f"{current['course']}: {current['lessons_completed']} of" in progress
    ends = kind_answer("education", persona, "When does my term end?")
    assert long_date(current["term_end"]) in ends
    assert persona["student_id"] in kind_answer(
        "education", persona, "What's my student ID?"
    )


def test_education_answers_tuition_with_fees_and_payments():
    persona = generate_persona("education", 4, as_of=AS_OF, locale="de_DE")
    reply = kind_answer("education", persona, "How much tuition do I owe?")
    for field in ("tuition_balance", "tuition_fees", "tuition_paid"):
        assert money(persona[field], "EUR", "de_DE") in reply


def test_education_course_keeps_the_lessons_its_name_states():
    catalogue = [
        {"name": "Driving lessons, 10-lesson package", "low": 400, "high": 500}
    ]
    for seed in range(20):
        persona = generate_persona("education", seed, as_of=AS_OF, catalogue=catalogue)
        assert [e["lessons_total"] for e in persona["enrolments"]] == [10]
