"""The index on disk: a versioned folder per build and a pointer to the current one.

Layout under ``settings.index_dir``::

    CURRENT                     name of the folder in use, replaced with os.replace
    builds/<build id>/
        manifest.json           format version, sudachipy and dictionary versions,
                                parameters, page count, build time, and the
                                size and CRC-32 of every other file
        terms.json              term vocabulary, one entry per matrix column
        char_codes.npy          sorted n-gram codes, one per matrix column
        term_idf.npy, char_idf.npy
        term_matrix.npz         pages x terms
        char_matrix.npz         pages x n-grams
        window_matrix.npz       passage windows x terms
        window_starts.npy       first window row of each page
        pages.json              URL, title, breadcrumbs, passages per row

A build writes a new folder completely, then swaps ``CURRENT`` in one os.replace, so a
reader sees either the old index or the new one and never a half-written folder. The
newest few builds are kept, so that a reader that resolved the pointer just before a
swap can still finish loading the folder it chose.

Nothing is pickled: matrices are ``scipy.sparse.save_npz`` files and the rest is JSON
and ``.npy``, loaded with ``allow_pickle=False``.
"""

from __future__ import annotations

import contextlib
import errno
import importlib.metadata
import json
import logging
import os
import shutil
import tempfile
import time
import zlib
from dataclasses import fields
from pathlib import Path
from typing import NamedTuple
from zipfile import BadZipFile

import numpy as np
import sudachipy
from scipy import sparse

from cityline.errors import CitylineError
from index import word_groups
from index.tokenize import (
    WordGroupState,
    publish_word_groups,
    read_word_groups,
    word_groups_digest,
)
from index.vectorize import IndexModel, IndexParameters, PageEntry

logger = logging.getLogger(__name__)

# Raise this when the files or their meaning change; older folders are then rejected.
INDEX_FORMAT_VERSION = 6
POINTER_NAME = "CURRENT"
BUILDS_DIR = "builds"
KEEP_BUILDS = 3


class IndexNotFoundError(CitylineError):
    """Raised when no index has been built in the data dir yet."""


class IndexVersionError(CitylineError):
    """Raised when the index was built by other software versions or is damaged."""


class IndexWriteError(CitylineError):
    """Raised when a new build cannot be written into the index folder.

    The current index and its pointer stay as they were. ``error`` is the OSError
    that stopped the build. ``done`` and ``still_listed`` are set by a command
    that changed the page store first (see :meth:`after`).
    """

    def __init__(
        self,
        index_dir: Path,
        error: OSError,
        done: str | None = None,
        still_listed: str | None = None,
    ):
        self.index_dir = index_dir
        self.error = error
        self.done = done
        self.still_listed = still_listed
        super().__init__(self._message())

    def after(self, done: str, still_listed: str | None = None) -> IndexWriteError:
        """Return the same error, with what the command finished before the build.

        ``done`` comes first in the message, for example "the crawl was stored".
        ``still_listed`` names what the current index lists although the page
        store no longer contains it, for example "the removed pages".
        """
        return IndexWriteError(self.index_dir, self.error, done, still_listed)

    def _message(self) -> str:
        error = self.error
        reason = f"[Errno {error.errno}] {error.strerror}" if error.errno else error
        prefix = f"{self.done}, but " if self.done else ""
        listed = f", so it still lists {self.still_listed}" if self.still_listed else ""
        pointer = self.index_dir / POINTER_NAME
        if self.index_dir.exists() and not self.index_dir.is_dir():
            fix = "Move that file away, then run `cityline index`"
        elif pointer.is_dir():
            fix = (
                f"{str(pointer)!r} is a folder, where the index keeps a small text "
                "file; move that folder away, then run `cityline index`"
            )
        elif error.errno == errno.ENOSPC or _cut_short(error):
            fix = "Free space on its disk, then run `cityline index`"
        else:
            fix = "Run `cityline index` once the folder is writable"
        return (
            f"{prefix}the index was not rebuilt, because a new build could not be "
            f"written to the index folder {str(self.index_dir)!r} ({reason}). The "
            f"current index was left as it was{listed}. {fix}"
        )


def _cut_short(error: OSError) -> bool:
    """Tell whether ``error`` is numpy's report of a write cut short ("22039
    requested and 496 written"), which carries no errno but means a full disk."""
    return error.errno is None and "requested and" in str(error)


