import asyncio
from datetime import date
from urllib.parse import urlencode

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.handlers.asgi import ASGIHandler
from django.test import Client
from django.urls import reverse

from chat.conversation.visits import visitor_key
from chat.models import Conversation, Message, Mode, PromptTemplate
from chat.prompting.rendering import render_system_prompt
from chat.selectors import prompt_active_version
from chat.services import prompt_version_create
from personas import generate_persona
from personas.formatting import money

pytestmark = pytest.mark.django_db
MODE_FIELDS = (
    "slug",
    "name",
    "company_name",
    "tagline",
    "persona_kind",
    "faker_locale",
    "aliases",
    "display_order",
    "primary_color",
    "secondary_color",
    "background_color",
    "surface_color",
    "text_color",
)


@pytest.fixture
def banking() -> Mode:
    return Mode.objects.get(slug="banking")


@pytest.fixture
def viewer(django_user_model) -> Client:
    """Staff who may look at modes but not change them."""
    user = django_user_model.objects.create_user("viewer", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_mode"))
    client = Client()
    client.force_login(user)
    return client


def change_url(mode: Mode) -> str:
    return reverse("admin:chat_mode_change", args=[mode.pk])


def change_data(mode: Mode, **overrides) -> dict:
    """What the change form posts, versions inline included, with `overrides`."""
    data = {field: getattr(mode, field) for field in MODE_FIELDS}
    active = prompt_active_version(mode)
    data["system_prompt"], data["greeting_template"] = active.source, active.greeting
    if mode.is_active:
        data["is_active"] = "on"
    versions = list(mode.prompts.all())
    data |= {
        "prompts-TOTAL_FORMS": len(versions),
        "prompts-INITIAL_FORMS": len(versions),
        "prompts-MIN_NUM_FORMS": 0,
        "prompts-MAX_NUM_FORMS": 0,
    }
    for index, version in enumerate(versions):
        data |= {f"prompts-{index}-id": version.pk, f"prompts-{index}-mode": mode.pk}
    data |= help_articles_data(mode)
    return {key: value for key, value in data.items() if value is not None} | overrides


def help_articles_data(mode: Mode) -> dict:
    """The help articles inline as the change page posts it, every article unchanged."""
    articles = list(mode.help_articles.order_by("pk"))
    data = {
        "help_articles-TOTAL_FORMS": len(articles),
        "help_articles-INITIAL_FORMS": len(articles),
        "help_articles-MIN_NUM_FORMS": 0,
        "help_articles-MAX_NUM_FORMS": 1000,
    }
    for index, article in enumerate(articles):
        prefix = f"help_articles-{index}-"
        data |= {
            f"{prefix}id": article.pk,
            f"{prefix}mode": mode.pk,
            f"{prefix}title": article.title,
            f"{prefix}keywords": article.keywords,
            f"{prefix}body": article.body,
            f"{prefix}display_order": article.display_order,
        }
    return data


def prompt_version_create_v2(mode: Mode) -> None:
    prompt_version_create(mode=mode, source="v2", user=None)


def persona() -> dict:
    return generate_persona("banking", 5, as_of=date(2026, 3, 4))


def test_change_page_shows_prompt_versions_and_preview(admin_client, banking):
    prompt_version_create_v2(banking)

    response = admin_client.get(change_url(banking))

    content = response.content.decode()
    assert response.context["adminform"].form["system_prompt"].value() == "v2"
    assert "Roll back to v1" in content
    assert 'id="prompt-rollback"' in content
    assert "admin/chat/prompt_preview.js" in content
    assert reverse("admin:chat_mode_preview") in content


def test_staff_edit_of_the_prompt_is_used_by_the_next_render(admin_client, banking):
    data = change_data(banking, system_prompt="Hello {{ persona.name }}, I'm Meri.")

    response = admin_client.post(change_url(banking), data)

    assert response.status_code == 302
    active = prompt_active_version(banking)
    assert (active.version, active.created_by.username) == (2, "admin")
    customer = persona()
    expected = f"Hello {customer['name']}, I'm Meri."
    assert render_system_prompt(banking, customer) == expected


def test_saving_an_unchanged_prompt_makes_no_version(admin_client, banking):
    response = admin_client.post(
        change_url(banking), change_data(banking, tagline="New")
    )

    assert response.status_code == 302
    assert banking.prompts.count() == 1
    assert Mode.objects.get(pk=banking.pk).tagline == "New"


@pytest.mark.parametrize(
    ("field", "source", "error"),
    [
        (
            "system_prompt",
            "One\nTwo\n{% for t in persona.recent_transactions %}{% endfro %}",
            "Line 3: Invalid block tag &#x27;endfro&#x27;",
        ),
        ("system_prompt", "{% load humanize %}", "tag is not allowed"),
        (
            "system_prompt",
            "{{ persona.checking_balanse }}",
            "Unknown variable persona.checking_balanse; valid: persona.name",
        ),
        ("greeting_template", "Hi {{ persona.nmae }}", "Unknown variable persona.nmae"),
        ("greeting_template", "{% include 'x.html' %}", "tag is not allowed"),
    ],
)
def test_broken_template_is_refused_and_nothing_changes(
    admin_client, banking, field, source, error
):
    before = prompt_active_version(banking)
    data = change_data(banking, company_name="Renamed", **{field: source})

    response = admin_client.post(change_url(banking), data)

    assert response.status_code == 200
    assert error in str(response.context["adminform"].form.errors[field])
    assert error in response.content.decode()
    banking.refresh_from_db()
    assert prompt_active_version(banking) == before
    assert (banking.company_name, banking.prompts.count()) == ("Meridian Trust Bank", 1)


def test_lint_uses_the_persona_kind_being_saved(admin_client, banking):
    data = change_data(banking, persona_kind="insurance")

    response = admin_client.post(change_url(banking), data)

    errors = response.context["adminform"].form.errors["system_prompt"]
    assert "Unknown variable persona.checking_balance" in str(errors)
    assert Mode.objects.get(pk=banking.pk).persona_kind == "banking"


def test_colours_must_be_hex(admin_client, banking):
    response = admin_client.post(
        change_url(banking), change_data(banking, primary_color="navy")
    )

    assert "#rrggbb" in str(response.context["adminform"].form.errors["primary_color"])


def test_add_mode_creates_version_one(admin_client):
    banking = Mode.objects.get(slug="banking")
    data = change_data(banking, slug="credit-union", name="Credit union")
    data = {k: v for k, v in data.items() if not k.startswith("prompts-")}

    response = admin_client.post(reverse("admin:chat_mode_add"), data)

    assert response.status_code == 302
    added = Mode.objects.get(slug="credit-union")
    assert prompt_active_version(added).version == 1


def test_rollback_restores_both_templates_of_an_old_version(admin_client, banking):
    first = prompt_active_version(banking)
    prompt_version_create(mode=banking, source="v2", greeting="Hi v2", user=None)
    url = reverse("admin:chat_mode_rollback", args=[banking.pk, first.pk])

    response = admin_client.post(url, follow=True)

    active = prompt_active_version(banking)
    assert (active.version, active.source) == (3, first.source)
    assert active.greeting == first.greeting != "Hi v2"
    assert active.note == "Rolled back to v1"
    assert response.redirect_chain[-1][0] == change_url(banking)
    page = response.content.decode()
    assert "Rolled the prompt and greeting back to v1; it is now v3." in page


@pytest.mark.parametrize(
    ("field", "edit"),
    [
        ("system_prompt", "Be brief, {{ persona.name }}."),
        ("greeting_template", "Hello, {{ persona.name }}."),
    ],
)
def test_save_of_either_template_makes_one_version_holding_both(
    admin_client, banking, field, edit
):
    first = prompt_active_version(banking)
    data = change_data(banking, **{field: edit})

    assert admin_client.post(change_url(banking), data).status_code == 302

    active = prompt_active_version(banking)
    saved = {"system_prompt": active.source, "greeting_template": active.greeting}
    kept = {"system_prompt": first.source, "greeting_template": first.greeting}
    assert (active.version, saved) == (2, kept | {field: edit})


def test_version_list_shows_both_templates(admin_client, banking):
    prompt_version_create(mode=banking, source="Prompt v2", greeting="Hi v2", user=None)

    page = admin_client.get(change_url(banking)).content.decode()

    assert "Prompt v2" in page and "Hi v2" in page


def test_rollback_refuses_get(admin_client, banking):
    first = prompt_active_version(banking)
    url = reverse("admin:chat_mode_rollback", args=[banking.pk, first.pk])

    assert admin_client.get(url).status_code == 405
    assert banking.prompts.count() == 1


def test_rollback_needs_change_permission(viewer, banking):
    first = prompt_active_version(banking)
    url = reverse("admin:chat_mode_rollback", args=[banking.pk, first.pk])

    assert viewer.post(url).status_code == 403
    assert banking.prompts.count() == 1


def test_rollback_is_csrf_protected(admin_user, banking):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    first = prompt_active_version(banking)
    url = reverse("admin:chat_mode_rollback", args=[banking.pk, first.pk])

    assert client.post(url).status_code == 403
    assert banking.prompts.count() == 1


def test_rollback_of_another_modes_version_is_not_found(admin_client, banking):
    other = prompt_active_version(Mode.objects.get(slug="insurance"))
    url = reverse("admin:chat_mode_rollback", args=[banking.pk, other.pk])

    assert admin_client.post(url).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:chat_mode_changelist"),
        reverse("admin:chat_mode_preview"),
        reverse("admin:chat_conversation_changelist"),
    ],
)
def test_non_staff_are_sent_to_login(client, django_user_model, url):
    client.force_login(django_user_model.objects.create_user("visitor"))

    response = client.post(url) if "preview" in url else client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_change_page_sends_non_staff_to_login(client, django_user_model, banking):
    client.force_login(django_user_model.objects.create_user("visitor"))

    response = client.get(change_url(banking))

    assert response.url.startswith(reverse("admin:login"))


