"""The ASGI entry point, as a server process imports it."""

import os
import subprocess
import sys

from django.conf import settings


def test_the_entry_point_freezes_what_it_loaded_away_from_the_collector():
    code = "import gc, demo_site.asgi; print(gc.get_freeze_count())"
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "tests.settings"}
    frozen = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    # Django and the apps are tens of thousands of tracked objects, all frozen.
    assert int(frozen.stdout) > 20_000