def software_versions() -> dict[str, str | int]:
    """Return the versions that decide how text becomes terms and index files.

    ``word_groups`` is the digest of :data:`index.word_groups.GROUPS_PATH` as this
    process read it, so an index built before the word groups changed is
    rejected like one built with another dictionary.
    """
    return {
        "index_format": INDEX_FORMAT_VERSION,
        "sudachipy": sudachipy.__version__,
        "sudachidict_core": importlib.metadata.version("sudachidict-core"),
        "word_groups": word_groups_digest(),
    }


def check_writable(index_dir: Path) -> None:
    """Create ``index_dir`` and its builds folder, and check that both are writable.

    A build calls this before it tokenizes, so that a read-only folder fails
    before the pages are tokenized and not at the end. Raises IndexWriteError.
    """
    try:
        builds = index_dir / BUILDS_DIR
        builds.mkdir(parents=True, exist_ok=True)
        for folder in (index_dir, builds):
            descriptor, name = tempfile.mkstemp(prefix=".write-test-", dir=folder)
            os.close(descriptor)
            os.unlink(name)
    except OSError as exc:
        raise IndexWriteError(index_dir, exc) from exc


def _new_build_id() -> str:
    """Return a build folder name that sorts in creation order: the UTC time
    to the second, its nanoseconds and the process id.

    Both parts come from one clock reading. Read apart, a build made just after
    a second began could take the earlier second with the later nanoseconds,
    and sort before the build made just before it. UTC keeps the order when the
    time zone changes between builds; a clock set back still breaks it.
    """
    now = time.time_ns()
    seconds, nanoseconds = divmod(now, 10**9)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(seconds))
    return f"{stamp}-{nanoseconds:09d}-{os.getpid()}"


def save_model(model: IndexModel, index_dir: Path) -> Path:
    """Write ``model`` as a new build folder and make it current; return the folder.

    Raises IndexWriteError when a file, folder or the pointer cannot be written.
    The current index then stays, and the folders of the failed build are deleted.
    """
    build_id = _new_build_id()
    builds = index_dir / BUILDS_DIR
    final = builds / build_id
    staging = builds / f".{build_id}.partial"
    try:
        builds.mkdir(parents=True, exist_ok=True)
        staging.mkdir()
        _write_files(model, staging)
        os.replace(staging, final)
        _sync_path(builds)
        _swap_pointer(index_dir, build_id)
    except BaseException as exc:
        _discard_build(index_dir, [staging, final])
        if isinstance(exc, OSError):
            raise IndexWriteError(index_dir, exc) from exc
        raise
    _remove_old_builds(builds, keep=build_id)
    logger.info("index %s is now current in %s", build_id, index_dir)
    return final


def _discard_build(index_dir: Path, folders: list[Path]) -> None:
    """Delete the ``folders`` of a failed build, unless the pointer names one.

    The pointer names the new build when the failure came after its os.replace,
    and the build is then current and must stay.
    """
    try:
        current = (index_dir / POINTER_NAME).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        current = None
    for folder in folders:
        if folder.name == current or not folder.exists():
            continue
        shutil.rmtree(folder, ignore_errors=True)
        if folder.exists():
            logger.warning(
                "failed to delete %s of a failed index build; delete it by hand", folder
            )


def _write_files(model: IndexModel, folder: Path) -> None:
    manifest = {
        **software_versions(),
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "page_count": model.page_count,
        "parameters": model.parameters.to_json(),
    }
    _write_json(folder / "terms.json", _columns(model.term_vocabulary))
    np.save(folder / "char_codes.npy", model.char_codes, allow_pickle=False)
    np.save(folder / "term_idf.npy", model.term_idf, allow_pickle=False)
    np.save(folder / "char_idf.npy", model.char_idf, allow_pickle=False)
    # Uncompressed: loading and writing stay fast, and the files are small anyway.
    for name, matrix in (
        ("term_matrix.npz", model.term_matrix),
        ("char_matrix.npz", model.char_matrix),
        ("window_matrix.npz", model.window_matrix),
    ):
        sparse.save_npz(folder / name, matrix, compressed=False)
    np.save(folder / "window_starts.npy", model.window_starts, allow_pickle=False)
    # _write_json syncs the JSON files itself, so only the arrays are left.
    for path in folder.iterdir():
        if path.suffix in (".npy", ".npz"):
            _sync_path(path)
    _write_json(folder / "pages.json", [_page_json(page) for page in model.pages])
    manifest["files"] = {
        path.name: _file_sum(path) for path in sorted(folder.iterdir())
    }
    # The manifest goes last, after every other file is on disk: a folder
    # without one was never finished.
    _write_json(folder / "manifest.json", manifest)
    _sync_path(folder)


