"""Production: base.py with HTTPS on, and nothing left to a default that only suits the laptop demo.

Everything still comes from the environment; docs/deploy.md lists it. Run with
DJANGO_SETTINGS_MODULE=config.settings.production; `manage.py check --deploy` is then clean
(xinfang/core/tests/test_deploy.py keeps it so).
"""

import os

from django.core.exceptions import ImproperlyConfigured

# Set explicitly, never generated: every server of a deployment must share one, and a generated file on a
# disk is a secret nobody put in the secrets store.
for _name in ("SECRET_KEY", "ALLOWED_HOSTS"):
    if not os.environ.get(_name):
        raise ImproperlyConfigured(f"生产环境必须设置环境变量 {_name}（见 docs/deploy.md）")

# HTTPS everywhere unless a variable says otherwise (base.py derives redirect, HSTS and secure cookies from it).
os.environ.setdefault("XINFANG_HTTPS", "1")
os.environ.setdefault("SECURE_HSTS_PRELOAD", "1")

from .base import *  # noqa: E402, F403
from .base import env  # noqa: E402

DEBUG = False
# Long enough that a stolen session cookie does not stay useful all week; staff log in each working day.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
