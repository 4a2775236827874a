"""Assertions the language tests share: a page's text, and what it shows or must not show."""

from __future__ import annotations


def page_text(client, url: str, **headers) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200, url
    return response.content.decode()


def assert_shows(html: str, present: tuple[str, ...], absent: tuple[str, ...]) -> None:
    for text in present:
        assert text in html, text
    for text in absent:
        assert text not in html, text
