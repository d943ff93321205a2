"""Writes to modes, their prompt versions and help articles, as the admin makes them.

Every change that a visitor's open chat should see ends by scheduling
`mode_updated_broadcast` for after the commit, so sockets never hear of a change that
was rolled back. A write of modes' rows schedules `modes_changed_broadcast` once, and
before any of those: a page told of the save then finds its process's triggers
matching the saved words (`_trigger_words_changed`).
"""

from collections.abc import Iterable

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from chat.broadcast import mode_updated_broadcast, modes_changed_broadcast
from chat.models import HelpArticle, Mode, PromptTemplate
from chat.prompting.rendering import prompt_cache_clear
from chat.selectors import prompt_active_version
from personas.registry import kind_get


class LastActiveModeError(ValidationError):
    """The site needs one active mode to greet visitors with."""


def mode_guard_last_active(*, retiring: Iterable[Mode]) -> None:
    """Refuse to deactivate or delete `retiring` if no other mode would stay active."""
    retiring_pks = [mode.pk for mode in retiring]
    if not Mode.objects.filter(is_active=True).exclude(pk__in=retiring_pks).exists():
        raise LastActiveModeError(
            "At least one mode must stay active: activate another mode first.",
            code="last_active_mode",
        )


@transaction.atomic
def mode_save(
    *,
    mode: Mode,
    user: AbstractBaseUser | None,
    system_prompt: str | None = None,
    greeting: str | None = None,
) -> Mode:
    """Save a mode and, when either template differs from the active version, one new
    version holding both; a new mode starts with its kind's help articles."""
    if mode.pk and not mode.is_active:
        mode_guard_last_active(retiring=[mode])
    _trigger_words_changed()
    created = mode.pk is None
    mode.full_clean()
    mode.save()
    if created:
        help_articles_seed(mode=mode)
    if system_prompt is not None or greeting is not None:
        active = prompt_active_version(mode)
        words = _words_carried(active, source=system_prompt, greeting=greeting)
        if active is None or words != (active.source, active.greeting):
            source, greeting = words
            _prompt_version_add(
                mode=mode, source=source, greeting=greeting, user=user, note=""
            )
    _mode_changed(mode)
    return mode


@transaction.atomic
def modes_delete(*, modes: Iterable[Mode]) -> None:
    modes = list(modes)
    mode_guard_last_active(retiring=modes)
    Mode.objects.filter(pk__in=[mode.pk for mode in modes]).delete()
    _trigger_words_changed()


@transaction.atomic
def modes_approve(*, modes: Iterable[Mode]) -> list[Mode]:
    """Offer generated modes in the page's picker, once staff have read them."""
    modes = _modes_locked(modes)
    if others := [mode.name for mode in modes if mode.origin != Mode.Origin.GENERATED]:
        raise ValidationError(
            f"Only generated modes need approval, and {_names(others)} "
            f"{'is' if len(others) == 1 else 'are'} not: built-in and staff modes are "
            "always offered. Select generated modes only.",
            code="not_generated",
        )
    for mode in modes:
        mode.is_approved = True
        _mode_fields_save(mode, "is_approved")
    return modes


@transaction.atomic
def modes_retire(*, modes: Iterable[Mode]) -> list[Mode]:
    """Take modes off the page and out of reach of triggers, keeping their history."""
    modes = _modes_locked(modes)
    mode_guard_last_active(retiring=modes)
    _trigger_words_changed()
    for mode in modes:
        mode.is_active = False
        _mode_fields_save(mode, "is_active")
    return modes


@transaction.atomic
def modes_merge(*, sources: Iterable[Mode], target: Mode) -> Mode:
    """Fold sources into target: their aliases move there and they retire, while their
    conversations stay theirs, so every transcript still reads as it happened."""
    sources = list(sources)
    if any(source.pk == target.pk for source in sources):
        raise ValidationError(
            f"{target} cannot be merged into itself: choose another mode to merge "
            "into.",
            code="merge_into_itself",
        )
    locked = {mode.pk: mode for mode in _modes_locked([target, *sources])}
    target = locked.get(target.pk, target)
    sources = [locked[source.pk] for source in sources if source.pk in locked]
    _merge_check(sources, target)
    _trigger_words_changed()
    target.aliases = _aliases_joined(
        [*target.alias_list, *(alias for s in sources for alias in s.alias_list)]
    )
    _mode_fields_save(target, "aliases")
    for source in sources:
        source.aliases, source.is_active, source.merged_into = "", False, target
        _mode_fields_save(source, "aliases", "is_active", "merged_into")
    return target


