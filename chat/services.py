"""Writes to modes and their prompt versions, as the admin makes them.

Every change that a visitor's open chat should see ends by scheduling
`mode_updated_broadcast` for after the commit, so sockets never hear of a change that
was rolled back.
"""

from collections.abc import Iterable

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from chat.broadcast import mode_updated_broadcast
from chat.models import Mode, PromptTemplate
from chat.prompting.rendering import prompt_cache_clear
from chat.selectors import prompt_active_version


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
    version holding both."""
    if mode.pk and not mode.is_active:
        mode_guard_last_active(retiring=[mode])
    mode.full_clean()
    mode.save()
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


def _mode_changed(mode: Mode) -> None:
    transaction.on_commit(lambda: mode_updated_broadcast(mode))
