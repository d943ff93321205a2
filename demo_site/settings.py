"""Settings for Presto-Change-O, read from the environment with safe defaults.

Every setting a deployment changes comes from an environment variable (or a `.env`
file beside manage.py); README.md lists them with their defaults.
"""

import os
from pathlib import Path

import environ
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


def env_number(name: str, cast: type[int] | type[float], default: int | float):
    """A number, refused with the variable's name when it does not parse."""
    try:
        return env(name, cast=cast, default=default)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name}={env.str(name)!r} is not a number; expected e.g. {default}."
        ) from None


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
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
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
        "max_size": env_number("DATABASE_POOL_MAX_SIZE", int, 10),
        "timeout": env_number("DATABASE_POOL_TIMEOUT", float, 20.0),
    }

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

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_number("SECURE_HSTS_SECONDS", int, 0)
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
OPENAI_API_KEY = env.str("OPENAI_API_KEY", default="")
OPENAI_BASE_URL = env.str("OPENAI_BASE_URL", default="")
OPENAI_MODEL = env.str("OPENAI_MODEL", default="gpt-4o-mini")
OPENAI_TIMEOUT = env_number("OPENAI_TIMEOUT", float, 30.0)
OPENAI_FIRST_TOKEN_TIMEOUT = env_number("OPENAI_FIRST_TOKEN_TIMEOUT", float, 20.0)
OPENAI_MAX_RETRIES = env_number("OPENAI_MAX_RETRIES", int, 2)
# The longest reply a model may send, in tokens (sent as max_tokens).
OPENAI_MAX_TOKENS = env_number("OPENAI_MAX_TOKENS", int, 1024)

# The chat socket.
CHAT_HISTORY_TURNS = env_number("CHAT_HISTORY_TURNS", int, 10)
CHAT_MAX_MESSAGE_CHARS = env_number("CHAT_MAX_MESSAGE_CHARS", int, 4000)
CHAT_RATE_LIMIT_MESSAGES = env_number("CHAT_RATE_LIMIT_MESSAGES", int, 20)
CHAT_RATE_LIMIT_WINDOW_SECONDS = env_number(
    "CHAT_RATE_LIMIT_WINDOW_SECONDS", float, 60.0
)
CHAT_MAX_FRAME_BYTES = env_number("CHAT_MAX_FRAME_BYTES", int, 65536)
# How often a socket re-joins its mode's group (Redis forgets groups on a restart).
CHAT_GROUP_REJOIN_SECONDS = env_number("CHAT_GROUP_REJOIN_SECONDS", float, 15.0)
# A reply, whatever the backend, ends (stored, marked) past either cap.
CHAT_REPLY_MAX_SECONDS = env_number("CHAT_REPLY_MAX_SECONDS", float, 120.0)
CHAT_REPLY_MAX_CHARS = env_number("CHAT_REPLY_MAX_CHARS", int, 12000)
# How often a streaming reply's text so far is saved, so a crash loses little.
CHAT_REPLY_SAVE_SECONDS = env_number("CHAT_REPLY_SAVE_SECONDS", float, 1.0)

# One socket's budget (docs/security.md): frames and bytes per second (with a burst
# of twice that), consecutive invalid frames, and frames waiting for the consumer.
CHAT_SOCKET_FRAMES_PER_SECOND = env_number("CHAT_SOCKET_FRAMES_PER_SECOND", float, 5.0)
CHAT_SOCKET_BYTES_PER_SECOND = env_number(
    "CHAT_SOCKET_BYTES_PER_SECOND", float, 65536.0
)
CHAT_SOCKET_MAX_INVALID_FRAMES = env_number("CHAT_SOCKET_MAX_INVALID_FRAMES", int, 10)
CHAT_SOCKET_QUEUE_FRAMES = env_number("CHAT_SOCKET_QUEUE_FRAMES", int, 32)
# One client address's budget per CHAT_RATE_LIMIT_WINDOW_SECONDS, whatever its
# cookies: sockets opened, sessions created, conversations started, messages sent;
# and its sockets open at once in one process.
CHAT_ADDRESS_CONNECTIONS_PER_WINDOW = env_number(
    "CHAT_ADDRESS_CONNECTIONS_PER_WINDOW", int, 120
)
CHAT_ADDRESS_SESSIONS_PER_WINDOW = env_number(
    "CHAT_ADDRESS_SESSIONS_PER_WINDOW", int, 60
)
CHAT_ADDRESS_CONVERSATIONS_PER_WINDOW = env_number(
    "CHAT_ADDRESS_CONVERSATIONS_PER_WINDOW", int, 120
)
CHAT_ADDRESS_MESSAGES_PER_WINDOW = env_number(
    "CHAT_ADDRESS_MESSAGES_PER_WINDOW", int, 200
)
CHAT_ADDRESS_OPEN_SOCKETS = env_number("CHAT_ADDRESS_OPEN_SOCKETS", int, 50)
# Conversations (switch_mode, new_persona, clear, a fresh visit) per visitor.
CHAT_CONVERSATIONS_PER_WINDOW = env_number("CHAT_CONVERSATIONS_PER_WINDOW", int, 30)
# Proxies (addresses or networks) whose X-Forwarded-For is believed; empty: none.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

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
PROMPT_RENDER_MAX_STEPS = env_number("PROMPT_RENDER_MAX_STEPS", int, 5000)
PROMPT_RENDER_MAX_MS = env_number("PROMPT_RENDER_MAX_MS", float, 200.0)
