"""Reads of modes, prompt versions and help articles for the consumer, the admin and
prompts.

A chat turn asks for its mode's active prompt version and help articles, which change
only when staff save: `prompt_active_cached` and `help_articles_cached` keep them per
mode in this process. A save forgets it here (the post-save signals below, at once)
and in every process once committed (the process's listener forgets it on the save's
`mode.updated` group message, which also undoes a read made here before the commit).
Only a process in the mode's group hears that message: the listener joins it while a
socket here shows the mode, and a while after (chat.conversation.listening), and what
is kept of a mode is trusted only while it is in (`mode_watch`, `mode_unwatch`); a
visit opening or switching to a mode this process does not watch reads it afresh.
A trigger's mode is kept whole the same way (`mode_current`).
The words triggers match, every active mode's (`modes_to_match`), are kept the same way
while the process hears every mode's saves: its listener is in the group each save
reaches (chat.broadcast.MODES_GROUP, watched here as EVERY_MODE), and any mode's save
forgets them.
What is kept of a mode never outlives CHAT_GROUP_REJOIN_SECONDS. A visit's mode goes
through `mode_shared`: the sockets showing a mode hold one instance of it, not a
copy each.
"""

import time
from collections.abc import Callable, Hashable

from django.conf import settings
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from chat.models import HelpArticle, Mode, PromptTemplate
from chat.statements import objects_select
from personas.articles import Article


def _pk(mode: Mode) -> int:
    return mode.pk


class PerMode[M, T]:
    """A read about a mode (`key` of what it reads) kept in this process until staff
    change the mode, and never longer than CHAT_GROUP_REJOIN_SECONDS: a save whose
    message this process missed (the channel layer down, or Redis restarted and
    forgot the groups until the listener re-joins) reaches it by then.

    Reads run in the database thread and forgetting on the event loop: a read
    under way as anything is forgotten may be older than what forgot it, so it is
    returned but not kept (at worst, a mode is read once more)."""

    def __init__(
        self, read: Callable[[M], T], key: Callable[[M], Hashable] = _pk
    ) -> None:
        self.read, self.key = read, key
        self.kept: dict[Hashable, tuple[float, T]] = {}  # key -> (read at, value)
        self.forgets = 0  # how many times anything was forgotten

    def refresh(self, mode: M) -> T:
        """Read now, and keep it for the turns that follow unless the mode was
        forgotten meanwhile."""
        forgets = self.forgets
        value = self.read(mode)
        if forgets == self.forgets:
            self.kept[self.key(mode)] = (time.monotonic(), value)
        return value

    def cached(self, mode: M) -> T:
        """As last read in this process (read on a miss, or once it is too old)."""
        read_at, value = self.kept.get(self.key(mode), (None, None))
        age = time.monotonic() - read_at if read_at is not None else None
        if age is None or age > settings.CHAT_GROUP_REJOIN_SECONDS:
            return self.refresh(mode)
        return value

    def current(self, mode: M) -> T:
        """As kept while this process watches the mode (and so hears of every
        save), else read now."""
        if self.key(mode) in _watched:
            return self.cached(mode)
        return self.refresh(mode)

    def forget(self, key: Hashable) -> None:
        """Drop what is kept of a mode staff changed; the next turn reads it."""
        self.forgets += 1
        self.kept.pop(key, None)

    def forget_all(self) -> None:
        self.forgets += 1
        self.kept.clear()


# Modes whose channel-layer group this process is in (chat.conversation.listening):
# it hears their saves; EVERY_MODE, when it is in the group every save reaches.
_watched: set[int] = set()
EVERY_MODE = 0  # no mode's pk: auto-increment keys start at 1
_modes_shown: dict[int, Mode] = {}  # mode pk -> the instance this process's visits hold


def mode_shared(mode: Mode) -> Mode:
    """This process's one instance of `mode`, as just read: every socket showing it
    holds the same object rather than a copy each (its JSON fields, its related
    managers). A read that differs in any field (staff saved it) takes its place."""
    kept = _modes_shown.get(mode.pk)
    if kept is mode or (kept is not None and _mode_row(kept) == _mode_row(mode)):
        return kept
    if mode.pk is not None:
        _modes_shown[mode.pk] = mode
    return mode


def _mode_row(mode: Mode) -> list:
    return [getattr(mode, field.attname) for field in Mode._meta.concrete_fields]


def modes_active() -> QuerySet[Mode]:
    """The modes a visitor can switch to, in picker order."""
    return Mode.objects.filter(is_active=True).order_by("display_order", "name")


def modes_to_match() -> list[Mode]:
    """The active modes with only what trigger matching reads (name, slug, aliases)
    loaded: reading a message's trigger is on the hot path. Kept while this process
    hears every mode's saves (the module's docstring)."""
    return _trigger_words_kept.current(EVERY_MODE)


