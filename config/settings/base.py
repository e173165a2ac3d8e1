"""Settings shared by every environment; every value that varies comes from `config.env`."""

from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab

from config.env import BASE_DIR, env

# Empty unless set: each settings module says where its key comes from (dev: generated into
# var/secret_key; prod: the environment only; tests: a fixed one). Django refuses an empty key.
SECRET_KEY = env.str("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "fieldsync",
    "accidents",
    "victims",
    "figures",
    "exchange",
    "odk",
    "simulation",
    # After the project's apps, so their admin templates (header, index) override the admin's;
    # the site groups its pages by task (config.admin_site).
    "config.admin_site.TaskAdminConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Compresses what the views below answer (API JSON and CSV only), as the last step out.
    "fieldsync.middleware.ApiGZipMiddleware",
    # Static files (admin, the API's own Swagger UI and Redoc) from the app itself: no CDN, and
    # no separate web server needed on an offline provincial network.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "fieldsync.api.middleware.JsonApiErrorsMiddleware",
    "fieldsync.middleware.ContentLengthMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "fieldsync.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db(
        "DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'fieldsync.sqlite3'}"
    ),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers wait for each other instead of failing at once; WAL lets readers run beside them.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 30, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("lo", "ລາວ")]
TIME_ZONE = "Asia/Vientiane"
USE_I18N = True
USE_TZ = True
# The project's catalogs, then Django's own admin strings in Lao (Django ships none; kept apart
# so `makemessages` never marks them obsolete).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "django"]
# Lao dates (27/11/2026) and numbers: Django ships no Lao formats.
FORMAT_MODULE_PATH = ["config.formats"]

# Staff sessions end after a working day, and when the browser closes.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

STATIC_URL = "static/"
# Where the server keeps what it stores on disk (SQLite database aside: DATABASE_URL).
DATA_DIR = Path(env.str("DATA_DIR", default=str(BASE_DIR / "var")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    # Photos and documents (fieldsync.attachments): on disk under the data directory, or in an
    # S3-compatible store. Never served from a public URL: downloads go through the API's checks.
    "attachments": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "attachments")},
    },
}
if env.str("ATTACHMENTS_S3_BUCKET", default=""):
    STORAGES["attachments"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("ATTACHMENTS_S3_BUCKET"),
            "endpoint_url": env.str("ATTACHMENTS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("ATTACHMENTS_S3_REGION", default="") or None,
            "access_key": env.str("ATTACHMENTS_S3_ACCESS_KEY", default="") or None,
            "secret_key": env.str("ATTACHMENTS_S3_SECRET_KEY", default="") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": True,  # a name is the content's sha256: the same bytes
        },
    }
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "var" / "static"))

CACHES = {
    "default": env.cache("CACHE_URL", default="locmemcache://fieldsync"),
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["fieldsync.authentication.DeviceTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["fieldsync.api.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "fieldsync.api.errors.exception_handler",
    # An unknown `?format=` is ignored, never a 404 without a contract code.
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "fieldsync.api.negotiation.LenientFormatNegotiation",
    "UNAUTHENTICATED_USER": None,
    # Partner API: requests per token (fieldsync.api.records.TokenRateThrottle).
    "DEFAULT_THROTTLE_RATES": {
        "partner_read": env.str("PARTNER_API_READ_RATE", default="600/min"),
        "partner_write": env.str("PARTNER_API_WRITE_RATE", default="120/min"),
    },
}

# The OpenAPI viewers use the project's static files: the deployment network may be offline.
INSTALLED_APPS += ["drf_spectacular_sidecar"]
SPECTACULAR_SETTINGS = {
    "TITLE": "fieldsync API",
    "DESCRIPTION": "Tablet sync and partner API for Laos' UXO accident and victim records.",
    "VERSION": "1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "AccidentStatusEnum": "accidents.choices.AccidentStatus.values",
        "AssistanceStatusEnum": "victims.choices.AssistanceStatus.values",
        "PillarEnum": "victims.choices.Pillar.values",
        "YesNoUnknownEnum": "accidents.choices.YesNoUnknown.values",
    },
}

