"""Settings come from the environment, with safe defaults and clear refusals."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.settings import TESTS_SECRET_KEY

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_SOURCE = (ROOT / "demo_site" / "settings.py").read_text()
# Every variable settings.py reads, and the numbers among them.
SETTING_NAMES = re.findall(
    r'(?:env\.\w+|env_\w+|os\.environ\.get)\(\s*"([A-Z][A-Z0-9_]+)"', SETTINGS_SOURCE
)
NUMBER_NAMES = re.findall(r'env_number\(\s*"(\w+)"', SETTINGS_SOURCE)
EXAMPLE_SECRET_KEY = re.search(
    r"^SECRET_KEY=(.*)$", (ROOT / ".env.example").read_text(), re.M
)[1]

PRINT_SETTINGS = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DEBUG, s.DATABASES['default']['ENGINE'], "
    "s.CHANNEL_LAYERS['default']['BACKEND'], s.ALLOWED_HOSTS)"
)


# What a production deployment behind an HTTPS proxy sets (README, "Production").
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": TESTS_SECRET_KEY,
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


def python_run(
    args: list[str], stdin: str | None = None, **env: str
) -> subprocess.CompletedProcess:
    """Run Python on demo_site.settings with exactly these variables (no .env)."""
    clean = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES}
    clean = {k: v for k, v in clean.items() if not k.startswith("DJANGO")}
    clean |= {"DJANGO_SETTINGS_MODULE": "demo_site.settings", "ENV_FILE": "", **env}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=clean,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


# Loads settings.py once per environment given on stdin, in one interpreter (a
# process each would take a second a case): the refusal's words, or "accepted".
PROBE = """
import json, os, runpy, sys
from django.core.exceptions import ImproperlyConfigured
base = dict(os.environ)
for env in json.load(sys.stdin):
    os.environ.clear()
    os.environ.update(base | env)
    try:
        runpy.run_path("demo_site/settings.py")
        print(json.dumps("accepted"))
    except ImproperlyConfigured as exc:
        print(json.dumps(str(exc)))
