"""Where the project's declarative files live (installed editable or from a checkout)."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(os.environ.get("CCHC_PROJECT_ROOT", Path(__file__).resolve().parent.parent))
ASSETS_DIR = PROJECT_ROOT / "assets"
SQL_DIR = PROJECT_ROOT / "sql"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
