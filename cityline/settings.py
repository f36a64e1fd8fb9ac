"""Settings read once from the environment and passed to constructors.

Every variable has the prefix ``CITYLINE_``, except the two LINE channel secrets, which
keep the names that LINE's own tools use. Nothing here reads the environment at import
time: call :meth:`Settings.from_env`.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import secrets
import tempfile
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path

from cityline.errors import ConfigError, DataDirError
from index.normalize import has_lone_surrogate

logger = logging.getLogger(__name__)

DEFAULT_DATA_DIR = Path("cityline-data")
# (data-dir key, configured key) pairs already warned about in this process.
_WARNED_KEYS: set[tuple[Path, Path]] = set()
LINE_API_URL = "https://api.line.me"
LINE_DATA_API_URL = "https://api-data.line.me"
CITY_HALL_PHONE = "0422-51-5131"
CITY_NAME = "武蔵野市"
MAX_CITY_NAME_LENGTH = 20
# The office that a municipality's name ending gives: 市役所, 区役所, 町役場, 村役場.
_OFFICE_BY_ENDING = {"市": "役所", "区": "役所", "町": "役場", "村": "役場"}
_PHONE_PATTERN = re.compile(r"\+?[0-9() -]+")
# E.164 allows at most 15 digits. The number is an office's, so at least 6: a short
# code such as 110 or 119 belongs to the police or fire service, not to city hall.
_PHONE_DIGITS = range(6, 16)
_KEY_FILE_NAME = "user-hash.key"
_PATH_FIELDS = (
    "data_dir",
    "receive_categories_path",
    "user_hash_key_path",
    "outside_services_path",
)
# A shorter key could be found by trying keys on known user ids; a new key has 32.
MIN_KEY_BYTES = 16
_HOURS_PATTERN = re.compile(r"(\d{1,2}):(\d{2})\s*[-~〜]\s*(\d{1,2}):(\d{2})")


@dataclass(frozen=True)
class OfficeHours:
    """The weekday hours of the city office, in Japan time.

    Staff read reports and answer the phone from ``opens`` up to, not including,
    ``closes`` on working days (weekdays that are neither national holidays nor
    in the year-end closure from 29 December to 3 January).
    """

    opens: time = time(8, 30)
    closes: time = time(17, 15)

    def __post_init__(self) -> None:
        if not self.opens < self.closes:
            raise ConfigError(
                f"office hours {self.span!r} close before they open; give the "
                f"opening time first, such as '8:30-17:15'"
            )

    @property
    def span(self) -> str:
        """The hours as residents read them, such as ``8:30〜17:15``."""
        return f"{_clock(self.opens)}〜{_clock(self.closes)}"


def _clock(moment: time) -> str:
    return f"{moment.hour}:{moment.minute:02d}"


@dataclass(frozen=True)
class Settings:
    """All settings of one cityline process.

    ``data_dir`` contains the page store, the index, the app database (unless
    ``database_url`` points elsewhere), report photos and the user-id hash key
    (unless ``user_hash_key_path`` puts the key elsewhere).
    """

    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str | None = None
    line_channel_secret: str | None = field(default=None, repr=False)
    line_channel_access_token: str | None = field(default=None, repr=False)
    line_api_url: str = LINE_API_URL
    line_data_api_url: str = LINE_DATA_API_URL
    crawler_user_agent: str = "cityline-crawler/0.1"
    crawler_contact_url: str = "https://github.com/cityline/cityline"
    city_hall_phone: str = CITY_HALL_PHONE
    city_name: str = CITY_NAME
    office_hours: OfficeHours = field(default_factory=OfficeHours)
    use_line_broadcast_for_safety: bool = False
    receive_categories_path: Path | None = None
    user_hash_key_path: Path | None = None
    outside_services_path: Path | None = None

    def __post_init__(self) -> None:
        # A caller in Python may give a folder or file as a str. Every path
        # setting is used as a Path, with ~ expanded as from_env does.
        for name in _PATH_FIELDS:
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, Path(value).expanduser())

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, data_dir: Path | None = None
    ) -> Settings:
        """Build settings from ``environ`` (default ``os.environ``).

        ``data_dir`` overrides ``CITYLINE_DATA_DIR``, as the ``--data-dir`` option does.
        """
        env = os.environ if environ is None else environ
        _check_text_is_utf8(env)
        if data_dir is None:
            data_dir = Path(env.get("CITYLINE_DATA_DIR", str(DEFAULT_DATA_DIR)))
        return cls(
            data_dir=data_dir,
            database_url=env.get("CITYLINE_DATABASE_URL") or None,
            line_channel_secret=_credential(env, "LINE_CHANNEL_SECRET"),
            line_channel_access_token=_credential(env, "LINE_CHANNEL_ACCESS_TOKEN"),
            line_api_url=_url(env, "CITYLINE_LINE_API_URL", LINE_API_URL),
            line_data_api_url=_url(
                env, "CITYLINE_LINE_DATA_API_URL", LINE_DATA_API_URL
            ),
            crawler_user_agent=env.get(
                "CITYLINE_CRAWLER_USER_AGENT", cls.crawler_user_agent
            ),
            crawler_contact_url=env.get(
                "CITYLINE_CRAWLER_CONTACT_URL", cls.crawler_contact_url
            ),
            city_hall_phone=_phone(env, "CITYLINE_CITY_HALL_PHONE", CITY_HALL_PHONE),
            city_name=_city_name_with_phone(env),
            office_hours=_office_hours(env, "CITYLINE_OFFICE_HOURS"),
            use_line_broadcast_for_safety=_flag(
                env, "CITYLINE_SAFETY_USES_LINE_BROADCAST"
            ),
            receive_categories_path=_optional_path(
                env, "CITYLINE_RECEIVE_CATEGORIES_FILE"
            ),
            user_hash_key_path=_optional_path(env, "CITYLINE_USER_HASH_KEY_FILE"),
            outside_services_path=_optional_path(env, "CITYLINE_OUTSIDE_SERVICES_FILE"),
        )

    @property
    def pages_db_path(self) -> Path:
        """SQLite file of the crawler's page store."""
        return self.data_dir / "pages.db"

    @property
    def index_dir(self) -> Path:
        """Folder of the versioned search index."""
        return self.data_dir / "index"

    @property
    def photos_dir(self) -> Path:
        """Folder of report photos, stored with EXIF removed."""
        return self.data_dir / "photos"

    @property
    def app_database_url(self) -> str:
        """SQLAlchemy URL of the app database: inbox, reports and receive settings."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'cityline.db').resolve()}"

    def existing_app_database_url(self) -> str:
        """Return ``app_database_url`` once its SQLite file is known to exist.

        Staff commands read the app database that ``cityline serve`` writes. They
        call this so that a mistyped data dir or URL is an error instead of a new,
        empty database. Raises DataDirError naming the missing file and the setting
        to check. A server URL is returned unchecked.
        """
        from cityline.db import sqlite_file

        url = self.app_database_url
        path = sqlite_file(url)
        if path is None or path.exists():
            return url
        if self.database_url is None:
            where = "check --data-dir or CITYLINE_DATA_DIR"
        else:
            where = f"check CITYLINE_DATABASE_URL={url!r}"
        raise DataDirError(
            f"no app database at {str(path)!r}; {where} (`cityline serve` creates "
            "it, and `cityline demo` writes one under cityline-data/demo)"
        )

    @property
    def city_hall_name(self) -> str:
        """Name of the office residents call, such as 武蔵野市役所 or 〇〇町役場."""
        return self.city_name + _OFFICE_BY_ENDING.get(self.city_name[-1:], "役所")

    @property
    def crawler_user_agent_header(self) -> str:
        """User-Agent header that names the bot and a contact URL."""
        return f"{self.crawler_user_agent} (+{self.crawler_contact_url})"

    def ensure_data_dir(self) -> Path:
        """Create the data dir if needed and check that it is writable.

        Raises DataDirError naming the folder when it cannot be created or written.
        """
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            probe = self.data_dir / f".write-test-{secrets.token_hex(4)}"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise DataDirError(
                f"data dir {str(self.data_dir)!r} is not writable ({exc.strerror}); "
                "pass a writable folder with --data-dir or CITYLINE_DATA_DIR"
            ) from exc
        return self.data_dir

    @property
    def user_hash_key_file(self) -> Path:
        """File of the secret key that hashes LINE user ids.

        It is ``user-hash.key`` in the data dir unless ``user_hash_key_path``
        (``CITYLINE_USER_HASH_KEY_FILE``) names another file. Kept outside the data
        dir, a copy of the data dir alone cannot link attribute answers to user ids.
        """
        return self.user_hash_key_path or self.data_dir / _KEY_FILE_NAME

    def user_hash_key(self) -> bytes:
        """Return the secret key for hashing LINE user ids; create it on first use.

        The key is a file with mode 0600 (see :attr:`user_hash_key_file`). An
        existing key is only read, so a read-only data dir serves it. A key file
        set outside the data dir is created only in a folder that exists, and never
        while the data dir still holds a key: answers stored under that key would
        no longer match. Raises DataDirError naming the file when it cannot be
        read, created or used, and as :meth:`ensure_data_dir` does when the data
        dir must be created.
        """
        path = self.user_hash_key_file
        if path.exists():
            self._warn_about_a_second_key(path)
            return _read_key(path)
        if self.user_hash_key_path is None:
            self.ensure_data_dir()
        else:
            self._check_new_key_file(path)
        return _create_key(path)

    def existing_user_hash_key(self) -> bytes:
        """Return the key of :meth:`user_hash_key` without ever creating it.

        It is for commands that only read, because a new key would match no stored
        attribute answer.
        Raises DataDirError naming the file when it is missing or unreadable.
        """
        path = self.user_hash_key_file
        if path.exists():
            self._warn_about_a_second_key(path)
        if not path.exists():
            if self.user_hash_key_path is None:
                fix = "copy it with the data dir, or set CITYLINE_USER_HASH_KEY_FILE"
            else:
                fix = "set CITYLINE_USER_HASH_KEY_FILE to the key the server uses"
            raise DataDirError(
                f"user-hash key {str(path)!r} not found; {fix}, since answers "
                "stored under another key cannot be matched"
            )
        return _read_key(path)

    def _warn_about_a_second_key(self, path: Path) -> None:
        """Warn, once per process, when the data dir still contains a key beside
        the one CITYLINE_USER_HASH_KEY_FILE names."""
        old = self.data_dir / _KEY_FILE_NAME
        if self.user_hash_key_path is None or not old.exists():
            return
        if old.resolve() == path.resolve() or (old, path) in _WARNED_KEYS:
            return
        _WARNED_KEYS.add((old, path))
        try:
            same = old.read_bytes() == path.read_bytes()
        except OSError:
            return
        if same:
            logger.warning(
                "the data dir still holds a copy of the user-hash key (%s); delete "
                "that copy, or a copy of the data dir can link attribute answers to "
                "user ids",
                old,
            )
        else:
            logger.warning(
                "the data dir holds another user-hash key (%s) than "
                "CITYLINE_USER_HASH_KEY_FILE (%s); keep the one the stored answers "
                "were made with (the server refuses the other) before deleting any",
                old,
                path,
            )

    def _check_new_key_file(self, path: Path) -> None:
        old = self.data_dir / _KEY_FILE_NAME
        if old.exists() and old.resolve() != path.resolve():
            raise DataDirError(
                f"the user-hash key {str(path)!r} does not exist but {str(old)!r} "
                f"does; move that file to {str(path)!r} so that stored answers "
                "still match, instead of starting a new key"
            )
        if not path.parent.is_dir():
            raise DataDirError(
                f"folder {str(path.parent)!r} of CITYLINE_USER_HASH_KEY_FILE does "
                "not exist; create it, or set the variable to a file in an existing "
                "folder"
            )


def _create_key(path: Path) -> bytes:
    """Create the key file ``path`` with mode 0600 and return the new key, or
    the key of another process that created the file first.

    The key is written and flushed to disk in a temporary file beside ``path``
    and then hard-linked into place, so ``path`` never exists partly written,
    also after a crash. Raises DataDirError naming the file when it cannot be
    created.

    NOTE: a crash before the temporary file is unlinked leaves it behind as
    ``.<key file name>.*.tmp``, holding a key that nothing uses. It can be
    deleted.
    """
    key = secrets.token_bytes(32)
    try:
        descriptor, name = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
        )
    except OSError as exc:
        raise _key_creation_error(path, exc) from exc
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(key)
            handle.flush()
            os.fsync(handle.fileno())
        _link_into_place(temporary, path)
    except FileExistsError:
        logger.info("another process created the user-hash key %s first", path)
        return _read_key(path)
    except OSError as exc:
        raise _key_creation_error(path, exc) from exc
    finally:
        temporary.unlink(missing_ok=True)
    _sync_folder(path.parent)
    logger.info("created the user-hash key %s", path)
    return key


# Errors of link(2) on a filesystem without hard links, such as some FUSE
# and SMB mounts.
_NO_HARD_LINK_ERRNOS = frozenset(
    {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS, errno.EXDEV}
)


def _link_into_place(temporary: Path, path: Path) -> None:
    """Hard-link ``temporary`` to ``path``, raising DataDirError with the fix
    when the filesystem has no hard links."""
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in _NO_HARD_LINK_ERRNOS:
            raise
        raise DataDirError(
            f"cannot create the user-hash key {str(path)!r}: its filesystem does "
            f"not support hard links ({exc.strerror}), which the key needs to be "
            "created whole; put the data dir on a local filesystem, as SQLite "
            "needs too, or set CITYLINE_USER_HASH_KEY_FILE to a file on one"
        ) from exc


def _key_creation_error(path: Path, exc: OSError) -> DataDirError:
    return DataDirError(
        f"cannot create the user-hash key {str(path)!r} ({exc.strerror}); "
        "set CITYLINE_USER_HASH_KEY_FILE to a file in a writable folder"
    )


def _sync_folder(folder: Path) -> None:
    """Flush ``folder``'s entries to disk, so that a new key file survives a
    power loss. A failure is only logged, because the key file is complete."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    except OSError as exc:
        logger.warning(
            "syncing folder %s after creating the user-hash key failed (%s); a "
            "crash before the system writes it out may lose the new key",
            folder,
            exc,
        )


