from datetime import date

import pytest

from chat.forms import ModeForm
from chat.models import Mode
from chat.prompting import rendering as prompts
from chat.prompting.library import ALLOWED_TAGS
from chat.prompting.rendering import (
    MAX_RENDERED_CHARS,
    PromptTemplateError,
    prompt_compile,
    prompt_template_problems,
    render_checked,
    render_greeting,
    render_source,
    render_system_prompt,
)
from chat.services import prompt_version_create
from personas import generate_persona

DEFAULT_SLUGS = ("banking", "insurance", "healthcare")


def banking_mode(**fields) -> Mode:
    """An unsaved banking mode: rendering needs no database."""
    return Mode(
        slug="banking",
        name="Banking",
        company_name="Meridian Trust Bank",
        persona_kind="banking",
        **fields,
    )


@pytest.fixture
def persona() -> dict:
    customer = generate_persona("banking", 42, as_of=date(2026, 3, 4))
    return {
        **customer,
        "name": "Siobhán O'Brien",
        "member_since": "2019-03-04",
        "checking_balance": 12345.67,
        "savings_balance": -42.1,
    }


def render(source: str, persona: dict) -> str:
    return render_source(source, mode=banking_mode(), persona=persona)


def test_render_source_keeps_text_unescaped(persona):
    text = render("{{ persona.name }} & <{{ mode.company_name }}>", persona)

    assert text == "Siobhán O'Brien & <Meridian Trust Bank>"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ persona.checking_balance|money }}", "$12,345.67"),
        ("{{ persona.savings_balance|money }}", "-$42.10"),
        ("{{ persona.name|money }}", ""),
        ("{{ persona.member_since|long_date }}", "March 4, 2019"),
        ("{{ persona.member_since|date:'Y-m-d' }}", "2019-03-04"),
        ("{{ persona.member_since.year }}", "2019"),
        ("{{ persona.recent_transactions.0.date|date:'Y' }}", "2026"),
    ],
)
def test_render_source_formats_figures(persona, source, expected):
    assert render(source, persona) == expected


@pytest.mark.parametrize(
    ("locale", "balance", "since"),
    [
        ("de_DE", "10.298,98\xa0€", "18. August 2015"),
        ("ja_JP", "￥1,716,496", "2015年8月18日"),
    ],
)
def test_render_source_formats_in_the_customer_currency(locale, balance, since):
    customer = generate_persona("banking", 42, as_of=date(2026, 1, 31), locale=locale)
    source = "{{ persona.checking_balance|money }} {{ persona.member_since|long_date }}"

    assert render(source, customer) == f"{balance} {since}"


def test_render_source_formats_clock_time():
    customer = generate_persona("healthcare", 3, as_of=date(2026, 3, 4))
    appointment = {**customer["upcoming_appointments"][0], "time": "14:05:00"}
    customer["upcoming_appointments"] = [appointment]
    mode = Mode(slug="h", company_name="Vitality", persona_kind="healthcare")
    source = "{{ persona.upcoming_appointments.0.time|clock_time }}"

    assert render_source(source, mode=mode, persona=customer) == "2:05 PM"


def test_render_source_loops_over_transactions(persona):
    source = (
        "{% for t in persona.recent_transactions %}{{ t.amount|money }};{% endfor %}"
    )

    text = render(source, persona)

    assert text.count(";") == len(persona["recent_transactions"])
    assert "$" in text


def test_render_source_refuses_output_over_the_limit(persona):
    source = "{{ persona.name }}" + "x" * MAX_RENDERED_CHARS

    with pytest.raises(PromptTemplateError, match="limit is 20,000"):
        render(source, persona)


def repeated_transactions(persona: dict, count: int) -> dict:
    return {
        **persona,
        "recent_transactions": persona["recent_transactions"][:1] * count,
    }


def test_render_source_stops_a_loop_once_its_output_passes_the_limit(persona):
    customer = repeated_transactions(persona, 10)
    source = (
        "\n{% for t in persona.recent_transactions %}" + "x" * 2100 + "{% endfor %}"
    )

    with pytest.raises(PromptTemplateError, match="Line 2: This loop's output passed"):
        render(source, customer)


