"""The throwaway kind as an installed app registers it, for a server the tests start
in another process (tests/support/observatory_settings.py)."""

from django.apps import AppConfig

from personas.registry import kind_register
from tests.support.observatory import OBSERVATORY


class ObservatoryConfig(AppConfig):
    name = "tests.support"
    label = "observatory"

    def ready(self) -> None:
        kind_register(OBSERVATORY)