def preview_data(**overrides) -> dict:
    return {
        "system_prompt": "Checking: {{ persona.checking_balance|money }} at "
        "{{ mode.company_name }}",
        "greeting_template": "Hi {{ persona.name }}",
        "persona_kind": "banking",
        "faker_locale": "en_US",
        "company_name": "Unsaved Bank",
        "seed": 5,
    } | overrides


def test_preview_renders_the_generated_customer(admin_client):
    response = admin_client.post(reverse("admin:chat_mode_preview"), preview_data())

    result = response.json()
    customer = generate_persona("banking", 5, locale="en_US")
    balance = money(customer["checking_balance"])
    assert result["system_prompt"] == {
        "text": f"Checking: {balance} at Unsaved Bank",
        "problems": [],
    }
    assert result["greeting_template"]["text"] == f"Hi {customer['name']}"
    assert result["persona"]["name"] == customer["name"]


def test_preview_renders_for_the_posted_persona_kind(admin_client):
    data = preview_data(
        persona_kind="healthcare", system_prompt="{{ persona.member_id }}"
    )

    response = admin_client.post(reverse("admin:chat_mode_preview"), data)

    customer = generate_persona("healthcare", 5)
    assert response.json()["system_prompt"]["text"] == customer["member_id"]


def test_preview_returns_the_problems_of_a_broken_template(admin_client):
    data = preview_data(system_prompt="x\n{{ persona.checking_balanse }}")

    response = admin_client.post(reverse("admin:chat_mode_preview"), data)

    result = response.json()["system_prompt"]
    assert result["text"] == ""
    assert result["problems"][0].startswith(
        "Line 2: Unknown variable persona.checking_balanse"
    )


