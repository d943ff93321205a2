"""The `dashboard` in the `session`, `mode_switch` and `mode_updated` frames: the
mode's tabs computed on the server for the conversation's customer."""

import pytest
from channels.db import database_sync_to_async

from chat import services
from chat.dashboard.tabs import dashboard_payload
from chat.models import Mode
from tests.chat.dashboard.planetarium import (  # noqa: F401  (a fixture)
    SLUG,
    dome_save,
    planetarium,
)
from tests.chat.socket import (
    frames_until,
    send,
    session_create,
    session_create_in,
    socket_open,
)

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("planetarium"),
]
OWN = [{"title": "Nights", "panels": ["nights_booked", "night_fees"]}]


def titles(dashboard: dict) -> list[str]:
    return [tab["title"] for tab in dashboard["tabs"]]


async def test_switching_to_a_mode_brings_its_tabs_for_the_new_customer():
    mode = await database_sync_to_async(dome_save)()
    communicator, session = await socket_open(await session_create())

    await send(communicator, "switch_mode", mode=SLUG)

    switch = (await frames_until(communicator, "mode_switch"))[-1]["payload"]
    assert titles(session["dashboard"]) != ["Overview", "Membership"]
    assert titles(switch["dashboard"]) == ["Overview", "Membership"]
    assert switch["dashboard"] == dashboard_payload(mode, switch["persona"])
    await communicator.disconnect()


async def test_session_brings_the_modes_own_tabs():
    mode = await database_sync_to_async(dome_save)(dashboard_tabs=OWN)

    communicator, session = await socket_open(await session_create_in(SLUG))

    assert titles(session["dashboard"]) == ["Nights"]
    [tiles, chart] = session["dashboard"]["tabs"][0]["panels"]
    assert tiles["result"]["metrics"][0]["value"] == len(session["persona"]["nights"])
    assert chart["result"]["dataset"] == "night_fees"
    assert session["dashboard"] == dashboard_payload(mode, session["persona"])
    await communicator.disconnect()


async def test_staff_emptying_the_tabs_sends_the_kinds_defaults():
    mode = await database_sync_to_async(dome_save)(dashboard_tabs=OWN)
    communicator, session = await socket_open(await session_create_in(SLUG))
    mode = await database_sync_to_async(Mode.objects.get)(pk=mode.pk)
    mode.dashboard_tabs = []

    await database_sync_to_async(services.mode_save)(mode=mode, user=None)

    update = await communicator.receive_json_from(timeout=5)
    assert update["type"] == "mode_updated"
    assert titles(update["payload"]["dashboard"]) == ["Overview", "Membership"]
    assert update["payload"]["dashboard"] == dashboard_payload(mode, session["persona"])
    await communicator.disconnect()
