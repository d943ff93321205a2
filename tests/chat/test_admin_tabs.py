"""The mode admin's tab editor: one tab a line, "Title: panel, panel", checked against
the persona kind being saved, and the saved tabs reaching open chats."""

import html

import pytest
from asgiref.sync import sync_to_async
from django.test import Client
from django.urls import reverse

from chat.dashboard.tabs import dashboard_payload
from chat.models import Mode
from personas.registry import kind_get
from tests.chat.dashboard.planetarium import (  # noqa: F401  (a fixture)
    GREETING,
    NAME,
    PANEL_NAMES,
    SLUG,
    SYSTEM_PROMPT,
    dome_save,
    planetarium,
)
from tests.chat.socket import send, session_create_in, socket_open
from tests.chat.test_admin import change_data, change_url
from tests.support.stargazing import MODE_FIELDS

pytestmark = pytest.mark.usefixtures("planetarium")
DEFAULTS_TEXT = (
    "Overview: dues_paid, dues_left, night_fees\n"
    "Membership: dues_progress, nights_booked"
)
OWN = [{"title": "Fees: by night", "panels": ["night_fees", "nights_booked"]}]


def tabs_form(client: Client, mode: Mode):
    return client.get(change_url(mode)).context["adminform"].form


def tabs_post(client: Client, mode: Mode, text: str, **overrides):
    return client.post(
        change_url(mode), change_data(mode, dashboard_tabs=text, **overrides)
    )


@pytest.mark.django_db
def test_a_mode_without_tabs_shows_its_kinds_defaults_labelled_as_such(admin_client):
    form = tabs_form(admin_client, dome_save())

    assert form["dashboard_tabs"].value() == DEFAULTS_TEXT
    help_text = form.fields["dashboard_tabs"].help_text
    assert "Shown: Planetarium's default tabs." in help_text
    assert f"(datasets, then metrics): {PANEL_NAMES}." in help_text


@pytest.mark.django_db
def test_a_new_mode_saves_tabs_checked_against_the_kind_posted(admin_client):
    form = admin_client.get(reverse("admin:chat_mode_add")).context["adminform"].form
    data = MODE_FIELDS | {
        "slug": SLUG,
        "persona_kind": NAME,
        "is_active": "on",
        "system_prompt": SYSTEM_PROMPT,
        "greeting_template": GREETING,
    }

    refused = admin_client.post(
        reverse("admin:chat_mode_add"), data | {"dashboard_tabs": "Fees: dues"}
    )
    saved = admin_client.post(
        reverse("admin:chat_mode_add"), data | {"dashboard_tabs": "Fees: dues_paid"}
    )

    assert (
        "once the mode is saved with a kind" in form.fields["dashboard_tabs"].help_text
    )
    refused_form = refused.context["adminform"].form
    assert "Planetarium has no dataset or metric “dues”" in str(
        refused_form.errors["dashboard_tabs"]
    )
    assert PANEL_NAMES in refused_form.fields["dashboard_tabs"].help_text
    assert saved.status_code == 302
    assert Mode.objects.get(slug=SLUG).dashboard_tabs == [
        {"title": "Fees", "panels": ["dues_paid"]}
    ]


@pytest.mark.django_db
def test_a_mode_with_its_own_tabs_shows_them(admin_client):
    form = tabs_form(admin_client, dome_save(dashboard_tabs=OWN))

    assert form["dashboard_tabs"].value() == "Fees: by night: night_fees, nights_booked"
    assert "Shown:" not in form.fields["dashboard_tabs"].help_text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("Fees: by night: night_fees, nights_booked", OWN),
        (" Fees: by night :night_fees,nights_booked, \n\n", OWN),
        # The defaults, shown and saved unchanged, or emptied: the kind's, live.
        (DEFAULTS_TEXT, []),
        ("", []),
    ],
)
def test_typed_tabs_are_saved_as_the_mode_stores_them(admin_client, text, stored):
    mode = dome_save()

    response = tabs_post(admin_client, mode, text)

    assert response.status_code == 302
    assert Mode.objects.get(pk=mode.pk).dashboard_tabs == stored


@pytest.mark.django_db
def test_the_defaults_typed_over_own_tabs_are_stored_as_none(admin_client):
    mode = dome_save(dashboard_tabs=OWN)

    tabs_post(admin_client, mode, DEFAULTS_TEXT)

    assert Mode.objects.get(pk=mode.pk).dashboard_tabs == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "errors"),
    [
        (
            "Fees: night_fees\nTiles: dues_paid, dues_lef",
            [
                "Line 2: Planetarium has no dataset or metric “dues_lef”; use one "
                f"of: {PANEL_NAMES}."
            ],
        ),
        (
            "Fees: night_fees\n\nfees: dues_paid\nNo colon here",
            [
                "Line 4: write the tab's title, a “:” and its panels, as “Title: "
                "panel, panel, panel”."
            ],
        ),
        (
            "Fees: night_fees\n\nfees: dues_paid",
            [
                "Line 3: “fees” is already the title of an earlier tab: give each "
                "tab its own."
            ],
        ),
        (
            "Fees:",
            [f"Line 1: the tab has no panels: name at least one of {PANEL_NAMES}."],
        ),
        (
            "\n".join(f"Tab {n}: dues_paid" for n in range(7)),
            ["A dashboard holds at most 6 tabs; this one has 7: remove 1."],
        ),
    ],
)
def test_bad_tabs_are_refused_line_by_line_and_nothing_is_lost(
    admin_client, text, errors
):
    mode = dome_save(dashboard_tabs=OWN)

    response = tabs_post(admin_client, mode, text, tagline="Changed too")

    form = response.context["adminform"].form
    assert form.errors["dashboard_tabs"] == errors
    assert form["dashboard_tabs"].value() == text
    assert html.escape(text) in response.content.decode()
    saved = Mode.objects.get(pk=mode.pk)
    assert (saved.dashboard_tabs, saved.tagline) == (OWN, mode.tagline)