# Sync limits (contract: GET /api/v1/sync/info/).
FIELDSYNC = {
    "SCHEMA_VERSION": 1,
    "MIN_SCHEMA_VERSION": 1,
    "MAX_BATCH_RECORDS": env.int("SYNC_MAX_BATCH_RECORDS", default=1000),
    "MAX_BATCH_BYTES": env.int("SYNC_MAX_BATCH_BYTES", default=5 * 1024 * 1024),
    "MAX_PULL_LIMIT": 1000,
    # Login throttling (fieldsync.services.logins): per username and address, per username with
    # backoff, per address for devices never seen; the client address from trusted proxies only.
    "LOGIN_FAILURE_LIMIT": 10,
    "LOGIN_FAILURE_WINDOW": timedelta(minutes=15),
    "LOGIN_USERNAME_FREE_FAILURES": 10,
    "LOGIN_ADDRESS_FAILURE_LIMIT": env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=100),
    "TRUSTED_PROXIES": env.list("TRUSTED_PROXIES", default=[]),
    "MAINTENANCE": env.bool("SYNC_MAINTENANCE", default=False),
    # Imports: a sheet reaching beyond this many cells (rows x columns) is refused unread, and an
    # uploaded file never imported loses its content after this many days.
    "IMPORT_MAX_CELLS": env.int("IMPORT_MAX_CELLS", default=10_000_000),
    "IMPORT_FILE_RETENTION_DAYS": env.int("IMPORT_FILE_RETENTION_DAYS", default=14),
    # The cover of the reports the NRA files (CCM Article 7: the State and its national point
    # of contact; figures.reports). Empty phone or e-mail: left out of the cover.
    "REPORT_STATE": env.str("REPORT_STATE", default="Lao PDR"),
    "REPORT_CONTACT_ORGANISATION": env.str(
        "REPORT_CONTACT_ORGANISATION",
        default="National Regulatory Authority for UXO/Mine Action Sector (NRA)",
    ),
    "REPORT_CONTACT_PHONE": env.str("REPORT_CONTACT_PHONE", default=""),
    "REPORT_CONTACT_EMAIL": env.str("REPORT_CONTACT_EMAIL", default=""),
    # Attachments (contract: attachments.md): the largest file a tus upload may announce, and
    # how long an incomplete upload waits for its next byte before it is removed.
    "ATTACHMENT_MAX_SIZE": env.int("ATTACHMENT_MAX_SIZE", default=25 * 1024 * 1024),
    "ATTACHMENT_UPLOAD_EXPIRY": timedelta(
        hours=env.int("ATTACHMENT_UPLOAD_EXPIRY_HOURS", default=72)
    ),
    # ODK Collect (contract: openrosa.md): the largest submission POST, instance and files
    # together (HEAD submission announces it; Collect splits a larger one into several POSTs).
    "ODK_SUBMISSION_MAX_BYTES": env.int("ODK_SUBMISSION_MAX_BYTES", default=50 * 1024 * 1024),
    # The language of Collect's messages and media labels when it sends no Accept-Language.
    "ODK_LANGUAGE": env.str("ODK_LANGUAGE", default="lo"),
    # The largest instance XML parsed (a form with hundreds of victims stays far below it).
    "ODK_INSTANCE_MAX_BYTES": env.int("ODK_INSTANCE_MAX_BYTES", default=2 * 1024 * 1024),
}
# A push body may be as large as a batch; Django's own cap would refuse it first otherwise.
DATA_UPLOAD_MAX_MEMORY_SIZE = FIELDSYNC["MAX_BATCH_BYTES"] + 64 * 1024

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# The duplicate scan has a queue of its own: a long scan never delays the figures' refresh.
DUPLICATES_QUEUE = env.str("DUPLICATES_QUEUE", default="duplicates")
CELERY_TASK_ROUTES = {"accidents_duplicates_flag": {"queue": DUPLICATES_QUEUE}}
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Figures: each minute the slices still dirty (a refresh never enqueued); nightly, all of them.
    "statistics-sweep": {"task": "statistics_refresh", "schedule": 60.0},
    "statistics-rebuild": {"task": "statistics_rebuild", "schedule": crontab(hour=2, minute=30)},
    # Imports: the content of uploaded files never imported is dropped after the retention period.
    "import-files-expire": {"task": "import_files_expire", "schedule": crontab(hour=3, minute=15)},
    # Attachments: incomplete tus uploads past Upload-Expires, and their chunks, are removed.
    "attachments-expire": {"task": "attachments_expire", "schedule": crontab(minute=20)},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"redact_token_urls": {"()": "config.log_filters.RedactTokenUrls"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_token_urls"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