"""


def settings_outcomes(cases: list[dict[str, str]]) -> list[str]:
    """For each environment (over a strong key, DEBUG off): accepted, or why not."""
    result = python_run(
        ["-c", PROBE], stdin=json.dumps(cases), SECRET_KEY=TESTS_SECRET_KEY
    )
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_settings_refuse_to_start_without_secret_key_when_debug_is_off():
    result = settings_run()
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_settings_generate_a_dev_key_only_in_debug():
    result = settings_run(DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("True django.db.backends.sqlite3")


def test_settings_default_to_sqlite_in_memory_layer_and_debug_off():
    result = settings_run(SECRET_KEY=TESTS_SECRET_KEY)
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
    result = settings_run(SECRET_KEY=TESTS_SECRET_KEY, **env)
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout


def test_settings_refuse_malformed_values_with_a_clear_message():
    result = settings_run(SECRET_KEY=TESTS_SECRET_KEY, DEBUG="ture")
    assert result.returncode != 0
    assert "DEBUG='ture' is not a boolean; use true or false." in result.stderr


POSTGRES = {"DATABASE_URL": "postgres://u:p@db:5432/presto"}
BAD_URL = "OPENAI_BASE_URL is not an http(s) URL with a host"
DATABASE_EXAMPLE = "use e.g. sqlite:////srv/presto/db.sqlite3 or postgres://"
WEAK_KEY = "which will not do with DEBUG off. Set 50 or more random characters"
# (case, environment, the start of the refusal)
REFUSED = [
    (
        "rejoin-busy-loop",
        {"CHAT_GROUP_REJOIN_SECONDS": "0"},
        "CHAT_GROUP_REJOIN_SECONDS=0 is out of range; use a number from 0.1 to 3600.",
    ),
    (
        "not-a-number",
        {"OPENAI_TIMEOUT": "soon"},
        "OPENAI_TIMEOUT='soon' is not a number; use a number from 0.1 to 600.",
    ),
    (
        "not-a-whole-number",
        {"CHAT_MAX_MESSAGE_CHARS": "1.5"},
        "CHAT_MAX_MESSAGE_CHARS='1.5' is not a whole number; use a whole number "
        "from 1 to 1000000.",
    ),
    (
        "unit-suffix",
        {"CHAT_RATE_LIMIT_WINDOW_SECONDS": "1m"},
        "CHAT_RATE_LIMIT_WINDOW_SECONDS='1m' is not a number",
    ),
    ("exponent", {"OPENAI_TIMEOUT": "1e3"}, "OPENAI_TIMEOUT=1e3 is out of range"),
    (
        "thousands-separator",
        {"CHAT_ADDRESS_OPEN_SOCKETS": "1,000"},
        "CHAT_ADDRESS_OPEN_SOCKETS='1,000' is not a whole number",
    ),
    (
        "5000-digits",
        {"CHAT_ADDRESS_OPEN_SOCKETS": "9" * 5000},
        "CHAT_ADDRESS_OPEN_SOCKETS='999",
    ),
    ("nan", {"OPENAI_TIMEOUT": "nan"}, "OPENAI_TIMEOUT=nan is out of range"),
    ("infinity", {"OPENAI_TIMEOUT": "inf"}, "OPENAI_TIMEOUT=inf is out of range"),
    ("negative-retries", {"OPENAI_MAX_RETRIES": "-1"}, "OPENAI_MAX_RETRIES=-1 is"),
    ("negative-hsts", {"SECURE_HSTS_SECONDS": "-1"}, "SECURE_HSTS_SECONDS=-1 is"),
    (
        "pool-size-zero",
        POSTGRES | {"DATABASE_POOL_MAX_SIZE": "0"},
        "DATABASE_POOL_MAX_SIZE=0 is out of range; use a whole number from 1 to 1000.",
    ),
    (
        "message-bigger-than-frame",
        {"CHAT_MAX_MESSAGE_CHARS": "20000"},
        "CHAT_MAX_MESSAGE_CHARS=20000 does not fit in CHAT_MAX_FRAME_BYTES=65536",
    ),
    (
        "frame-bigger-than-burst",
        {"CHAT_MAX_FRAME_BYTES": "200000"},
        "CHAT_MAX_FRAME_BYTES=200000 is more than a socket's burst",
    ),
    (
        "first-token-after-reply-cap",
        {"OPENAI_FIRST_TOKEN_TIMEOUT": "200"},
        "OPENAI_FIRST_TOKEN_TIMEOUT=200 is longer than CHAT_REPLY_MAX_SECONDS=120",
    ),
    (
        "model-too-long",
        {"OPENAI_MODEL": "m" * 101},
        "OPENAI_MODEL is 101 characters long; use a model name of 1 to 100",
    ),
    ("model-empty", {"OPENAI_MODEL": ""}, "OPENAI_MODEL is 0 characters long"),
    ("base-url-ftp", {"OPENAI_BASE_URL": "ftp://models.internal/v1"}, BAD_URL),
    ("base-url-no-scheme", {"OPENAI_BASE_URL": "127.0.0.1:11434/v1"}, BAD_URL),
    ("base-url-no-host", {"OPENAI_BASE_URL": "http:///v1"}, BAD_URL),
    ("base-url-bad-port", {"OPENAI_BASE_URL": "http://h:99999/v1"}, BAD_URL),
    ("base-url-space", {"OPENAI_BASE_URL": "http://exa mple/v1"}, BAD_URL),
    (
        "proxy-hostname",
        {"TRUSTED_PROXIES": "10.0.0.1,proxy.internal"},
        "TRUSTED_PROXIES has 'proxy.internal', which is not an IP address or network",
    ),
    ("proxy-host-bits", {"TRUSTED_PROXIES": "10.0.0.1/8"}, "has host bits set"),
    ("proxy-octet", {"TRUSTED_PROXIES": "300.1.1.1"}, "TRUSTED_PROXIES has '300"),
    ("db-nonsense", {"DATABASE_URL": "nonsense"}, "DATABASE_URL is not a URL"),
    ("db-no-colon", {"DATABASE_URL": "postgres//x"}, "DATABASE_URL is not a URL"),
    ("db-empty", {"DATABASE_URL": ""}, f"DATABASE_URL is empty; {DATABASE_EXAMPLE}"),
    (
        "db-mysql",
        {"DATABASE_URL": "mysql://u:hunter2@db/presto"},
        "DATABASE_URL uses 'mysql', but the site runs only on SQLite or PostgreSQL",
    ),
    (
        "db-no-name",
        {"DATABASE_URL": "postgres://db.internal"},
        f"DATABASE_URL names no database; {DATABASE_EXAMPLE}",
    ),
    (
        "db-bad-port",
        {"DATABASE_URL": "postgres://u:hunter2@db:port/presto"},
        "DATABASE_URL is not a well-formed database URL",
    ),
    (
        "key-example-placeholder",
        {"SECRET_KEY": EXAMPLE_SECRET_KEY},
        f"SECRET_KEY is the placeholder from .env.example, {WEAK_KEY}",
    ),
    (
        "key-django-insecure",
        {"SECRET_KEY": "django-insecure-" + TESTS_SECRET_KEY},
        "SECRET_KEY starts with 'django-insecure-'",
    ),
    ("key-short", {"SECRET_KEY": TESTS_SECRET_KEY[:49]}, "fewer than 50 characters"),
    ("key-repetitive", {"SECRET_KEY": "abcd" * 20}, "or fewer than 5 different ones"),
]
# (case, environment) that must start
ACCEPTED = [
    ("retries-zero", {"OPENAI_MAX_RETRIES": "0"}),
    ("hsts-zero", {"SECURE_HSTS_SECONDS": "0"}),
    ("hsts-two-years", {"SECURE_HSTS_SECONDS": "63072000"}),
    ("no-history", {"CHAT_HISTORY_TURNS": "0"}),
    ("rejoin-minimum", {"CHAT_GROUP_REJOIN_SECONDS": "0.1"}),
    (
        "first-token-beyond-request-timeout",
        {"OPENAI_TIMEOUT": "10", "OPENAI_FIRST_TOKEN_TIMEOUT": "60"},
    ),
    ("message-just-fits", {"CHAT_MAX_MESSAGE_CHARS": "16320"}),
    ("proxies", {"TRUSTED_PROXIES": "10.0.0.1, 192.168.0.0/16,::1,fd00::/8"}),
    ("base-url-https", {"OPENAI_BASE_URL": "https://api.example.com:8443/v1"}),
    ("model-100-characters", {"OPENAI_MODEL": "m" * 100}),
    ("db-sqlite-absolute", {"DATABASE_URL": "sqlite:////tmp/presto.sqlite3"}),
    ("db-sqlite-memory", {"DATABASE_URL": "sqlite://:memory:"}),
    ("db-postgres", POSTGRES | {"DATABASE_POOL_TIMEOUT": "0.5"}),
    ("key-debug-on-weak", {"DEBUG": "true", "SECRET_KEY": EXAMPLE_SECRET_KEY}),
]
OUT_OF_EVERY_RANGE = ["-1", "1" + "0" * 12]
RANGE_CASES = [
    POSTGRES | {name: value} for name in NUMBER_NAMES for value in OUT_OF_EVERY_RANGE
]


@pytest.fixture(scope="module")
def outcomes() -> dict[str, str]:
    """Every case of this module's tables, loaded in one go: {case: outcome}."""
    cases = [env for _, env, *_ in REFUSED + ACCEPTED] + RANGE_CASES
    keys = [json.dumps(env, sort_keys=True) for env in cases]
    return dict(zip(keys, settings_outcomes(cases), strict=True))


