"""Staff stay in control of generated modes: origin, approval for the picker, retiring,
merging, and the catalogue a mode's customers are drawn from."""

from dataclasses import replace
from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chat.conversation.triggers import mode_resolve_trigger
from chat.conversation.visits import visit_open_payload
from chat.forms import (
    CATALOGUE_TEXT_MAX,
    PromptPreviewForm,
    catalogue_from_lines,
    catalogue_lines,
)
from chat.models import Conversation, Message, Mode
from chat.selectors import modes_active, modes_pickable, prompt_active_version
from chat.services import mode_save, modes_approve, modes_merge, modes_retire
from personas.card import Card, Figure, of
from personas.catalogue import CATALOGUE_MAX_ITEMS, ITEM_NAME_MAX, catalogue_parse
from personas.registry import Customer, kind_get, kind_register, kind_unregister
from personas.sampling import Draw
from tests.chat.test_admin import change_data, change_url, preview_data

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:chat_mode_changelist")
KIBBLE = "Grain-free salmon kibble, 12 lb | 38 | 64"
PET_CATALOGUE = f"{KIBBLE}\nCatnip mouse, 3 pack | 4.5 | 9\nSquid chew | 2 | 2"
PET_ITEMS = [
    {"name": "Grain-free salmon kibble, 12 lb", "low": 38.0, "high": 64.0},
    {"name": "Catnip mouse, 3 pack", "low": 4.5, "high": 9.0},
    {"name": "Squid chew", "low": 2.0, "high": 2.0},
]


def mode_generated(
    slug: str = "pet-store", *, aliases: str = "pet store, pet shop", **fields
) -> Mode:
    """A mode as the generator leaves it: active, unapproved, with banking's words."""
    banking = Mode.objects.get(slug="banking")
    active = prompt_active_version(banking)
    mode = Mode(
        slug=slug,
        name=slug.replace("-", " ").title(),
        company_name="Paws & Co",
        persona_kind="banking",
        aliases=aliases,
        **{name: getattr(banking, name) for name in COLOURS},
        origin=Mode.Origin.GENERATED,
        request_text=f"Presto-Change-O, you're a {slug.replace('-', ' ')}",
        generator="offline",
        generated_at=timezone.now(),
    )
    for name, value in fields.items():
        setattr(mode, name, value)
    return mode_save(
        mode=mode, user=None, system_prompt=active.source, greeting=active.greeting
    )


COLOURS = (
    "primary_color",
    "secondary_color",
    "background_color",
    "surface_color",
    "text_color",
)


@pytest.fixture
def pet_store() -> Mode:
    return mode_generated()


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


def fresh(mode: Mode) -> Mode:
    return Mode.objects.get(pk=mode.pk)


def conversation_with_history(mode: Mode) -> Conversation:
    conversation = Conversation.objects.create(
        mode=mode, seed=5, as_of=date(2026, 3, 4), persona_kind="banking", persona={}
    )
    Message.objects.create(conversation=conversation, role="user", content="Kibble?")
    return conversation


def slugs(modes) -> list[str]:
    return sorted(mode.slug for mode in modes)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# The picker and the trigger


def test_modes_pickable_leaves_out_unapproved_generated_modes(pet_store):
    approved = mode_generated("florist", aliases="florist", is_approved=True)
    mode_generated("bakery", aliases="bakery", is_active=False, is_approved=True)

    assert slugs(modes_pickable()) == slugs(
        [*Mode.objects.filter(origin=Mode.Origin.BUILT_IN), approved]
    )
    assert pet_store in modes_active()


def test_trigger_still_reaches_an_unapproved_generated_mode(pet_store):
    match = mode_resolve_trigger(
        "Presto-Change-O, you're a pet shop", list(modes_active())
    )

    assert match.mode == pet_store
    assert pet_store not in modes_pickable()


