"""The test settings plus the throwaway kind of customer, for the browser test's own
server (tests/e2e/test_kind_throwaway.py): no setting of the project names it."""

from tests.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.support.apps.ObservatoryConfig"]  # noqa: F405
