"""The command line's own failure: printed as one line (``cchc-etl: error: …``), exit code 1.

Its own module so that every command module raises the same class, also when the CLI runs as
``python -m cchc_etl.cli`` (where ``cchc_etl.cli`` is loaded a second time as ``__main__``)."""


class CliError(Exception):
    pass