def test_page_picker_lists_only_pickable_modes(pet_store):
    opened = visit_open_payload(SessionStore(), today=date(2026, 3, 4))

    listed = [mode["slug"] for mode in opened.payload["modes"]]
    assert listed == [mode.slug for mode in modes_pickable()]
    assert "pet-store" not in listed


def test_new_visitor_lands_on_a_pickable_mode_not_an_unapproved_one(pet_store):
    mode_generated("aardvark-rescue", aliases="aardvark rescue")

    opened = visit_open_payload(SessionStore(), today=date(2026, 3, 4))

    assert opened.payload["mode"]["slug"] == modes_pickable().first().slug == "banking"


# Approve, retire, merge: the services


def test_modes_approve_puts_generated_modes_in_the_picker(pet_store):
    modes_approve(modes=[pet_store])

    assert fresh(pet_store).is_approved
    assert pet_store in modes_pickable()


def test_modes_approve_refuses_modes_that_need_no_approval(pet_store, banking):
    with pytest.raises(ValidationError, match="Banking is not"):
        modes_approve(modes=[pet_store, banking])

    assert not fresh(pet_store).is_approved


def test_modes_retire_takes_modes_out_of_reach(pet_store):
    modes_retire(modes=[pet_store])

    assert pet_store not in modes_active()
    assert Mode.objects.filter(pk=pet_store.pk).exists()


def test_modes_retire_refuses_to_retire_the_last_active_mode(pet_store):
    with pytest.raises(ValidationError, match="At least one mode must stay active"):
        modes_retire(modes=Mode.objects.all())

    assert Mode.objects.filter(is_active=True).count() == Mode.objects.count()


def test_modes_merge_moves_aliases_once_and_retires_the_source(banking):
    source = mode_generated("piggy-bank", aliases="Piggy bank, BANKING, bank, coins")
    conversation = conversation_with_history(source)

    modes_merge(sources=[source], target=banking)

    merged = fresh(source)
    assert fresh(banking).alias_list == [
        *banking.alias_list,
        "Piggy bank",
        "coins",
    ]
    assert (merged.aliases, merged.is_active, merged.merged_into) == (
        "",
        False,
        banking,
    )
    assert Conversation.objects.get(pk=conversation.pk).mode == merged
    assert [m.content for m in conversation.messages.all()] == ["Kibble?"]


def test_modes_merge_sends_the_words_to_the_target(banking):
    source = mode_generated("piggy-bank", aliases="piggy bank")

    modes_merge(sources=[source], target=banking)

    match = mode_resolve_trigger(
        "Presto-Change-O, you're a piggy bank", list(modes_active())
    )
    assert match.mode == banking


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("itself", "cannot be merged into itself"),
        ("retired", "Insurance is retired: merge into an active mode"),
        ("merged", "Florist was merged already"),
    ],
)
def test_modes_merge_refuses(case, message, pet_store, banking):
    insurance = Mode.objects.get(slug="insurance")
    florist = mode_generated("florist", aliases="florist")
    modes_merge(sources=[florist], target=insurance)
    modes_retire(modes=[insurance])
    sources, target = {
        "itself": ([pet_store], pet_store),
        "retired": ([pet_store], insurance),
        "merged": ([pet_store, florist], banking),
    }[case]

    with pytest.raises(ValidationError, match=message):
        modes_merge(sources=sources, target=target)

    assert fresh(pet_store).aliases == "pet store, pet shop"
    assert fresh(pet_store).is_active


# The changelist: columns, filters, search