def _modes_words() -> QuerySet[Mode]:
    return modes_active().only("slug", "name", "aliases")


def _trigger_words_read(_every: int) -> list[Mode]:
    return objects_select(_modes_words)


_trigger_words_kept = PerMode(_trigger_words_read, key=lambda every: every)


def _mode_whole(mode: Mode) -> Mode:
    (whole,) = objects_select(_mode_of, mode.pk)
    return whole


def _mode_of(pk: int) -> QuerySet[Mode]:
    return Mode.objects.filter(pk=pk).order_by()


_modes_whole = PerMode(_mode_whole)
# A mode whole, for one read with only its words (the mode a trigger matched).
mode_current = _modes_whole.current


def mode_get_active(slug: str) -> Mode | None:
    return modes_active().filter(slug=slug).first()


def prompt_active_version(mode: Mode) -> PromptTemplate | None:
    """The version that answers now; replies record it so any answer can be traced."""
    versions = objects_select(_active_versions_of, mode.pk)
    return versions[0] if versions else None


def _active_versions_of(mode_pk: int) -> QuerySet[PromptTemplate]:
    """Ordered by nothing: at most one version is active, and the model's default
    ordering would join the mode's table just to sort that one row."""
    return PromptTemplate.objects.filter(mode_id=mode_pk, is_active=True).order_by()[:1]


_active_versions = PerMode(prompt_active_version)
prompt_active_cached = _active_versions.cached
prompt_active_forget = _active_versions.forget


@receiver(post_save, sender=PromptTemplate)
@receiver(post_delete, sender=PromptTemplate)
def _prompt_saved(sender, instance: PromptTemplate, **kwargs) -> None:
    prompt_active_forget(instance.mode_id)


@receiver(post_save, sender=Mode)
@receiver(post_delete, sender=Mode)
def _mode_saved(sender, instance: Mode, **kwargs) -> None:
    mode_forget(instance.pk)
    mode_forget(EVERY_MODE)


def help_articles(mode: Mode) -> tuple[Article, ...]:
    """The mode's help articles as the backends read them, in staff's order."""
    return tuple(row.article for row in objects_select(_help_articles_of, mode.pk))


def _help_articles_of(mode_pk: int) -> QuerySet[HelpArticle]:
    return HelpArticle.objects.filter(mode_id=mode_pk).order_by(
        "display_order", "title"
    )


_mode_articles = PerMode(help_articles)
help_articles_cached = _mode_articles.cached
help_articles_forget = _mode_articles.forget


def mode_words_current(mode: Mode) -> PromptTemplate | None:
    """Both reads a chat turn keeps of its mode, for a visit that opens or switches
    to it (`PerMode.current`); the active version, which the greeting records."""
    _mode_articles.current(mode)
    return _active_versions.current(mode)


def mode_watched(mode_pk: int) -> bool:
    return mode_pk in _watched


def modes_watched_forget_all() -> None:
    _watched.clear()


def mode_watch(mode_pk: int) -> None:
    """This process now hears `mode_pk`'s saves. Newly so, it forgets what is kept of
    the mode: that was read before anything here could hear a save."""
    if mode_pk not in _watched:
        mode_forget(mode_pk)  # first: a turn between the two reads afresh
        _watched.add(mode_pk)


def mode_unwatch(mode_pk: int) -> None:
    """This process may no longer hear `mode_pk`'s saves (it left the group, or a
    re-join failed), so it forgets the mode: no save would reach what is kept."""
    _watched.discard(mode_pk)
    mode_forget(mode_pk)


# Everything this process keeps of a mode.
_KEPT_OF_A_MODE = (_modes_whole, _active_versions, _mode_articles)


def mode_forget(mode_pk: int) -> None:
    """All that is kept of the mode forgotten (staff saved it, or its prompt or
    articles); of EVERY_MODE, every mode's words (staff saved any mode)."""
    kept_of = (_trigger_words_kept,) if mode_pk == EVERY_MODE else _KEPT_OF_A_MODE
    for kept in kept_of:
        kept.forget(mode_pk)


def modes_forget_all() -> None:
    """All that is kept of every mode forgotten (a test's database is flushed)."""
    for kept in (*_KEPT_OF_A_MODE, _trigger_words_kept):
        kept.forget_all()


@receiver(post_save, sender=HelpArticle)
@receiver(post_delete, sender=HelpArticle)
def _help_article_saved(sender, instance: HelpArticle, **kwargs) -> None:
    help_articles_forget(instance.mode_id)


def modes_pickable() -> QuerySet[Mode]:
    """The active modes the page offers: a generated one only once staff approve it
    (any active mode stays reachable by its trigger)."""
    return modes_active().exclude(origin=Mode.Origin.GENERATED, is_approved=False)