def test_render_source_counts_nested_loop_output_once(persona):
    customer = repeated_transactions(persona, 10)
    loop = "{% for t in persona.recent_transactions %}"
    source = loop + loop + "x" * 150 + "{% endfor %}{% endfor %}"

    assert len(render(source, customer)) == 15_000


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ('{{ persona.name|ljust:"201" }}', "ljust filter's width is 201; the limit"),
        ('{{ persona.name|center:"10000000" }}', "width is 10,000,000"),
        ('{{ persona.credit_limit|floatformat:"500" }}', "floatformat filter's width"),
        ('{{ persona.name|stringformat:"900s" }}', "stringformat filter's width"),
        (
            "{{ persona.name|add:'" + "-" * 20_000 + "' }}",
            "The add filter made",
        ),
        ("\n{{ persona.checking_balance|first }}", "Line 2: Could not render: 'float'"),
        ("{{ persona.credit_score|divisibleby:'0' }}", "Could not render"),
    ],
)
def test_render_source_refuses_filters_that_blow_up_or_fail(persona, source, error):
    with pytest.raises(PromptTemplateError, match=error):
        render(source, persona)

    assert error in prompt_template_problems(source, "banking")[0]


def test_render_source_allows_widths_up_to_the_limit(persona):
    assert len(render('{{ persona.name|ljust:"200" }}', persona)) == 200


def test_render_source_refuses_a_template_that_does_not_compile(persona):
    with pytest.raises(PromptTemplateError, match="Line 2: .*'endfro'"):
        render("Hi\n{% for t in persona.recent_transactions %}{% endfro %}", persona)


def test_prompt_compile_parses_each_source_once():
    prompts.prompt_cache_clear()
    source = "{{ persona.name }} compiled once"

    first, second = prompt_compile(source), prompt_compile(source)

    assert first is second
    assert prompt_compile.cache_info().misses == 1


def test_render_checked_returns_problems_instead_of_text(persona):
    text, problems = render_checked(
        "{{ persona.nmae }}", mode=banking_mode(), persona=persona
    )

    assert text == ""
    assert problems[0].startswith("Line 1: Unknown variable persona.nmae")


# The lint: (template, a fragment of the one problem it must report).
LINT_CASES = [
    (
        "{{ persona.checking_balanse }}",
        "Unknown variable persona.checking_balanse; valid: persona.name, "
        "persona.locale, persona.currency, persona.member_since, "
        "persona.checking_balance",
    ),
    (
        "{{ persona.recent_transactions.0.amout }}",
        "valid: persona.recent_transactions.0.date, "
        "persona.recent_transactions.0.description, "
        "persona.recent_transactions.0.amount",
    ),
    (
        "{% for t in persona.recent_transactions %}{{ t.amout }}{% endfor %}",
        "Unknown variable t.amout; valid: t.date, t.description, t.amount, t.category",
    ),
    ("one\ntwo\n{% if persona.name %}{% endfi %}", "Line 3: Invalid block tag 'endfi'"),
    ("{% for t in persona.recent_transactions %}", "Line 1: Unclosed tag 'for'"),
    ("{{ persona.name|no_such_filter }}", "Invalid filter: 'no_such_filter'"),
    ("{% ssi '/etc/passwd' %}", "Invalid block tag 'ssi'"),  # gone from Django
    ("{% if persona.credit_scor > 700 %}{% endif %}", "persona.credit_scor"),
    ("{% if not mode.theme.primry %}{% endif %}", "valid: mode.theme.primary"),
    ("{% with b=persona.checking_balanse %}{% endwith %}", "persona.checking_balanse"),
    ("{% with b=persona.savings_balance %}{% endwith %}{{ b }}", "Unknown variable b"),
    ("{{ persona.name|default:persona.nmae }}", "Unknown variable persona.nmae"),
    ("{% firstof persona.nmae 'friend' %}", "Unknown variable persona.nmae"),
    ("{% filter cut:persona.nmae %}x{% endfilter %}", "Unknown variable persona.nmae"),
    ("{{ customer.name }}", "Unknown variable customer.name; valid: persona, mode"),
    ("{{ persona.name.first }}", "persona.name is a single value with no fields"),
    (
        "{{ persona.recent_transactions.amount }}",
        "persona.recent_transactions is a list",
    ),
    ("{{ persona.policies }}", "Unknown variable persona.policies"),
    (
        "{% for a in persona.recent_transactions %}{% for b in a.description %}"
        "{% for c in b %}{% endfor %}{% endfor %}{% endfor %}",
        "Loops may be nested at most 2 deep",
    ),
    ("{% if True %}" * 11 + "{% endif %}" * 11, "Tags may be nested at most 10 deep"),
    ("{% with a=1 %}" * 500 + "{% endwith %}" * 500, "nested at most 10 deep"),
]


