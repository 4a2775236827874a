"""Settings for every deployment, read from the environment (django-environ).

A county office runs this on one laptop with no configuration at all: SQLite in ./data, a secret key
generated once and kept there. A province sets DATABASE_URL to PostgreSQL and SECRET_KEY explicitly.
"""

import secrets
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

DATA_DIR = Path(env.str("XINFANG_DATA_DIR", default=str(Path.cwd() / "data"))).resolve()


def _secret_key() -> str:
    """Use SECRET_KEY if given; otherwise generate one once and keep it next to the SQLite data."""
    key = env.str("SECRET_KEY", default="")
    if key:
        return key
    path = DATA_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "axes",
    "django_htmx",
    "js_lib_htmx",
    # background tasks: `xinfang worker` (ADR 0015, xinfang/core/tasks.py)
    "huey.contrib.djhuey",
    "xinfang.core",
    "xinfang.orgs",
    "xinfang.deadlines",
    "xinfang.people",
    "xinfang.cases",
    "xinfang.intake",
    "xinfang.supervision",
    "xinfang.evaluation",
    "xinfang.documents",
    "xinfang.reception",
    "xinfang.resolution",
    "xinfang.search",
    "xinfang.analytics",
    "xinfang.portal",
    "xinfang.workspace",
    "xinfang.api",
    "xinfang.generator",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "xinfang.core.middleware.BadInputMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "xinfang.orgs.middleware.ActingBodyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "xinfang.core.middleware.ApplicationErrorMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "xinfang" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "xinfang.orgs.context_processors.acting_body",
                "xinfang.core.periods.periods_context",
            ],
        },
    }
]


