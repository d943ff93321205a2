"""Test settings: the project's own settings with a fixed, test-only secret key."""

import os

os.environ.setdefault("ENV_FILE", "")
os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")
os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")

from demo_site.settings import *  # noqa: E402, F403

# No manifest to build before each run, and fast password hashing for test users.
STORAGES = STORAGES | {  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