@pytest.fixture
def origins(pet_store) -> dict[str, Mode]:
    """One mode of every origin and state the filters tell apart."""
    return {
        "pet-store": pet_store,
        "florist": mode_generated("florist", aliases="florist", is_approved=True),
        "bakery": mode_generated("bakery", aliases="bakery", is_active=False),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"origin__exact": "generated"}, ["bakery", "florist", "pet-store"]),
        ({"origin__exact": "builtin"}, ["banking", "healthcare", "insurance"]),
        (
            {"origin__exact": "generated", "is_approved__exact": "0"},
            ["bakery", "pet-store"],
        ),
        ({"is_approved__exact": "1"}, ["florist"]),
        ({"is_active__exact": "0"}, ["bakery"]),
        ({"q": "you're a florist"}, ["florist"]),
    ],
)
def test_changelist_filters_and_searches(admin_client, origins, query, expected):
    response = admin_client.get(CHANGELIST, query)

    assert slugs(response.context["cl"].result_list) == expected


def test_changelist_shows_origin_and_approval(admin_client, origins):
    content = admin_client.get(CHANGELIST).content.decode()

    for shown in ("Generated", "Built-in", "Awaiting approval", "Approved"):
        assert shown in content
    assert "Not needed" in content


def fields_shown(response) -> dict[str, bool]:
    """Each field on a change page, and whether it is read-only."""
    return {
        field.field["name"]
        if field.is_readonly
        else field.field.name: field.is_readonly
        for fieldset in response.context["adminform"]
        for line in fieldset
        for field in line
    }


def test_change_page_shows_how_a_generated_mode_was_made(admin_client, pet_store):
    response = admin_client.get(change_url(pet_store))

    shown = fields_shown(response)
    made = ("origin", "request_text", "generator", "generated_at")
    assert [shown.get(name) for name in made] == [True] * len(made)
    assert shown["is_approved"] is False
    assert "Presto-Change-O, you&#x27;re a pet store" in response.content.decode()


def test_change_page_of_a_built_in_mode_shows_only_its_origin(admin_client, banking):
    shown = fields_shown(admin_client.get(change_url(banking)))

    assert shown["origin"] is True
    assert not shown.keys() & {
        "request_text",
        "generator",
        "generated_at",
        "is_approved",
    }


def test_edit_of_a_generated_mode_makes_a_new_prompt_version(admin_client, pet_store):
    data = change_data(pet_store, system_prompt="Woof, {{ persona.name }}.")

    response = admin_client.post(change_url(pet_store), data)

    assert response.status_code == 302
    assert prompt_active_version(pet_store).version == 2
    assert fresh(pet_store).origin == Mode.Origin.GENERATED


# The actions, through the admin


def action(client: Client, name: str, modes, **extra) -> object:
    data = {"action": name, "_selected_action": [mode.pk for mode in modes], **extra}
    return client.post(CHANGELIST, data, follow=True)


def test_approve_action_approves_and_says_so(admin_client, pet_store):
    response = action(admin_client, "approve_selected", [pet_store])

    assert fresh(pet_store).is_approved
    assert messages_of(response) == [
        "Approved Pet Store: the page's mode picker offers them now."
    ]


def test_approve_action_refuses_a_built_in_mode(admin_client, banking):
    response = action(admin_client, "approve_selected", [banking])

    assert "Only generated modes need approval" in messages_of(response)[0]


def test_retire_action_retires_and_says_so(admin_client, pet_store):
    response = action(admin_client, "retire_selected", [pet_store])

    assert not fresh(pet_store).is_active
    assert messages_of(response)[0].startswith("Retired Pet Store:")


def test_retire_action_refuses_the_last_active_mode(admin_client, pet_store):
    response = action(admin_client, "retire_selected", Mode.objects.all())

    assert "At least one mode must stay active" in messages_of(response)[0]
    assert fresh(pet_store).is_active


def test_merge_action_asks_for_an_active_target(admin_client, pet_store):
    Mode.objects.filter(slug="insurance").update(is_active=False)

    response = action(admin_client, "merge_selected", [pet_store])

    choices = response.context["form"].fields["target"].queryset
    assert slugs(choices) == ["banking", "healthcare"]
    assert "pet store, pet shop" in response.content.decode()


