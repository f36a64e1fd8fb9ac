"""Errors that cityline raises on bad input or bad state.

CitylineError
 +-- ConfigError          a setting or option is missing or invalid
 +-- DataDirError         the data dir cannot be created or written
 +-- SchemaVersionError   a database was written by another schema version

The command line prints the message of any CitylineError as one line and exits with
the error's ``exit_code``, so each message names the value at fault and what to do
about it.
"""


class CitylineError(Exception):
    """Base class of the errors that the command line reports as one line.

    ``exit_code`` is the command's exit status: 2 for bad input or state that the
    user must fix. A subclass sets 3 for a failure that may pass without a fix:
    a site that cannot be crawled now, or a LINE API that cannot be reached. A
    scheduled job can thus tell an outage from a mistake in its command.
    """

    exit_code = 2


class ConfigError(CitylineError):
    """Raised when a setting or option is missing or invalid."""


class DataDirError(CitylineError):
    """Raised when the data dir cannot be created or written."""


class SchemaVersionError(CitylineError):
    """Raised when a database holds a schema version this code cannot use."""
