import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _no_cached_rising_issues():
    """The dashboard keeps a body's rising issues a while (analytics.rising): start every test without them."""
    cache.clear()
    yield
    cache.clear()
