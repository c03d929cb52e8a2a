"""Settings for the whole site, read from the environment.

Every variable is listed with its default in README.md. The defaults run the site on a laptop
(SQLite, in-memory channel layer, console email); production sets the real parts.
"""

import ipaddress
import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def env(name, default=""):
    return os.environ.get(name, default)


TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


def env_bool(name, default=False):
    """A yes/no variable. Anything else (DJANGO_DEBUG=ture) stops the site rather than reading as "off"."""
    value = os.environ.get(name, "").strip().lower()
    if value == "":
        return default
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name} must be true or false (1/0, yes/no, on/off), not {os.environ[name]!r}."
    )


def env_int(name, default):
    value = os.environ.get(name, "").strip()
    if value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {os.environ[name]!r}.") from None


def env_json(name, default):
    """A JSON variable; a value that does not parse stops the site with the parser's reason and place."""
    value = os.environ.get(name, "").strip()
    if value == "":
        return default
    try:
        return json.loads(value)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} is not valid JSON: {error}.") from None


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def check_ice_servers(servers):
    """The shape RTCPeerConnection accepts, checked here so a typo is a start-up error, not a failed call."""
    if not isinstance(servers, list):
        raise ImproperlyConfigured(
            'ICE_SERVERS must be a JSON list of objects like {"urls": "stun:host:3478"}.'
        )
    for number, server in enumerate(servers, start=1):
        urls = server.get("urls") if isinstance(server, dict) else None
        if not (isinstance(urls, str) and urls) and not (
            isinstance(urls, list) and urls and all(isinstance(url, str) and url for url in urls)
        ):
            raise ImproperlyConfigured(
                f'ICE_SERVERS: server {number} needs "urls", a URL or a list of URLs (got {server!r}).'
            )
    return servers


# --- Core -----------------------------------------------------------------------------------------

DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = env("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off. Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = "insecure-development-key-only-for-debug-mode"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if not DEBUG and "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS may not contain '*' in production.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

SITE_NAME = env("SITE_NAME", "Huddle")

INSTALLED_APPS = [
    "daphne",  # first, so that runserver serves ASGI (websockets) in development
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "accounts",
    "meetings",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.UserTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.StaffTwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = None
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.site",
            ],
        },
    },
]

# --- Data -----------------------------------------------------------------------------------------

if not env("DATABASE_URL"):
    VAR_DIR.mkdir(exist_ok=True)
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        # Reusing PostgreSQL connections matters: the signaling consumers make many short queries, and
        # opening a connection for each doubled the CPU a join costs (docs/performance.md).
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0 if DATABASE_URL.startswith("sqlite") else 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several daphne threads write to one file: wait for the lock instead of failing at once, and
    # take it when a transaction begins, so read-then-write transactions (room capacity) serialise.
    DATABASES["default"].setdefault("OPTIONS", {}).update(timeout=20, transaction_mode="IMMEDIATE")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL")

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py 8 gives every socket a 5 s read timeout by default, the length of
                # channels-redis's blocking receive: without a longer one, a consumer that hears
                # nothing for 5 s dies with close code 1011 (django/channels_redis#422).
                # health_check_interval pings a pooled connection that sat idle before reusing it,
                # so a connection that died with a Redis restart is replaced, not used (a 1011).
                "hosts": [{"address": REDIS_URL, "socket_timeout": 10, "health_check_interval": 1}],
                # channels-redis keeps all the channels of one daphne process in one Redis key, so
                # this capacity is per process, not per socket: sized for every connection of a busy
                # process bursting at once (docs/signaling.md). A full channel drops group messages.
                "capacity": env_int("CHANNEL_CAPACITY", 20000),
                "expiry": 60,
            },
        }
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels.layers.InMemoryChannelLayer",
            "CONFIG": {"capacity": env_int("CHANNEL_CAPACITY", 1000), "expiry": 60},
        }
    }
    # A real cache (not the dummy) so allauth's rate limits hold within the process.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Signaling ------------------------------------------------------------------------------------

