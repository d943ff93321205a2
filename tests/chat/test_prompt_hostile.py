"""Hostile prompt templates: refused on save with a clear message, or rendered within
bounds of time and size.

Staff edit prompts in the admin, so a template is untrusted input from a privileged
but fallible user: it must not load, include or leak anything, and a saved one must
not make every reply slow, huge or broken.
"""

import time
import tracemalloc

import hypothesis
import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from chat.models import Mode
from chat.prompts import (
    MAX_RENDERED_CHARS,
    PromptTemplateError,
    prompt_template_problems,
    render_source,
)
from chat.selectors import prompt_active_version
from personas import generate_persona

LOOP2 = (
    "{% for a in persona.recent_transactions %}"
    "{% for b in persona.recent_transactions %}"
)
END2 = "{% endfor %}{% endfor %}"

# (id, source, a phrase the refusal must contain)
REFUSED_SOURCES = [
    ("load-unknown", "{% load no_such_library %}Hi", "{% load %} tag is not allowed"),
    ("load-i18n", "{% load i18n %}{% translate 'Hi' %}", "{% load %} tag"),
    ("include", '{% include "x.html" %}', "{% include %} tag is not allowed"),
    ("extends", '{% extends "base.html" %}', "{% extends %} tag is not allowed"),
    ("debug", "{% debug %}", "{% debug %} tag is not allowed"),
    ("ssi", "{% ssi '/etc/passwd' %}", "Invalid block tag 'ssi'"),
    ("url", "{% url 'admin:index' %}", "{% url %} tag is not allowed"),
    ("csrf-token", "{% csrf_token %}", "{% csrf_token %} tag is not allowed"),
    ("templatetag", "{% templatetag openblock %}", "{% templatetag %} tag"),
    ("widthratio", "{% widthratio 1 1 100000000 %}", "{% widthratio %} tag"),
    ("dunder", "{{ persona.__class__ }}", "may not begin with underscores"),
    ("dunder-mro", "{{ mode.__class__.__mro__ }}", "may not begin with underscores"),
    ("private", "{{ persona._meta }}", "may not begin with underscores"),
    ("dict-method", "{{ persona.items }}", "Unknown variable persona.items"),
    ("value-attribute", "{{ persona.name.upper }}", "single value with no fields"),
    ("unknown-root", "{{ settings.SECRET_KEY }}", "Unknown variable settings"),
    (
        "loop-3-deep",
        LOOP2 + "{% for c in persona.recent_transactions %}x{% endfor %}" + END2,
        "nested at most 2 deep",
    ),
]
# A prompt is at most MAX_RENDERED_CHARS of text; these ask for far more from a few
# bytes of source, so they must be refused before anything renders them.
AMPLIFYING_SOURCES = [
    ("ljust", '{{ persona.name|ljust:"10000000" }}'),
    ("rjust", '{{ persona.name|rjust:"10000000" }}'),
    ("center", '{{ persona.name|center:"10000000" }}'),
    ("stringformat", '{{ persona.name|stringformat:"10000000s" }}'),
    ("floatformat", '{{ persona.checking_balance|floatformat:"10000000" }}'),
    ("filter-tag", '{% filter ljust:"10000000" %}x{% endfilter %}'),
    ("nested-loops", LOOP2 + '{{ persona.name|ljust:"100000" }}' + END2),
]
# Each reads a real field, but its filter cannot take that value or argument: left
# to render, they raise, and every reply with the prompt would fail.
RAISING_SOURCES = [
    ("first-of-a-number", "{{ persona.checking_balance|first }}"),
    ("last-of-a-number", "{{ persona.checking_balance|last }}"),
    ("random-of-a-number", "{{ persona.checking_balance|random }}"),
    ("divisibleby-zero", '{{ persona.credit_score|divisibleby:"0" }}'),
    ("ljust-not-a-number", '{{ persona.name|ljust:"wide" }}'),
    ("wordwrap-not-a-number", '{{ persona.name|wordwrap:"wide" }}'),
    ("escapeseq-of-a-number", "{{ persona.savings_balance|escapeseq }}"),
    ("timeuntil-a-name", "{{ persona.member_since|timeuntil:persona.name }}"),
]
# Python's recursion limit is ~1,000 frames and each nested block costs several.
DEEP_NESTING = [
    ("if-200", "{% if True %}" * 200 + "x" + "{% endif %}" * 200),
    ("if-1000", "{% if True %}" * 1000 + "x" + "{% endif %}" * 1000),
    ("with-1000", "{% with a=1 %}" * 1000 + "x" + "{% endwith %}" * 1000),
    ("spaceless-3000", "{% spaceless %}" * 3000 + "x" + "{% endspaceless %}" * 3000),
]
RENDER_SECONDS = 1.0
# Rendering MAX_RENDERED_CHARS (at 4 bytes a character) plus the engine's own work.
RENDER_PEAK_BYTES = 2_000_000


def ids(table: list[tuple]) -> list[str]:
    return [row[0] for row in table]


def banking_mode() -> Mode:
    return Mode.objects.get(slug="banking")