@pytest.mark.django_db
def test_changing_the_kind_checks_own_tabs_against_the_new_kind(admin_client):
    mode = dome_save(dashboard_tabs=OWN)
    banking = kind_get("banking")
    own_text = "Fees: by night: night_fees, nights_booked"

    response = tabs_post(admin_client, mode, own_text, persona_kind="banking")

    form = response.context["adminform"].form
    names = ", ".join(d.name for d in (*banking.datasets, *banking.metrics))
    assert form.errors["dashboard_tabs"] == [
        "Line 1: Banking has no dataset or metric “night_fees”, “nights_booked”; "
        f"use one of: {names or 'none'}."
    ]
    assert f"Banking's panels (datasets, then metrics): {names or 'none'}." in (
        form.fields["dashboard_tabs"].help_text
    )
    assert Mode.objects.get(pk=mode.pk).persona_kind == NAME


@pytest.mark.django_db
def test_changing_the_kind_with_the_defaults_unchanged_follows_the_new_kind(
    admin_client,
):
    mode = dome_save()

    response = tabs_post(admin_client, mode, DEFAULTS_TEXT, persona_kind="banking")

    assert response.status_code == 302
    saved = Mode.objects.get(pk=mode.pk)
    assert (saved.persona_kind, saved.dashboard_tabs) == ("banking", [])


@pytest.mark.django_db
def test_unchanged_tabs_are_not_reported_as_a_change(admin_client):
    mode = dome_save()

    form = tabs_form(admin_client, mode)
    data = change_data(mode, dashboard_tabs=form["dashboard_tabs"].value())
    bound = type(form)(data, instance=mode)

    assert bound.is_valid(), bound.errors
    assert "dashboard_tabs" not in bound.changed_data


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_tabs_saved_by_staff_reach_open_chats_in_that_mode(django_user_model):
    mode = await sync_to_async(dome_save)()
    communicator, session = await socket_open(await session_create_in(SLUG))
    assert session["dashboard"] == dashboard_payload(mode, session["persona"])
    assert [t["title"] for t in session["dashboard"]["tabs"]] == [
        "Overview",
        "Membership",
    ]
    staff = Client()
    await sync_to_async(staff.force_login)(
        await django_user_model.objects.acreate(
            username="staff", is_staff=True, is_superuser=True
        )
    )

    response = await sync_to_async(tabs_post)(
        staff, mode, "Fees: by night: night_fees, nights_booked"
    )

    assert response.status_code == 302
    update = await communicator.receive_json_from(timeout=5)
    assert update["type"] == "mode_updated"
    [tab] = update["payload"]["dashboard"]["tabs"]
    assert tab["title"] == "Fees: by night"
    assert [panel["tool"] for panel in tab["panels"]] == ["show_chart", "show_metrics"]
    nights = tab["panels"][1]["result"]["metrics"][0]
    assert nights["value"] == len(session["persona"]["nights"])
    await send(communicator, "clear")
    switch = await communicator.receive_json_from(timeout=5)
    assert [t["title"] for t in switch["payload"]["dashboard"]["tabs"]] == [
        "Fees: by night"
    ]
    await communicator.disconnect()


def preview_post(client: Client, tabs: str) -> dict:
    data = MODE_FIELDS | {
        "persona_kind": NAME,
        "system_prompt": SYSTEM_PROMPT,
        "greeting_template": GREETING,
        "dashboard_tabs": tabs,
        "seed": 5,
    }
    return client.post(reverse("admin:chat_mode_preview"), data).json()


@pytest.mark.django_db
def test_preview_shows_the_typed_tabs_computed_for_the_customer(admin_client):
    result = preview_post(admin_client, "Nights: nights_booked, night_fees")

    nights = result["persona"]["nights"]
    tiles, chart = result["dashboard"]["text"].splitlines()[1:]
    assert result["dashboard"]["text"].splitlines()[0] == "Nights"
    assert tiles == f"  Nights booked: {len(nights)} count"
    assert chart.startswith("  Fees by night (bar, USD) — Fee: ")
    assert chart.endswith(f" {nights[-1]['fee']}")
    assert result["dashboard"]["problems"] == []


@pytest.mark.django_db
def test_preview_shows_the_kinds_defaults_for_no_tabs_and_problems_for_bad_ones(
    admin_client,
):
    defaults = preview_post(admin_client, "")["dashboard"]["text"]
    refused = preview_post(admin_client, "Nights: night_fees\nOops")["dashboard"]

    assert [line for line in defaults.splitlines() if not line.startswith(" ")] == [
        "Overview",
        "Membership",
    ]
    assert refused == {
        "text": "",
        "problems": [
            "Line 2: write the tab's title, a “:” and its panels, as “Title: panel, "
            "panel, panel”."
        ],
    }
