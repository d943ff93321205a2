"""Reads of modes, prompt versions and help articles for the consumer, the admin and
prompts.

A chat turn asks for its mode's active prompt version and help articles, which change
only when staff save: `prompt_active_cached` and `help_articles_cached` keep them per
mode in this process. A save forgets it here
(the post-save signals below, at once) and in every process once committed (the
consumer forgets it on the save's `mode_updated` group message, which also undoes a
read made here before the commit); every visit that
opens or switches reads it afresh, so a process that missed a broadcast while none of
its sockets showed the mode never serves the stale one.
"""

from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from chat.models import HelpArticle, Mode, PromptTemplate
from personas.articles import Article

# mode pk -> its active version (None: the mode has none), as last read here.
_active_versions: dict[int, PromptTemplate | None] = {}
# mode pk -> its help articles in display order, as last read here.
_mode_articles: dict[int, tuple[Article, ...]] = {}


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


def prompt_active_refresh(mode: Mode) -> PromptTemplate | None:
    """The active version read now, kept for the turns that follow."""
    version = _active_versions[mode.pk] = prompt_active_version(mode)
    return version


def prompt_active_cached(mode: Mode) -> PromptTemplate | None:
    """The active version as last read in this process (read on a miss)."""
    try:
        return _active_versions[mode.pk]
    except KeyError:
        return prompt_active_refresh(mode)


def prompt_active_forget(mode_pk: int) -> None:
    """Drop the kept version of a mode staff changed; the next turn reads it."""
    _active_versions.pop(mode_pk, None)


def prompt_active_forget_all() -> None:
    _active_versions.clear()


@receiver(post_save, sender=PromptTemplate)
@receiver(post_delete, sender=PromptTemplate)
def _prompt_saved(sender, instance: PromptTemplate, **kwargs) -> None:
    prompt_active_forget(instance.mode_id)


@receiver(post_save, sender=Mode)
@receiver(post_delete, sender=Mode)
def _mode_saved(sender, instance: Mode, **kwargs) -> None:
    prompt_active_forget(instance.pk)
    help_articles_forget(instance.pk)


def help_articles(mode: Mode) -> tuple[Article, ...]:
    """The mode's help articles as the backends read them, in staff's order."""
    rows = HelpArticle.objects.filter(mode_id=mode.pk).order_by(
        "display_order", "title"
    )
    return tuple(row.article for row in rows)


def help_articles_refresh(mode: Mode) -> tuple[Article, ...]:
    """The mode's articles read now, kept for the turns that follow."""
    found = _mode_articles[mode.pk] = help_articles(mode)
    return found


def help_articles_cached(mode: Mode) -> tuple[Article, ...]:
    """The mode's articles as last read in this process (read on a miss)."""
    try:
        return _mode_articles[mode.pk]
    except KeyError:
        return help_articles_refresh(mode)


def help_articles_forget(mode_pk: int) -> None:
    """Drop the kept articles of a mode staff changed; the next turn reads them."""
    _mode_articles.pop(mode_pk, None)


def help_articles_forget_all() -> None:
    _mode_articles.clear()


@receiver(post_save, sender=HelpArticle)
@receiver(post_delete, sender=HelpArticle)
def _help_article_saved(sender, instance: HelpArticle, **kwargs) -> None:
    help_articles_forget(instance.mode_id)


def modes_pickable() -> QuerySet[Mode]:
    """The active modes the page offers: a generated one only once staff approve it
    (any active mode stays reachable by its trigger)."""
    return modes_active().exclude(origin=Mode.Origin.GENERATED, is_approved=False)
