"""Education: enrolments in the school's courses over terms before, around and after
as_of, progress and grades that follow the terms, and tuition less what was paid."""

import random
import re
from datetime import date, timedelta
from typing import Literal

from personas.answers import (
    Persona,
    counted,
    joined,
    listed,
    newest_first,
    says,
    words,
)
from personas.articles import Mentions, articles_read, record_named
from personas.card import (
    Card,
    Column,
    Figure,
    Meter,
    Meters,
    Section,
    Table,
    date_of,
    money_of,
    of,
)
from personas.catalogue import CatalogueItem, catalogue_of
from personas.figures import (
    Dataset,
    Metric,
    Series,
    Tab,
    by_day,
    field_metric,
    parts,
    progress,
    single,
)
from personas.formatting import count, long_date, money
from personas.registry import Customer, Kind, Record
from personas.sampling import Draw, Prices

EnrolmentStatus = Literal["completed", "in_progress", "upcoming"]
STATUS_LABELS: dict[str, str] = {
    "completed": "Completed",
    "in_progress": "In progress",
    "upcoming": "Upcoming",
}
STATUS_TONES = {"completed": "good", "in_progress": "wait", "upcoming": "wait"}
# Completed courses' grades, the better ones likelier.
_GRADES = ("A", "A-", "B+", "B", "B-", "C+", "C")
_GRADE_WEIGHTS = (4, 5, 6, 6, 4, 2, 1)
_TERM_WEEKS = (6, 8, 10, 12, 15)
_LESSONS = (6, 8, 10, 12, 16, 20, 24, 30)
# A course that names its length ("Driving lessons, 10-lesson package") keeps to it.
_STATED_LESSONS = re.compile(r"\b(\d{1,3})[- ]lessons?\b", re.IGNORECASE)


class Enrolment(Record):
    course: str
    term_start: date
    term_end: date
    status: EnrolmentStatus
    lessons_total: int
    lessons_completed: int
    grade: str | None  # completed courses only
    tuition: float


class Payment(Record):
    date: date
    amount: float


class EducationPersona(Customer):
    student_id: str
    enrolled_since: date
    enrolments: list[Enrolment]  # by term start
    payments: list[Payment]  # newest first
    tuition_fees: float  # the enrolments' tuition
    tuition_paid: float  # the payments
    tuition_balance: float  # fees - paid, never negative
    current_lessons_completed: int  # over the courses in progress
    current_lessons_total: int


def _statuses(rng: random.Random, courses: int) -> list[EnrolmentStatus]:
    """At least one course in progress; the rest completed or upcoming."""
    in_progress = rng.randint(1, min(2, courses))
    upcoming = rng.randint(0, min(2, courses - in_progress))
    completed = courses - in_progress - upcoming
    counts = {"completed": completed, "in_progress": in_progress, "upcoming": upcoming}
    return [status for status, n in counts.items() for _ in range(n)]


def _term(rng: random.Random, status: str, as_of: date) -> tuple[date, date]:
    """A term ended before as_of, spanning it, or starting after it."""
    length = timedelta(weeks=rng.choice(_TERM_WEEKS))
    if status == "completed":
        end = as_of - timedelta(days=rng.randint(1, 720))
        return end - length, end
    if status == "in_progress":
        start = as_of - timedelta(days=rng.randint(0, length.days))
        return start, start + length
    start = as_of + timedelta(days=rng.randint(1, 120))
    return start, start + length


def _enrolment(
    rng: random.Random, item: CatalogueItem, status: str, as_of: date, price: Prices
) -> Enrolment:
    """As many lessons as the course's name says, else a usual number; those done
    follow the share of the term gone by."""
    start, end = _term(rng, status, as_of)
    stated = _STATED_LESSONS.search(item.name)
    total = int(stated.group(1)) if stated else rng.choice(_LESSONS)
    done = {"completed": total, "upcoming": 0}.get(
        status, total * (as_of - start).days // (end - start).days
    )
    grade = None
    if status == "completed":
        grade = rng.choices(_GRADES, weights=_GRADE_WEIGHTS)[0]
    return Enrolment(
        course=item.name,
        term_start=start,
        term_end=end,
        status=status,
        lessons_total=total,
        lessons_completed=done,
        grade=grade,
        tuition=price.exact(rng.uniform(item.low, item.high)),
    )