def render_measured(source: str) -> tuple[str | Exception, float, int]:
    """Render for a banking customer: the text or the exception, seconds, peak bytes."""
    mode, persona = banking_mode(), generate_persona("banking", 7)
    tracemalloc.start()
    started = time.monotonic()
    try:
        outcome = render_source(source, mode=mode, persona=persona)
    except Exception as error:  # the test asserts on which exception
        outcome = error
    elapsed = time.monotonic() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return outcome, elapsed, peak


@pytest.fixture
def staff_client(db, settings) -> Client:
    """A client logged in as a superuser (staff with every permission)."""
    # The admin pages link static files; tests have no collected manifest.
    settings.STORAGES = settings.STORAGES | {
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        }
    }
    # No password: hashing one costs a second a test, and force_login needs none.
    user = get_user_model().objects.create_superuser("staff", "s@example.com", None)
    client = Client()
    client.force_login(user)
    return client


def mode_form_data(mode: Mode, **changes: str) -> dict:
    """The change form as the admin page would post it, with `changes` applied."""
    active = prompt_active_version(mode)
    data = {
        field: getattr(mode, field)
        for field in (
            "slug",
            "name",
            "company_name",
            "tagline",
            "primary_color",
            "secondary_color",
            "background_color",
            "surface_color",
            "text_color",
            "persona_kind",
            "faker_locale",
            "aliases",
            "greeting_template",
            "display_order",
        )
    }
    data |= {
        "is_active": "on",
        "system_prompt": active.source,
        "prompts-TOTAL_FORMS": "0",
        "prompts-INITIAL_FORMS": "0",
        "prompts-MIN_NUM_FORMS": "0",
        "prompts-MAX_NUM_FORMS": "1000",
    }
    return data | changes


def admin_save(client: Client, mode: Mode, **changes: str):
    url = reverse("admin:chat_mode_change", args=[mode.pk])
    return client.post(url, mode_form_data(mode, **changes))


def form_errors(response, field: str) -> list[str]:
    return list(response.context["adminform"].form.errors.get(field, []))


@pytest.mark.django_db
def test_admin_save_accepts_the_shipped_prompt(staff_client):
    """The harness itself: an unchanged form saves, so refusals below mean something."""
    mode = banking_mode()
    response = admin_save(staff_client, mode, tagline="Still banking")
    assert response.status_code == 302
    assert Mode.objects.get(pk=mode.pk).tagline == "Still banking"


@pytest.mark.parametrize(
    ("name", "source", "phrase"), REFUSED_SOURCES, ids=ids(REFUSED_SOURCES)
)
@pytest.mark.django_db
def test_prompt_template_problems_refuses_hostile_source(name, source, phrase):
    problems = prompt_template_problems(source, "banking")
    assert problems, f"{name} passed the lint"
    assert any(phrase in problem for problem in problems), problems
    assert all(problem.startswith("Line ") for problem in problems)


@pytest.mark.parametrize(
    ("name", "source", "phrase"), REFUSED_SOURCES, ids=ids(REFUSED_SOURCES)
)
@pytest.mark.parametrize("field", ["system_prompt", "greeting_template"])
@pytest.mark.django_db
def test_admin_save_refuses_hostile_source(staff_client, field, name, source, phrase):
    mode = banking_mode()
    before = (prompt_active_version(mode).pk, mode.greeting_template)
    response = admin_save(staff_client, mode, **{field: source})
    assert response.status_code == 200
    assert any(phrase in error for error in form_errors(response, field))
    mode.refresh_from_db()
    assert (prompt_active_version(mode).pk, mode.greeting_template) == before


@pytest.mark.parametrize(
    ("name", "source"), AMPLIFYING_SOURCES, ids=ids(AMPLIFYING_SOURCES)
)
@pytest.mark.django_db
def test_prompt_template_problems_refuses_amplifying_source(name, source):
    assert prompt_template_problems(source, "banking"), f"{name} passed the lint"


@pytest.mark.parametrize(
    ("name", "source"), AMPLIFYING_SOURCES, ids=ids(AMPLIFYING_SOURCES)
)
@pytest.mark.django_db
def test_render_source_of_amplifying_source_stays_small(name, source):
    outcome, elapsed, peak = render_measured(source)
    assert isinstance(outcome, PromptTemplateError | str)
    assert elapsed < RENDER_SECONDS
    assert peak < RENDER_PEAK_BYTES, f"{name} allocated {peak:,} bytes to render"


@pytest.mark.parametrize(("name", "source"), RAISING_SOURCES, ids=ids(RAISING_SOURCES))
@pytest.mark.django_db
def test_prompt_template_problems_refuses_source_that_cannot_render(name, source):
    outcome, _, _ = render_measured(source)
    problems = prompt_template_problems(source, "banking")
    assert problems or not isinstance(outcome, Exception), (
        f"{name} passed the lint but rendering raised {outcome!r}"
    )


