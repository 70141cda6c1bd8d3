"""Every environment variable the project reads, in one place: its name, default, parsing and
meaning (Vietnamese and English).

Values are read when asked for, never at import: a test sets a variable after the package is
imported, and a long-lived process (the Dagster code location) sees a change at its next read. A
variable set to an empty (or blank) value counts as unset. No other module reads ``os.environ``
(``tests/unit/test_settings.py`` scans the package and bench/); the configuration page of the docs is written from
this module (``python -m cchc_etl.settings docs/operations/configuration.md``).

This module imports nothing of the package: every other module may import it.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

OPERATIONS = "operations"
DEVELOPMENT = "development"


class SettingError(ValueError):
    """A variable holds a value its parser refuses; the message names the variable, for the operator."""


class MemoryLimitError(SettingError):
    """``CCHC_DUCKDB_MEMORY_LIMIT`` is not a size DuckDB takes; the message is for the operator."""


@dataclass(frozen=True)
class Setting:
    name: str
    vi: str
    en: str
    default: Any = None
    default_text: str = ""  # the default as the docs show it, when ``default`` does not say it
    parse: Callable[[str], Any] | None = None  # raw text -> value; None: the text itself
    audience: str = OPERATIONS

    def raw(self) -> str | None:
        """The variable's text, None when it is unset or blank."""
        value = os.environ.get(self.name)
        return value if value is not None and value.strip() else None

    def get(self) -> Any:
        raw = self.raw()
        if raw is None:
            return self.default
        return self.parse(raw) if self.parse else raw

    @property
    def shown_default(self) -> str:
        if self.default_text:
            return self.default_text
        return "–" if self.default is None or self.default == "" else f"`{self.default}`"


# --------------------------------------------------------------------------- parsers


def parse_size(text: str) -> int:
    """``8589934592``, ``8GiB``, ``8G``, ``512MB``, ``512 M`` -> bytes (K, M, G, T are powers of 1,024)."""
    found = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([KMGT]?)(?:i?B)?\s*", text, re.I)
    if not found:
        raise ValueError(f"not a size: {text!r} (e.g. 8GiB, 512MiB or a number of bytes)")
    return int(float(found.group(1)) * 1024 ** " KMGT".index(found.group(2).upper() or " "))


def _seconds(raw: str) -> float:
    raw = raw.strip()
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise SettingError(f"{LOCK_WAIT.name}={raw!r}: cần số giây ≥ 0 / expected seconds ≥ 0")
    return value


def _min_dossiers(raw: str) -> int:
    raw = raw.strip()
    if not raw.isdigit():
        raise SettingError(f"{SUMMARY_MIN_DOSSIERS.name}={raw!r}: cần một số nguyên ≥ 0 / expected a whole number ≥ 0")
    return int(raw)


def _sample_rows(raw: str) -> int:
    raw = raw.strip()
    try:
        value = int(raw.replace(".", "").replace("_", ""))
    except ValueError:
        value = 0
    if value < 1:
        raise SettingError(f"{GX_SAMPLE_ROWS.name}={raw!r}: cần số dòng nguyên ≥ 1 / expected a whole number of rows ≥ 1")
    return value


# DuckDB's own size grammar: a number and a unit (KB, MB, GB, TB in 1000s; KiB, MiB, GiB, TiB in
# 1024s; B; case and spaces free); a bare number or a percentage it refuses
_DUCKDB_SIZE = re.compile(r"^\s*\d+(?:[.,]\d+)?\s*(?P<unit>[A-Za-z]+)\s*$")
_DUCKDB_UNITS = {"b", "byte", "bytes", "k", "kb", "kilobyte", "kilobytes", "m", "mb", "megabyte", "megabytes", "g", "gb",
                 "gigabyte", "gigabytes", "t", "tb", "terabyte", "terabytes", "kib", "mib", "gib", "tib"}


def memory_limit_refused(raw: str, why: str = "") -> MemoryLimitError:
    return MemoryLimitError(
        f"{DUCKDB_MEMORY_LIMIT.name}={raw!r}: không phải dung lượng hợp lệ, cần số kèm đơn vị như 2GB, 1.5GB, 512MB hoặc 4GiB "
        f"/ not a valid size: expected a number and a unit such as 2GB, 1.5GB, 512MB or 4GiB" + (f" ({why})" if why else ""))


