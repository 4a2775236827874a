"""Test settings: the same as production except for speed (fast hashing, in-memory mail and files)."""

import os
import tempfile

os.environ.setdefault("XINFANG_DATA_DIR", tempfile.mkdtemp(prefix="xinfang-test-"))
os.environ.setdefault("SECRET_KEY", "test-only-not-secret")

from .base import *  # noqa: F403
from .base import DATA_DIR, STATIC_ROOT

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
XINFANG_SMS_BACKEND = "xinfang.core.notify.LocmemSmsBackend"  # keeps what it "sends" for the tests to read
# Tasks run where they are enqueued, in memory (huey's immediate mode); a test that needs the real queue starts
# a worker (xinfang/core/tests/test_two_servers.py).
HUEY = {**HUEY, "immediate": True}  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"
# One process per test run: a local cache is enough (tests that need a shared one start servers on Redis).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "xinfang-test"}}
DEBUG = False
# Serve static files straight from the apps (no collectstatic before tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