def _merge_check(sources: list[Mode], target: Mode) -> None:
    if not sources:
        raise ValidationError("Select the modes to merge.", code="merge_nothing")
    if not target.is_active:
        raise ValidationError(
            f"{target} is retired: merge into an active mode.",
            code="merge_into_retired",
        )
    if merged := [source.name for source in sources if source.merged_into_id]:
        raise ValidationError(
            f"{_names(merged)} {'was' if len(merged) == 1 else 'were'} merged already: "
            "leave them out.",
            code="merged_already",
        )


def _aliases_joined(aliases: list[str]) -> str:
    """Each alias once, in the spelling and order it first appears."""
    unique: dict[str, str] = {}
    for alias in aliases:
        unique.setdefault(alias.casefold(), alias)
    return ", ".join(unique.values())


def _modes_locked(modes: Iterable[Mode]) -> list[Mode]:
    """The modes' current rows, locked until the commit, so a racing write waits."""
    pks = [mode.pk for mode in modes]
    return list(Mode.objects.select_for_update().filter(pk__in=pks).order_by("pk"))


def _mode_fields_save(mode: Mode, *fields: str) -> None:
    mode.full_clean()
    mode.save(update_fields=[*fields, "updated"])
    _mode_changed(mode)


def _names(names: list[str]) -> str:
    return ", ".join(names)


@transaction.atomic
def prompt_version_create(
    *,
    mode: Mode,
    source: str,
    user: AbstractBaseUser | None,
    note: str = "",
    greeting: str | None = None,
) -> PromptTemplate:
    """A new version of the mode's templates, active from the commit on; without a
    `greeting` it keeps the active version's."""
    source, greeting = _words_carried(
        prompt_active_version(mode), source=source, greeting=greeting
    )
    version = _prompt_version_add(
        mode=mode, source=source, greeting=greeting, user=user, note=note
    )
    _mode_changed(mode)
    return version


def prompt_version_rollback(
    *, version: PromptTemplate, user: AbstractBaseUser | None
) -> PromptTemplate:
    """Bring an old version's prompt and greeting back as a new version, so the
    history only ever grows."""
    return prompt_version_create(
        mode=version.mode,
        source=version.source,
        greeting=version.greeting,
        user=user,
        note=f"Rolled back to v{version.version}",
    )


def _words_carried(
    active: PromptTemplate | None, *, source: str | None, greeting: str | None
) -> tuple[str, str]:
    """The given templates, each one not given carried over from the active version
    (blank for a mode without one, which the version's validation refuses)."""
    return (
        source if source is not None else getattr(active, "source", ""),
        greeting if greeting is not None else getattr(active, "greeting", ""),
    )


def _prompt_version_add(
    *,
    mode: Mode,
    source: str,
    greeting: str,
    user: AbstractBaseUser | None,
    note: str,
) -> PromptTemplate:
    # Lock the mode row so two staff saving at once cannot both take version max+1.
    Mode.objects.select_for_update().filter(pk=mode.pk).first()
    latest = mode.prompts.aggregate(latest=Max("version"))["latest"] or 0
    mode.prompts.filter(is_active=True).update(is_active=False)
    version = PromptTemplate(
        mode=mode,
        version=latest + 1,
        source=source,
        greeting=greeting,
        is_active=True,
        note=note,
        created_by=user,
    )
    version.full_clean()
    version.save()
    prompt_cache_clear()
    return version


def help_articles_seed(*, mode: Mode) -> list[HelpArticle]:
    """The kind's default articles, as a new mode's own for staff to edit."""
    defaults = kind_get(mode.persona_kind).help_articles
    articles = [
        HelpArticle(
            mode=mode,
            title=article.title,
            body=article.body,
            keywords=", ".join(article.keywords),
            display_order=order,
        )
        for order, article in enumerate(defaults, 1)
    ]
    for article in articles:
        article.full_clean()
    return HelpArticle.objects.bulk_create(articles)


@transaction.atomic
def help_articles_write(
    *,
    mode: Mode,
    saved: Iterable[HelpArticle] = (),
    deleted: Iterable[HelpArticle] = (),
) -> None:
    """Save and delete some of a mode's articles; open chats hear of it once."""
    for article in saved:
        article.mode = mode
        article.full_clean()
        article.save()
    for article in deleted:
        article.delete()
    _mode_changed(mode)


def _mode_changed(mode: Mode) -> None:
    transaction.on_commit(lambda: mode_updated_broadcast(mode))


def _trigger_words_changed() -> None:
    """Every process forgets the words triggers match, once the change commits."""
    transaction.on_commit(modes_changed_broadcast)
