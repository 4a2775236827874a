"""Settings for the servers that test_two_servers.py starts: production's base settings as they are (the cache
from CACHE_URL, django-axes, the portal's limits), only serving static files from the apps so that no
collectstatic run is needed first."""

from config.settings.base import *  # noqa: F403

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
