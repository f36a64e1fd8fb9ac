"""Errors that cityline raises on bad input or bad state.

CitylineError
 +-- ConfigError          a setting or option is missing or invalid
 +-- DataDirError         the data dir cannot be created or written
 +-- SchemaVersionError   a database was written by another schema version

The command line prints the message of any CitylineError as one line and exits 2, so
each message names the value at fault and what to do about it.
"""


class CitylineError(Exception):
    """Base class of the errors that the command line reports as one line."""


class ConfigError(CitylineError):
    """Raised when a setting or option is missing or invalid."""


class DataDirError(CitylineError):
    """Raised when the data dir cannot be created or written."""


class SchemaVersionError(CitylineError):
    """Raised when a database holds a schema version this code cannot use."""