def _read_key(path: Path) -> bytes:
    if not path.is_file():
        raise DataDirError(
            f"the user-hash key {str(path)!r} is not a regular file; set "
            "CITYLINE_USER_HASH_KEY_FILE to the key file, or unset it to use "
            "user-hash.key in the data dir"
        )
    try:
        key = path.read_bytes()
    except PermissionError as exc:
        raise DataDirError(
            f"cannot read the user-hash key {str(path)!r} ({exc.strerror}); run as "
            "the user that owns the data dir"
        ) from exc
    except OSError as exc:
        raise DataDirError(
            f"cannot read the user-hash key {str(path)!r} ({exc.strerror}); set "
            "CITYLINE_USER_HASH_KEY_FILE to the key file, or unset it to use "
            "user-hash.key in the data dir"
        ) from exc
    if len(key) < MIN_KEY_BYTES:
        raise DataDirError(
            f"the user-hash key {str(path)!r} holds {len(key)} bytes, fewer than "
            f"{MIN_KEY_BYTES}; restore the key the server created, or delete the "
            "file to start a new one when no attribute answer is stored"
        )
    return key


def _check_text_is_utf8(env: Mapping[str, str]) -> None:
    """Raise ConfigError for a setting, other than a path, whose value has bytes
    that are not UTF-8.

    Python reads such bytes as lone surrogates. In a city name or an office
    hours text they would pass every check and then fail each reply that quotes
    them. Paths (``*_DIR``, ``*_FILE``) may hold any bytes the filesystem takes.
    """
    for name, value in env.items():
        if not name.startswith(("CITYLINE_", "LINE_")) or name.endswith(
            ("_DIR", "_FILE")
        ):
            continue
        if has_lone_surrogate(value):
            # The LINE credentials are secret, so their value is never shown.
            quoted_value = "" if name.startswith("LINE_") else f" in {value!r}"
            raise ConfigError(
                f"{name} contains bytes that are not UTF-8 (shown as \\udcXX"
                f"{quoted_value}); set it again in UTF-8"
            )


