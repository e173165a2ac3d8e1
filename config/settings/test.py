"""Test settings: fast hashing, same database engine as the environment names."""

from config.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECRET_KEY = "test-secret-key"
# Static files are looked up per request: tests never run collectstatic.
WHITENOISE_AUTOREFRESH = True

# Attachments land in a directory of this test process, never in the checkout's var/ (a
# server a test starts in a subprocess inherits DATA_DIR when the test sets it).
if not env.str("DATA_DIR", default=""):  # noqa: F405
    import tempfile

    STORAGES["attachments"] = {  # noqa: F405
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tempfile.mkdtemp(prefix="fieldsync-attachments-")},
    }
