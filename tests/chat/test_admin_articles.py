"""Staff edit a mode's help articles on the mode's page, like the rest of the mode."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from chat import selectors
from chat.broadcast import modes_changed_broadcast
from chat.models import HelpArticle, Mode
from personas import kind_get
from tests.chat.test_admin import change_data, change_url

pytestmark = pytest.mark.django_db
PREFIX = "help_articles"


@pytest.fixture(autouse=True)
def render_time_ample(settings) -> None:
    """Each save lints the whole prompt against a clock; these tests are about the
    articles, so a busy machine's slow render must not fail them."""
    settings.PROMPT_RENDER_MAX_MS = 10_000


@pytest.fixture
def banking() -> Mode:
    return Mode.objects.get(slug="banking")


def articles_of(mode: Mode) -> list[tuple[str, str, str]]:
    return list(
        mode.help_articles.order_by("pk").values_list("title", "keywords", "body")
    )


def with_new_article(mode: Mode, **fields) -> dict:
    """The change form with one more article typed into the inline's blank row."""
    data = change_data(mode)
    index = data[f"{PREFIX}-TOTAL_FORMS"]
    data[f"{PREFIX}-TOTAL_FORMS"] = index + 1
    article = {"title": "Order a chequebook", "keywords": "chequebook, cheques"}
    article |= {"body": "Open Services. Choose Order chequebook.", "display_order": 9}
    for field, value in (article | fields).items():
        data[f"{PREFIX}-{index}-{field}"] = value
    data[f"{PREFIX}-{index}-mode"] = mode.pk
    return data


def with_first_article(mode: Mode, **fields) -> dict:
    """The change form with the first article's fields changed."""
    data = change_data(mode)
    return data | {f"{PREFIX}-0-{field}": value for field, value in fields.items()}


def article_errors(response) -> list[str]:
    """Every message the articles inline shows, its own and each article's."""
    formset = next(
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is HelpArticle
    )
    messages = [
        m for form_errors in formset.errors for e in form_errors.values() for m in e
    ]
    return [*formset.non_form_errors(), *messages]


def test_change_page_lists_the_modes_articles(admin_client, banking):
    response = admin_client.get(change_url(banking))

    content = response.content.decode()
    assert "Help articles" in content
    for article in kind_get("banking").help_articles:
        assert article.title in content


def test_add_page_has_no_articles_and_a_new_mode_gets_the_kinds(admin_client, banking):
    data = change_data(banking, slug="shop", name="Shop", persona_kind="retail")
    data |= {"system_prompt": "Hi {{ persona.name }}.", "greeting_template": "Hi."}

    response = admin_client.post(reverse("admin:chat_mode_add"), data)

    assert response.status_code == 302
    shop = Mode.objects.get(slug="shop")
    assert selectors.help_articles(shop) == kind_get("retail").help_articles


def test_staff_add_an_article(
    admin_client, banking, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as broadcasts:
        response = admin_client.post(change_url(banking), with_new_article(banking))

    assert response.status_code == 302
    assert articles_of(banking)[-1] == (
        "Order a chequebook",
        "chequebook, cheques",
        "Open Services. Choose Order chequebook.",
    )
    # Once the change commits, the mode's save tells every process (its words may
    # have changed), then it and the articles' each tell open chats.
    assert broadcasts[0] is modes_changed_broadcast
    assert len(broadcasts) == 3


def test_staff_edit_an_article_and_the_next_turn_reads_it(admin_client, banking):
    selectors.help_articles_cached(banking)
    data = with_first_article(
        banking, body="Call us now.", keywords="lost card,  stolen ,card"
    )

    response = admin_client.post(change_url(banking), data)

    assert response.status_code == 302
    title, keywords, body = articles_of(banking)[0]
    assert (keywords, body) == ("lost card, stolen, card", "Call us now.")
    assert selectors.help_articles_cached(banking)[0].body == "Call us now."


def test_staff_delete_an_article(admin_client, banking):
    first = articles_of(banking)[0]

    response = admin_client.post(
        change_url(banking), with_first_article(banking, DELETE="on")
    )

    assert response.status_code == 302
    assert first not in articles_of(banking)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": ""}, "Give the article a title, e.g. “File a claim”."),
        (
            {"title": "T" * 121},
            "Keep the title to 120 characters or fewer; it has 121.",
        ),
        ({"body": ""}, "Write the steps: two to four plain sentences."),
        (
            {"body": "x" * 2001},
            "Keep the steps to 2000 characters or fewer; they have 2001.",
        ),
        ({"keywords": ""}, "Give at least one keyword a visitor might use"),
        ({"keywords": " , ,"}, "Give at least one keyword a visitor might use"),
        (
            {"keywords": "card; lost"},
            "“card; lost” is not a word or a short phrase",
        ),
        (
            {"keywords": "card, my card was lost last night"},
            "“my card was lost last night” has 6 words; keep each keyword to 4 or "
            "fewer, and put commas between keywords.",
        ),
        ({"keywords": "card, Card"}, "“Card” is listed twice: list each keyword once."),
        (
            {"keywords": ", ".join(["cards"] * 60)},
            "Keep the keywords to 300 characters or fewer in all; they have 418.",
        ),
    ],
)
def test_a_bad_article_is_refused_with_what_to_fix_and_nothing_changes(
    admin_client, banking, fields, message
):
    before = articles_of(banking)

    response = admin_client.post(
        change_url(banking), with_new_article(banking, **fields)
    )

    assert response.status_code == 200
    assert any(message in error for error in article_errors(response)), article_errors(
        response
    )
    assert articles_of(banking) == before


def test_a_title_the_mode_has_is_refused_by_name(admin_client, banking):
    before = articles_of(banking)

    response = admin_client.post(
        change_url(banking), with_new_article(banking, title="dispute a CHARGE")
    )

    assert response.status_code == 200
    assert article_errors(response) == [
        "This mode already has an article titled “dispute a CHARGE”: give this one "
        "another title, or edit that one."
    ]
    assert articles_of(banking) == before


def test_two_new_articles_of_one_title_are_refused(admin_client, banking):
    data = with_new_article(banking)
    index = data[f"{PREFIX}-TOTAL_FORMS"]
    data[f"{PREFIX}-TOTAL_FORMS"] = index + 1
    for field in ("title", "keywords", "body", "display_order", "mode"):
        data[f"{PREFIX}-{index}-{field}"] = data[f"{PREFIX}-{index - 1}-{field}"]
    before = articles_of(banking)

    response = admin_client.post(change_url(banking), data)

    assert response.status_code == 200
    first = index  # forms are numbered from 1 in the message
    assert article_errors(response) == [
        f"Article {first} is titled “Order a chequebook” too: give each article its "
        "own title."
    ]
    assert articles_of(banking) == before


def test_staff_who_may_change_modes_may_edit_their_articles(django_user_model, banking):
    user = django_user_model.objects.create_user("editor", is_staff=True)
    for codename in ("view_mode", "change_mode"):
        user.user_permissions.add(Permission.objects.get(codename=codename))
    client = Client()
    client.force_login(user)

    response = client.post(change_url(banking), with_new_article(banking))

    assert response.status_code == 302
    assert articles_of(banking)[-1][0] == "Order a chequebook"
