"""Reads of modes: one instance of each mode for the visits of a process."""

import pytest

from chat.models import Mode
from chat.selectors import mode_shared

pytestmark = pytest.mark.django_db


def banking() -> Mode:
    return Mode.objects.get(slug="banking")


def test_mode_shared_gives_equal_reads_one_instance():
    first = mode_shared(banking())
    assert mode_shared(banking()) is first


def test_mode_shared_takes_a_changed_read_in_place_of_the_kept_one():
    kept = mode_shared(banking())
    name = kept.name
    # An update that leaves `updated` as it was still counts as a change.
    Mode.objects.filter(pk=kept.pk).update(name="Renamed Bank")
    changed = mode_shared(banking())
    assert (changed is kept, changed.name) == (False, "Renamed Bank")
    assert mode_shared(banking()) is changed
    assert kept.name == name  # a socket holding the old one is not changed under it


def test_mode_shared_keeps_no_unsaved_mode():
    unsaved = Mode(slug="unsaved", name="Unsaved")
    assert mode_shared(unsaved) is unsaved
    assert mode_shared(banking()).slug == "banking"
