"""Settings of the benchmark server: the project's, plus the naive build's routes."""

from config.env import secret_key_or_generated
from config.settings.base import *  # noqa: F403
from config.settings.base import env

ROOT_URLCONF = "benchmarks.urls"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEBUG = False
SECRET_KEY = secret_key_or_generated()
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)  # noqa: F405
WHITENOISE_AUTOREFRESH = True  # no collectstatic for benchmark servers
