"""Settings come from the environment, with safe defaults and clear refusals."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PRINT_SETTINGS = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DEBUG, s.DATABASES['default']['ENGINE'], "
    "s.CHANNEL_LAYERS['default']['BACKEND'], s.ALLOWED_HOSTS)"
)


# What a production deployment behind an HTTPS proxy sets (README, "Production").
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "tests-only-production-like-key-0123456789-abcdefghijklmnop",
    "ALLOWED_HOSTS": "demo.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://demo.example.com",
    "DATABASE_URL": "postgres://presto:secret@db.internal:5432/presto",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "SESSION_COOKIE_SECURE": "true",
    "CSRF_COOKIE_SECURE": "true",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
    "SECURE_PROXY_SSL_HEADER": "true",
}
DEPLOY_CHECK = ["manage.py", "check", "--deploy", "--fail-level", "WARNING"]


def settings_run(**env: str) -> subprocess.CompletedProcess:
    """Load demo_site.settings in a fresh interpreter with exactly these variables."""
    return python_run(["-c", PRINT_SETTINGS], **env)


def python_run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    """Run Python on demo_site.settings with exactly these variables (no .env)."""
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "DEBUG"))
    }
    for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS"):
        clean.pop(name, None)
    clean |= {"DJANGO_SETTINGS_MODULE": "demo_site.settings", "ENV_FILE": "", **env}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_settings_refuse_to_start_without_secret_key_when_debug_is_off():
    result = settings_run()
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_settings_generate_a_dev_key_only_in_debug():
    result = settings_run(DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("True django.db.backends.sqlite3")


def test_settings_default_to_sqlite_in_memory_layer_and_debug_off():
    result = settings_run(SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    debug, engine, layer, hosts = result.stdout.split(" ", 3)
    assert (debug, engine) == ("False", "django.db.backends.sqlite3")
    assert layer == "channels.layers.InMemoryChannelLayer"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DATABASE_URL": "postgres://u:p@db:5432/presto"}, "postgresql"),
        ({"REDIS_URL": "redis://127.0.0.1:6379/0"}, "RedisChannelLayer"),
        ({"ALLOWED_HOSTS": "demo.example.com,other.example.com"}, "other.example.com"),
    ],
)
def test_settings_read_urls_and_lists_from_the_environment(env, expected):
    result = settings_run(SECRET_KEY="x" * 50, **env)
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "ture"}, "DEBUG='ture' is not a boolean"),
        (
            {"CHAT_MAX_MESSAGE_CHARS": "lots"},
            "CHAT_MAX_MESSAGE_CHARS='lots' is not a number",
        ),
        ({"OPENAI_TIMEOUT": "soon"}, "OPENAI_TIMEOUT='soon' is not a number"),
    ],
)
def test_settings_refuse_malformed_values_naming_the_variable(env, message):
    result = settings_run(SECRET_KEY="x" * 50, **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_check_deploy_passes_with_production_settings():
    result = python_run(DEPLOY_CHECK, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_about_debug_and_insecure_settings():
    insecure = PRODUCTION | {
        "DEBUG": "true",
        "SECRET_KEY": "short",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
    }
    result = python_run(DEPLOY_CHECK, **insecure)
    assert result.returncode != 0
    for code in ("W004", "W008", "W009", "W012", "W016", "W018"):
        assert f"security.{code}" in result.stderr
