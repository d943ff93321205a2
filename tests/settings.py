"""Test settings: the project's own settings with a fixed, test-only secret key."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")
os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")

from demo_site.settings import *  # noqa: E402, F403
