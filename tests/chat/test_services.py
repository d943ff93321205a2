import importlib

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.apps import apps
from django.core.exceptions import ValidationError

from chat.broadcast import (
    MODES_CHANGED,
    mode_group_name,
    mode_updated_event,
    modes_changed_broadcast,
)
from chat.models import Mode, PromptTemplate
from chat.payloads import mode_payload
from chat.selectors import (
    EVERY_MODE,
    mode_get_active,
    modes_active,
    prompt_active_version,
)
from chat.services import (
    LastActiveModeError,
    mode_save,
    modes_delete,
    modes_retire,
    prompt_version_create,
    prompt_version_rollback,
)
from personas.registry import kind_get
from tests.chat.migration import chat_migrate, chat_migrate_latest

pytestmark = pytest.mark.django_db
default_modes = importlib.import_module("chat.migrations.0002_default_modes")
BEFORE_VERSIONED_GREETINGS = "0004_conversation_visitor_key"
VERSIONED_GREETINGS = "0005_prompt_version_holds_greeting"


@pytest.fixture
def banking() -> Mode:
    return Mode.objects.get(slug="banking")


def only_banking_active() -> None:
    Mode.objects.exclude(slug="banking").update(is_active=False)


def test_prompt_version_create_activates_the_new_version(banking, admin_user):
    version = prompt_version_create(
        mode=banking, source="Hi {{ persona.name }}", user=admin_user, note="Shorter"
    )

    assert (version.version, version.is_active) == (2, True)
    assert (version.created_by, version.note) == (admin_user, "Shorter")
    assert prompt_active_version(banking) == version
    assert list(banking.prompts.filter(is_active=True)) == [version]


def test_prompt_version_create_numbers_after_the_highest(banking):
    banking.prompts.update(version=7)

    version = prompt_version_create(mode=banking, source="x", user=None)

    assert version.version == 8


def test_prompt_version_rollback_copies_an_old_version(banking, admin_user):
    first = prompt_active_version(banking)
    prompt_version_create(mode=banking, source="v2", user=None)

    restored = prompt_version_rollback(version=first, user=admin_user)

    assert (restored.version, restored.source) == (3, first.source)
    assert restored.greeting == first.greeting
    assert restored.note == "Rolled back to v1"
    assert prompt_active_version(banking) == restored
    assert banking.prompts.count() == 3


def test_mode_save_adds_a_version_only_when_the_prompt_changes(banking):
    source = prompt_active_version(banking).source

    mode_save(mode=banking, user=None, system_prompt=source)
    assert banking.prompts.count() == 1

    mode_save(mode=banking, user=None, system_prompt=source + "\nBe brief.")
    assert prompt_active_version(banking).source.endswith("Be brief.")
    assert banking.prompts.count() == 2


def test_mode_save_adds_a_version_when_only_the_greeting_changes(banking):
    first = prompt_active_version(banking)

    mode_save(mode=banking, user=None, greeting=first.greeting)
    assert banking.prompts.count() == 1

    mode_save(mode=banking, user=None, greeting="Hi {{ persona.name }}")
    active = prompt_active_version(banking)
    assert (active.version, active.source) == (2, first.source)
    assert active.greeting == "Hi {{ persona.name }}"


def test_prompt_version_create_keeps_the_active_greeting(banking):
    first = prompt_active_version(banking)

    version = prompt_version_create(mode=banking, source="x", user=None)

    assert version.greeting == first.greeting


def test_mode_save_validates_the_mode(banking):
    banking.primary_color = "navy"

    with pytest.raises(ValidationError, match="#rrggbb"):
        mode_save(mode=banking, user=None)


def test_mode_save_refuses_to_deactivate_the_last_active_mode(banking):
    only_banking_active()
    banking.is_active = False

    with pytest.raises(LastActiveModeError, match="At least one mode must stay active"):
        mode_save(mode=banking, user=None)

    assert Mode.objects.get(slug="banking").is_active


