"""Reads of modes, prompt versions and help articles for the consumer, the admin and
prompts.

A chat turn asks for its mode's active prompt version and help articles, which change
only when staff save: `prompt_active_cached` and `help_articles_cached` keep them per
mode in this process. A save forgets it here
(the post-save signals below, at once) and in every process once committed (the
consumer forgets it on the save's `mode_updated` group message, which also undoes a
read made here before the commit); every visit that
opens or switches reads it afresh, so a process that missed a broadcast while none of
its sockets showed the mode never serves the stale one. A visit's mode, read afresh
too, goes through `mode_shared`: the sockets showing a mode hold one instance of it,
not a copy each.
"""

from collections.abc import Callable

from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from chat.models import HelpArticle, Mode, PromptTemplate
from personas.articles import Article


class _PerMode[T]:
    """A read about a mode kept in this process until staff change the mode."""

    def __init__(self, read: Callable[[Mode], T]) -> None:
        self.read = read
        self.kept: dict[int, T] = {}  # mode pk -> the value as last read here

    def refresh(self, mode: Mode) -> T:
        """Read now, and keep it for the turns that follow."""
        value = self.kept[mode.pk] = self.read(mode)
        return value

    def cached(self, mode: Mode) -> T:
        """As last read in this process (read on a miss)."""
        try:
            return self.kept[mode.pk]
        except KeyError:
            return self.refresh(mode)

    def forget(self, mode_pk: int) -> None:
        """Drop what is kept of a mode staff changed; the next turn reads it."""
        self.kept.pop(mode_pk, None)

    def forget_all(self) -> None:
        self.kept.clear()


_modes_shown: dict[int, Mode] = {}  # mode pk -> the instance this process's visits hold


def mode_shared(mode: Mode) -> Mode:
    """This process's one instance of `mode`, as just read: every socket showing it
    holds the same object rather than a copy each (its JSON fields, its related
    managers). A read that differs in any field (staff saved it) takes its place."""
    kept = _modes_shown.get(mode.pk)
    if kept is not None and _mode_row(kept) == _mode_row(mode):
        return kept
    if mode.pk is not None:
        _modes_shown[mode.pk] = mode
    return mode


def _mode_row(mode: Mode) -> list:
    return [getattr(mode, field.attname) for field in Mode._meta.concrete_fields]


def modes_active() -> QuerySet[Mode]:
    """The modes a visitor can switch to, in picker order."""
    return Mode.objects.filter(is_active=True).order_by("display_order", "name")


def mode_get_active(slug: str) -> Mode | None:
    return modes_active().filter(slug=slug).first()


def prompt_active_version(mode: Mode) -> PromptTemplate | None:
    """The version that answers now; replies record it so any answer can be traced.

    Ordered by nothing: at most one version is active, and the model's default
    ordering would join the mode's table just to sort that one row."""
    return mode.prompts.filter(is_active=True).order_by().first()


_active_versions = _PerMode(prompt_active_version)
prompt_active_refresh = _active_versions.refresh
prompt_active_cached = _active_versions.cached
prompt_active_forget = _active_versions.forget
prompt_active_forget_all = _active_versions.forget_all


@receiver(post_save, sender=PromptTemplate)
@receiver(post_delete, sender=PromptTemplate)
def _prompt_saved(sender, instance: PromptTemplate, **kwargs) -> None:
    prompt_active_forget(instance.mode_id)


@receiver(post_save, sender=Mode)
@receiver(post_delete, sender=Mode)
def _mode_saved(sender, instance: Mode, **kwargs) -> None:
    mode_words_forget(instance.pk)


def help_articles(mode: Mode) -> tuple[Article, ...]:
    """The mode's help articles as the backends read them, in staff's order."""
    rows = HelpArticle.objects.filter(mode_id=mode.pk).order_by(
        "display_order", "title"
    )
    return tuple(row.article for row in rows)


_mode_articles = _PerMode(help_articles)
help_articles_refresh = _mode_articles.refresh
help_articles_cached = _mode_articles.cached
help_articles_forget = _mode_articles.forget
help_articles_forget_all = _mode_articles.forget_all


def mode_words_refresh(mode: Mode) -> PromptTemplate | None:
    """Both reads a chat turn keeps of its mode, read now (a visit opens or
    switches); the active version, which the greeting records."""
    help_articles_refresh(mode)
    return prompt_active_refresh(mode)


def mode_words_forget(mode_pk: int) -> None:
    """Both reads forgotten (staff saved the mode, or its prompt or articles)."""
    prompt_active_forget(mode_pk)
    help_articles_forget(mode_pk)


@receiver(post_save, sender=HelpArticle)
@receiver(post_delete, sender=HelpArticle)
def _help_article_saved(sender, instance: HelpArticle, **kwargs) -> None:
    help_articles_forget(instance.mode_id)


def modes_pickable() -> QuerySet[Mode]:
    """The active modes the page offers: a generated one only once staff approve it
    (any active mode stays reachable by its trigger)."""
    return modes_active().exclude(origin=Mode.Origin.GENERATED, is_approved=False)