def _credential(env: Mapping[str, str], name: str) -> str | None:
    """Return the secret or token in ``name``, or None when it is unset or empty.

    LINE's console shows them without spaces, so a space or line break around
    one comes from copying. With it, every signature check or API call fails,
    so it is rejected. The message never shows the value.
    """
    value = env.get(name) or None
    if value is None:
        return None
    if not value.strip():
        raise ConfigError(
            f"{name} contains only whitespace; copy it again from the LINE "
            "Developers console"
        )
    if value != value.strip():
        raise ConfigError(
            f"{name} starts or ends with whitespace (a space or line break); "
            "copy it again from the LINE Developers console without it"
        )
    if not (value.isascii() and value.isprintable()) or " " in value:
        # A line break inside a token would end up in an HTTP header, and the
        # error about that header would print the token.
        raise ConfigError(
            f"{name} contains a space, a line break, a control character or a "
            "character that is not ASCII; copy it again from the LINE Developers "
            "console"
        )
    return value


def _url(env: Mapping[str, str], name: str, default: str) -> str:
    """Return the base URL in ``name`` without a trailing slash, or ``default``.

    A base URL is http(s) with a host and no query, fragment or whitespace. The
    client adds ``/v2/...`` itself, so a value ending in /v2 is rejected too.
    """
    if name not in env:
        return default
    value = env[name]
    fix = f"set it to a base URL such as {default!r}, or unset it to use that URL"
    if not value.strip():
        raise ConfigError(f"{name}={value!r} is empty; {fix}")
    if value != value.strip() or any(char.isspace() for char in value):
        raise ConfigError(f"{name}={value!r} contains whitespace; {fix}")
    try:
        parts = urllib.parse.urlsplit(value)
        # Reading the port checks it: a number from 0 to 65535.
        parts.port  # noqa: B018
    except ValueError as exc:
        raise ConfigError(
            f"{name}={value!r} is not a valid URL ({exc}); {fix}"
        ) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{name}={value!r} is not an http(s) URL with a host; {fix}")
    if parts.query or parts.fragment:
        raise ConfigError(f"{name}={value!r} has a query or fragment; {fix}")
    if parts.path.rstrip("/").endswith("/v2"):
        raise ConfigError(
            f"{name}={value!r} ends in /v2, which cityline adds itself; {fix}"
        )
    return value.rstrip("/")