SIGNALING = {
    # Seconds a join ticket from the pre-join page stays valid.
    "TICKET_MAX_AGE": env_int("SIGNALING_TICKET_MAX_AGE", 60),
    # Seconds a socket opened on the pre-join page (hold=1) may wait for its join message.
    "HOLD_TIMEOUT": env_int("SIGNALING_HOLD_TIMEOUT", 300),
    # Clients ping this often; a socket silent for IDLE_TIMEOUT is closed as dead.
    "HEARTBEAT_INTERVAL": env_int("SIGNALING_HEARTBEAT_INTERVAL", 10),
    "IDLE_TIMEOUT": env_int("SIGNALING_IDLE_TIMEOUT", 30),
    # A dropped participant may resume with its peer ID this long before it counts as left.
    "RESUME_GRACE": env_int("SIGNALING_RESUME_GRACE", 20),
    # Messages per second a connection may send on average, and its burst (a full mesh join of 12
    # people sends about 11 offers and 200 candidates at once).
    "RATE": env_int("SIGNALING_RATE", 100),
    "BURST": env_int("SIGNALING_BURST", 400),
    # New websockets one address may open per minute (joins and reconnects). A school behind one
    # NAT address shares it: raise it for large sites.
    "CONNECTS_PER_IP_PER_MINUTE": env_int("SIGNALING_CONNECTS_PER_IP_PER_MINUTE", 120),
    # Websockets open at once per address and per account, in each server process (a class behind
    # one NAT address needs one or two per pupil).
    "SOCKETS_PER_IP": env_int("SIGNALING_SOCKETS_PER_IP", 100),
    "SOCKETS_PER_ACCOUNT": env_int("SIGNALING_SOCKETS_PER_ACCOUNT", 10),
    # Chat messages one participant may post per 10 seconds.
    "CHAT_PER_10_SECONDS": env_int("SIGNALING_CHAT_PER_10_SECONDS", 10),
    # Knocks on one meeting's waiting room per address per 10 minutes, and how long a browser whose
    # knock was denied waits before knocking again.
    "KNOCKS_PER_IP_PER_MEETING": env_int("SIGNALING_KNOCKS_PER_IP_PER_MEETING", 30),
    "KNOCK_AGAIN_AFTER_DENIAL": env_int("SIGNALING_KNOCK_AGAIN_AFTER_DENIAL", 60),
}
# Largest websocket message daphne accepts (`manage.py serve` passes it on). A signaling message is
# at most 64 KiB (meetings/protocol.py); anything far larger is refused before it reaches Python.
WEBSOCKET_MAX_BYTES = env_int("WEBSOCKET_MAX_BYTES", 128 * 1024)
# Seconds a client has to send a request's head (`manage.py serve`): a slow-headers client that sends
# a byte now and then would otherwise hold its connection open indefinitely.
HTTP_HEADER_TIMEOUT = env_int("HTTP_HEADER_TIMEOUT", 10)
# ICE servers handed to browsers in the welcome message, as a JSON list of RTCIceServer objects.
# Empty by default: no public STUN server is contacted unless the operator says so.
ICE_SERVERS = check_ice_servers(env_json("ICE_SERVERS", []))

# --- TURN -----------------------------------------------------------------------------------------

# A relay for the people whose networks block direct calls (docs/deploy-turn.md). Each browser gets
# its own credential, signed with coturn's static-auth-secret and valid for TURN_TTL seconds.
TURN_URLS = env_list("TURN_URLS")  # turn:, turns: and stun: URLs of your coturn servers
TURN_SECRET = env("TURN_SECRET")
# A day, like Jitsi and Galène: a long call keeps refreshing its allocation with the same credential.
TURN_TTL = env_int("TURN_TTL", 24 * 3600)
# Every meeting hides participants' network addresses from each other (calls go through the relay).
# Meetings can also opt in one by one. Needs TURN.
HIDE_NETWORK_ADDRESSES = env_bool("HIDE_NETWORK_ADDRESSES", False)
if any(url.startswith(("turn:", "turns:")) for url in TURN_URLS) and not TURN_SECRET:
    raise ImproperlyConfigured(
        "TURN_URLS names a TURN server but TURN_SECRET is empty: set it to coturn's static-auth-secret."
    )
