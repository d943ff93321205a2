"""Help articles: which match a message, how they reach the prompt, and where each
mode's come from."""

import pytest
from django.core.exceptions import ValidationError

from chat import selectors, services
from chat.articles import (
    ARTICLES_MAX_CHARS,
    articles_matching,
    articles_prompt_text,
)
from chat.generation.conjuring import mode_conjure
from chat.generation.prompts import system_prompt_source
from chat.generation.requests import industry_request
from chat.models import HelpArticle, Mode
from chat.prompting.rendering import (
    prompt_template_problems,
    render_source,
    render_system_prompt,
)
from personas import generate_persona, kind_get, kinds
from personas.articles import Article

CARD = Article("Report a lost or stolen card", "Lock it.", ("lost card", "stolen"))
DISPUTE = Article("Dispute a charge", "Open it.", ("dispute", "charge"))
TRANSFER = Article("Set up a transfer", "Choose Transfers.", ("transfer",))
ADDRESS = Article("Update your address", "Open Profile.", ("address", "moving"))
BANK = (CARD, DISPUTE, TRANSFER, ADDRESS)


@pytest.mark.parametrize(
    ("question", "titles"),
    [
        ("I lost my card, what do I do?", [CARD.title]),
        ("How do I dispute a charge?", [DISPUTE.title]),
        ("Someone charged me twice, can I dispute that?", [DISPUTE.title]),
        ("I'm moving: how do I change my address?", [ADDRESS.title]),
        ("how do I set up transfers", [TRANSFER.title]),
        (
            "my card was stolen and there's a charge I don't know",
            [CARD.title, DISPUTE.title],
        ),
        ("What's my checking balance?", []),
        ("", []),
    ],
)
def test_articles_matching_finds_the_articles_a_message_means(question, titles):
    assert [a.title for a in articles_matching(question, BANK)] == titles


def test_articles_matching_folds_word_endings():
    claim = Article("File a claim", "Call us.", ("file a claim",))

    for question in ("filing a claim", "I filed claims", "how do I file a claim"):
        assert articles_matching(question, [claim]) == (claim,), question


def test_articles_matching_ranks_keywords_over_title_words_then_keeps_order():
    by_title = Article("Change a charge", "x", ("zzz",))
    by_keyword = Article("Something else", "x", ("charge",))
    tie = Article("Another", "x", ("charge",))

    found = articles_matching("a charge", [by_title, by_keyword, tie])

    assert found == (by_keyword, tie, by_title)


def test_articles_matching_keeps_to_its_limit_and_size():
    many = [Article(f"Charge {n}", "x" * 1000, ("charge",)) for n in range(10)]

    assert len(articles_matching("charge", many)) == 2
    assert len(articles_matching("charge", many, limit=1)) == 1
    assert len(articles_matching("charge", many, max_chars=100_000)) == 3


def test_articles_matching_always_fits_the_longest_article():
    longest = Article("T" * 120, "x" * 2000, ("charge",))

    assert articles_matching("charge", [longest]) == (longest,)


def test_articles_prompt_text_is_a_line_per_article():
    assert articles_prompt_text([CARD, DISPUTE]) == (
        "- Report a lost or stolen card: Lock it.\n- Dispute a charge: Open it."
    )


@pytest.mark.parametrize("kind", kinds(), ids=lambda kind: kind.name)
@pytest.mark.django_db
def test_every_kinds_defaults_pass_the_admins_rules(kind):
    mode = Mode.objects.get(slug="banking")
    for article in kind.help_articles:
        row = HelpArticle(
            mode=mode,
            title=article.title + " (copy)",
            body=article.body,
            keywords=", ".join(article.keywords),
        )
        row.full_clean()


@pytest.mark.parametrize("slug", ["banking", "insurance", "healthcare"])
@pytest.mark.django_db
def test_built_in_modes_start_with_their_kinds_articles(slug):
    mode = Mode.objects.get(slug=slug)

    assert selectors.help_articles(mode) == kind_get(slug).help_articles