def _phone(env: Mapping[str, str], name: str, default: str) -> str:
    """Return the phone number in ``name``; residents read it in replies.

    A number has 6 to 15 ASCII digits, with optional hyphens, spaces and
    parentheses, and may start with ``+``.
    """
    if name not in env:
        return default
    value = env[name].strip()
    if not value:
        raise ConfigError(
            f"{name}={env[name]!r} is empty; set it to the phone number residents "
            f"should call, such as {default!r}, or unset it to use that number"
        )
    digits = sum(character.isdigit() for character in value)
    if not _PHONE_PATTERN.fullmatch(value) or digits not in _PHONE_DIGITS:
        raise ConfigError(
            f"{name}={value!r} is not a valid phone number; use 6 to 15 digits "
            f"(0-9) with optional hyphens, spaces, parentheses and a leading '+', "
            f"such as {default!r}"
        )
    return value


def _office_hours(env: Mapping[str, str], name: str) -> OfficeHours:
    """Return the office hours in ``name``, written ``H:MM-H:MM`` (24-hour clock)."""
    if name not in env:
        return OfficeHours()
    value = env[name].strip()
    found = _HOURS_PATTERN.fullmatch(value)
    hint = (
        "write the opening and closing times on the 24-hour clock, such as '8:30-17:15'"
    )
    if found is None:
        raise ConfigError(f"{name}={env[name]!r} is not office hours; {hint}")
    hour_open, minute_open, hour_close, minute_close = map(int, found.groups())
    try:
        opens = time(hour_open, minute_open)
        closes = time(hour_close, minute_close)
    except ValueError:
        raise ConfigError(
            f"{name}={value!r} names a time that does not exist; {hint}"
        ) from None
    if not opens < closes:
        raise ConfigError(f"{name}={value!r} closes before it opens; {hint}")
    return OfficeHours(opens, closes)


