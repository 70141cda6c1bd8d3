"""Run ``cchc-etl`` and SIGKILL it at a named step: ``python kill_at.py POINT run --landing …``.

The test side patches one function before the command line starts (production code reads no
test hook); the process then dies at that point as under ``kill -9``:

- ``gx_validation``: the first source's rows of the month are handed to the Great Expectations
  helper (an Arrow file in its temporary directory) and not yet staged;
- ``scoring``: the month's scores are committed, the quarter's are not;
- ``parquet``: a Parquet part is written under its temporary name and not yet moved into place;
- ``snapshot``: the warehouse is copied to the snapshot's temporary name and not yet moved.

Run from the repository root (the package is imported from there).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path



def die() -> None:
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def at_gx_validation() -> None:
    from cchc_etl import validation
    from cchc_etl.defs import sources

    validate = validation._Worker.validate

    def validate_then_die(self, suite, table):
        real = self.conn

        class Conn:  # the Arrow file is written; sending it to the helper kills the process
            def send(self, message):
                die()

            def __getattr__(self, name):
                return getattr(real, name)

        self.conn = Conn()
        return validate(self, suite, table)

    validation._Worker.validate = validate_then_die
    prevalidate = sources.prevalidate

    def prevalidate_and_wait(*args):
        prevalidate(*args)  # hands the rows to the helper thread, which dies at the send
        threading.Event().wait(120)
        die()

    sources.prevalidate = prevalidate_and_wait


def at_scoring() -> None:
    from cchc_etl.scoring import period

    score_period = period.score_period
    calls = []

    def score_then_die(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            die()
        return score_period(*args, **kwargs)

    period.score_period = score_then_die


def at_parquet() -> None:
    replace = os.replace
    calls = []

    def replace_or_die(src, dst, *args, **kwargs):
        if Path(dst).name == "part-0.parquet":
            calls.append(dst)
            if len(calls) == 3:
                die()
        return replace(src, dst, *args, **kwargs)

    os.replace = replace_or_die


def at_snapshot() -> None:
    import shutil

    copyfile = shutil.copyfile

    def copy_then_die(src, dst, *args, **kwargs):
        out = copyfile(src, dst, *args, **kwargs)
        if Path(dst).name.startswith(".") and "_snapshot" in Path(dst).name:
            die()
        return out

    shutil.copyfile = copy_then_die


POINTS = {"gx_validation": at_gx_validation, "scoring": at_scoring, "parquet": at_parquet, "snapshot": at_snapshot}

if __name__ == "__main__":
    POINTS[sys.argv[1]]()
    from cchc_etl.cli import main

    sys.exit(main(sys.argv[2:]))
