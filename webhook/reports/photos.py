"""Checking and storing report photos.

A photo is accepted when it is at most MAX_PHOTO_BYTES and Pillow can decode it. It
is stored re-encoded as JPEG, which drops EXIF (GPS position, camera serial numbers)
and every other metadata block. The EXIF orientation is applied first, so the
stored picture stands the way the resident saw it.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import stat
import uuid
from datetime import datetime
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from webhook.reports.models import StoredPhoto

logger = logging.getLogger(__name__)

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTO_PIXELS = 50_000_000
# Longest side of the stored picture: enough for staff to read a sign or a crack.
MAX_STORED_SIDE = 2560
JPEG_QUALITY = 85


def warn_if_others_can_read(photos_dir: Path) -> bool:
    """Log a warning and return True when users other than the owner and group
    may list or enter ``photos_dir``, as a folder made before photo folders got
    mode 0700 may allow. The photos themselves then depend on their own modes."""
    try:
        mode = photos_dir.stat().st_mode
    except OSError:
        return False
    if not mode & (stat.S_IROTH | stat.S_IXOTH):
        return False
    logger.warning(
        "photo folder %s can be read by every user on this machine (mode %o); "
        "run `chmod -R go-rwx` on it",
        photos_dir,
        stat.S_IMODE(mode),
    )
    return True


class PhotoRejected(Exception):
    """Raised when a download is not an acceptable photo; ``reason`` says why."""

    def __init__(self, reason: str, detail: str) -> None:
        self.reason = reason
        super().__init__(detail)


def store_photo(data: bytes, photos_dir: Path, message_id: str | None) -> StoredPhoto:
    """Check ``data``, write it EXIF-free under ``photos_dir`` and describe it.

    Raises PhotoRejected with reason "too_large" (over MAX_PHOTO_BYTES),
    "too_many_pixels" (over MAX_PHOTO_PIXELS) or "not_image".
    """
    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoRejected(
            "too_large", f"photo of {len(data)} bytes exceeds {MAX_PHOTO_BYTES}"
        )
    image = _decode(data)
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    image.thumbnail((MAX_STORED_SIDE, MAX_STORED_SIDE))

    # Pillow writes some of a decoded image's info back (the JPEG comment, which
    # may name a person), so the stored copy starts from none.
    image.info = {}
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    encoded = buffer.getvalue()
    relative = Path(uuid.uuid4().hex[:2]) / f"{uuid.uuid4().hex}.jpg"
    target = photos_dir / relative
    # mkdir's mode applies to the last folder only, so the photo folder itself
    # is made first, with its own mode.
    photos_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    target.parent.mkdir(mode=0o700, exist_ok=True)
    temporary = target.with_suffix(".tmp")
    # Readable by the server's user alone, whatever the umask: a photo may
    # show a resident's home or car.
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(encoded)
    os.replace(temporary, target)
    return StoredPhoto(
        path=relative.as_posix(),
        sha256=hashlib.sha256(encoded).hexdigest(),
        width=image.width,
        height=image.height,
        size_bytes=len(encoded),
        message_id=message_id,
    )


def _decode(data: bytes) -> Image.Image:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > MAX_PHOTO_PIXELS:
                raise PhotoRejected(
                    "too_many_pixels",
                    f"photo of {probe.width}x{probe.height} pixels exceeds "
                    f"{MAX_PHOTO_PIXELS}",
                )
            probe.verify()
        # verify() leaves the image unusable, so it is opened again to decode.
        image = Image.open(io.BytesIO(data))
        image.load()
    except PhotoRejected:
        raise
    except Image.DecompressionBombError as exc:
        raise PhotoRejected("too_many_pixels", str(exc)) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise PhotoRejected(
            "not_image", f"content is not a readable image: {exc}"
        ) from exc
    return image


def delete_photo_files(photos_dir: Path, paths: list[str]) -> list[str]:
    """Delete stored photo files and return those left on disk, each as its path
    and the cause ("photos/ab/cd.jpg (Permission denied)").

    A file that cannot be deleted is logged and skipped; a path outside
    ``photos_dir`` is never touched. A file already gone counts as deleted.
    """
    root = photos_dir.resolve()
    left = []
    for relative in paths:
        target = (photos_dir / relative).resolve()
        if root not in target.parents:
            logger.warning("photo path %r is outside the photos dir; skipped", relative)
            continue
        try:
            target.unlink(missing_ok=True)
        except OSError as exc:
            logger.warning("photo %s could not be deleted: %s", relative, exc)
            left.append(f"{target} ({exc.strerror or exc})")
    return left


def unlisted_photo_files(
    photos_dir: Path, listed: set[str], older_than: datetime
) -> list[str]:
    """Return the photo files under ``photos_dir`` (paths relative to it) that
    ``listed`` lacks and that were last changed before ``older_than``.

    Photos sit one folder deep (``ab/<hex>.jpg``); a ``.tmp`` file is a write
    that never finished.
    """
    if not photos_dir.is_dir():
        return []
    cutoff = older_than.timestamp()
    found = []
    for path in sorted(photos_dir.glob("*/*")):
        if path.suffix not in (".jpg", ".tmp") or not path.is_file():
            continue
        relative = path.relative_to(photos_dir).as_posix()
        if relative not in listed and path.stat().st_mtime < cutoff:
            found.append(relative)
    return found
