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
    *, mode: Mode, user: AbstractBaseUser | None, system_prompt: str | None = None
) -> Mode:
    """Save a mode and, when `system_prompt` differs from the active one, a version."""
    if mode.pk and not mode.is_active:
        mode_guard_last_active(retiring=[mode])
    mode.full_clean()
    mode.save()
    active = prompt_active_version(mode)
    if system_prompt is not None and (active is None or active.source != system_prompt):
        _prompt_version_add(mode=mode, source=system_prompt, user=user, note="")
    _mode_changed(mode)
    return mode


@transaction.atomic
def modes_delete(*, modes: Iterable[Mode]) -> None:
    modes = list(modes)
    mode_guard_last_active(retiring=modes)
    Mode.objects.filter(pk__in=[mode.pk for mode in modes]).delete()


@transaction.atomic
def prompt_version_create(
    *, mode: Mode, source: str, user: AbstractBaseUser | None, note: str = ""
) -> PromptTemplate:
    """A new version of the mode's system prompt, active from the commit on."""
    version = _prompt_version_add(mode=mode, source=source, user=user, note=note)
    _mode_changed(mode)
    return version


def prompt_version_rollback(
    *, version: PromptTemplate, user: AbstractBaseUser | None
) -> PromptTemplate:
    """Bring an old version back as a new one, so the history only ever grows."""
    return prompt_version_create(
        mode=version.mode,
        source=version.source,
        user=user,
        note=f"Rolled back to v{version.version}",
    )


def _prompt_version_add(
    *, mode: Mode, source: str, user: AbstractBaseUser | None, note: str
) -> PromptTemplate:
    # Lock the mode row so two staff saving at once cannot both take version max+1.
    Mode.objects.select_for_update().filter(pk=mode.pk).first()
    latest = mode.prompts.aggregate(latest=Max("version"))["latest"] or 0
    mode.prompts.filter(is_active=True).update(is_active=False)
    version = PromptTemplate(
        mode=mode,
        version=latest + 1,
        source=source,
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
