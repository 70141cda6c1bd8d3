"""The command line's own failure: printed as one line (``cchc-etl: error: …``), exit code 1.

Its own module, below the command line, so that library code called by a command (publishing,
reports) can raise it too."""


class CliError(Exception):
    pass