def test_preview_refuses_a_bad_seed(admin_client):
    data = preview_data(seed="lots")

    response = admin_client.post(reverse("admin:chat_mode_preview"), data)

    assert response.status_code == 400
    assert "seed" in response.json()["errors"]


def test_preview_needs_change_or_add_permission(viewer):
    response = viewer.post(reverse("admin:chat_mode_preview"), preview_data())

    assert response.status_code == 403


def test_last_active_mode_cannot_be_deactivated(admin_client, banking):
    Mode.objects.exclude(pk=banking.pk).update(is_active=False)
    data = change_data(banking)
    del data["is_active"]

    response = admin_client.post(change_url(banking), data)

    errors = response.context["adminform"].form.errors["is_active"]
    assert "At least one mode must stay active" in str(errors)
    assert Mode.objects.get(pk=banking.pk).is_active


def test_a_mode_can_be_deactivated_while_another_is_active(admin_client, banking):
    data = change_data(banking)
    del data["is_active"]

    assert admin_client.post(change_url(banking), data).status_code == 302
    assert not Mode.objects.get(pk=banking.pk).is_active


def test_delete_view_refuses_the_last_active_mode(admin_client, banking):
    Mode.objects.exclude(pk=banking.pk).update(is_active=False)
    url = reverse("admin:chat_mode_delete", args=[banking.pk])

    response = admin_client.post(url, {"post": "yes"}, follow=True)

    assert "At least one mode must stay active" in response.content.decode()
    assert Mode.objects.filter(pk=banking.pk).exists()


