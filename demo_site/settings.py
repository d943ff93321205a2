"""Settings for Presto-Change-O, read from the environment with safe defaults.

Every setting a deployment changes comes from an environment variable (or a `.env`
file beside manage.py); README.md lists them with their defaults.
"""

import ipaddress
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# `make run` writes a .env for development; ENV_FILE="" (the tests) reads none.
ENV_FILE = os.environ.get("ENV_FILE", str(BASE_DIR / ".env"))
if ENV_FILE:
    environ.Env.read_env(ENV_FILE)

_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    """A strict boolean: a typo such as DEBUG=ture is refused, not read as False."""
    value = env.str(name, default=str(default)).strip().lower()
    if value not in _TRUE | _FALSE:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a boolean; use true or false."
        )
    return value in _TRUE


def env_number[N: (int, float)](
    name: str, cast: type[N], default: N, *, minimum: N, maximum: N
) -> N:
    """A number from `minimum` to `maximum` (inclusive), refused with the variable's
    name and the range when it does not parse or falls outside."""
    kind = "whole number" if cast is int else "number"
    use = f"use a {kind} from {_number_text(minimum)} to {_number_text(maximum)}."
    raw = env.str(name, default=str(default)).strip()
    try:
        # Python's own parsing: django-environ's drops what is not a digit, so that
        # "1m" would be 1 and "1e3" 13.
        value = cast(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a {kind}; {use}") from None
    if not minimum <= value <= maximum:  # NaN fails both comparisons
        raise ImproperlyConfigured(f"{name}={raw} is out of range; {use}")
    return value


def _number_text(number: float) -> str:
    """3600.0 as 3600, 0.1 as 0.1, 2147483647 in full (no exponent)."""
    return str(int(number)) if float(number).is_integer() else str(number)


def refuse_unless(works: bool, problem: str) -> None:
    """Stop start-up with `problem` (what is wrong and how to fix it) unless `works`."""
    if not works:
        raise ImproperlyConfigured(problem)


# .env.example's SECRET_KEY: a copy of that file must not sign a public site's cookies.
_EXAMPLE_SECRET_KEY = "replace-me-with-50-or-more-random-characters"
# The database engines the site runs and is tested on, by URL scheme.
_DATABASE_SCHEMES = {"sqlite", "postgres", "postgresql", "pgsql"}
_DATABASE_EXAMPLES = (
    "sqlite:////srv/presto/db.sqlite3 or postgres://user:password@host:5432/presto"
)
# Message.model's max_length: the model name is stored with every reply.
_MODEL_NAME_MAX_CHARS = 100
# The most bytes one character takes in UTF-8, and room for the rest of a chat frame.
_UTF8_MAX_BYTES, _CHAT_FRAME_ENVELOPE_BYTES = 4, 256


def secret_key_weakness(key: str) -> str | None:
    """Why `key` must not sign a public site's cookies (Django's check --deploy
    criteria, and the example's placeholder), or None when it is strong enough."""
    if key == _EXAMPLE_SECRET_KEY:
        return "is the placeholder from .env.example"
    if key.startswith(SECRET_KEY_INSECURE_PREFIX):
        return f"starts with {SECRET_KEY_INSECURE_PREFIX!r}"
    if (
        len(key) < SECRET_KEY_MIN_LENGTH
        or len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS
    ):
        return (
            f"has fewer than {SECRET_KEY_MIN_LENGTH} characters or fewer than "
            f"{SECRET_KEY_MIN_UNIQUE_CHARACTERS} different ones"
        )
    return None


def env_database(name: str, default: str) -> dict:
    """The database a URL names; refused with an example (never echoing the URL,
    which may hold a password) when it names none the site can use."""
    url = env.str(name, default=default)
    problem = _database_url_problem(url)
    refuse_unless(problem is None, f"{name} {problem}; use e.g. {_DATABASE_EXAMPLES}.")
    return environ.Env.db_url_config(url)


def _database_url_problem(url: str) -> str | None:
    """What is wrong with a database URL, or None."""
    try:
        scheme = urlsplit(url).scheme if "://" in url else ""
        if not scheme:
            return "is empty" if not url else "is not a URL (scheme://...)"
        if scheme not in _DATABASE_SCHEMES:
            return f"uses {scheme!r}, but the site runs only on SQLite or PostgreSQL"
        config = environ.Env.db_url_config(url)
    except ValueError:
        return "is not a well-formed database URL"
    return None if config.get("NAME") else "names no database"


def http_url_valid(url: str) -> bool:
    """An http or https URL with a host (and a port, if any, that is a port)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port that is not one)
    except ValueError:
        return False
    no_space = not any(char.isspace() for char in url)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and no_space


def env_networks(name: str) -> list[str]:
    """IP addresses or networks, each refused by name when it is neither."""
    entries = [entry.strip() for entry in env.list(name, default=[]) if entry.strip()]
    for entry in entries:
        try:
            ipaddress.ip_network(entry)
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"{name} has {entry!r}, which is not an IP address or network "
                f"({exc}); use e.g. 10.0.0.1,192.168.0.0/16."
            ) from None
    return entries


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
            "(or DEBUG=true for a throwaway development key)."
        )
    # A fresh key per process: fine for a development server, never for production.
    SECRET_KEY = get_random_secret_key()
if not DEBUG and (weakness := secret_key_weakness(SECRET_KEY)):
    raise ImproperlyConfigured(
        f"SECRET_KEY {weakness}, which will not do with DEBUG off. Set 50 or more "
        "random characters, e.g. the output of: "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "personas",
    "chat",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "demo_site.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = None
ASGI_APPLICATION = "demo_site.asgi.application"

DATABASES = {
    "default": env_database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL plus IMMEDIATE transactions and a generous busy timeout keep concurrent
    # writers (many sockets in one process) from ever seeing "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Channels closes "old" connections around every ORM call from a consumer; a
    # persistent connection makes that a no-op instead of a reconnect (and the PRAGMAs)
    # each time. SQLite has no pool, and a connection costs the server nothing.
    DATABASES["default"]["CONN_MAX_AGE"] = None
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A pool per process, for the same reason, and so a burst of visitors waits for
    # a connection instead of exhausting the server's max_connections.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": env_number(
            "DATABASE_POOL_MAX_SIZE", int, 10, minimum=1, maximum=1000
        ),
        "timeout": env_number(
            "DATABASE_POOL_TIMEOUT", float, 20.0, minimum=0.1, maximum=600.0
        ),
    }

# HTTP requests at work at once in each process (demo_site/http_slots.py says why).
HTTP_REQUESTS_AT_ONCE = env_number(
    "HTTP_REQUESTS_AT_ONCE", int, 4, minimum=1, maximum=1000
)

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # channels_redis, with a receive that outlasts a Redis restart.
            "BACKEND": "chat.layers.ResilientRedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
    # The rate limit's counters live in the cache, so share it between processes too.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    # Room for a rate-limit counter per visitor: the default 300 entries would cull
    # live counters under a crowd, and culled counters stop limiting.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Database sessions, saved without zlib (demo_site/sessions.py says why).
SESSION_ENGINE = "demo_site.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# Up to two years, the most browsers' preload lists ask for; 0 sends no HSTS.
SECURE_HSTS_SECONDS = env_number(
    "SECURE_HSTS_SECONDS", int, 0, minimum=0, maximum=63_072_000
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# The language model. With neither a key nor a base URL, the offline model answers.
# LLM_BACKEND names the backend class (chat.llm); empty: chosen from the settings below.
LLM_BACKEND = env.str("LLM_BACKEND", default="")
if LLM_BACKEND and not re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+", LLM_BACKEND):
    raise ImproperlyConfigured(
        f"LLM_BACKEND={LLM_BACKEND!r} is not a dotted path; use e.g. "
        "chat.llm.offline.OfflineBackend, or leave it empty."
    )
OPENAI_API_KEY = env.str("OPENAI_API_KEY", default="")
OPENAI_BASE_URL = env.str("OPENAI_BASE_URL", default="")
refuse_unless(
    not OPENAI_BASE_URL or http_url_valid(OPENAI_BASE_URL),
    "OPENAI_BASE_URL is not an http(s) URL with a host; use e.g. "
    "http://127.0.0.1:11434/v1, or leave it empty for OpenAI's own.",
)
OPENAI_MODEL = env.str("OPENAI_MODEL", default="gpt-4o-mini")
refuse_unless(
    0 < len(OPENAI_MODEL) <= _MODEL_NAME_MAX_CHARS,
    f"OPENAI_MODEL is {len(OPENAI_MODEL)} characters long; use a model name of 1 to "
    f"{_MODEL_NAME_MAX_CHARS} characters (each reply stores it).",
)
# Seconds for each request (and each retry) to the model.
OPENAI_TIMEOUT = env_number("OPENAI_TIMEOUT", float, 30.0, minimum=0.1, maximum=600.0)
# Seconds from asking to the first text, retries included: so it may exceed
# OPENAI_TIMEOUT, and bounds the wait however many retries the SDK makes.
OPENAI_FIRST_TOKEN_TIMEOUT = env_number(
    "OPENAI_FIRST_TOKEN_TIMEOUT", float, 20.0, minimum=0.1, maximum=600.0
)
OPENAI_MAX_RETRIES = env_number("OPENAI_MAX_RETRIES", int, 2, minimum=0, maximum=10)
# The longest reply a model may send, in tokens (sent as max_tokens).
OPENAI_MAX_TOKENS = env_number(
    "OPENAI_MAX_TOKENS", int, 1024, minimum=1, maximum=1_000_000
)

# The chat socket. 0 turns of history: each message goes to the model alone.
CHAT_HISTORY_TURNS = env_number("CHAT_HISTORY_TURNS", int, 10, minimum=0, maximum=1000)
CHAT_MAX_MESSAGE_CHARS = env_number(
    "CHAT_MAX_MESSAGE_CHARS", int, 4000, minimum=1, maximum=1_000_000
)
CHAT_RATE_LIMIT_MESSAGES = env_number(
    "CHAT_RATE_LIMIT_MESSAGES", int, 20, minimum=1, maximum=10_000_000
)
CHAT_RATE_LIMIT_WINDOW_SECONDS = env_number(
    "CHAT_RATE_LIMIT_WINDOW_SECONDS", float, 60.0, minimum=1.0, maximum=86_400.0
)
CHAT_MAX_FRAME_BYTES = env_number(
    "CHAT_MAX_FRAME_BYTES", int, 65536, minimum=1024, maximum=16_777_216
)
# How often each process re-joins the groups of the modes its sockets show (Redis
# forgets groups on a restart).
CHAT_GROUP_REJOIN_SECONDS = env_number(
    "CHAT_GROUP_REJOIN_SECONDS", float, 15.0, minimum=0.1, maximum=3600.0
)
# A reply, whatever the backend, ends (stored, marked) past either cap.
CHAT_REPLY_MAX_SECONDS = env_number(
    "CHAT_REPLY_MAX_SECONDS", float, 120.0, minimum=1.0, maximum=3600.0
)
CHAT_REPLY_MAX_CHARS = env_number(
    "CHAT_REPLY_MAX_CHARS", int, 12000, minimum=1, maximum=1_000_000
)
# How often a streaming reply's text so far is saved, so a crash loses little.
CHAT_REPLY_SAVE_SECONDS = env_number(
    "CHAT_REPLY_SAVE_SECONDS", float, 1.0, minimum=0.1, maximum=600.0
)

# One socket's budget (docs/security.md): frames and bytes per second (with a burst
# of twice that), consecutive invalid frames, and frames waiting for the consumer.
CHAT_SOCKET_FRAMES_PER_SECOND = env_number(
    "CHAT_SOCKET_FRAMES_PER_SECOND", float, 5.0, minimum=0.5, maximum=10_000.0
)
CHAT_SOCKET_BYTES_PER_SECOND = env_number(
    "CHAT_SOCKET_BYTES_PER_SECOND", float, 65536.0, minimum=1024.0, maximum=1e9
)
CHAT_SOCKET_MAX_INVALID_FRAMES = env_number(
    "CHAT_SOCKET_MAX_INVALID_FRAMES", int, 10, minimum=1, maximum=10_000
)
CHAT_SOCKET_QUEUE_FRAMES = env_number(
    "CHAT_SOCKET_QUEUE_FRAMES", int, 32, minimum=1, maximum=10_000
)
# One client address's budget per CHAT_RATE_LIMIT_WINDOW_SECONDS, whatever its
# cookies: sockets opened, sessions created, conversations started, messages sent;
# and its sockets open at once in one process.
CHAT_ADDRESS_CONNECTIONS_PER_WINDOW = env_number(
    "CHAT_ADDRESS_CONNECTIONS_PER_WINDOW", int, 120, minimum=1, maximum=10_000_000
)
CHAT_ADDRESS_SESSIONS_PER_WINDOW = env_number(
    "CHAT_ADDRESS_SESSIONS_PER_WINDOW", int, 60, minimum=1, maximum=10_000_000
)
CHAT_ADDRESS_CONVERSATIONS_PER_WINDOW = env_number(
    "CHAT_ADDRESS_CONVERSATIONS_PER_WINDOW", int, 120, minimum=1, maximum=10_000_000
)
CHAT_ADDRESS_MESSAGES_PER_WINDOW = env_number(
    "CHAT_ADDRESS_MESSAGES_PER_WINDOW", int, 200, minimum=1, maximum=10_000_000
)
CHAT_ADDRESS_OPEN_SOCKETS = env_number(
    "CHAT_ADDRESS_OPEN_SOCKETS", int, 50, minimum=1, maximum=1_000_000
)
# Conversations (switch_mode, new_persona, clear, a fresh visit) per visitor.
CHAT_CONVERSATIONS_PER_WINDOW = env_number(
    "CHAT_CONVERSATIONS_PER_WINDOW", int, 30, minimum=1, maximum=10_000_000
)
# Conjuring a mode for a new industry (chat/generation): the seconds a model has to
# draft it before the offline generator's draft is used; the most generated modes the
# site keeps (0: none is generated); generations per visitor and per client address
# per CHAT_RATE_LIMIT_WINDOW_SECONDS.
CHAT_GENERATION_TIMEOUT = env_number(
    "CHAT_GENERATION_TIMEOUT", float, 5.0, minimum=0.1, maximum=60.0
)
CHAT_GENERATED_MODES_MAX = env_number(
    "CHAT_GENERATED_MODES_MAX", int, 500, minimum=0, maximum=1_000_000
)
CHAT_GENERATIONS_PER_WINDOW = env_number(
    "CHAT_GENERATIONS_PER_WINDOW", int, 3, minimum=1, maximum=10_000_000
)
CHAT_ADDRESS_GENERATIONS_PER_WINDOW = env_number(
    "CHAT_ADDRESS_GENERATIONS_PER_WINDOW", int, 20, minimum=1, maximum=10_000_000
)
# Proxies (addresses or networks) whose X-Forwarded-For is believed; empty: none.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")

# Settings that each parse but cannot work together.
refuse_unless(
    CHAT_MAX_MESSAGE_CHARS * _UTF8_MAX_BYTES + _CHAT_FRAME_ENVELOPE_BYTES
    <= CHAT_MAX_FRAME_BYTES,
    f"CHAT_MAX_MESSAGE_CHARS={CHAT_MAX_MESSAGE_CHARS} does not fit in "
    f"CHAT_MAX_FRAME_BYTES={CHAT_MAX_FRAME_BYTES}: a message may take "
    f"{_UTF8_MAX_BYTES} bytes a character, plus {_CHAT_FRAME_ENVELOPE_BYTES} for "
    "the frame. Raise CHAT_MAX_FRAME_BYTES or lower CHAT_MAX_MESSAGE_CHARS.",
)
refuse_unless(
    CHAT_MAX_FRAME_BYTES <= 2 * CHAT_SOCKET_BYTES_PER_SECOND,
    f"CHAT_MAX_FRAME_BYTES={CHAT_MAX_FRAME_BYTES} is more than a socket's burst "
    f"(twice CHAT_SOCKET_BYTES_PER_SECOND={_number_text(CHAT_SOCKET_BYTES_PER_SECOND)})"
    ", so the largest frame allowed would always be too fast. Raise "
    "CHAT_SOCKET_BYTES_PER_SECOND or lower CHAT_MAX_FRAME_BYTES.",
)
refuse_unless(
    OPENAI_FIRST_TOKEN_TIMEOUT <= CHAT_REPLY_MAX_SECONDS,
    f"OPENAI_FIRST_TOKEN_TIMEOUT={_number_text(OPENAI_FIRST_TOKEN_TIMEOUT)} is "
    f"longer than CHAT_REPLY_MAX_SECONDS={_number_text(CHAT_REPLY_MAX_SECONDS)}, "
    "so a reply would be cut off before its first token is due. Lower the first or "
    "raise the second.",
)

# Content-Security-Policy: every script and style is served by the site itself.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
}

# A prompt template's render (docs/security.md): at most this many steps (a loop
# iteration, or 10 characters a filter reads) and milliseconds, or it is refused.
PROMPT_RENDER_MAX_STEPS = env_number(
    "PROMPT_RENDER_MAX_STEPS", int, 5000, minimum=1, maximum=10_000_000
)
PROMPT_RENDER_MAX_MS = env_number(
    "PROMPT_RENDER_MAX_MS", float, 200.0, minimum=1.0, maximum=60_000.0
)
