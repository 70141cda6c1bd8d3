"""Where the project's declarative files live: ``assets/``, ``sql/`` and ``expectations/``.

They sit at the top of the repository. Run from a checkout (``pip install -e .``, or the package
on ``PYTHONPATH``) they are read there, beside the package; an installed wheel carries them inside
the package as ``cchc_etl/_data/<folder>`` (setup.py maps them).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

PACKAGE_DIR = Path(str(resources.files(__package__))).resolve()
# the repository the package is run from, or None for an installed wheel
CHECKOUT: Path | None = PACKAGE_DIR.parent if (PACKAGE_DIR.parent / "pyproject.toml").is_file() else None
DATA_ROOT = CHECKOUT if CHECKOUT is not None else PACKAGE_DIR / "_data"

ASSETS_DIR = DATA_ROOT / "assets"
SQL_DIR = DATA_ROOT / "sql"
EXPECTATIONS_DIR = DATA_ROOT / "expectations"