def _enrolments(rng: random.Random, draw: Draw) -> list[Enrolment]:
    """One to six distinct courses of the catalogue, by term start."""
    courses = rng.sample(draw.catalogue, rng.randint(1, min(6, len(draw.catalogue))))
    statuses = _statuses(rng, len(courses))
    enrolments = [
        _enrolment(rng, item, status, draw.as_of, draw.price)
        for item, status in zip(courses, statuses, strict=True)
    ]
    return sorted(enrolments, key=lambda e: (e.term_start, e.course))


def _payments(
    rng: random.Random,
    enrolments: list[Enrolment],
    since: date,
    as_of: date,
    price: Prices,
) -> list[Payment]:
    """Completed courses paid in full, the rest in part or in full, in one to four
    equal instalments dated between enrolling and as_of, newest first.

    Amounts are split in the currency's smallest unit so they add up exactly.
    """
    unit = 10**price.decimals
    fees = round(sum(e.tuition for e in enrolments) * unit)
    open_fees = round(
        sum(e.tuition for e in enrolments if e.status != "completed") * unit
    )
    owed = 0 if rng.random() < 0.4 else rng.randint(0, open_fees)
    paid = fees - owed
    if paid <= 0:
        return []
    parts = min(rng.randint(1, 4), paid)
    amounts = [paid // parts] * parts
    amounts[-1] += paid % parts  # the first instalment (paid earliest) rounds up
    days = sorted(rng.sample(range((as_of - since).days + 1), parts))
    return [
        Payment(date=as_of - timedelta(days=n), amount=price.exact(amount / unit))
        for n, amount in zip(days, amounts, strict=True)
    ]


def generate(draw: Draw) -> EducationPersona:
    """A student part-way through a course, with tuition billed and (mostly) paid."""
    student = draw.rng("student")
    enrolments = _enrolments(draw.rng("enrolments"), draw)
    since = enrolments[0].term_start - timedelta(days=student.randint(7, 60))
    payments = _payments(
        draw.rng("payments"), enrolments, since, draw.as_of, draw.price
    )
    fees = draw.price.exact(sum(e.tuition for e in enrolments))
    paid = draw.price.exact(sum(p.amount for p in payments))
    current = [e for e in enrolments if e.status == "in_progress"]
    return EducationPersona(
        **draw.customer(),
        student_id=f"S{student.randrange(10**8):08d}",
        enrolled_since=since,
        enrolments=enrolments,
        payments=payments,
        tuition_fees=fees,
        tuition_paid=paid,
        tuition_balance=draw.price.exact(fees - paid),
        current_lessons_completed=sum(e.lessons_completed for e in current),
        current_lessons_total=sum(e.lessons_total for e in current),
    )


# The offline model's facts.


def _with(persona: Persona, status: str) -> list[dict]:
    return [e for e in persona["enrolments"] if e["status"] == status]


def _tuition(persona: Persona, question: str) -> str:
    return (
        f"Your tuition balance is {money(persona['tuition_balance'])}: fees of "
        f"{money(persona['tuition_fees'])} less {money(persona['tuition_paid'])} paid."
    )


def _grades(persona: Persona, question: str) -> str:
    done = _with(persona, "completed")
    if not done:
        return "You have no grades yet: none of your courses has finished."
    lines = [f"{e['course']}: {e['grade']}" for e in done]
    return f"Your grades: {joined(lines)}."


def _progress_line(enrolment: dict) -> str:
    done, total = enrolment["lessons_completed"], enrolment["lessons_total"]
    return f"{enrolment['course']}: {count(done)} of {counted(total, 'lesson')}"


def _progress(persona: Persona, question: str) -> str:
    lines = [_progress_line(e) for e in _with(persona, "in_progress")]
    return f"Your progress: {'; '.join(lines)}."


def _terms(persona: Persona, question: str) -> str:
    lines = [
        f"{e['course']} ends {long_date(e['term_end'])}"
        for e in _with(persona, "in_progress")
    ]
    lines += [
        f"{e['course']} starts {long_date(e['term_start'])}"
        for e in _with(persona, "upcoming")
    ]
    return f"{'; '.join(lines)}."


def _payments_answer(persona: Persona, question: str) -> str:
    payments = newest_first(persona["payments"])[:3]
    if not payments:
        return "I don't see any tuition payments yet."
    lines = [f"{money(p['amount'])} on {long_date(p['date'])}" for p in payments]
    return f"Your latest payments: {joined(lines)}."


def _course_text(e: dict) -> str:
    return (
        f"That one is {e['course']} ({STATUS_LABELS[e['status']].lower()}), "
        f"{long_date(e['term_start'])} to {long_date(e['term_end'])}."
    )


def _courses(persona: Persona, question: str) -> str:
    lines = [
        f"{e['course']} ({STATUS_LABELS[e['status']].lower()})"
        for e in persona["enrolments"]
    ]
    count_text = counted(len(lines), "course")
    return f"You're enrolled in {count_text}: {joined(lines)}."


ANSWERS = (
    (
        words(r"student id|student number|id"),
        says("Your student ID is {}.", "student_id"),
    ),
    (words(r"grades?|gpa|marks?|results?|scores?|transcript"), _grades),
    (words(r"tuition|balance|owe|fees?|outstanding"), _tuition),
    (
        words(r"payments?|paid|instal(?:l)?ments?"),
        listed(
            lambda p: newest_first(p["payments"]),
            lambda p: f"That one was {money(p['amount'])} on {long_date(p['date'])}.",
            _payments_answer,
        ),
    ),
    (words(r"progress|lessons?|how far|credits?"), _progress),
    (
        words(r"terms?|semesters?|start|starts|begins?|ends?|finish(?:es)?|dates?"),
        _terms,
    ),
    (
        words(r"courses?|classes|enrol(?:l)?(?:ed|ments?)|studying|schedule"),
        listed(lambda p: p["enrolments"], _course_text, _courses),
    ),
)


# What its help articles name.


def _course(persona: Persona, question: str) -> str | None:
    """The course the question names, else the only one in progress."""
    current = [e for e in persona["enrolments"] if e["status"] == "in_progress"]
    named = record_named(persona["enrolments"], ("course",), question)
    chosen = named or (current[0] if len(current) == 1 else None)
    return None if chosen is None else f" ({chosen['course']})"


def _tuition_owed(persona: Persona, question: str) -> str | None:
    if persona["tuition_balance"] <= 0:
        return None
    return f" (your balance is {money(persona['tuition_balance'])})"


MENTIONS: Mentions = (
    (words(r"withdraw|drop"), _course),
    (words(r"tuition|fees"), _tuition_owed),
    (
        words(r"transcripts?|certificates?"),
        lambda persona, question: f" for student ID {persona['student_id']}",
    ),
)


def _enrolment_status(enrolment: dict) -> str:
    return STATUS_LABELS[enrolment["status"]]


def _lessons(enrolment: dict) -> str:
    done, total = enrolment["lessons_completed"], enrolment["lessons_total"]
    return f"{count(done)} of {count(total)} lessons"


CARD = Card(
    headline=Figure(
        "Tuition balance",
        money_of("tuition_balance"),
        note=lambda p: f"of {money(p['tuition_fees'])} in fees",
        testid="education-tuition-balance",
    ),
    summary=(
        Figure("Student ID", of("student_id")),
        Figure("Enrolled since", date_of("enrolled_since")),
        Figure("Tuition paid", money_of("tuition_paid")),
    ),
    sections=(
        Section(
            "Progress",
            "education-progress",
            (
                Meters(
                    (
                        Meter(
                            "Current courses",
                            "current_lessons_completed",
                            "current_lessons_total",
                            testid="education-lessons-meter",
                            unit=lambda p: "lessons",
                        ),
                        Meter(
                            "Tuition paid",
                            "tuition_paid",
                            "tuition_fees",
                            testid="education-tuition-meter",
                        ),
                    )
                ),
            ),
        ),
        Section(
            "Courses",
            "education-courses",
            (
                Table(
                    "Your enrolments",
                    lambda p: p["enrolments"],
                    (
                        Column("Course", of("course"), note=_lessons),
                        Column("Starts", date_of("term_start"), style="nowrap"),
                        Column("Ends", date_of("term_end"), style="nowrap hide-narrow"),
                        Column("Grade", lambda e: e["grade"] or "—", style="strong"),
                        Column(
                            "Status",
                            _enrolment_status,
                            tone=lambda e: STATUS_TONES[e["status"]],
                            pill=True,
                        ),
                    ),
                    "No enrolments yet.",
                ),
            ),
        ),
        Section(
            "Payments",
            "education-payments",
            (
                Table(
                    "Tuition payments",
                    lambda p: p["payments"],
                    (
                        Column("Date", date_of("date"), style="nowrap"),
                        Column(
                            "Amount",
                            money_of("amount"),
                            tone=lambda p: "credit",
                            style="num",
                        ),
                    ),
                    "No payments yet.",
                ),
            ),
        ),
    ),
)

CATALOGUE = catalogue_of(
    (
        ("Introduction to Psychology, 3 credits", 900, 1_800),
        ("Calculus I, 4 credits", 1_100, 2_200),
        ("Academic Writing, 3 credits", 850, 1_700),
        ("Introduction to Python Programming", 300, 900),
        ("Data Analysis with SQL", 250, 700),
        ("UX Design Fundamentals", 400, 1_200),
        ("Spanish for Beginners, A1", 250, 450),
        ("Business English, B2", 300, 550),
        ("Japanese Conversation, A2", 280, 500),
        ("Driving lessons, 10-lesson package", 450, 750),
        ("Defensive driving course", 80, 160),
        ("Piano lessons, beginner term", 300, 600),
        ("Guitar lessons, intermediate term", 280, 560),
        ("SAT preparation course", 500, 1_200),
        ("Year 10 tuition, mathematics", 350, 800),
        ("Project Management Professional prep", 600, 1_400),
    )
)

# The dashboard.


def _tuition_by_course(persona: Persona) -> tuple[Series, ...]:
    enrolments = persona["enrolments"]
    return single("Tuition", parts((e["course"], e["tuition"]) for e in enrolments))


DATASETS = (
    Dataset(
        "lessons_progress",
        "Lessons in current courses",
        "progress",
        "lessons",
        lambda p: progress(
            "Current courses",
            p["current_lessons_completed"],
            p["current_lessons_total"],
            ("Completed", "To go"),
        ),
        asks=r"lessons?|progress|how far|current courses",
        chart_types=("pie", "bar"),
    ),
    Dataset(
        "tuition_progress",
        "Tuition paid so far",
        "progress",
        "money",
        lambda p: progress(
            "Tuition", p["tuition_paid"], p["tuition_fees"], ("Paid", "To pay")
        ),
        asks=r"tuition paid|paid so far|balance|owe|outstanding|left to pay",
        chart_types=("pie", "bar"),
    ),
    Dataset(
        "tuition_by_course",
        "Tuition by course",
        "bar",
        "money",
        _tuition_by_course,
        asks=r"by course|per course|each course|course fees|tuition by|fees",
        chart_types=("pie",),
    ),
    Dataset(
        "tuition_payments",
        "Tuition payments",
        "bar",
        "money",
        lambda p: single("Payments", by_day(p["payments"], "date", "amount")),
        asks=r"payments?|instal(?:l)?ments?",
        chart_types=("line",),
    ),
)
METRICS = (
    field_metric("tuition_balance", "Tuition balance", "money"),
    field_metric("tuition_paid", "Tuition paid", "money"),
    field_metric("tuition_fees", "Tuition fees", "money"),
    field_metric("student_id", "Student ID", ""),
    field_metric("current_lessons_completed", "Lessons completed", "lessons"),
    Metric(
        "courses_in_progress",
        "Courses in progress",
        "count",
        lambda p: sum(e["status"] == "in_progress" for e in p["enrolments"]),
    ),
)
TABS = (
    Tab(
        "Overview",
        (
            "tuition_balance",
            "courses_in_progress",
            "current_lessons_completed",
            "lessons_progress",
            "tuition_progress",
        ),
    ),
    Tab(
        "Tuition",
        ("tuition_paid", "tuition_fees", "tuition_by_course", "tuition_payments"),
    ),
)


KIND = Kind(
    name="education",
    label="Education",
    fits="universities, colleges, schools, online courses, language schools, driving "
    "schools, music lessons, tutoring centres and training providers",
    schema=EducationPersona,
    generate=generate,
    card=CARD,
    answers=ANSWERS,
    topics="your courses and term dates, your progress and grades, tuition fees, "
    "payments and your tuition balance",
    example="What is my tuition balance?",
    examples=(
        "What is my tuition balance?",
        "What are my grades?",
        "How far along am I in my courses?",
    ),
    hero="Your courses, progress and tuition at a glance.",
    chat_subtitle="Ask about your courses, grades or tuition",
    catalogue=CATALOGUE,
    datasets=DATASETS,
    metrics=METRICS,
    tabs=TABS,
    help_articles=articles_read("education"),
    help_mentions=MENTIONS,
)
