"""Tests of photo checks and EXIF removal."""

from __future__ import annotations

import io
import os
import stat

import pytest
from PIL import Image

from webhook.reports.photos import (
    MAX_PHOTO_BYTES,
    PhotoRejected,
    delete_photo_files,
    store_photo,
    warn_if_others_can_read,
)

ORIENTATION = 0x0112
MAKE = 0x010F
GPS_IFD = 0x8825


def jpeg_with_exif(width=60, height=40) -> bytes:
    """Return a JPEG with a camera make, a GPS position and a rotation in EXIF."""
    image = Image.new("RGB", (width, height), "blue")
    exif = Image.Exif()
    exif[MAKE] = "SecretCam"
    exif[ORIENTATION] = 6  # rotate 90 degrees clockwise to display
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (35.0, 42.0, 11.0)})
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def test_stored_photo_has_no_exif(tmp_path):
    data = jpeg_with_exif()
    assert b"SecretCam" in data
    photo = store_photo(data, tmp_path, "m1")
    stored = (tmp_path / photo.path).read_bytes()
    assert b"SecretCam" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert dict(image.getexif()) == {}
        assert image.format == "JPEG"
        # The orientation was applied before EXIF was dropped.
        assert image.size == (40, 60)
    assert photo.width == 40
    assert photo.height == 60
    assert photo.message_id == "m1"
    assert photo.size_bytes == len(stored)


def test_stored_photo_has_no_jpeg_comment(tmp_path):
    buffer = io.BytesIO()
    comment = "owner: 武蔵野太郎 090-0000-0000".encode()
    Image.new("RGB", (40, 30), "red").save(buffer, "JPEG", comment=comment)
    assert comment in buffer.getvalue()

    photo = store_photo(buffer.getvalue(), tmp_path, "m1")

    stored = (tmp_path / photo.path).read_bytes()
    assert comment not in stored
    assert b"\xff\xfe" not in stored


def test_png_is_stored_as_jpeg(tmp_path):
    buffer = io.BytesIO()
    Image.new("RGBA", (10, 10), (255, 0, 0, 128)).save(buffer, format="PNG")
    photo = store_photo(buffer.getvalue(), tmp_path, None)
    assert photo.path.endswith(".jpg")


def test_text_file_is_not_an_image(tmp_path):
    with pytest.raises(PhotoRejected) as caught:
        store_photo(b"%PDF-1.4 not a photo at all", tmp_path, "m1")
    assert caught.value.reason == "not_image"
    assert list(tmp_path.iterdir()) == []


def test_truncated_jpeg_is_not_an_image(tmp_path):
    data = jpeg_with_exif()
    with pytest.raises(PhotoRejected) as caught:
        store_photo(data[: len(data) // 2], tmp_path, "m1")
    assert caught.value.reason == "not_image"


def test_oversized_download_is_rejected(tmp_path):
    with pytest.raises(PhotoRejected) as caught:
        store_photo(b"\xff" * (MAX_PHOTO_BYTES + 1), tmp_path, "m1")
    assert caught.value.reason == "too_large"


def test_large_picture_is_scaled_down(tmp_path):
    buffer = io.BytesIO()
    Image.new("RGB", (4000, 1000), "white").save(buffer, format="JPEG")
    photo = store_photo(buffer.getvalue(), tmp_path, None)
    assert max(photo.width, photo.height) == 2560


def test_delete_photo_files_stays_in_photos_dir(tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    outside = tmp_path / "keep.txt"
    outside.write_text("keep")
    photo = store_photo(jpeg_with_exif(), photos, None)
    delete_photo_files(photos, [photo.path, "../keep.txt"])
    assert not (photos / photo.path).exists()
    assert outside.exists()


def test_stored_photo_is_readable_by_its_owner_alone(tmp_path):
    previous = os.umask(0o022)
    try:
        photo = store_photo(jpeg_with_exif(), tmp_path, "m1")
    finally:
        os.umask(previous)
    stored = tmp_path / photo.path
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE(stored.parent.stat().st_mode) == 0o700


def test_picture_of_too_many_pixels_is_named_so(tmp_path):
    buffer = io.BytesIO()
    Image.new("1", (8000, 8000)).save(buffer, format="PNG")
    data = buffer.getvalue()
    assert len(data) < MAX_PHOTO_BYTES
    with pytest.raises(PhotoRejected) as caught:
        store_photo(data, tmp_path, "m1")
    assert caught.value.reason == "too_many_pixels"


@pytest.mark.parametrize(
    ("mode", "warned"), [(0o755, True), (0o751, True), (0o750, False), (0o700, False)]
)
def test_photo_folder_open_to_others_warns(tmp_path, caplog, mode, warned):
    folder = tmp_path / "photos"
    folder.mkdir()
    folder.chmod(mode)

    assert warn_if_others_can_read(folder) is warned
    assert ("chmod -R go-rwx" in caplog.text) is warned


def test_missing_photo_folder_gives_no_warning(tmp_path, caplog):
    assert warn_if_others_can_read(tmp_path / "photos") is False
    assert caplog.text == ""


def test_new_photo_folder_gives_no_warning(tmp_path, caplog):
    folder = tmp_path / "data" / "photos"
    store_photo(jpeg_with_exif(), folder, "m1")

    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert warn_if_others_can_read(folder) is False