def test_merge_action_merges_into_the_chosen_mode(admin_client, pet_store, banking):
    conversation = conversation_with_history(pet_store)

    response = action(
        admin_client, "merge_selected", [pet_store], target=banking.pk, merge="Merge"
    )

    assert messages_of(response)[0].startswith("Merged Pet Store into Banking:")
    assert fresh(pet_store).merged_into == banking
    assert "pet shop" in fresh(banking).alias_list
    transcript = reverse("admin:chat_conversation_change", args=[conversation.pk])
    assert "Kibble?" in admin_client.get(transcript).content.decode()


@pytest.mark.parametrize("target", ["pet-store", "insurance"])
def test_merge_action_refuses_itself_and_retired_modes(admin_client, pet_store, target):
    Mode.objects.filter(slug="insurance").update(is_active=False)
    chosen = Mode.objects.get(slug=target)

    response = action(
        admin_client, "merge_selected", [pet_store], target=chosen.pk, merge="Merge"
    )

    assert "cannot be merged into itself or into a retired mode" in str(
        response.context["form"].errors["target"]
    )
    assert fresh(pet_store).is_active and fresh(pet_store).merged_into is None


@pytest.mark.parametrize(
    ("name", "extra"),
    [
        ("approve_selected", {}),
        ("retire_selected", {}),
        ("merge_selected", {"merge": "Merge"}),
    ],
)
def test_view_only_staff_cannot_run_the_actions(
    viewer, pet_store, banking, name, extra
):
    before = Mode.objects.values().get(pk=pet_store.pk)

    action(viewer, name, [pet_store], target=banking.pk, **extra)

    assert Mode.objects.values().get(pk=pet_store.pk) == before


def test_view_only_staff_see_a_generated_mode_read_only(viewer, pet_store):
    pet_store.catalogue = PET_ITEMS
    pet_store.save()

    response = viewer.get(change_url(pet_store))

    assert response.status_code == 200
    assert all(fields_shown(response).values())
    assert "Grain-free salmon kibble, 12 lb" in response.content.decode()


# The catalogue


def test_catalogue_lines_round_trip():
    items = catalogue_from_lines(f"  {PET_CATALOGUE}\n\n")

    assert items == PET_ITEMS
    assert catalogue_lines(catalogue_parse(items)) == PET_CATALOGUE


TOO_MANY = "\n".join(f"Item {n} | 1 | 2" for n in range(CATALOGUE_MAX_ITEMS + 1))
BAD_CATALOGUES = [
    ("Squid chew | 2", "Line 1: give a low and a high price"),
    ("Squid chew", "Line 1: give a low and a high price"),
    (f"{KIBBLE}\nSquid chew | | 3", "Line 2: the low price is missing"),
    ("Squid chew | $2 | 3", "Line 1: the low price is “$2”: write a plain number"),
    ("Squid chew | 2 | nan", "Line 1: the high price is “nan”"),
    ("Squid chew | 9 | 3", "Swap the two prices"),
    ("Squid chew | -1 | 3", "Line 1: the low price is “-1”"),
    (
        f"{KIBBLE}\n\nsquid chew | 1 | 2\nSquid Chew | 1 | 2",
        "Line 4: “Squid Chew” is already on line 3",
    ),
    (TOO_MANY, f"at most {CATALOGUE_MAX_ITEMS} items; this one has 41: remove 1"),
    (f"{'x' * (ITEM_NAME_MAX + 1)} | 1 | 2", f"longer than {ITEM_NAME_MAX} characters"),
    (" | 1 | 2", "Line 1: the name is missing"),
    ("Yacht | 1 | 99999999", "the high price is above 10,000,000"),
    ("x" * (CATALOGUE_TEXT_MAX + 1), "at most"),
]


@pytest.mark.parametrize(("text", "message"), BAD_CATALOGUES)
def test_catalogue_field_refuses_bad_lines(text, message):
    form = PromptPreviewForm(preview_data(catalogue=text))

    assert not form.is_valid()
    assert message in " ".join(form.errors["catalogue"])


