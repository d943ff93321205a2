"""The site's sessions: Django's database sessions, saved without zlib."""

import zlib

import pytest
from django.contrib.sessions.backends import db

from demo_site.sessions import SessionStore

# Data zlib would shorten: Django's own store saves it compressed.
COMPRESSIBLE = {"notes": "the same words " * 50}


@pytest.fixture
def zlib_refused(monkeypatch) -> None:
    """zlib.compress raises: a save that still calls it fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("zlib.compress called")

    monkeypatch.setattr(zlib, "compress", refuse)


@pytest.mark.django_db
def test_session_save_never_compresses(zlib_refused):
    session = SessionStore()
    session.update(COMPRESSIBLE)
    session.create()
    assert SessionStore(session_key=session.session_key).load() == COMPRESSIBLE


@pytest.mark.django_db
def test_session_saved_compressed_still_loads():
    old = db.SessionStore()
    old.update(COMPRESSIBLE)
    old.create()
    stored = old.model.objects.get(session_key=old.session_key).session_data
    assert stored.startswith(".")  # Django's store did compress it
    assert SessionStore(session_key=old.session_key).load() == COMPRESSIBLE


@pytest.mark.django_db
def test_page_makes_its_session_without_zlib(client, zlib_refused):
    response = client.get("/")
    assert response.status_code == 200
    assert client.session.session_key
