"""Where a ``duckdb:///`` URL puts the warehouse file, said before a run writes it.

``duckdb:///srv/cchc/wh.duckdb`` (three slashes) is *relative*: run from a checkout, it writes
``./srv/cchc/wh.duckdb`` inside it, where ``.gitignore`` may hide it. The command line prints
the absolute file, warns when it lands inside a git work tree or the project's directory, and
says when it creates the missing directories.
"""

from __future__ import annotations

from pathlib import Path

from cchc_etl.paths import CHECKOUT
from cchc_etl.warehouse import duckdb_path


def warehouse_file(url: str) -> Path:
    """The absolute file of a ``duckdb:///`` URL (a relative one taken from the working directory)."""
    return Path.cwd().joinpath(duckdb_path(url)).resolve()


def checkout_of(path: Path) -> Path | None:
    """The git work tree or the project directory holding ``path``, if any."""
    path = path.resolve()
    for parent in path.parents:
        if (parent / ".git").exists():
            return parent
    if CHECKOUT is not None and path.is_relative_to(CHECKOUT.resolve()):
        return CHECKOUT.resolve()
    return None


def announce(url: str, *, warn_checkout: bool = True) -> str:
    """Print the file ``url`` names (and what is notable about it), create its missing
    directories; returns the URL of the absolute file, ``duckdb:////abs/file.duckdb``."""
    path = warehouse_file(url)
    relative = not duckdb_path(url).is_absolute()
    print(f"Kho dữ liệu / warehouse: {path}"
          + (f"  ({url}: đường dẫn tương đối / a relative path, from {Path.cwd()})" if relative else ""))
    root = checkout_of(path) if warn_checkout else None
    if root is not None:
        print(f"CHÚ Ý / WARNING: tệp kho dữ liệu nằm trong thư mục mã nguồn {root} (.gitignore có thể che nó) / "
              f"the warehouse file is inside the checkout {root}, where .gitignore may hide it. "
              f"Đường dẫn tuyệt đối cần bốn dấu gạch chéo / an absolute path takes four slashes: "
              f"duckdb:////{duckdb_path(url).as_posix().lstrip('/')}")
    missing = [p for p in path.parents if not p.exists()]
    if missing:
        print(f"Tạo thư mục / creating directory: {missing[-1]}" + (f" … {path.parent}" if len(missing) > 1 else ""))
        path.parent.mkdir(parents=True, exist_ok=True)
    return f"duckdb:///{path.as_posix()}"


__all__ = ["announce", "checkout_of", "warehouse_file"]
