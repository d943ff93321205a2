"""Print a seeded persona, or its JSON Schema: what the assistant will be told."""

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from personas import SUPPORTED_LOCALES, generate_persona, kind_get, kind_names


class Command(BaseCommand):
    help = "Print the persona for a kind and seed as JSON, or the kind's JSON Schema."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help=f"One of: {', '.join(kind_names())}.")
        parser.add_argument("--seed", type=int, default=0, help="Default 0.")
        parser.add_argument("--as-of", help="YYYY-MM-DD; default today.")
        parser.add_argument("--locale", default="en_US", help="Default en_US.")
        parser.add_argument(
            "--schema", action="store_true", help="Print the JSON Schema instead."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        kind = self.kind(options["kind"])
        if options["schema"]:
            output: dict[str, Any] = kind_get(kind).schema.model_json_schema()
        else:
            output = generate_persona(
                kind,
                options["seed"],
                as_of=self.as_of(options["as_of"]),
                locale=self.locale(options["locale"]),
            )
        self.stdout.write(json.dumps(output, indent=2, ensure_ascii=False))

    def kind(self, value: str) -> str:
        """The persona kind, refused as a command error that lists the known kinds."""
        if value not in kind_names():
            raise CommandError(
                f"Unknown persona kind {value!r}; use one of: "
                f"{', '.join(kind_names())}."
            )
        return value

    def as_of(self, value: str | None) -> date | None:
        """The --as-of date, with a message showing the expected form."""
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise CommandError(
                f"--as-of {value!r} is not a date; write it as YYYY-MM-DD, "
                "e.g. 2026-01-31."
            ) from None

    def locale(self, value: str) -> str:
        """The --locale, checked here so the error names the option."""
        if value not in SUPPORTED_LOCALES:
            raise CommandError(
                f"--locale {value!r} is not supported; use one of: "
                f"{', '.join(SUPPORTED_LOCALES)}."
            )
        return value