def test_delete_view_deletes_a_mode_when_another_stays_active(admin_client, banking):
    url = reverse("admin:chat_mode_delete", args=[banking.pk])

    response = admin_client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not Mode.objects.filter(pk=banking.pk).exists()


def bulk_delete(client: Client, modes) -> str:
    data = {
        "action": "delete_selected",
        "_selected_action": [mode.pk for mode in modes],
        "post": "yes",
    }
    response = client.post(reverse("admin:chat_mode_changelist"), data, follow=True)
    return response.content.decode()


def test_bulk_delete_refuses_to_remove_every_active_mode(admin_client):
    content = bulk_delete(admin_client, Mode.objects.all())

    assert "At least one mode must stay active" in content
    assert Mode.objects.count() == 3


def test_bulk_delete_deletes_when_an_active_mode_remains(admin_client, banking):
    bulk_delete(admin_client, [banking])

    assert list(Mode.objects.values_list("slug", flat=True)) == [
        "insurance",
        "healthcare",
    ]


def test_mode_list_shows_the_active_prompt_version(admin_client, banking):
    prompt_version_create_v2(banking)

    response = admin_client.get(reverse("admin:chat_mode_changelist"))

    assert ">v2<" in response.content.decode()


@pytest.fixture
def conversation(banking) -> Conversation:
    conversation = Conversation.objects.create(
        visitor_key=visitor_key("abc123"),
        mode=banking,
        seed=5,
        as_of=date(2026, 3, 4),
        persona={},
    )
    conversation.messages.create(role="user", content="What is my balance?")
    conversation.messages.create(
        role="assistant",
        content="Your checking balance is $4,210.55.",
        prompt_version=prompt_active_version(banking),
        time_to_first_token_ms=312,
        backend="offline",
    )
    return conversation


def test_conversation_page_shows_the_transcript(admin_client, conversation):
    url = reverse("admin:chat_conversation_change", args=[conversation.pk])

    content = admin_client.get(url).content.decode()

    assert "Your checking balance is $4,210.55." in content
    assert "312" in content
    assert "Banking prompt v1" in content


CHART_CALL = {
    "call_id": "c1",
    "tool": "show_chart",
    "arguments": {"dataset": "spending", "chart_type": "pie"},
    "result": {
        "dataset": "spending",
        "chart_type": "pie",
        "title": "Spending by category",
        "unit": "USD",
        "series": [{"name": "Spent", "points": [{"label": "Fuel", "value": 52.75}]}],
    },
}
REFUSED_CALL = {
    "call_id": "c2",
    "tool": "show_metrics",
    "arguments": {"keys": ["nope"]},
    "error": {"code": "tool_invalid", "message": "keys.0: Input should be 'a'"},
}


def test_conversation_page_shows_each_replys_tool_calls(admin_client, conversation):
    conversation.messages.create(
        role="assistant", content="Here it is.", tool_calls=[CHART_CALL, REFUSED_CALL]
    )
    url = reverse("admin:chat_conversation_change", args=[conversation.pk])

    content = admin_client.get(url).content.decode()

    assert (
        "show_chart(dataset=spending, chart_type=pie) → Spending by category "
        "(pie): Fuel 52.75<br>show_metrics(keys=[&quot;nope&quot;]) → tool_invalid: "
        "keys.0: Input should be &#x27;a&#x27;"
    ) in content


def test_conversation_page_shows_odd_stored_tool_calls_cut_short(
    admin_client, conversation
):
    """Rows written by hand or an older release: long arguments are cut, missing
    keys read as None, and the page still opens."""
    odd = [
        {"tool": "show_chart", "arguments": {"dataset": "x" * 500}, "result": {}},
        {"tool": "show_chart", "error": {"code": "tool_invalid"}},
        {"tool": "show_metrics", "result": {"metrics": [{"value": 3}]}},
    ]
    conversation.messages.create(role="assistant", content="", tool_calls=odd)
    url = reverse("admin:chat_conversation_change", args=[conversation.pk])

    response = admin_client.get(url)

    content = response.content.decode()
    assert response.status_code == 200
    assert "x" * 200 not in content and "x" * 100 in content
    assert "tool_invalid: None" in content
    assert "None 3" in content