def _file_sum(path: Path) -> dict[str, int]:
    """Return the size and CRC-32 of the file at ``path``."""
    checksum = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            checksum = zlib.crc32(chunk, checksum)
    return {"bytes": path.stat().st_size, "crc32": checksum}


def _check_files(manifest: dict, folder: Path) -> None:
    """Raise IndexVersionError when a file of ``folder`` differs from the manifest.

    numpy's .npy files carry no checksum, so a flipped byte would otherwise load
    and rank with wrong numbers. A manifest without ``files`` (an older build)
    is not checked.
    """
    for name, expected in (manifest.get("files") or {}).items():
        try:
            found = _file_sum(folder / name)
        except OSError as exc:
            found, problem = None, str(exc)
        else:
            problem = f"{name} does not match its size and CRC-32 in the manifest"
        if found != expected:
            raise IndexVersionError(
                f"index {str(folder)!r} cannot be read ({problem}); run "
                "`cityline index` to rebuild it"
            )


def _sync_path(path: Path) -> None:
    """Flush the file or folder at ``path`` to disk (a folder's entries included)."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _page_json(page: PageEntry) -> dict:
    """Return the fields of ``page`` as a dict that shares its lists.

    ``dataclasses.asdict`` would deep-copy every passage list first.
    """
    return {name: getattr(page, name) for name in _PAGE_FIELDS}


_PAGE_FIELDS = tuple(item.name for item in fields(PageEntry))


def _columns(vocabulary: dict[str, int]) -> list[str]:
    columns = [""] * len(vocabulary)
    for term, column in vocabulary.items():
        columns[column] = term
    return columns


def _write_json(path: Path, data: object) -> None:
    # json.dumps encodes in C in one pass; json.dump would take the Python encoder.
    text = json.dumps(data, ensure_ascii=False)
    with path.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _swap_pointer(index_dir: Path, build_id: str) -> None:
    temporary = index_dir / f".{POINTER_NAME}.{os.getpid()}.tmp"
    try:
        with temporary.open("w", encoding="utf-8") as handle:
            handle.write(build_id + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, index_dir / POINTER_NAME)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        raise
    # The new build is current from here on, so a failed sync is no failed build.
    try:
        _sync_path(index_dir)
    except OSError as exc:
        logger.warning(
            "index %s is current, but syncing %s failed (%s); a crash before the "
            "next sync may bring back the previous pointer",
            build_id,
            index_dir,
            exc,
        )


def _remove_old_builds(builds: Path, keep: str) -> None:
    finished = sorted(
        (path for path in builds.iterdir() if not path.name.startswith(".")),
        key=lambda path: path.name,
    )
    for old in finished[:-KEEP_BUILDS]:
        if old.name != keep:
            shutil.rmtree(old, ignore_errors=True)
    _remove_abandoned_partials(builds)


def _remove_abandoned_partials(builds: Path) -> None:
    """Delete the staging folders of builds whose process is gone.

    A build killed while writing (kill -9, a power cut) leaves ``.ID.partial``
    behind, as large as a whole index. The build id ends in the writer's process
    id; a folder whose process still runs belongs to a build in progress and
    stays.
    """
    for folder in builds.glob(".*.partial"):
        pid = folder.name.removesuffix(".partial").rpartition("-")[2]
        if not pid.isdigit() or _process_alive(int(pid)):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        logger.info("deleted %s, left by an index build that was stopped", folder)


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def current_build(index_dir: Path) -> str:
    """Return the id of the current build; raise IndexNotFoundError if there is none."""
    pointer = index_dir / POINTER_NAME
    try:
        build_id = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise IndexNotFoundError(
            f"no search index in {str(index_dir)!r}; run `cityline index` to build "
            "it, after `cityline crawl URL` if no site was crawled into this data dir"
        ) from None
    except NotADirectoryError:
        raise IndexNotFoundError(
            f"the index folder {str(index_dir)!r} is a file; move it away, then run "
            "`cityline index`"
        ) from None
    except IsADirectoryError:
        raise IndexVersionError(
            f"index pointer {str(pointer)!r} is a folder, where the index keeps a "
            "small text file; move it away, then run `cityline index`"
        ) from None
    except UnicodeDecodeError:
        raise IndexVersionError(
            f"index pointer {str(pointer)!r} is not UTF-8 text; run `cityline index` "
            "to rebuild"
        ) from None
    if not build_id:
        raise IndexVersionError(
            f"index pointer {str(pointer)!r} is empty; run `cityline index` to rebuild"
        )
    # A build id is a folder name under builds/, never a path elsewhere.
    if build_id in (".", "..") or "/" in build_id or "\\" in build_id:
        raise IndexVersionError(
            f"index pointer {str(pointer)!r} names {build_id!r}, which is not a build "
            "folder; run `cityline index` to rebuild"
        )
    return build_id


def pointer_stamp(index_dir: Path) -> tuple[int, int] | None:
    """Return (inode, mtime_ns) of the pointer file, or None when it does not exist.

    os.replace gives the pointer a new inode, so a changed stamp means a new build.
    """
    try:
        status = (index_dir / POINTER_NAME).stat()
    except (FileNotFoundError, NotADirectoryError):
        # No pointer, or an index "folder" that is a file: load_model raises the
        # matching error.
        return None
    return status.st_ino, status.st_mtime_ns


def load_model(index_dir: Path) -> tuple[IndexModel, dict]:
    """Load the current build; return the model and its manifest.

    Raises IndexNotFoundError when there is no index and IndexVersionError when it
    was built by another index format, SudachiPy or dictionary version, or cannot
    be read. A build that newer builds replaced while it was being read is not an
    error, even when it was deleted meanwhile: the current build is loaded instead.
    A build made with a word group file changed since this process read it makes
    the file, read again, the process's groups (see :func:`load_build`).
    """
    build = load_build(index_dir)
    build.publish_word_groups()
    return build.model, build.manifest


class LoadedBuild(NamedTuple):
    """A build read from disk, with the word groups it needs published later.

    ``word_groups`` is None when the process's groups already fit the build.
    Otherwise it is the word group file as read again, which
    :meth:`publish_word_groups` makes the process's groups: the caller does so
    in the same step in which it starts answering from ``model``, so that no
    question of the old index is tokenized with the new groups.
    """

    model: IndexModel
    manifest: dict
    word_groups: WordGroupState | None

    def publish_word_groups(self) -> None:
        """Make this build's word groups the process's, if they differ."""
        if self.word_groups is not None:
            logger.info("the word group file changed since it was read; using it now")
            publish_word_groups(self.word_groups)


def load_build(index_dir: Path) -> LoadedBuild:
    """Load the current build as :func:`load_model` does, without publishing its
    word groups; raise the same errors."""
    attempts = 0
    while True:
        build_id = current_build(index_dir)
        folder = index_dir / BUILDS_DIR / build_id
        try:
            return _load_build(folder)
        except IndexVersionError:
            attempts += 1
            # A replaced build may be half deleted with its folder still there, so
            # only the pointer shows the replacement. A current build that fails
            # is a real error.
            replaced = current_build(index_dir) != build_id
            if not replaced or attempts >= LOAD_ATTEMPTS:
                raise
            logger.info("index build %s was replaced while loading; retrying", build_id)


# Loads of a build that newer builds deleted meanwhile, before giving up. Builds
# take seconds and KEEP_BUILDS of them must finish during one load for this.
LOAD_ATTEMPTS = 3


def _load_build(folder: Path) -> LoadedBuild:
    """Load the build in ``folder``; raise IndexVersionError if it cannot be used."""
    manifest = _read_manifest(folder)
    switch_groups = check_versions(manifest, folder)
    _check_files(manifest, folder)
    try:
        model = IndexModel(
            parameters=IndexParameters.from_json(manifest["parameters"]),
            term_vocabulary=_vocabulary(folder / "terms.json"),
            term_idf=np.load(folder / "term_idf.npy", allow_pickle=False),
            term_matrix=_load_matrix(folder / "term_matrix.npz"),
            char_codes=np.load(folder / "char_codes.npy", allow_pickle=False),
            char_idf=np.load(folder / "char_idf.npy", allow_pickle=False),
            char_matrix=_load_matrix(folder / "char_matrix.npz"),
            window_matrix=_load_matrix(folder / "window_matrix.npz"),
            window_starts=np.load(folder / "window_starts.npy", allow_pickle=False),
            pages=[PageEntry(**page) for page in _read_json(folder / "pages.json")],
        )
    except (OSError, ValueError, KeyError, TypeError, EOFError, BadZipFile) as exc:
        raise IndexVersionError(
            f"index {str(folder)!r} cannot be read ({exc}); run `cityline index` to "
            "rebuild it"
        ) from exc
    problem = _inconsistency(model)
    if problem:
        raise IndexVersionError(
            f"index {str(folder)!r} is inconsistent ({problem}); run `cityline index` "
            "to rebuild it"
        )
    groups = (
        _reread_word_groups(manifest["word_groups"], folder) if switch_groups else None
    )
    return LoadedBuild(model, manifest, groups)


def _reread_word_groups(digest: str, folder: Path) -> WordGroupState:
    """Read the word group file again and return it if its digest is still
    ``digest``; raise IndexVersionError if not."""
    state = read_word_groups()
    if state.digest != digest:
        raise IndexVersionError(
            f"index {str(folder)!r} was built with word groups {digest!r}, but "
            f"{word_groups.GROUPS_PATH} changed again since ({state.digest!r}); run "
            "`cityline index` to rebuild it"
        )
    return state


def _inconsistency(model: IndexModel) -> str | None:
    """Return what does not fit together in ``model``'s arrays, or None.

    A file cut short or swapped with one of another build loads without error
    but would make ranking fail or pick wrong rows, so the sizes are checked.
    """
    pages, terms = model.page_count, len(model.term_vocabulary)
    window_rows = model.window_matrix.shape[0]
    checks = (
        (model.term_matrix.shape == (pages, terms), "term matrix shape"),
        (len(model.term_idf) == terms, "term idf length"),
        (model.window_matrix.shape[1] == terms, "window matrix columns"),
        (model.char_matrix.shape == (pages, len(model.char_codes)), "n-gram matrix"),
        (len(model.char_idf) == len(model.char_codes), "n-gram idf length"),
        (len(model.window_starts) == pages, "window starts length"),
        (
            pages == 0
            or (
                bool(np.all(np.diff(model.window_starts) >= 0))
                and int(model.window_starts[0]) >= 0
                and int(model.window_starts[-1]) <= window_rows
            ),
            "window starts range",
        ),
    )
    wrong = [name for passed, name in checks if not passed]
    return ", ".join(wrong) if wrong else None


def _read_manifest(folder: Path) -> dict:
    try:
        manifest = _read_json(folder / "manifest.json")
    except (OSError, ValueError) as exc:
        raise IndexVersionError(
            f"index {str(folder)!r} has no readable manifest ({exc}); run "
            "`cityline index` to rebuild it"
        ) from exc
    if not isinstance(manifest, dict) or not isinstance(
        manifest.get("files", {}), dict
    ):
        raise IndexVersionError(
            f"index {str(folder)!r} has a damaged manifest (not an object with a "
            "files object); run `cityline index` to rebuild it"
        )
    return manifest


def check_versions(manifest: dict, folder: Path) -> bool:
    """Raise IndexVersionError unless ``manifest`` matches the running software.

    Returns True when the index differs only in its word groups and was built
    with the word group file as it is on disk now, while this process still
    uses the groups it read before. The caller then loads the index and, once it
    has loaded in full, switches to the file's groups, so a running server
    takes the index that ``cityline index`` built after the file was edited.
    """
    expected = software_versions()
    found = {key: manifest.get(key) for key in expected}
    if (
        _only_word_groups_differ(found, expected)
        and found["word_groups"] == word_groups.groups_digest()
    ):
        return True
    if found != expected:
        differences = ", ".join(
            f"{key} {found[key]!r} (running {expected[key]!r})"
            for key in expected
            if found[key] != expected[key]
        )
        hint = ""
        if found["word_groups"] != expected["word_groups"]:
            hint = f" (word_groups is the digest of {word_groups.GROUPS_PATH})"
        raise IndexVersionError(
            f"index {str(folder)!r} was built with other versions: {differences}"
            f"{hint}; run `cityline index` to rebuild it"
        )
    return False


def _only_word_groups_differ(found: dict, expected: dict) -> bool:
    return [key for key in expected if found[key] != expected[key]] == ["word_groups"]


def _load_matrix(path: Path) -> sparse.csc_matrix:
    return sparse.csc_matrix(sparse.load_npz(path))


def _vocabulary(path: Path) -> dict[str, int]:
    return {term: column for column, term in enumerate(_read_json(path))}


def _read_json(path: Path) -> object:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)
