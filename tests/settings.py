"""Test settings: the project's own settings with a fixed, test-only secret key."""

import os

# Strong enough for DEBUG off, and published here, so never a real site's key. Set,
# not defaulted: every server the tests and benchmarks start (with these settings)
# gets it, whatever SECRET_KEY the shell exports.
TESTS_SECRET_KEY = "tests-only-published-key-0123456789-abcdefghijklmnopqrstuvwxyz"

os.environ.setdefault("ENV_FILE", "")
os.environ["SECRET_KEY"] = TESTS_SECRET_KEY
os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")

from demo_site.settings import *  # noqa: E402, F403

# No manifest to build before each run, and fast password hashing for test users.
STORAGES = STORAGES | {  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
