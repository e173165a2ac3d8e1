"""Test settings: fast hashing, same database engine as the environment names."""

from config.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECRET_KEY = "test-secret-key"
# Static files are looked up per request: tests never run collectstatic.
WHITENOISE_AUTOREFRESH = True
