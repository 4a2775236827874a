"""Deployment: `manage.py check --deploy` is clean with the production settings as docs/deploy.md gives them,
the production settings refuse to start without a secret key, and our own deploy check catches a cache
that each worker keeps for itself."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import run_checks

ROOT = Path(__file__).resolve().parents[3]


def documented_env(tmp_path: Path) -> dict[str, str]:
    """The variables docs/deploy.md sets (with made-up values)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "XINFANG_", "SECURE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        XINFANG_DATA_DIR=str(tmp_path),
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="xinfang.example.gov.cn",
        CSRF_TRUSTED_ORIGINS="https://xinfang.example.gov.cn",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CACHE_URL="rediscache://127.0.0.1:6379/3",
        XINFANG_BEHIND_PROXY="1",
    )
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_the_documented_production_settings(tmp_path):
    done = manage(documented_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_production_settings_refuse_a_missing_secret_key(tmp_path):
    env = documented_env(tmp_path)
    del env["SECRET_KEY"]
    done = manage(env, "check")
    assert done.returncode != 0 and "SECRET_KEY" in done.stderr


def test_the_laptop_defaults_are_what_check_deploy_complains_about(settings):
    """The same check, in this process with the test settings (plain HTTP, a per-process cache): it would
    have said so, so the clean run above means something."""
    ids = {m.id for m in run_checks(include_deployment_checks=True)}
    assert {"security.W004", "security.W008", "security.W012", "security.W016", "xinfang.W001"} <= ids
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x"}
    }
    assert "xinfang.W001" not in {m.id for m in run_checks(include_deployment_checks=True)}


@pytest.mark.django_db
def test_https_settings_come_from_the_environment(tmp_path):
    env = documented_env(tmp_path)
    code = (
        "from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS,"
        " s.SECURE_PROXY_SSL_HEADER)"
    )
    done = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.split() == [
        "True",
        "True",
        "True",
        "31536000",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
    ]
    env["XINFANG_HTTPS"] = "0"
    done = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.split()[:4] == ["False", "False", "False", "0"]