def _duckdb_size(raw: str) -> str:
    value = raw.strip()
    found = _DUCKDB_SIZE.match(value)
    if not found or found["unit"].lower() not in _DUCKDB_UNITS:
        raise memory_limit_refused(raw)
    value = value.replace(",", ".")  # 1,5GB: the Vietnamese decimal comma
    if float(re.match(r"[\d.]+", value).group()) <= 0:
        raise memory_limit_refused(raw, "phải lớn hơn 0 / must be above 0")
    return value


def _log_level(raw: str) -> str:
    return raw.strip().upper()


def _is_one(raw: str) -> bool:
    return raw == "1"


def _present(raw: str) -> bool:
    return True


# --------------------------------------------------------------------------- the variables

LANDING_DIR = Setting("CCHC_LANDING_DIR", "thư mục gốc vùng tiếp nhận", "landing root", default="landing")
WAREHOUSE_URL = Setting("CCHC_WAREHOUSE_URL", "kho dữ liệu DuckDB", "DuckDB warehouse", default="duckdb:///data/warehouse.duckdb")
PII_KEY = Setting("CCHC_PII_KEY", "khóa HMAC băm các cột dữ liệu cá nhân (bắt buộc với `run` và các lượt chạy Dagster)",
                  "HMAC key for PII columns (required by `run` and by Dagster runs)")
METHODOLOGY = Setting("CCHC_METHODOLOGY", "phiên bản phương pháp", "methodology version", default="vn-2025.1")
METHODOLOGY_DIR = Setting("CCHC_METHODOLOGY_DIR", "thư mục bổ sung chứa tệp phiên bản phương pháp (tìm trước `assets/methodology/`)",
                          "an extra directory of methodology version files (searched before `assets/methodology/`)",
                          default_text="none")
LOG_LEVEL = Setting("CCHC_LOG_LEVEL", "mức ghi nhật ký của lệnh, ra stderr",
                    "log level of CLI runs, on stderr: `INFO` adds a line per step (seconds), asset (row counts) and check "
                    "(outcome) of each month; `DEBUG` adds Dagster's own event log",
                    default="CRITICAL", default_text="`CRITICAL` (failures are reported once, as one line)", parse=_log_level)
SUMMARY_MIN_DOSSIERS = Setting("CCHC_SUMMARY_MIN_DOSSIERS", "đơn vị có ít hồ sơ giải quyết trong tháng hơn số này không được xếp hạng",
                               "units with fewer dossiers resolved in the month are not ranked in the summary (`--min-dossiers`)",
                               default=20, parse=_min_dossiers)
DAGSTER_HOME = Setting("DAGSTER_HOME", "khi đặt, các lượt chạy bằng lệnh được ghi vào instance Dagster này",
                       "when set, CLI runs are recorded in that Dagster instance (`make demo`: `.dagster_home`)",
                       default_text="ephemeral")
ALLOW_DEMO_KEY = Setting("CCHC_ALLOW_DEMO_KEY", "`1`: lượt chạy Dagster không có `CCHC_PII_KEY` dùng khóa demo",
                         "`1`: Dagster runs without `CCHC_PII_KEY` use the demo key (`make dev` on the demo)",
                         default=False, default_text="unset", parse=_is_one)
PUBLISH_URL = Setting("CCHC_PUBLISH_URL", "PostgreSQL nhận các bảng mart được xuất bản",
                      "PostgreSQL to publish the marts to (`postgresql+psycopg://…`)", default="", default_text="none (no publishing)")
PARQUET_DIR = Setting("CCHC_PARQUET_DIR", "thư mục gốc của tệp Parquet xuất ra", "root of the Parquet exports", default="",
                      default_text="`parquet/` next to the warehouse")
SNAPSHOT_PATH = Setting("CCHC_SNAPSHOT_PATH", "bản sao chỉ đọc cho người phân tích",
                        "read-only snapshot for analysts (a link to the current version file)", default="",
                        default_text="`warehouse_snapshot.duckdb` next to the warehouse")
LOCK_WAIT = Setting("CCHC_LOCK_WAIT", "số giây một lượt chạy chờ tiến trình khác nhả tệp kho",
                    "seconds a run waits for another process (a BI tool, DBeaver) to let go of the warehouse file before it fails",
                    default=30.0, default_text="`30`", parse=_seconds)