if HIDE_NETWORK_ADDRESSES and not any(url.startswith(("turn:", "turns:")) for url in TURN_URLS):
    raise ImproperlyConfigured(
        "HIDE_NETWORK_ADDRESSES needs a relay: set TURN_URLS and TURN_SECRET (docs/deploy-turn.md)."
    )

# --- Media server (SFU) ----------------------------------------------------------------------------

# Janus servers a meeting may move to when it grows (docs/deploy-janus.md): a JSON list of objects
# with api_url and admin_url (loopback or a private network), api_secret, admin_secret, admin_key,
# public_url (the websocket browsers use, behind the proxy) and an optional name. Empty: every
# meeting is a mesh, as without the feature.
try:
    JANUS_SERVERS = json.loads(env("JANUS_SERVERS", "[]"))
except ValueError as error:
    raise ImproperlyConfigured(f"JANUS_SERVERS is not JSON: {error}") from None
for _index, _server in enumerate(JANUS_SERVERS if isinstance(JANUS_SERVERS, list) else [None]):
    _missing = [
        key
        for key in ("api_url", "admin_url", "api_secret", "admin_secret", "admin_key")
        if not isinstance(_server, dict) or not _server.get(key)
    ]
    if _missing:
        raise ImproperlyConfigured(f"JANUS_SERVERS[{_index}] needs {', '.join(_missing)} (README.md).")
# Up to this many people talk browser to browser; one more moves the meeting to the SFU.
MESH_MAX_PEOPLE = env_int("MESH_MAX_PEOPLE", 4)
# Every meeting on the SFU from its first person (the per-meeting option does it for one meeting).
SFU_ALWAYS = env_bool("SFU_ALWAYS", False)
# Seconds a participant's Janus token is good for; a longer stay is granted a new one.
SFU_TOKEN_MAX_AGE = env_int("SFU_TOKEN_MAX_AGE", 4 * 3600)

# --- Accounts -------------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupExtraForm"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
# allauth's defaults, written out so operators see them: failed logins per IP and per account.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env("RATE_LIMIT_LOGIN_FAILED", "10/m/ip,5/5m/key"),
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
# Number of reverse proxies in front of daphne whose X-Forwarded-For entries are trusted;
# 0 means the client IP is the socket's peer and a forged header changes nothing.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME
# Staff must set up two-factor sign-in before they may use the admin.
MFA_REQUIRED_FOR_STAFF = env_bool("MFA_REQUIRED_FOR_STAFF", False)

# --- Retention ------------------------------------------------------------------------------------

# `manage.py prune_meeting_data` deletes chat messages and audit events older than this many days.
RETENTION_DAYS = env_int("RETENTION_DAYS", 180)

# --- Email ----------------------------------------------------------------------------------------

EMAIL_HOST = env("EMAIL_HOST")
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Huddle <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation -------------------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------------

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", str(VAR_DIR / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Security -------------------------------------------------------------------------------------