@pytest.mark.parametrize(("name", "source"), RAISING_SOURCES, ids=ids(RAISING_SOURCES))
@pytest.mark.django_db
def test_admin_preview_reports_source_that_cannot_render(staff_client, name, source):
    """The live preview says what is wrong instead of failing with a 500."""
    data = mode_form_data(banking_mode(), system_prompt=source) | {"seed": "7"}
    response = staff_client.post(reverse("admin:chat_mode_preview"), data)
    assert response.status_code == 200
    assert response.json()["system_prompt"]["problems"], name


@pytest.mark.parametrize(("name", "source"), DEEP_NESTING, ids=ids(DEEP_NESTING))
@pytest.mark.django_db
def test_prompt_template_problems_handles_deep_nesting(name, source):
    """Refused with a message, or fine to render: never a RecursionError (a 500)."""
    problems = prompt_template_problems(source, "banking")
    if problems:
        assert all(problem.startswith("Line ") for problem in problems)
        return
    outcome, elapsed, _ = render_measured(source)
    assert outcome == "x"
    assert elapsed < RENDER_SECONDS


@pytest.mark.django_db
def test_admin_save_refuses_deeply_nested_source_with_a_message(staff_client):
    source = DEEP_NESTING[1][1]
    response = admin_save(staff_client, banking_mode(), system_prompt=source)
    assert response.status_code == 200
    assert form_errors(response, "system_prompt")


@pytest.mark.parametrize(
    ("name", "source"), AMPLIFYING_SOURCES[:2], ids=ids(AMPLIFYING_SOURCES[:2])
)
@pytest.mark.django_db
def test_admin_save_refuses_amplifying_greeting(staff_client, name, source):
    mode = banking_mode()
    response = admin_save(staff_client, mode, greeting_template=source)
    assert response.status_code == 200
    assert form_errors(response, "greeting_template")
    mode.refresh_from_db()
    assert mode.greeting_template != source


# Generated templates: the allowed tags and Django's filters over the persona's
# fields, nested. Widths stay small enough that a miss costs megabytes, not gigabytes.
VARIABLES = [
    "persona.name",
    "persona.checking_balance",
    "persona.credit_score",
    "persona.member_since",
    "persona.recent_transactions",
    "persona.recent_transactions.0",
    "persona.recent_transactions.0.amount",
    "mode.company_name",
    "mode.theme",
    "forloop.counter",
]
FILTERS = [
    "",
    "|upper",
    "|money",
    "|long_date",
    "|clock_time",
    '|date:"Y-m-d"',
    "|length",
    "|first",
    "|last",
    "|random",
    "|join:', '",
    "|make_list",
    "|default:'none'",
    "|floatformat:2",
    "|slice:':3'",
    "|truncatechars:5",
    "|pluralize",
    "|yesno:'a,b'",
    "|add:1",
    "|dictsort:'amount'",
    "|wordwrap:3",
    "|title",
    "|linebreaksbr",
    "|unordered_list",
]
texts = st.text(st.characters(exclude_characters="{}%#"), max_size=20)
variables = st.builds(
    lambda var, flt: f"{{{{ {var}{flt} }}}}",
    st.sampled_from(VARIABLES),
    st.sampled_from(FILTERS),
)
widths = st.integers(min_value=0, max_value=50_000).map(str)
padded = st.builds(
    lambda var, pad, width: f'{{{{ {var}|{pad}:"{width}" }}}}',
    st.sampled_from(VARIABLES),
    st.sampled_from(["ljust", "rjust", "center"]),
    widths,
)


def _wrap(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    body = st.lists(children, max_size=4).map("".join)
    return st.one_of(
        body.map(
            lambda b: "{% for t in persona.recent_transactions %}" + b + "{% endfor %}"
        ),
        body.map(lambda b: "{% if persona.credit_score > 700 %}" + b + "{% endif %}"),
        body.map(lambda b: "{% with n=persona.name %}" + b + "{% endwith %}"),
        body.map(lambda b: "{% filter upper %}" + b + "{% endfilter %}"),
        body.map(lambda b: "{% spaceless %}" + b + "{% endspaceless %}"),
    )


sources = st.recursive(st.one_of(texts, variables, padded), _wrap, max_leaves=12).map(
    str
)


@hypothesis.settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(source=sources)
@pytest.mark.django_db
def test_lint_clean_template_renders_bounded(source):
    """What passes the lint renders small and fast, or raises PromptTemplateError."""
    problems = prompt_template_problems(source, "banking")
    assert isinstance(problems, list)
    if problems:
        return
    outcome, elapsed, peak = render_measured(source)
    if isinstance(outcome, str):
        assert len(outcome) <= MAX_RENDERED_CHARS
    else:
        assert isinstance(outcome, PromptTemplateError), repr(outcome)
    assert elapsed < RENDER_SECONDS
    assert peak < RENDER_PEAK_BYTES, f"allocated {peak:,} bytes"


@hypothesis.settings(max_examples=200, deadline=None)
@given(source=st.text(max_size=200))
def test_prompt_template_problems_never_raises_on_any_text(source):
    """Arbitrary text (half-typed tags included) gets a list of problems, not a 500."""
    problems = prompt_template_problems(source, "insurance")
    assert all(isinstance(problem, str) and problem for problem in problems)