def test_conversation_page_shows_a_short_visitor_id_not_the_key(
    admin_client, conversation
):
    url = reverse("admin:chat_conversation_change", args=[conversation.pk])

    content = admin_client.get(url).content.decode()

    assert "Visitor id" in content
    assert f">{visitor_key('abc123')[:12]}</a>" in content
    assert visitor_key("abc123") not in content


@pytest.mark.parametrize(("query", "found"), [("balance", 1), ("mortgage", 0)])
def test_conversations_search_message_content(admin_client, conversation, query, found):
    url = reverse("admin:chat_conversation_changelist")

    response = admin_client.get(url, {"q": query})

    assert response.context["cl"].result_count == found


def test_conversations_filter_by_mode_and_date(admin_client, conversation):
    url = reverse("admin:chat_conversation_changelist")
    insurance = Mode.objects.get(slug="insurance")
    year = conversation.started.year

    def count(**query) -> int:
        return admin_client.get(url, query).context["cl"].result_count

    assert count(mode__id__exact=conversation.mode_id) == 1
    assert count(mode__id__exact=insurance.pk) == 0
    assert count(started__year=year) == 1
    assert count(started__year=year - 1) == 0


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("admin:chat_conversation_add", []),
        ("admin:chat_conversation_delete", ["conversation"]),
        ("admin:chat_prompttemplate_add", []),
    ],
)
def test_transcripts_and_versions_are_read_only(admin_client, conversation, name, args):
    url = reverse(name, args=[conversation.pk for _ in args])

    assert admin_client.get(url).status_code == 403


def test_transcript_cannot_be_edited(admin_client, conversation):
    url = reverse("admin:chat_conversation_change", args=[conversation.pk])

    admin_client.post(url, {"visitor_key": "changed"})

    stored = Conversation.objects.get(pk=conversation.pk).visitor_key
    assert stored == visitor_key("abc123")
    assert Message.objects.filter(conversation=conversation).count() == 2


def test_prompt_versions_list_filters_by_mode(admin_client, banking):
    url = reverse("admin:chat_prompttemplate_changelist")

    response = admin_client.get(url, {"mode__id__exact": banking.pk})

    assert [v.mode for v in response.context["cl"].result_list] == [banking]
    assert PromptTemplate.objects.count() == 3


# Renders nothing for minutes unless stopped: 19,740 x 19,740 empty loop iterations.
ENDLESS_TEMPLATE = (
    '{% with s="x"|ljust:140 %}{% for a in s|make_list|join:s %}'
    "{% for b in s|make_list|join:s %}{% endfor %}{% endfor %}{% endwith %}"
)
CSRF_SECRET = "a" * 32


@database_sync_to_async
def staff_cookie() -> str:
    """The Cookie header of a logged-in superuser's browser, CSRF cookie included."""
    user = get_user_model().objects.create_superuser("racer", "r@example.com", None)
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}; csrftoken={CSRF_SECRET}"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_preview_stops_rendering_when_the_browser_goes_away(settings):
    """Django cancels the view on disconnect; the render thread must stop with it."""
    settings.PROMPT_RENDER_MAX_STEPS = 10**12
    settings.PROMPT_RENDER_MAX_MS = 60_000  # the render stops only if cancelled
    body = urlencode(preview_data(greeting_template=ENDLESS_TEMPLATE)).encode()
    scope = {
        "type": "http",
        "method": "POST",
        "path": reverse("admin:chat_mode_preview"),
        "query_string": b"",
        "headers": [
            (b"host", b"testserver"),
            (b"cookie", (await staff_cookie()).encode()),
            (b"x-csrftoken", CSRF_SECRET.encode()),
            (b"content-type", b"application/x-www-form-urlencoded"),
        ],
    }
    incoming = asyncio.Queue()
    await incoming.put({"type": "http.request", "body": body})
    sent = []

    async def send(message: dict) -> None:
        sent.append(message)

    request = asyncio.create_task(ASGIHandler()(scope, incoming.get, send))
    await asyncio.sleep(1)
    await incoming.put({"type": "http.disconnect"})
    await asyncio.wait_for(request, 5)

    assert sent == []
    # The render ran in the loop's default executor: it joins only once it stopped.
    loop = asyncio.get_running_loop()
    await asyncio.wait_for(loop.shutdown_default_executor(), 5)