# HTTPS settings follow DEBUG; DJANGO_HTTPS=0 turns them off for a plain-HTTP test server.
HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
if env_bool("DJANGO_TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# `make run-lan` (manage.py run_lan): debug mode over HTTPS on this machine's LAN address. Its cookies
# are Secure and named apart, so they never shadow plain `make run`'s on http://127.0.0.1; no HSTS,
# which a browser would remember for the address and then refuse plain HTTP there.
SERVE_LAN = env_bool("HUDDLE_SERVE_LAN", False)
if SERVE_LAN:
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "lan_sessionid"
    CSRF_COOKIE_NAME = "lan_csrftoken"
    SECURE_SSL_REDIRECT = False
    SECURE_HSTS_SECONDS = 0
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# --- Organisations: single sign-on, who may sign up, who may host -----------------------------------

# Sign-up only for addresses at these domains (password and single sign-on alike); empty: any.
SIGNUP_EMAIL_DOMAINS = [domain.lower().lstrip("@") for domain in env_list("SIGNUP_EMAIL_DOMAINS")]
# Off: new accounts come only from an organisation's provider (OIDC_PROVIDERS); passwords still log in.
PASSWORD_SIGNUP = env_bool("PASSWORD_SIGNUP", True)
# On: only staff and people given "Can host meetings" (admin action or a group) may schedule, start
# and host meetings; everyone else may join.
HOSTING_REQUIRES_PERMISSION = env_bool("HOSTING_REQUIRES_PERMISSION", False)

ACCOUNT_FORMS = {"signup": "accounts.signup.SignupForm"}
INSTALLED_APPS += ["allauth.socialaccount", "allauth.socialaccount.providers.openid_connect"]
SOCIALACCOUNT_ADAPTER = "accounts.adapter.SocialAccountAdapter"
SOCIALACCOUNT_FORMS = {"signup": "accounts.signup.SocialSignupForm"}
# A provider's *verified* address signs in to the account that has it and links the two; an
# unverified claim never does (allauth checks email_verified). Provider tokens are not kept.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_EMAIL_REQUIRED = True
SOCIALACCOUNT_STORE_TOKENS = False
# OIDC_PROVIDERS: a JSON list of {"id", "name", "issuer", "client_id", "secret"} (README.md).
OIDC_PROVIDERS = env_json("OIDC_PROVIDERS", [])
try:
    SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": provider["id"],
                    "name": provider["name"],
                    "client_id": provider["client_id"],
                    "secret": provider.get("secret", ""),
                    "settings": {"server_url": provider["issuer"]},
                }
                for provider in OIDC_PROVIDERS
            ],
        }
    }
except KeyError as error:
    raise ImproperlyConfigured(
        f"OIDC_PROVIDERS: each provider needs id, name, issuer and client_id ({error} is missing)."
    ) from None
except TypeError:
    raise ImproperlyConfigured("OIDC_PROVIDERS must be a JSON list of objects (README.md).") from None
# Where "Sign in with ..." sends the browser: allowed by the Content-Security-Policy's form-action.
SIGN_IN_PROVIDER_ORIGINS = sorted(
    {"{0.scheme}://{0.netloc}".format(urlsplit(provider["issuer"])) for provider in OIDC_PROVIDERS}
)

# --- Operations -----------------------------------------------------------------------------------

# /healthz, /readyz and /metrics answer first of all (operations.middleware); django-prometheus's two
# middlewares wrap everything else, so that each request's time and status is counted.
INSTALLED_APPS += ["django_prometheus", "operations"]
MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "operations.middleware.OperatorEndpointsMiddleware",
    *MIDDLEWARE,
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]
# /metrics answers a request with this bearer token, or from these addresses or networks (CIDR);
# with neither set it answers nobody.
METRICS_TOKEN = env("METRICS_TOKEN")
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS")
try:
    METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network(entry, strict=False) for entry in METRICS_ALLOWED_IPS]
except ValueError as error:
    raise ImproperlyConfigured(f"METRICS_ALLOWED_IPS: {error}") from None

# --- Scheduling -----------------------------------------------------------------------------------

# The site's address as people reach it, for links in mails sent without a request (reminders).
SITE_URL = env("SITE_URL").rstrip("/") or (
    "http://localhost:8000"
    if DEBUG or not ALLOWED_HOSTS
    else f"{'https' if HTTPS else 'http'}://{ALLOWED_HOSTS[0]}"
)
REMINDERS = {
    # Each daphne process sends due reminders every INTERVAL seconds; turn it off where only
    # `manage.py send_reminders` (cron, a systemd timer) should send. Several senders never send twice.
    "IN_SERVER": env_bool("REMINDERS_IN_SERVER", True),
    "INTERVAL": env_int("REMINDERS_INTERVAL", 30),
}

# --- Logging --------------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO"), "propagate": False}},
}