def _city_name_with_phone(env: Mapping[str, str]) -> str:
    """Return CITYLINE_CITY_NAME, which needs CITYLINE_CITY_HALL_PHONE when it
    names another municipality: replies would give that office Musashino's number.
    """
    city_name = _city_name(env, "CITYLINE_CITY_NAME", CITY_NAME)
    if city_name != CITY_NAME and "CITYLINE_CITY_HALL_PHONE" not in env:
        raise ConfigError(
            f"CITYLINE_CITY_NAME={city_name!r} is set but CITYLINE_CITY_HALL_PHONE "
            f"is not, so replies would give {city_name}'s office the number "
            f"{CITY_HALL_PHONE} of {CITY_NAME}; set CITYLINE_CITY_HALL_PHONE to "
            "the number residents should call"
        )
    return city_name


def _city_name(env: Mapping[str, str], name: str, default: str) -> str:
    """Return the municipality name in ``name``, such as 武蔵野市.

    Replies name the city and its office, so the name must end in 市, 区, 町 or 村.
    """
    if name not in env:
        return default
    value = env[name].strip()
    if (
        len(value) < 2
        or len(value) > MAX_CITY_NAME_LENGTH
        or value[-1] not in _OFFICE_BY_ENDING
    ):
        raise ConfigError(
            f"{name}={env[name]!r} is not a valid municipality name; set it to "
            f"the name residents know, 2 to {MAX_CITY_NAME_LENGTH} characters "
            f"ending in 市, 区, 町 or 村, such as {default!r}"
        )
    if any(character.isspace() for character in value):
        raise ConfigError(
            f"{name}={value!r} contains whitespace; write the name without spaces "
            f"or line breaks, such as {default!r}"
        )
    return value


def _optional_path(env: Mapping[str, str], name: str) -> Path | None:
    value = env.get(name, "").strip()
    return Path(value).expanduser() if value else None


def _flag(env: Mapping[str, str], name: str) -> bool:
    value = env.get(name, "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"{name}={value!r} is not a boolean; use 1 or 0")