@pytest.mark.parametrize(("source", "problem"), LINT_CASES)
def test_prompt_template_problems_reports(source, problem):
    problems = prompt_template_problems(source, "banking")

    assert len(problems) == 1
    assert problem in problems[0]
    assert problems[0].startswith("Line ")


@pytest.mark.parametrize(
    "source",
    [
        "{{ persona.name }} {{ mode.company_name }} {{ mode.theme.primary }}",
        "{{ persona.recent_transactions.0.amount|money }}",
        "{% for t in persona.recent_transactions %}{{ forloop.counter }}. "
        "{{ t.description }} {{ t.date|long_date }}{% empty %}none{% endfor %}",
        "{% for t in persona.recent_transactions %}{% if forloop.parentloop.x %}"
        "{% endif %}{% endfor %}",
        "{% with total=persona.checking_balance %}{{ total|money }}{% endwith %}",
        "{% with rows=persona.recent_transactions %}{% for r in rows %}"
        "{{ r.category }}{% endfor %}{% endwith %}",
        "{% firstof persona.name 'friend' as who %}{{ who }}",
        "{% if persona.credit_score >= 700 and True %}good{% else %}fair{% endif %}",
        "{% now 'Y' as year %}{{ year }} {% cycle 'a' 'b' as row %}{{ row }}",
        "{% filter upper %}{{ persona.name }}{% endfilter %}{# a note #}",
        "{% verbatim %}{{ not.checked }}{% endverbatim %}{% comment %}{{ x }}"
        "{% endcomment %}",
        "{% spaceless %} {{ persona.credit_limit|floatformat:0 }} {% endspaceless %}",
        "{% if True %}" * 10 + "{% endif %}" * 10,
        # A long condition nests one operator per term: the lint must not recurse.
        "{% if " + " or ".join(["persona.name"] * 3000) + " %}{% endif %}",
    ],
)
def test_prompt_template_problems_accepts(source):
    assert prompt_template_problems(source, "banking") == []


def test_prompt_template_problems_reports_every_unknown_with_its_line():
    source = "{{ persona.nmae }}\n\n{{ persona.balance }}"

    problems = prompt_template_problems(source, "banking")

    assert [p.split(":")[0] for p in problems] == ["Line 1", "Line 3"]


def test_prompt_template_problems_reads_the_persona_kind():
    source = "{% for p in persona.active_policies %}{{ p.premium }}{% endfor %}"

    assert prompt_template_problems(source, "insurance") == []
    assert "persona.active_policies" in prompt_template_problems(source, "banking")[0]