def test_catalogue_field_names_every_bad_line():
    with pytest.raises(ValidationError) as refused:
        catalogue_from_lines("Kibble | 1\nSquid chew | 1 | 2\nBone | x | 2")

    assert [m.split(":")[0] for m in refused.value.messages] == ["Line 1", "Line 3"]


def test_add_page_saves_a_catalogue_and_industry_notes(admin_client, banking):
    data = change_data(banking, slug="pets", name="Pets", catalogue=PET_CATALOGUE)
    data |= {"industry_notes": "Pets eat.", "prompts-TOTAL_FORMS": 0}

    response = admin_client.post(reverse("admin:chat_mode_add"), data)

    assert response.status_code == 302
    saved = Mode.objects.get(slug="pets")
    assert (saved.catalogue, saved.industry_notes) == (PET_ITEMS, "Pets eat.")
    assert saved.origin == Mode.Origin.STAFF


def test_change_page_edits_a_catalogue_and_shows_it_as_lines(admin_client, pet_store):
    data = change_data(pet_store, catalogue=PET_CATALOGUE)

    assert admin_client.post(change_url(pet_store), data).status_code == 302

    assert fresh(pet_store).catalogue == PET_ITEMS
    form = admin_client.get(change_url(pet_store)).context["adminform"].form
    assert form["catalogue"].value() == PET_CATALOGUE


@pytest.mark.parametrize(("text", "message"), BAD_CATALOGUES)
def test_change_page_refuses_a_bad_catalogue_and_saves_nothing(
    admin_client, pet_store, text, message
):
    pet_store.catalogue = PET_ITEMS
    pet_store.save()
    data = change_data(pet_store, catalogue=text, tagline="Changed")

    response = admin_client.post(change_url(pet_store), data)

    errors = response.context["adminform"].form.errors["catalogue"]
    assert message in " ".join(errors)
    assert (fresh(pet_store).catalogue, fresh(pet_store).tagline) == (PET_ITEMS, "")
    assert response.context["adminform"].form["catalogue"].value() == text


# The registry's kinds in the forms, and the catalogue in the preview


class ShopCustomer(Customer):
    bought: list[str]


def shop_generate(draw: Draw) -> ShopCustomer:
    return ShopCustomer(name="Sam", bought=[item.name for item in draw.catalogue])


@pytest.fixture
def shop_kind():
    """A throwaway kind whose customer bought every item of the mode's catalogue."""
    kind = replace(
        kind_get("banking"),
        name="shop",
        label="Shop",
        schema=ShopCustomer,
        generate=shop_generate,
        card=Card(headline=Figure("Bought", of("bought")), summary=(), sections=()),
        answers=(),
    )
    kind_register(kind)
    yield kind
    kind_unregister(kind.name)


def test_mode_forms_offer_a_kind_registered_after_start_up(admin_client, shop_kind):
    add = admin_client.get(reverse("admin:chat_mode_add")).context["adminform"].form
    preview = PromptPreviewForm()

    assert ("shop", "Shop") in add.fields["persona_kind"].choices
    assert ("shop", "Shop") in preview.fields["persona_kind"].choices


def test_preview_customer_is_drawn_from_the_posted_catalogue(admin_client, shop_kind):
    data = preview_data(
        persona_kind="shop",
        catalogue=PET_CATALOGUE,
        system_prompt="{{ persona.name }}",
        greeting_template="Hi",
    )

    response = admin_client.post(reverse("admin:chat_mode_preview"), data)

    assert response.json()["persona"]["bought"] == [item["name"] for item in PET_ITEMS]


def test_preview_refuses_a_bad_catalogue_with_a_form_error(admin_client):
    data = preview_data(catalogue="Squid chew | 9 | 3")

    response = admin_client.post(reverse("admin:chat_mode_preview"), data)

    assert response.status_code == 400
    [error] = response.json()["errors"]["catalogue"]
    assert "Swap the two prices" in error["message"]