def outcome(outcomes: dict[str, str], env: dict[str, str]) -> str:
    return outcomes[json.dumps(env, sort_keys=True)]


@pytest.mark.parametrize(
    ("env", "refusal"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED]
)
def test_settings_refuse_what_cannot_work_saying_what_to_fix(outcomes, env, refusal):
    assert refusal in outcome(outcomes, env)
    assert "hunter2" not in outcome(outcomes, env)


@pytest.mark.parametrize("env", [c[1] for c in ACCEPTED], ids=[c[0] for c in ACCEPTED])
def test_settings_accept_the_edges_of_what_works(outcomes, env):
    assert outcome(outcomes, env) == "accepted"


@pytest.mark.parametrize("value", OUT_OF_EVERY_RANGE)
@pytest.mark.parametrize("name", NUMBER_NAMES)
def test_settings_every_number_has_a_range(outcomes, name, value):
    refusal = outcome(outcomes, POSTGRES | {name: value})
    assert refusal.startswith(f"{name}={value} is out of range; use a ")


def test_settings_model_name_fits_the_message_column():
    from chat.models import Message
    from demo_site import settings as site_settings

    max_chars = Message._meta.get_field("model").max_length
    assert site_settings._MODEL_NAME_MAX_CHARS == max_chars


@pytest.mark.parametrize("document", ["README.md", ".env.example"])
def test_settings_are_all_documented(document):
    text = (ROOT / document).read_text()
    listed = set(SETTING_NAMES) - (
        {"ENV_FILE"} if document == ".env.example" else set()
    )
    assert [name for name in sorted(listed) if name not in text] == []


def test_env_example_runs_only_with_debug_on():
    example = str(ROOT / ".env.example")
    assert "placeholder" in settings_run(ENV_FILE=example).stderr
    debug = settings_run(ENV_FILE=example, DEBUG="true")
    assert debug.returncode == 0, debug.stderr


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