@pytest.mark.parametrize(
    "tag",
    [
        "{% load humanize %}",
        "{% include 'admin/base.html' %}",
        "{% extends 'admin/base.html' %}",
        "{% block body %}{% endblock %}",
        "{% debug %}",
        "{% url 'admin:index' %}",
        "{% csrf_token %}",
        "{% templatetag openblock %}",
        "{% widthratio 1 2 3 %}",
        "{% autoescape on %}{% endautoescape %}",
        "{% regroup persona.recent_transactions by category as g %}",
        "{% lorem %}",
        "{% static 'x.css' %}",
        "{% partialdef part %}{% endpartialdef %}",
    ],
)
def test_prompt_template_problems_refuses_tags(tag):
    name = tag.split()[1]

    problems = prompt_template_problems(f"Hello\n{tag}", "banking")

    assert problems == [
        f"Line 2: The {{% {name} %}} tag is not allowed in prompt templates; "
        f"allowed tags: {', '.join(ALLOWED_TAGS)}."
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("slug", DEFAULT_SLUGS)
def test_default_templates_pass_lint(slug):
    mode = Mode.objects.get(slug=slug)
    active = mode.prompts.get(is_active=True)

    assert prompt_template_problems(active.source, mode.persona_kind) == []
    assert prompt_template_problems(active.greeting, mode.persona_kind) == []


@pytest.mark.django_db
@pytest.mark.parametrize("slug", DEFAULT_SLUGS)
def test_default_prompts_render_the_customer(slug):
    mode = Mode.objects.get(slug=slug)
    customer = generate_persona(mode.persona_kind, 7, as_of=date(2026, 3, 4))

    prompt = render_system_prompt(mode, customer)
    greeting = render_greeting(mode, customer)

    assert customer["name"] in prompt
    assert prompt.startswith(f"You are the virtual assistant for {mode.company_name}")
    assert "naturally" in prompt.splitlines()[-1]
    assert greeting.startswith(f"Welcome to {mode.company_name}, {customer['name']}!")


@pytest.mark.django_db
def test_render_system_prompt_uses_a_saved_edit_next(persona):
    mode = Mode.objects.get(slug="banking")
    render_system_prompt(mode, persona)

    prompt_version_create(mode=mode, source="New: {{ persona.name }}", user=None)

    assert render_system_prompt(mode, persona) == "New: Siobhán O'Brien"


@pytest.mark.django_db
def test_render_system_prompt_renders_the_version_given(persona):
    mode = Mode.objects.get(slug="banking")
    first = mode.prompts.get(version=1)
    prompt_version_create(mode=mode, source="v2", user=None)

    text = render_system_prompt(mode, persona, version=first)

    assert text.startswith("You are the virtual assistant")


@pytest.mark.django_db
def test_render_system_prompt_without_an_active_version_raises(persona):
    mode = Mode.objects.get(slug="banking")
    mode.prompts.update(is_active=False)

    with pytest.raises(PromptTemplateError, match="no active prompt version"):
        render_system_prompt(mode, persona)


# Templates that render for a typical customer but break for some: the lint renders
# each locale, the largest customer and an empty one, and names whom it broke for.
SAMPLE_ONLY_FAILURES = [
    (
        "{% for t in persona.recent_transactions %}{% empty %}"
        "{{ persona.checking_balance|first }}{% endfor %}",
        "(rendering for a customer with every list empty)",
    ),
    (
        "{% if not persona.name|slugify %}{{ persona.checking_balance|first }}"
        "{% endif %}",
        "(rendering for customer 1 in ja_JP)",
    ),
    (
        "{% for t in persona.recent_transactions %}{% if forloop.counter == 10 %}"
        "{{ t.amount|first }}{% endif %}{% endfor %}",
        "the one with the most items)",
    ),
]


@pytest.mark.parametrize(("source", "customer"), SAMPLE_ONLY_FAILURES)
def test_prompt_template_problems_renders_for_customers_at_the_edges(source, customer):
    typical = generate_persona("banking", 1, as_of=date(2026, 1, 15))
    assert render(source, typical) == ""

    [problem] = prompt_template_problems(source, "banking")

    assert problem.startswith("Line 1: Could not render: 'float' object")
    assert problem.endswith(customer)


@pytest.mark.django_db
def test_admin_form_refuses_a_template_that_breaks_for_an_empty_customer():
    mode = Mode.objects.get(slug="banking")
    source, customer = SAMPLE_ONLY_FAILURES[0]
    data = {
        **{name: getattr(mode, name) for name in ModeForm.Meta.fields},
        "system_prompt": mode.prompts.get(is_active=True).source,
        "greeting_template": source,
    }

    form = ModeForm(data, instance=mode)

    assert not form.is_valid()
    assert form.errors["greeting_template"][0].endswith(customer)
