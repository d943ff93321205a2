"""Prompt versions written as another process would write them."""

from django.db.models import Max

from chat.models import Mode, PromptTemplate


def version_written_elsewhere(mode: Mode) -> PromptTemplate:
    """A new active version ending "Be brief.", written with no signal here."""
    active = mode.prompts.get(is_active=True)
    latest = mode.prompts.aggregate(latest=Max("version"))["latest"]
    mode.prompts.update(is_active=False)
    PromptTemplate.objects.bulk_create(
        [
            PromptTemplate(
                mode=mode,
                version=latest + 1,
                source=active.source + "\nBe brief.",
                greeting=active.greeting,
                is_active=True,
            )
        ]
    )
    return mode.prompts.get(version=latest + 1)
