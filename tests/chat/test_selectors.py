"""What a process keeps of a mode, when it reads it again, and the one instance of
each mode its visits share."""

import pytest

from chat import selectors
from chat.models import Mode
from chat.selectors import mode_shared
from tests.support.prompts import version_written_elsewhere

pytestmark = pytest.mark.django_db


@pytest.fixture
def banking() -> Mode:
    return Mode.objects.get(slug="banking")


def test_a_watched_mode_is_kept_until_it_is_unwatched(banking):
    selectors.mode_watch(banking.pk)
    kept = selectors.mode_words_current(banking)
    newer = version_written_elsewhere(banking)
    # Watched: a save would reach this process as a group message, so no read.
    assert selectors.mode_words_current(banking) == kept
    selectors.mode_unwatch(banking.pk)  # nothing would tell it of a save
    assert selectors.prompt_active_cached(banking) == newer
    assert selectors.mode_words_current(banking) == newer


def test_watching_again_keeps_what_is_kept(banking):
    """A re-join of a group the process is in: no save went unheard."""
    selectors.mode_watch(banking.pk)
    kept = selectors.mode_words_current(banking)
    version_written_elsewhere(banking)
    selectors.mode_watch(banking.pk)
    assert selectors.mode_watched(banking.pk)
    assert selectors.prompt_active_cached(banking) == kept


def test_the_first_watch_forgets_what_was_read_before_it_could_hear(banking):
    assert selectors.prompt_active_cached(banking).is_active
    newer = version_written_elsewhere(banking)
    selectors.mode_watch(banking.pk)
    assert selectors.prompt_active_cached(banking) == newer


def test_what_is_kept_is_read_again_once_older_than_the_rejoin_interval(
    banking, settings
):
    settings.CHAT_GROUP_REJOIN_SECONDS = 0
    selectors.mode_watch(banking.pk)
    selectors.prompt_active_cached(banking)
    newer = version_written_elsewhere(banking)
    assert selectors.prompt_active_cached(banking) == newer


def test_an_unwatched_mode_is_read_afresh_on_every_visit(banking):
    assert selectors.prompt_active_cached(banking).is_active
    newer = version_written_elsewhere(banking)
    assert selectors.mode_words_current(banking) == newer


def test_a_triggers_mode_is_kept_whole_while_watched_until_a_save(banking):
    matched = Mode.objects.only("slug", "name", "aliases").get(pk=banking.pk)
    assert selectors.mode_current(matched) is not selectors.mode_current(matched)
    selectors.mode_watch(banking.pk)
    kept = selectors.mode_current(matched)
    assert kept.catalogue == banking.catalogue  # whole, not deferred
    Mode.objects.filter(pk=banking.pk).update(name="Saved elsewhere")  # no signal
    assert selectors.mode_current(matched) is kept
    banking.name = "Saved here"
    banking.save()
    assert selectors.mode_current(matched).name == "Saved here"
    selectors.mode_unwatch(banking.pk)
    assert selectors.mode_current(matched) is not selectors.mode_current(matched)


def test_the_modes_words_are_kept_while_every_save_is_heard_until_any_save(banking):
    assert selectors.modes_to_match() is not selectors.modes_to_match()
    selectors.mode_watch(selectors.EVERY_MODE)
    kept = selectors.modes_to_match()
    Mode.objects.filter(pk=banking.pk).update(aliases="lender")  # no signal
    assert selectors.modes_to_match() is kept
    healthcare = Mode.objects.get(slug="healthcare")
    healthcare.name = "Clinic"  # another mode's save forgets every mode's words
    healthcare.save()
    words = {mode.slug: mode.aliases for mode in selectors.modes_to_match()}
    assert words["banking"] == "lender"
    selectors.mode_unwatch(selectors.EVERY_MODE)
    assert selectors.modes_to_match() is not selectors.modes_to_match()


def test_the_modes_words_are_forgotten_when_a_mode_is_deleted(banking):
    selectors.mode_watch(selectors.EVERY_MODE)
    assert "banking" in [mode.slug for mode in selectors.modes_to_match()]
    banking.conversations.all().delete()
    banking.delete()
    assert "banking" not in [mode.slug for mode in selectors.modes_to_match()]


def test_a_read_under_way_as_the_mode_is_forgotten_is_not_kept(banking):
    """The listener forgets on the event loop while the database thread reads: the
    read may predate the save that made it forget."""
    reads = []

    def read_overtaken(mode: Mode) -> int:
        reads.append(mode.pk)
        if len(reads) == 1:
            kept.forget(mode.pk)  # a save's message arrives mid-read
        return len(reads)

    kept = selectors.PerMode(read_overtaken)
    assert kept.cached(banking) == 1
    assert kept.cached(banking) == 2  # the first read was not kept
    assert kept.cached(banking) == 2


def banking_read() -> Mode:
    return Mode.objects.get(slug="banking")


def test_mode_shared_gives_equal_reads_one_instance():
    first = mode_shared(banking_read())
    assert mode_shared(banking_read()) is first


def test_mode_shared_takes_a_changed_read_in_place_of_the_kept_one():
    kept = mode_shared(banking_read())
    name = kept.name
    # An update that leaves `updated` as it was still counts as a change.
    Mode.objects.filter(pk=kept.pk).update(name="Renamed Bank")
    changed = mode_shared(banking_read())
    assert (changed is kept, changed.name) == (False, "Renamed Bank")
    assert mode_shared(banking_read()) is changed
    assert kept.name == name  # a socket holding the old one is not changed under it


def test_mode_shared_keeps_no_unsaved_mode():
    unsaved = Mode(slug="unsaved", name="Unsaved")
    assert mode_shared(unsaved) is unsaved
    assert mode_shared(banking_read()).slug == "banking"