def test_mode_save_deactivates_while_another_stays_active(banking):
    banking.is_active = False

    mode_save(mode=banking, user=None)

    assert not Mode.objects.get(slug="banking").is_active


def test_modes_delete_refuses_to_delete_every_active_mode():
    with pytest.raises(LastActiveModeError):
        modes_delete(modes=Mode.objects.all())

    assert Mode.objects.count() == 3


def test_modes_delete_deletes_when_an_active_mode_remains(
    banking, django_capture_on_commit_callbacks
):
    every_process = receive_on_group(EVERY_MODE)
    with django_capture_on_commit_callbacks(execute=True):
        modes_delete(modes=[banking])

    assert not Mode.objects.filter(slug="banking").exists()
    assert not PromptTemplate.objects.filter(mode_id=banking.pk).exists()
    assert every_process() == MODES_CHANGED


def receive_on_group(mode: Mode | int):
    """Join the mode's group (EVERY_MODE's: every process's) as a listener would;
    returns a function that reads one message."""
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    pk = mode if isinstance(mode, int) else mode.pk
    async_to_sync(layer.group_add)(mode_group_name(pk), channel)
    return lambda: async_to_sync(layer.receive)(channel)


def test_mode_save_broadcasts_after_commit(banking, django_capture_on_commit_callbacks):
    receive, every_process = receive_on_group(banking), receive_on_group(EVERY_MODE)
    banking.company_name = "Meridian Trust"

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        mode_save(mode=banking, user=None, system_prompt="Changed")

    # Every process first, so a page told of the save finds the saved words.
    assert callbacks[0] is modes_changed_broadcast
    assert len(callbacks) == 2
    assert every_process() == MODES_CHANGED
    message = receive()
    assert message == mode_updated_event(banking)
    assert message["mode"] == mode_payload(banking)
    assert message["mode"]["company_name"] == "Meridian Trust"


def test_prompt_version_create_broadcasts_after_commit(
    banking, django_capture_on_commit_callbacks
):
    receive = receive_on_group(banking)

    with django_capture_on_commit_callbacks(execute=True):
        prompt_version_create(mode=banking, source="x", user=None)

    assert receive()["mode"]["slug"] == "banking"


def test_modes_written_together_tell_every_process_once(
    banking, django_capture_on_commit_callbacks
):
    insurance = Mode.objects.get(slug="insurance")
    with django_capture_on_commit_callbacks() as callbacks:
        modes_retire(modes=[banking, insurance])
    assert [c for c in callbacks if c is modes_changed_broadcast] == [callbacks[0]]


