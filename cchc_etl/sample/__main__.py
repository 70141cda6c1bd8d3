"""``python -m cchc_etl.sample``: see :mod:`cchc_etl.sample.command`."""

from cchc_etl.sample.command import main

if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