REPORTS_DIR = Setting("CCHC_REPORTS_DIR", "thư mục gốc của tệp báo cáo", "root of the report files (`<root>/<period>/`)",
                      default_text="`reports/` next to the warehouse")
DUCKDB_MEMORY_LIMIT = Setting(
    "CCHC_DUCKDB_MEMORY_LIMIT", "bộ nhớ DuckDB được dùng cho kho trong mỗi tiến trình; vượt quá thì ghi tạm ra đĩa",
    "memory DuckDB may use per process for the warehouse (DuckDB sizes: `2GB`, `1.5GB`, `512MB`, `4GiB`); beyond it DuckDB "
    "spills to `<warehouse file>.tmp/` (removed when the run ends; a killed run's files at the next start). Python, Dagster "
    "and the GX helper come on top (about 0.7 GB, see Performance)", default="2GB", parse=_duckdb_size)
GX_SAMPLE_ROWS = Setting("CCHC_GX_SAMPLE_ROWS", "số dòng tối đa của một tháng mà Great Expectations tự kiểm tra",
                         "most rows of a month Great Expectations validates itself; the checks' counts are over all rows regardless "
                         "(see Dagster)", default=100_000, default_text="`100000`", parse=_sample_rows)
WORKBOOK_MEMORY = Setting("CCHC_WORKBOOK_MEMORY", "bộ nhớ việc đọc một tệp Excel được dùng",
                          "memory a workbook's reading may take (`4GiB`, `512MiB`; see "
                          "[What the landing area accepts](../landing.md))",
                          default_text="8 GiB, or ¾ of the machine's memory if less", parse=parse_size)
WORKBOOK_MAX_UNCOMPRESSED = Setting("CCHC_WORKBOOK_MAX_UNCOMPRESSED", "dung lượng giải nén tối đa của một tệp Excel",
                                    "most bytes a workbook may expand to (`16GiB`)", default_text="8 GiB", parse=parse_size)
WORKBOOK_MAX_RATIO = Setting("CCHC_WORKBOOK_MAX_RATIO", "tỷ lệ nén tối đa của một phần lớn trong tệp Excel",
                             "most a part of 32 MiB or more may expand, times its compressed size", default_text="`100`", parse=float)
WORKBOOK_MAX_CELLS = Setting("CCHC_WORKBOOK_MAX_CELLS", "số ô tối đa của vùng một trang tính",
                             "most cells a sheet's extent may span", default_text="`134217728`", parse=int)
WORKBOOK_MAX_COLUMNS = Setting("CCHC_WORKBOOK_MAX_COLUMNS", "số cột tối đa của một trang tính", "most columns of a sheet",
                               default_text="`16384`", parse=int)
DEBUG = Setting("CCHC_DEBUG", "đặt bất kỳ giá trị nào: lỗi in kèm traceback",
                "any value: an error is shown with its traceback (and a workbook reader's stderr)",
                default=False, default_text="unset", parse=_present)

# read by the tests and the benchmarks (tests/, bench/), not by the package
TEST_PG_URL = Setting("CCHC_TEST_PG_URL", "URL PostgreSQL (siêu người dùng) cho các kiểm thử xuất bản",
                      "PostgreSQL superuser URL for the publishing tests and the benchmarks",
                      default="postgresql://postgres@127.0.0.1:5432/postgres", audience=DEVELOPMENT)
UPDATE_SNAPSHOTS = Setting("CCHC_UPDATE_SNAPSHOTS", "đặt bất kỳ giá trị nào: ghi lại ảnh chụp đồ thị tài sản",
                           "any value: `tests/dagster/test_asset_graph.py` rewrites `tests/dagster/snapshots/asset_graph.json`",
                           default=False, default_text="unset", parse=_present, audience=DEVELOPMENT)
WRITE_CONTRACT_SNAPSHOT = Setting("CCHC_WRITE_CONTRACT_SNAPSHOT", "`1`: ghi lại ảnh chụp hợp đồng bảng",
                                  "`1`: `tests/postgres/test_contract_snapshot.py` rewrites the published contract's snapshot "
                                  "(only when the contract is meant to change)",
                                  default=False, default_text="unset", parse=_is_one, audience=DEVELOPMENT)
