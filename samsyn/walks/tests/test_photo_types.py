"""Walk photos are images of a known kind, stored and served as what they are,
never as what their uploaded name claims."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from samsyn.walks.models import Walk, WalkObservation
from samsyn.walks.tests.helpers import make_observation


@pytest.fixture
def walk(north, west_area):  # type: ignore[no-untyped-def]
    return Walk.objects.create(
        collaboration=north,
        area=west_area,
        title="Kvällsvandring",
        date=date(2026, 5, 4),
    )


def login(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def image_bytes(fmt: str) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buf, fmt)
    return buf.getvalue()


def observe(user, walk, upload):  # type: ignore[no-untyped-def]
    lighting = walk.collaboration.categories.get(code="unsafe_lighting")
    return login(user).post(
        f"/walks/{walk.code}/observe/",
        {"category": lighting.pk, "lat": "59.27", "lon": "15.20", "photo": upload},
    )


@pytest.mark.parametrize(
    ("name", "fmt", "kind", "ext"),
    [
        ("x.pdf", "PNG", "image/png", "png"),
        ("p.png", "JPEG", "image/jpeg", "jpg"),
        ("p.jpg", "WEBP", "image/webp", "webp"),
        ("p.png", "PNG", "image/png", "png"),
    ],
)
def test_a_photo_is_stored_and_served_as_the_image_it_is(
    bob, walk, name, fmt, kind, ext
):  # type: ignore[no-untyped-def]
    upload = SimpleUploadedFile(name, image_bytes(fmt), content_type="application/pdf")
    assert observe(bob, walk, upload).status_code == 302
    obs = WalkObservation.objects.get()
    try:
        assert obs.photo.name.endswith(f".{ext}")
        response = login(bob).get(f"/walks/observations/{obs.code}/photo/")
        assert response.status_code == 200
        assert response["Content-Type"] == kind
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"] == (
            f'inline; filename="{obs.code}.{ext}"'
        )
    finally:
        obs.photo.delete(save=False)


def test_an_image_of_another_kind_is_refused(bob, walk):  # type: ignore[no-untyped-def]
    upload = SimpleUploadedFile("x.png", image_bytes("BMP"), content_type="image/png")
    response = observe(bob, walk, upload)
    assert response.status_code == 422
    assert "JPEG, PNG or WebP" in response.content.decode()
    assert not WalkObservation.objects.exists()


@pytest.mark.parametrize("name", ["holiday.html", "no-extension"])
def test_a_name_that_is_no_image_name_is_refused(bob, walk, name):  # type: ignore[no-untyped-def]
    upload = SimpleUploadedFile(name, image_bytes("PNG"), content_type="image/png")
    assert observe(bob, walk, upload).status_code == 422
    assert not WalkObservation.objects.exists()


def test_a_stored_file_that_is_not_an_image_is_never_served_inline(bob, walk):  # type: ignore[no-untyped-def]
    """Stored before the check (or put there by hand): sent as a download of
    unknown type, whatever its name says."""
    obs = make_observation(walk)
    obs.photo.save("old.pdf", ContentFile(b"%PDF-1.4 not really"), save=True)
    try:
        response = login(bob).get(f"/walks/observations/{obs.code}/photo/")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/octet-stream"
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
    finally:
        obs.photo.delete(save=False)