@pytest.mark.parametrize("slug", ["banking", "insurance", "healthcare"])
@pytest.mark.django_db
def test_built_in_prompts_render_the_matching_articles(slug):
    mode = Mode.objects.get(slug=slug)
    persona = generate_persona(slug, 1)
    article = kind_get(slug).help_articles[0]

    with_one = render_system_prompt(mode, persona, articles=(article,))
    without = render_system_prompt(mode, persona)

    assert f"- {article.title}: {article.body}" in with_one
    assert "Help articles" in with_one
    assert "Help articles" not in without


@pytest.mark.django_db
def test_a_new_staff_mode_starts_with_its_kinds_articles():
    banking = Mode.objects.get(slug="banking")
    mode = Mode(
        slug="corner-shop",
        name="Corner shop",
        company_name="Corner Shop",
        persona_kind="retail",
        **{f: getattr(banking, f) for f in ("primary_color", "secondary_color")},
        **{f: getattr(banking, f) for f in ("background_color", "surface_color")},
        text_color=banking.text_color,
    )

    services.mode_save(mode=mode, user=None, system_prompt="Hi.", greeting="Hi.")

    assert selectors.help_articles(mode) == kind_get("retail").help_articles
    services.mode_save(mode=mode, user=None)
    assert mode.help_articles.count() == len(kind_get("retail").help_articles)


@pytest.mark.django_db
def test_a_generated_mode_starts_with_its_archetypes_articles():
    conjured = mode_conjure(industry_request("a florist"))

    mode = conjured.mode
    assert conjured.generated
    assert selectors.help_articles(mode) == kind_get(mode.persona_kind).help_articles
    assert "help_articles" in mode.prompts.get(is_active=True).source


@pytest.mark.parametrize("kind", kinds(), ids=lambda kind: kind.name)
@pytest.mark.django_db
def test_generated_prompts_read_the_articles_and_pass_the_lint(kind):
    source = system_prompt_source(kind.name)

    assert "{{ help_articles }}" in source
    assert prompt_template_problems(source, kind.name) == []


@pytest.mark.django_db
def test_help_articles_variable_renders_the_turns_articles_within_bounds():
    mode = Mode.objects.get(slug="banking")
    persona = generate_persona("banking", 1)
    long_ones = [Article(f"Charge {n}", "x" * 2000, ("charge",)) for n in range(9)]

    text = render_source(
        "[{{ help_articles }}]",
        mode=mode,
        persona=persona,
        articles=articles_matching("a charge", long_ones),
    )

    assert text.startswith("[- Charge 0: xxx")
    assert len(text) <= ARTICLES_MAX_CHARS + 20
    assert render_source("[{{ help_articles }}]", mode=mode, persona=persona) == "[]"


@pytest.mark.django_db
def test_the_lint_accepts_help_articles():
    assert prompt_template_problems("{{ help_articles }}", "banking") == []
    problems = prompt_template_problems("{{ help_article }}", "banking")
    assert "help_articles" in problems[0]


@pytest.mark.django_db
def test_help_articles_cached_forgets_a_save_at_once():
    mode = Mode.objects.get(slug="banking")
    kept = selectors.help_articles_cached(mode)
    article = mode.help_articles.get(title=kept[0].title)

    article.body = "Call us at once."
    services.help_articles_write(mode=mode, saved=[article])

    assert selectors.help_articles_cached(mode)[0].body == "Call us at once."


@pytest.mark.django_db
def test_help_articles_write_refuses_a_bad_article_and_keeps_the_old(
    django_capture_on_commit_callbacks,
):
    mode = Mode.objects.get(slug="banking")
    article = mode.help_articles.first()
    before = article.keywords

    article.keywords = "claim, , claim"
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(ValidationError) as refused:
            services.help_articles_write(mode=mode, saved=[article])

    assert "“claim” is listed twice" in " ".join(refused.value.messages)
    assert HelpArticle.objects.get(pk=article.pk).keywords == before
    assert callbacks == []


@pytest.mark.django_db
def test_help_articles_write_tells_open_chats(django_capture_on_commit_callbacks):
    mode = Mode.objects.get(slug="banking")
    article = mode.help_articles.first()

    with django_capture_on_commit_callbacks() as callbacks:
        services.help_articles_write(mode=mode, deleted=[article])

    assert len(callbacks) == 1
    assert not HelpArticle.objects.filter(pk=article.pk).exists()