CHROMIUM = Setting("CCHC_CHROMIUM", "trình duyệt Chromium cho kiểm thử trang kết quả",
                   "the Chromium executable the scorecard site's tests drive", default="/usr/bin/chromium", audience=DEVELOPMENT)
SCREENSHOTS_DIR = Setting("CCHC_SCREENSHOTS_DIR", "thư mục lưu ảnh chụp màn hình của kiểm thử trang kết quả",
                          "where the scorecard site's tests save their screenshots", default_text="a temporary directory",
                          audience=DEVELOPMENT)

SETTINGS: tuple[Setting, ...] = tuple(v for v in list(globals().values()) if isinstance(v, Setting))
BY_NAME: Mapping[str, Setting] = {s.name: s for s in SETTINGS}


# --------------------------------------------------------------------------- what the package asks for


def landing_dir() -> str:
    return LANDING_DIR.get()


def warehouse_url() -> str:
    return WAREHOUSE_URL.get()


def pii_key() -> str | None:
    return PII_KEY.get()


def allow_demo_key() -> bool:
    return ALLOW_DEMO_KEY.get()


def methodology() -> str:
    return METHODOLOGY.get()


def methodology_dir() -> str | None:
    return METHODOLOGY_DIR.get()


def log_level() -> str:
    """Upper-cased, not checked: the command line names the levels it knows."""
    return LOG_LEVEL.get()


def summary_min_dossiers() -> int:
    return SUMMARY_MIN_DOSSIERS.get()


def dagster_home() -> str | None:
    return DAGSTER_HOME.get()


def publish_url() -> str:
    return PUBLISH_URL.get()


def parquet_dir() -> str:
    return PARQUET_DIR.get()


def snapshot_path() -> str:
    return SNAPSHOT_PATH.get()


def lock_wait() -> float:
    return LOCK_WAIT.get()


def reports_dir() -> str | None:
    return REPORTS_DIR.get()


def duckdb_memory_limit() -> str:
    return DUCKDB_MEMORY_LIMIT.get()


def gx_sample_rows() -> int:
    return GX_SAMPLE_ROWS.get()


def workbook_memory() -> int | None:
    return WORKBOOK_MEMORY.get()


def debug() -> bool:
    return DEBUG.get()


def test_pg_url() -> str:
    return TEST_PG_URL.get()


def child_environment(**extra: str) -> dict[str, str]:
    """This process's environment with ``extra`` on top: for a child process that must see both."""
    return {**os.environ, **extra}


@contextlib.contextmanager
def overridden(setting: Setting, value: str | None) -> Iterator[None]:
    """``setting`` holds ``value`` (when given) in this process and its children until the block
    ends; then what it held before."""
    if not value:
        yield
        return
    saved = os.environ.get(setting.name)
    os.environ[setting.name] = value
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(setting.name, None)
        else:
            os.environ[setting.name] = saved


# --------------------------------------------------------------------------- the docs page


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def configuration_page() -> str:
    """docs/operations/configuration.md, written from :data:`SETTINGS`."""
    head = "| biến môi trường / environment variable | ý nghĩa | meaning | mặc định / default |\n|---|---|---|---|"
    out = ["# Cấu hình / Configuration", "",
           "Mọi biến môi trường được đọc ở một nơi, `cchc_etl/settings.py`; trang này được sinh từ đó. Biến đặt "
           "giá trị rỗng được coi như chưa đặt. / Every environment variable is read in one place, `cchc_etl/settings.py`; "
           "this page is written from it (`python -m cchc_etl.settings docs/operations/configuration.md`). A variable set "
           "to an empty value counts as unset.", "",
           "## Vận hành / Operations", "", head]
    out += [f"| `{s.name}` | {_cell(s.vi)} | {_cell(s.en)} | {_cell(s.shown_default)} |" for s in SETTINGS if s.audience == OPERATIONS]
    out += ["", "## Phát triển / Development", "", "Đọc bởi kiểm thử và bộ đo hiệu năng / read by the tests and the benchmarks "
            "(`tests/`, `bench/`).", "", head]
    out += [f"| `{s.name}` | {_cell(s.vi)} | {_cell(s.en)} | {_cell(s.shown_default)} |" for s in SETTINGS if s.audience == DEVELOPMENT]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv:
        with open(argv[0], "w", encoding="utf-8") as f:
            f.write(configuration_page())
    else:
        sys.stdout.write(configuration_page())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