def _databases() -> dict:
    default_sqlite = f"sqlite:///{DATA_DIR / 'xinfang.sqlite3'}"
    url = env.str("DATABASE_URL", default=default_sqlite)
    if url.startswith("sqlite"):
        DATA_DIR.mkdir(parents=True, exist_ok=True)
    db = environ.Env.db_url_config(url)
    if db["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at BEGIN so
        # two officers writing at once queue instead of failing half-way with "database is locked".
        db["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    else:
        db["CONN_HEALTH_CHECKS"] = True
        if env.bool("XINFANG_CASE_PAGE_PREPARE", default=True):
            # psycopg may prepare a statement that asks for it (the case page's, workspace/page_cache.py) and
            # no other: Django's cursors bind on the client and never prepare, whatever the threshold. Django
            # leaves it None (nothing prepared, for poolers in transaction mode: turn this setting off there).
            db.setdefault("OPTIONS", {}).setdefault("prepare_threshold", 2**31 - 1)
    # Keep each worker's connection between requests (issue 14): a new one costs more than a cached case page
    # — on PostgreSQL the login handshake, on SQLite opening the file, the PRAGMAs and parsing the schema
    # before the first statement (≈ 7 ms of worker CPU per page measured, docs/performance.md).
    db.setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    return {"default": db}


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "orgs.User"
# django-axes counts failed staff logins in the database, so every worker and every server sees the same
# count (docs/security.md, "Edges, audit, backup").
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, the session's user read by a statement compiled once (issue 14)
    "xinfang.orgs.backends.UserBackend",
]
AXES_FAILURE_LIMIT = env.int("XINFANG_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("XINFANG_LOGIN_COOLOFF_HOURS", default=0.25)
# One account, from wherever the guesses come (等保: limit failed logins per account).
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_VERBOSE = False
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "xinfang" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "xinfang" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = Path(env.str("XINFANG_MEDIA_ROOT", default=str(DATA_DIR / "media")))
MEDIA_URL = "media/"

# Counters that limit guessing (the portal's 查询码 lockout, API throttles) live in this cache, so it must be
# one store for all workers: by default a folder next to the data (every worker of one machine shares it);
# several servers set CACHE_URL=rediscache://… (docs/deploy.md).
CACHES = {"default": env.cache_url("CACHE_URL", default=f"filecache://{DATA_DIR / 'cache'}")}
# django-environ leaves `?key_prefix=…` of CACHE_URL in lower case, where Django never reads it: several
# deployments (or test runs) on one Redis keep apart only with it.
if "key_prefix" in CACHES["default"]:
    CACHES["default"]["KEY_PREFIX"] = CACHES["default"].pop("key_prefix")
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "xinfang.core.cache.RedisCache"  # Django's, one client kept (issue 14)

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="xinfang@localhost")
# Background tasks (huey, ADR 0015; xinfang/core/tasks.py). XINFANG_QUEUE_URL unset: a SQLite file in the data
# folder (the laptop, one server: no extra service); redis://host:6379/N for several servers. The worker is
# `xinfang worker` (`xinfang demo` starts one itself).
XINFANG_QUEUE_URL = env.str("XINFANG_QUEUE_URL", default="")
HUEY = {
    "name": "xinfang",
    "immediate": env.bool("XINFANG_TASKS_IMMEDIATE", default=False),
    # crontab schedules in local time: Django sets the process time zone to TIME_ZONE
    "utc": False,
    "consumer": {"workers": env.int("XINFANG_WORKER_THREADS", default=2), "worker_type": "thread"},
    **(
        {"huey_class": "huey.RedisHuey", "url": XINFANG_QUEUE_URL}
        if XINFANG_QUEUE_URL.startswith(("redis://", "rediss://", "unix://"))
        else {"huey_class": "huey.SqliteHuey", "filename": str(DATA_DIR / "tasks.sqlite3")}
    ),
}
# Read events wait in the outbox (core_eventoutbox) until the periodic flush moves them into the event log.
XINFANG_OUTBOX_FLUSH_BATCH = env.int("XINFANG_OUTBOX_FLUSH_BATCH", default=5000)
# The rendered case page kept per (what it shows, user, body and roles, language, day) — ADR 0020; a stored
# page lives at most this long (it is replaced as soon as the case or the reference data changes).
XINFANG_CASE_PAGE_CACHE = env.bool("XINFANG_CASE_PAGE_CACHE", default=True)
XINFANG_CASE_PAGE_CACHE_SECONDS = env.int("XINFANG_CASE_PAGE_CACHE_SECONDS", default=900)
# SMS goes through xinfang.core.notify; the logging backend writes messages to the log only.
XINFANG_SMS_BACKEND = env.str("XINFANG_SMS_BACKEND", default="xinfang.core.notify.LoggingSmsBackend")

# Sessions in the database by default; several servers with Redis set
# SESSION_ENGINE=django.contrib.sessions.backends.cached_db (read from the cache, written through to the database).
# xinfang.core.sessions: Django's database sessions, read by a statement written once (issue 14).
SESSION_ENGINE = env.str("SESSION_ENGINE", default="xinfang.core.sessions")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# HTTPS (docs/deploy.md). Off by default so the laptop demo works on http://127.0.0.1; XINFANG_HTTPS=1 turns
# every part on at once, and each can still be set on its own.
XINFANG_HTTPS = env.bool("XINFANG_HTTPS", default=False)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=XINFANG_HTTPS)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=XINFANG_HTTPS)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=XINFANG_HTTPS)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600 if XINFANG_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=XINFANG_HTTPS)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Behind a reverse proxy that terminates TLS and sets X-Forwarded-Proto (and only then: a client could send
# the header itself to a server it reaches directly).
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("XINFANG_BEHIND_PROXY", default=False) else None
)
USE_X_FORWARDED_HOST = env.bool("USE_X_FORWARDED_HOST", default=False)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts only from our own static files or inline blocks that carry
# the request's nonce (`<script nonce="{{ request.csp_nonce }}">`); no inline event handlers, no eval.
# Styles allow inline attributes (the templates and ECharts set them; CSS cannot run code).
from csp.constants import NONCE, NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "xinfang.api.auth.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "xinfang.api.errors.exception_handler",
    # JSON only (the schema says so too); nesting and NUL characters refused before any serializer runs.
    "DEFAULT_PARSER_CLASSES": ["xinfang.api.parsers.SafeJSONParser"],
    # Per token (or per user for a session, per address without either), counted in the shared cache.
    "DEFAULT_THROTTLE_CLASSES": ["xinfang.api.throttles.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": env.str("XINFANG_API_RATE", default="300/min")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "xinfang API",
    "DESCRIPTION": "信访事项依法办理系统 REST API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # One name for the cases' 处理意见 choices, whichever field (outcome, review_outcome, rereview_outcome).
    "ENUM_NAME_OVERRIDES": {
        "CaseOutcomeEnum": "xinfang.cases.models.Outcome",
        "SupervisionStatusEnum": "xinfang.supervision.models.SupervisionStatus",
        "RecommendationKindEnum": "xinfang.supervision.models.RecommendationKind",
        "LeaderStepKindEnum": "xinfang.supervision.models.StepKind",
        "ReferralKindEnum": "xinfang.resolution.rules.ReferralKind.values",
        "ReferralStatusEnum": "xinfang.resolution.models.Status.values",
        "ReturnVisitKindEnum": "xinfang.evaluation.models.ReturnVisitKind",
        "ReviewResultEnum": "xinfang.evaluation.models.ReviewResult",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "xinfang.api.schema.postprocess",
    ],
}

