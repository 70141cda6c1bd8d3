"""``Loader``: one source's files into the staging tables, quarantine and file log, one
source-month per transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from cchc_etl import __version__
from cchc_etl.contract import SourceSpec, load_profile, load_source
from cchc_etl.ingest.file_log import fields_carried
from cchc_etl.ingest.landing import LandingFile, month_files, reference_files
from cchc_etl.ingest.results import AccountingError, FileResult, LoadResult
from cchc_etl.leftovers import scratch_prefix
from cchc_etl.periods import month_start, next_month
from cchc_etl.pii import hmac_macro_sql, key_fingerprint
from cchc_etl.pii_key import admit
from cchc_etl.readers import FileRefused, RawData, read_raw
from cchc_etl.readers.literal import remove
from cchc_etl.staging import ParsePlan, clean_select, parse_plan, q, staged_columns, staging_ddl
from cchc_etl.warehouse import storage_ddl, transaction, unordered

LARGE_INPUT_BYTES = 8 << 20  # parsing this much keeps DuckDB busy for seconds: see Loader(on_large_input=...)


class Loader:
    """Loads one source's files into DuckDB; the connection's transaction is the caller's unit."""

    def __init__(self, con: duckdb.DuckDBPyConnection, landing: Path, pii_key: str, *, workdir: Path | None = None,
                 on_large_input: Callable[[], None] | None = None,
                 on_parsed: Callable[[SourceSpec, dt.date, str, tuple], None] | None = None, rotate_key: bool = False):
        """``pii_key`` must be the warehouse's key, or ``rotate_key`` set: see ``cchc_etl.pii_key``
        (``KeyRefused`` otherwise, before anything is read or written)."""
        self.con = con
        self.on_large_input = on_large_input  # called once before parsing files of LARGE_INPUT_BYTES or more
        # called with (spec, month, relation, key) when every file of a month was parsed anew: the
        # relation yields exactly the rows the month is about to hold (staging columns), before
        # they are written; key = sorted (file_path, sha256, load_fingerprint, status), as
        # quality.file_log will then say (see ``month_key``)
        self.on_parsed = on_parsed
        self.landing = Path(landing)
        self.workdir = workdir
        self.key_id = key_fingerprint(pii_key)
        admit(con, self.key_id, rotate=rotate_key)
        con.execute(hmac_macro_sql(pii_key))

    def fingerprint(self, spec: SourceSpec, system: str | None = None) -> str:
        """What else decides a file's staged rows: loader version, PII key, contract, profile (and,
        for reference data checked against org_units, the unit codes staged)."""
        profile = sorted(load_profile(system, spec.source).items())
        digest = hashlib.sha256(f"{__version__}|{self.key_id}|{profile}|".encode() + spec.text.encode("utf-8"))
        if spec.reference and _checks_units(spec):
            digest.update(f"|units:{self._units_digest()}".encode())
        return digest.hexdigest()[:16]

    def _units_digest(self) -> str:
        if not self._has_units():
            return "none"
        return self.con.execute(
            "SELECT coalesce(md5(string_agg(DISTINCT unit_code, ',' ORDER BY unit_code)), 'none') FROM staging.stg_org_units"
        ).fetchone()[0]

    def ensure_tables(self, spec: SourceSpec) -> None:
        self.con.execute(storage_ddl(self.con, staging_ddl(spec)))

    # -- event sources -------------------------------------------------------------------
    def load_month(self, source: str, month: dt.date) -> LoadResult:
        spec = load_source(source)
        self.ensure_tables(spec)
        month = month_start(month)
        files = month_files(self.landing, source, month)
        prior = {
            row[0]: row[1:]
            for row in self.con.execute(
                "SELECT file_path, sha256, load_fingerprint, status FROM quality.file_log WHERE source = ? AND month = ?",
                [source, month],
            ).fetchall()
        }
        result = LoadResult(source, month)
        current = {f.relative for f in files}
        has_units = self._has_units()
        # parse outside the transaction (DuckDB scans transaction-local data on one thread),
        # then replace the month's changed files in one transaction
        todo, unchanged = [], []
        for lf in files:
            before = prior.get(lf.relative)
            if before and before[0] == lf.sha256 and before[1] == self.fingerprint(spec, lf.system) and before[2] == "loaded":
                unchanged.append(lf)
            else:
                todo.append(lf)
        if self.on_large_input is not None and sum(lf.size for lf in todo) >= LARGE_INPUT_BYTES:
            self.on_large_input()
        prepared = [
            self._prepare(spec, lf, i, self.fingerprint(spec, lf.system), next_month(month), has_units) for i, lf in enumerate(todo)
        ]
        try:
            if self.on_parsed is not None and not unchanged:
                self.on_parsed(spec, month, self._month_rows_sql(spec, prepared), _key(prepared))
            with transaction(self.con):
                for rel in sorted(set(prior) - current):
                    self._delete_file(spec, rel)
                    result.files.append(FileResult(rel, "removed"))
                for lf in unchanged:
                    counts = self.con.execute(
                        "SELECT rows_read, rows_loaded, rows_quarantined, rows_skipped FROM quality.file_log WHERE file_path = ?",
                        [lf.relative],
                    ).fetchone()
                    result.files.append(FileResult(lf.relative, "unchanged", *counts))
                for prep in prepared:
                    self._delete_file(spec, prep.lf.relative)
                    result.files.append(self._commit(spec, prep))
        finally:
            self._drop(prepared)
        return result

    # -- reference data: whole files, whole table ----------------------------------------
    def load_reference(self, source: str) -> LoadResult:
        spec = load_source(source)
        self.ensure_tables(spec)
        files = reference_files(self.landing, source)
        fingerprint = self.fingerprint(spec)
        result = LoadResult(source, None)
        prior = self.con.execute(
            "SELECT file_path, sha256, load_fingerprint, status, rows_read, rows_loaded, rows_quarantined, rows_skipped "
            "FROM quality.file_log WHERE source = ? AND month IS NULL ORDER BY file_path", [source],
        ).fetchall()
        if prior and [(p[0], p[1], p[2]) for p in prior] == [(f.relative, f.sha256, fingerprint) for f in files] \
                and all(p[3] == "loaded" for p in prior):
            result.files = [FileResult(p[0], "unchanged", *p[4:]) for p in prior]
            return result  # same files, same content, same loader: nothing to do
        # a target's scope may name a unit: checked when org_units is staged (the unit codes are
        # part of the fingerprint, so a changed org_units file re-checks them)
        has_units = _checks_units(spec) and self._has_units()
        prepared = [self._prepare(spec, lf, i, fingerprint, None, has_units) for i, lf in enumerate(files)]
        try:
            with transaction(self.con):
                self.con.execute(f"DELETE FROM {spec.staging_table}")
                self.con.execute("DELETE FROM quality.quarantine WHERE source = ? AND month IS NULL", [source])
                self.con.execute("DELETE FROM quality.file_log WHERE source = ? AND month IS NULL", [source])
                for prep in prepared:
                    result.files.append(self._commit(spec, prep))
        finally:
            self._drop(prepared)
        return result

    # -- internals -----------------------------------------------------------------------
    def _has_units(self) -> bool:
        try:
            return self.con.execute("SELECT count(*) > 0 FROM staging.stg_org_units").fetchone()[0]
        except duckdb.CatalogException:
            return False

    def _delete_file(self, spec: SourceSpec, rel: str) -> None:
        self.con.execute(f"DELETE FROM {spec.staging_table} WHERE file_path = ?", [rel])
        self.con.execute("DELETE FROM quality.quarantine WHERE file_path = ?", [rel])
        self.con.execute("DELETE FROM quality.file_log WHERE file_path = ?", [rel])

    def _log(self, lf: LandingFile, fingerprint: str, res: FileResult, raw: RawData | None, blank: int = 0, total: int = 0,
             footer: int = 0) -> None:
        sheets = json.dumps(raw.sheets, ensure_ascii=False) if raw is not None and raw.sheets else None
        self.con.execute(
            """INSERT INTO quality.file_log (file_path, source, system, month, sha256, rows_read, rows_loaded,
                   rows_quarantined, rows_skipped, loaded_at, status, error, container, encoding, header_row,
                   rows_blank, rows_total, load_fingerprint, sheets, rows_footer, fields_carried, pii_key_fingerprint)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, now(), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                lf.relative, lf.source, lf.system, lf.month, lf.sha256, res.rows_read, res.rows_loaded,
                res.rows_quarantined, res.rows_skipped, res.status, res.error,
                raw.container if raw else lf.path.suffix.lower().lstrip("."), raw.encoding if raw else None,
                raw.header_row if raw else None, blank, total, fingerprint, sheets, footer,
                fields_carried(raw) if raw else None, self.key_id,
            ],
        )

    def _prepare(self, spec: SourceSpec, lf: LandingFile, index: int, fingerprint: str, month_end: dt.date | None, has_units: bool) -> Prepared:
        """Read and parse one file into temp tables parsed_<i> / quarantine_<i> (no warehouse change yet)."""
        prep = Prepared(lf=lf, fingerprint=fingerprint, parsed=f"parsed_{index}", table=f"parsed_rows_{index}",
                        quarantined=f"quarantine_{index}")
        if lf.month is not None and lf.system is None:
            prep.result = FileResult(lf.relative, "refused", error=f"{lf.relative}: file name must be <system>__<anything>.<ext>")
            return prep
        if not lf.path.resolve().is_relative_to(self.landing.resolve()):
            # a link out of the drop area: what it points to is never read, nor quoted in a reason
            prep.result = FileResult(lf.relative, "refused", error=f"{lf.relative}: liên kết tượng trưng trỏ ra ngoài vùng "
                                     "landing, không đọc / a symbolic link to a file outside the landing area is not read")
            return prep
        try:
            with tempfile.TemporaryDirectory(prefix=scratch_prefix("load"), dir=self.workdir) as tmp:
                prep.raw = read_raw(lf.path, spec, profile=load_profile(lf.system, spec.source), workdir=Path(tmp))
                try:
                    self._parse(spec, prep, month_end, has_units)
                finally:
                    remove(prep.raw.cleanup)
        except FileRefused as exc:
            prep.result = FileResult(lf.relative, "refused", error=f"{lf.relative}: {exc.problem}")
        except AccountingError:
            raise
        except Exception as exc:  # a file nothing can read stops itself, never the month's other files
            prep.result = FileResult(lf.relative, "refused",
                                     error=f"{lf.relative}: không đọc được tệp / cannot read the file: {type(exc).__name__}: "
                                           + str(exc).replace("\x00", ""))
        return prep

    def count_text(self, spec: SourceSpec, raw: RawData) -> tuple[RawData, list[int]]:
        """Stream the reader's output through the cleaning every cell gets (trim, blank -> NULL,
        NFC) without storing it: ``[rows, non-blank cells of c0, c1, ...]``, after the same
        record-count check and fallback as loading. The readers' benchmark: the loader's own
        pass (``_parse``) cleans the same way while it types and hashes."""
        con = self.con

        def counts(relation: str) -> list[int]:
            cells = "".join(f", count(c{i})" for i in range(raw.n_columns))
            return list(con.execute(f"SELECT count(*){cells} FROM (SELECT {clean_select(spec, raw)} FROM {relation})").fetchone())

        if raw.sql is not None:
            try:
                result = counts(raw.sql)
            except duckdb.Error:
                result = [-1]
            if result[0] == raw.data_rows:
                return raw, result
            raw = raw.fallback()
        con.register("raw_text_arrow", raw.table)
        try:
            return raw, counts("raw_text_arrow")
        finally:
            con.unregister("raw_text_arrow")

    def materialize_text(self, spec: SourceSpec, raw: RawData) -> tuple[RawData, int]:
        """The reader's output as clean text rows in the temp table ``raw_text`` (file order, with
        ``_row_number``): what the readers produce before typing. The loader itself cleans and
        types in one pass (``_parse``); a debugging aid."""
        con = self.con
        if raw.sql is not None:
            try:
                con.execute(f"CREATE OR REPLACE TEMP TABLE raw_text AS SELECT {clean_select(spec, raw)} FROM {raw.sql}")
                count = con.execute("SELECT count(*) FROM raw_text").fetchone()[0]
            except duckdb.Error:
                count = -1
            if count == raw.data_rows:
                return raw, count
            raw = raw.fallback()
        con.register("raw_text_arrow", raw.table)
        try:
            con.execute(f"CREATE OR REPLACE TEMP TABLE raw_text AS SELECT {clean_select(spec, raw)}, _row_number FROM raw_text_arrow")
        finally:
            con.unregister("raw_text_arrow")
        return raw, raw.table.num_rows

    def _create_parsed(self, spec: SourceSpec, prep: Prepared, month_end: dt.date | None, has_units: bool) -> ParsePlan:
        """Clean, type, hash and check the file's rows in one pass into ``prep.table``, and expose
        them with ``_row_number`` as the view ``prep.parsed``. The CSV fast path numbers the rows
        from their rowids (a CTAS keeps file order) and is kept only if DuckDB's record count
        equals the physical line count; else (blank lines, quoted line breaks, ragged rows) the
        exact reader's Arrow rows, which carry their row numbers, are parsed instead."""
        con, raw = self.con, prep.raw
        month_end_sql = month_end.isoformat() if month_end else None
        if raw.sql is not None:
            plan = parse_plan(spec, raw, raw.sql, month_end_sql, has_units, target=prep.table, row_numbers=False)
            try:
                con.execute(plan.create)
                count, low, high = con.execute(f"SELECT count(*), min(rowid), max(rowid) FROM {prep.table}").fetchone()
            except duckdb.Error:  # ragged rows, quoted line breaks the parallel scanner refuses, ...
                count = low = high = -1
            if count == raw.data_rows:
                first = raw.first_row_number
                # a header-only file: no rows, and min(rowid) is NULL
                number = ("CAST(NULL AS BIGINT)" if count == 0 else f"CAST(rowid - {low} AS BIGINT) + {first}" if high - low + 1 == count
                          else f"CAST(row_number() OVER (ORDER BY rowid) AS BIGINT) + {first - 1}")
                con.execute(f"CREATE OR REPLACE TEMP VIEW {prep.parsed} AS SELECT *, {number} AS _row_number FROM {prep.table}")
                return plan
            con.execute(f"DROP TABLE IF EXISTS {prep.table}")
            raw = prep.raw = raw.fallback()
        arrow = f"{prep.table}_arrow"
        con.register(arrow, raw.table)
        try:
            plan = parse_plan(spec, raw, arrow, month_end_sql, has_units, target=prep.table, row_numbers=True)
            con.execute(plan.create)
        finally:
            con.unregister(arrow)
        con.execute(f"CREATE OR REPLACE TEMP VIEW {prep.parsed} AS SELECT * FROM {prep.table}")
        return plan

    def _parse(self, spec: SourceSpec, prep: Prepared, month_end: dt.date | None, has_units: bool) -> None:
        con = self.con
        lf = prep.lf
        try:
            plan = self._create_parsed(spec, prep, month_end, has_units)
            raw = prep.raw
            con.execute(plan.footer)
            data_rows, loaded, quarantined, blank, total, footer = con.execute(
                f"""SELECT count(*),
                          count(*) FILTER (WHERE _skip IS NULL AND _err IS NULL),
                          count(*) FILTER (WHERE {plan.bad}),
                          count(*) FILTER (WHERE _skip = 'blank'),
                          count(*) FILTER (WHERE _skip = 'total'),
                          count(*) FILTER (WHERE _skip = 'footer')
                   FROM {prep.table}"""
            ).fetchone()
            if data_rows != raw.data_rows:
                raise AccountingError(f"{lf.relative}: reader saw {raw.data_rows} data rows, staging {data_rows}")
            sheet = "_sheet" if raw.sheet_column else "CAST(NULL AS VARCHAR)"
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE {prep.quarantined} AS SELECT _row_number, _err_column AS column_name, "
                f"_err_reason AS reason, _raw_values AS raw_values, {sheet} AS sheet FROM {prep.parsed} WHERE {plan.bad}"
            )
        except duckdb.Error as exc:
            raise FileRefused(lf.path, f"cannot parse: {exc}") from exc
        # title and header rows of every sheet read, blank, total and footer rows; sheets not read
        # count nothing (they are listed in the file log's ``sheets`` with the reason)
        skipped = raw.skipped_head + blank + total + footer
        prep.result = FileResult(lf.relative, "loaded", raw.rows_physical, loaded, quarantined, skipped)
        prep.blank, prep.total, prep.footer = blank, total, footer
        if prep.result.rows_read != loaded + quarantined + skipped:
            raise AccountingError(f"{lf.relative}: rows_read {raw.rows_physical} != loaded {loaded} + quarantined {quarantined} + skipped {skipped}")

    def _commit(self, spec: SourceSpec, prep: Prepared) -> FileResult:
        """Inside the month's transaction: the prepared file's rows, quarantine and log entry."""
        con, lf, res = self.con, prep.lf, prep.result
        if res.status == "loaded":
            cols = ", ".join(q(c) for c, _ in staged_columns(spec))
            bookkeeping = "file_path, row_number"
            select_bookkeeping = f"{_lit(lf.relative)}, _row_number"
            if not spec.reference:
                bookkeeping = "month, system, " + bookkeeping
                select_bookkeeping = f"DATE {_lit(lf.month.isoformat())}, {_lit(lf.system)}, " + select_bookkeeping
            with unordered(con):  # each row carries its file and row number
                con.execute(
                    f"INSERT INTO {spec.staging_table} ({bookkeeping}, {cols}, extra) "
                    f"SELECT {select_bookkeeping}, {cols}, extra FROM {prep.parsed} WHERE _skip IS NULL AND _err IS NULL"
                )
            month_sql = f"DATE {_lit(lf.month.isoformat())}" if lf.month else "CAST(NULL AS DATE)"
            con.execute(
                f"""INSERT INTO quality.quarantine (file_path, row_number, column_name, reason, raw_values, source, month, sheet)
                    SELECT {_lit(lf.relative)}, _row_number, column_name, reason, raw_values, {_lit(spec.source)}, {month_sql}, sheet
                    FROM {prep.quarantined}"""
            )
        self._log(lf, prep.fingerprint, res, prep.raw if res.status == "loaded" else None, prep.blank, prep.total, prep.footer)
        return res

    def _month_rows_sql(self, spec: SourceSpec, prepared: list[Prepared]) -> str:
        """The rows the prepared files will stage, as the staging table's columns."""
        cols = ", ".join(q(c) for c, _ in staged_columns(spec))
        parts = [
            f"SELECT DATE {_lit(p.lf.month.isoformat())} AS month, {_lit(p.lf.system)} AS system, {_lit(p.lf.relative)} AS file_path, "
            f"_row_number AS row_number, {cols}, extra FROM {p.parsed} WHERE _skip IS NULL AND _err IS NULL"
            for p in prepared if p.result is not None and p.result.status == "loaded"
        ]
        return " UNION ALL ".join(parts) or f"SELECT * FROM {spec.staging_table} WHERE false"

    def _drop(self, prepared: list[Prepared]) -> None:
        for prep in prepared:
            self.con.execute(f"DROP VIEW IF EXISTS {prep.parsed}; DROP TABLE IF EXISTS {prep.table}; "
                             f"DROP TABLE IF EXISTS {prep.quarantined}")


@dataclass
class Prepared:
    lf: LandingFile
    fingerprint: str
    parsed: str  # view over ``table`` with _row_number
    table: str
    quarantined: str
    raw: RawData | None = None
    result: FileResult | None = None
    blank: int = 0
    total: int = 0
    footer: int = 0


def _checks_units(spec: SourceSpec) -> bool:
    return any(f.references == "org_units" for f in spec.fields)


def _key(prepared: list[Prepared]) -> tuple:
    return tuple(sorted((p.lf.relative, p.lf.sha256, p.fingerprint, p.result.status) for p in prepared if p.result is not None))


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