def test_a_prompt_version_tells_no_process_of_changed_modes(
    banking, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        prompt_version_create(mode=banking, source="x", user=None)
    assert modes_changed_broadcast not in callbacks


def test_mode_group_name_is_per_mode_and_one_for_every_process():
    assert (mode_group_name(12), mode_group_name(EVERY_MODE)) == ("mode-12", "modes")


def test_mode_payload_is_the_protocol_mode_object(banking):
    kind = kind_get("banking")
    assert mode_payload(banking) == {
        "slug": "banking",
        "name": "Banking",
        "company_name": "Meridian Trust Bank",
        "tagline": "Banking that knows you",
        "industry_notes": "",
        "persona_kind": "banking",
        "locale": "en-US",
        "theme": {
            "primary": "#0b3d6e",
            "secondary": "#c9a227",
            "background": "#f4f6f9",
            "surface": "#ffffff",
            "text": "#1b2430",
        },
        "hero": kind.hero,
        "chat_subtitle": kind.chat_subtitle,
    }


def test_modes_active_lists_active_modes_in_display_order():
    Mode.objects.filter(slug="banking").update(display_order=99)
    Mode.objects.filter(slug="insurance").update(is_active=False)

    assert [mode.slug for mode in modes_active()] == ["healthcare", "banking"]


@pytest.mark.parametrize(("slug", "found"), [("banking", True), ("bakery", False)])
def test_mode_get_active_finds_active_modes_only(slug, found):
    assert (mode_get_active(slug) is not None) is found


def test_mode_get_active_skips_inactive_modes(banking):
    Mode.objects.filter(slug="banking").update(is_active=False)

    assert mode_get_active("banking") is None


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [
        c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels
    ]
    red, green, blue = linear
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio: 4.5 is the floor for body text, 7 is AAA."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("slug", ["banking", "insurance", "healthcare"])
def test_default_mode_themes_are_readable(slug):
    theme = mode_payload(Mode.objects.get(slug=slug))["theme"]

    assert contrast(theme["text"], theme["background"]) >= 7
    assert contrast(theme["text"], theme["surface"]) >= 7
    assert contrast(theme["primary"], "#ffffff") >= 4.5


def test_default_modes_are_distinct():
    modes = Mode.objects.all()

    assert len({mode.primary_color for mode in modes}) == 3
    assert {mode.company_name for mode in modes} == {
        "Meridian Trust Bank",
        "Guardian Shield Insurance",
        "Vitality Health Partners",
    }
    assert "credit union" in Mode.objects.get(slug="banking").alias_list


def test_default_modes_migration_reverses():
    default_modes.delete_default_modes(apps, schema_editor=None)

    assert not Mode.objects.exists()
    assert not PromptTemplate.objects.exists()


@pytest.fixture
def before_versioned_greetings():
    """The chat app's models before 0005; the tables go back to the latest after."""
    yield chat_migrate(BEFORE_VERSIONED_GREETINGS)
    chat_migrate_latest()


def old_rows(old) -> dict:
    """A second version, a custom greeting and a conversation, as 0004 stored them."""
    mode = old.get_model("chat", "Mode").objects.get(slug="banking")
    mode.greeting_template = "Hello {{ persona.name }}"
    mode.save()
    version = old.get_model("chat", "PromptTemplate").objects.create(
        mode=mode, version=2, source="v2", is_active=False
    )
    conversation = old.get_model("chat", "Conversation").objects.create(
        mode=mode, seed=7, as_of="2026-03-04", persona_kind="banking", persona={}
    )
    message = conversation.messages.create(
        role="assistant",
        content="Hi",
        prompt_version=version,
        seed=7,
        as_of="2026-03-04",
    )
    return {"mode": mode, "message": message}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_gives_every_version_the_greeting_and_keeps_conversations(
    before_versioned_greetings,
):
    rows = old_rows(before_versioned_greetings)

    new = chat_migrate(VERSIONED_GREETINGS)

    versions = new.get_model("chat", "PromptTemplate").objects.filter(
        mode_id=rows["mode"].pk
    )
    assert sorted(versions.values_list("version", "greeting")) == [
        (1, "Hello {{ persona.name }}"),
        (2, "Hello {{ persona.name }}"),
    ]
    message = (
        new.get_model("chat", "Message")
        .objects.select_related("prompt_version", "conversation")
        .get(pk=rows["message"].pk)
    )
    assert (message.content, message.prompt_version.version) == ("Hi", 2)
    assert (message.conversation.seed, str(message.conversation.as_of)) == (
        7,
        "2026-03-04",
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_back_restores_the_greeting_and_message_customers(
    before_versioned_greetings,
):
    rows = old_rows(before_versioned_greetings)
    new = chat_migrate(VERSIONED_GREETINGS)
    new.get_model("chat", "PromptTemplate").objects.filter(
        mode_id=rows["mode"].pk, version=1
    ).update(greeting="Back {{ persona.name }}")

    old = chat_migrate(BEFORE_VERSIONED_GREETINGS)

    mode = old.get_model("chat", "Mode").objects.get(pk=rows["mode"].pk)
    message = old.get_model("chat", "Message").objects.get(pk=rows["message"].pk)
    assert mode.greeting_template == "Back {{ persona.name }}"
    assert (message.seed, str(message.as_of)) == (7, "2026-03-04")