# Local rules an administrator may change per deployment (docs/domain.md: (setting)).
XINFANG_COUNT_WORKING_DAYS_ONLY = env.bool("XINFANG_COUNT_WORKING_DAYS_ONLY", default=False)
XINFANG_YELLOW_DAYS = env.int("XINFANG_YELLOW_DAYS", default=3)
# None: the default of the periods table (xinfang/core/periods.py, "evaluation").
XINFANG_EVALUATION_WINDOW_DAYS = env.int("XINFANG_EVALUATION_WINDOW_DAYS", default=None)
# The home page's to-do panels, one function per feature app: panel(actor) -> {"template": ..., ...} | None.
# An app adds its own line here (xinfang/workspace/views.py::home_panels).
XINFANG_HOME_PANELS: list[str] = [
    "xinfang.supervision.panels.panel",
    "xinfang.reception.home.panel",
    "xinfang.resolution.panels.panel",
    "xinfang.intake.panels.panel",
    "xinfang.documents.panels.panel",
    "xinfang.evaluation.panels.rectification_panel",
]
# The daily ledger's extra sections, one function per feature app: panel(actor) -> {"template": ...} | None
# (xinfang/deadlines/views.py::ledger). Documents: the notices not yet served (issue 15).
XINFANG_LEDGER_PANELS: list[str] = ["xinfang.documents.panels.ledger_panel"]
# Feature apps' demo data, loaded by `xinfang demo` after the demo cases, in this order; each returns a line
# to print (xinfang/cli.py).
XINFANG_DEMO_LOADERS: list[str] = [
    "xinfang.supervision.demo.demo_load",
    "xinfang.reception.demo.demo_load",
    "xinfang.resolution.demo.demo_load",
    "xinfang.documents.demo.demo_load",
    "xinfang.evaluation.quality_demo.demo_load",
    "xinfang.evaluation.return_visit_demo.demo_load",
    # last: it indexes for search whatever the loaders before it wrote in bulk
    "xinfang.search.demo.demo_load",
]
# Local practice: a mediation referral pauses the case's registration/handling clock until it comes back
# (the law excludes only hearing time, Art. 36; the default keeps the clocks running). xinfang/resolution.
XINFANG_REFERRAL_PAUSES_CLOCKS = env.bool("XINFANG_REFERRAL_PAUSES_CLOCKS", default=False)
# From this many cases on, `xinfang generate` drops indexes and tally triggers for the load (SQLite; restored
# after, or by `xinfang doctor --repair` after a kill).
XINFANG_BULK_DROP_FROM = env.int("XINFANG_BULK_DROP_FROM", default=100_000)
# 督办 reply period in working days (local practice; xinfang/core/periods.py)
# None (unset): the periods table's default, so the number lives in one place.
XINFANG_SUPERVISION_REPLY_DAYS = env.int("XINFANG_SUPERVISION_REPLY_DAYS", default=None)
# Art. 40 建议: days for the body's written feedback; a red light opens a 系统督办 by itself unless switched
# off; leaders' reception days every N months per level (xinfang/supervision, docs/supervision.md).
XINFANG_RECOMMENDATION_FEEDBACK_DAYS = env.int("XINFANG_RECOMMENDATION_FEEDBACK_DAYS", default=None)
XINFANG_SUPERVISION_AUTO_SYSTEM = env.bool("XINFANG_SUPERVISION_AUTO_SYSTEM", default=True)
# Quality review (docs/quality.md): days a body has for its 整改 after a failed review (None: the periods table).
XINFANG_RECTIFICATION_DAYS = env.int("XINFANG_RECTIFICATION_DAYS", default=None)
# 回访 (docs/quality.md "Return visits"): planned this many days after the answer is issued (local practice).
XINFANG_RETURN_VISIT_AFTER_DAYS = env.int("XINFANG_RETURN_VISIT_AFTER_DAYS", default=7)
# Annual assessment (Art. 39; docs/figures.md "年度考核"): points of each review result, and per side the weight
# of each indicator (merged over xinfang/analytics/assessment.py DEFAULT_WEIGHTS; 0 leaves one out).
XINFANG_REVIEW_RESULT_POINTS: dict[str, int] = {"pass": 100, "basic": 60, "fail": 0}
XINFANG_ASSESSMENT_WEIGHTS: dict[str, dict[str, int]] = {}
XINFANG_LEADER_RECEPTION_EVERY_MONTHS = {"city": 3, "county": 1, "township": 1}
# Daily jobs run after `ledger_build` builds the day's ledger (each "module.function(day=...) -> str").
XINFANG_DAILY_JOBS: list[str] = [
    "xinfang.supervision.jobs.supervision_daily",
    "xinfang.evaluation.jobs.evaluation_daily",  # 回访 for answers that have none yet
    "xinfang.core.maintenance.statistics_daily",  # SQLite: ANALYZE (no autovacuum there), after the day's jobs
]
# Documents (issue 15): a folder whose documents/<kind>.html override the shipped wording (searched first);
# 意见书, 不予/不再受理 and 延期 wait for the body head's approval (the transition table's sign_off column).
XINFANG_DOCUMENT_TEMPLATES_DIR = env.str("XINFANG_DOCUMENT_TEMPLATES_DIR", default="")
XINFANG_GROUP_VISIT_MIN_PEOPLE = env.int("XINFANG_GROUP_VISIT_MIN_PEOPLE", default=5)
# How many days before registration a registrar may date a petition's arrival (a letter that came in
# before the weekend); each backdated registration is logged with the gap (issue #16).
XINFANG_BACKDATE_MAX_DAYS = env.int("XINFANG_BACKDATE_MAX_DAYS", default=7)
XINFANG_SATISFACTION_COUNTS_BASIC = env.bool("XINFANG_SATISFACTION_COUNTS_BASIC", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
    "loggers": {
        "xinfang": {"level": env.str("XINFANG_LOG_LEVEL", default="INFO")},
        # the worker's own lines (task started, done, retried), once: `xinfang worker` adds no second handler
        "huey": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# The figures' covering clock index carries INCLUDE columns for PostgreSQL's index-only scans; SQLite keeps
# the key columns and ignores the rest, which is what we want there, so its warning is not news.
# axes.W006 wants the address among the lockout parameters; we lock the account itself (AXES_LOCKOUT_PARAMETERS),
# which no change of address, browser or cookie gets around, and an office behind one NAT address is not
# locked out by one colleague's typos.
SILENCED_SYSTEM_CHECKS = ["models.W040", "axes.W006"]
