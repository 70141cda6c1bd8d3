"""The drafted results report (DOCX) read back with python-docx, every figure checked against the
marts (the session's sample warehouse, Jan–Feb 2024, copied).

Each number in the document is parsed from its text or table and mapped to its source:
``marts.indicator_values`` (RPT_* counts and rates of the scope at its scored level, and of every
unit for the table by level), ``marts.target_attainment``, ``marts.scores`` (scores, bands and
the ranks recomputed here per group). Whatever the checks consumed is removed from the text; no
digit may remain apart from the period's own wording, so no figure in the document goes unchecked.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import docx
import duckdb
import pytest

from cchc_etl.reports.output import build_reports, file_name

VERSION = "vn-2025.1"
CITY = "HCM"
DEPT = "STNMT"
NUM = r"(\d{1,3}(?:\.\d{3})*(?:,\d+)?)"
FRAC = NUM + "/" + NUM + r" \(" + NUM + " %\\)"
LEVEL_GROUP = {"Sở, ban, ngành": "department", "UBND cấp huyện (quận, huyện, thị xã)": "district",
               "UBND cấp xã (xã, phường, thị trấn)": "commune", "Cơ quan, đơn vị khác": "other"}
RANK_GROUP = {"Xếp hạng sở, ban, ngành": "department", "Xếp hạng quận, huyện, thị xã": "district",
              "Xếp hạng xã, phường, thị trấn": "commune", "Xếp hạng cơ quan, đơn vị khác": "other"}
RESOLVED = ("RPT_RESOLVED_EARLY", "RPT_RESOLVED_ON_TIME", "RPT_RESOLVED_LATE")
PENDING = ("RPT_PENDING_WITHIN", "RPT_PENDING_OVERDUE")
# phrase right before "x/y (z %)" -> (numerator codes, denominator codes) summed over RPT_* counts
COUNT_SHARES = {
    "nộp trực tuyến ": (("RPT_RECEIVED_ONLINE",), ("RPT_RECEIVED",)),
    "nộp trực tiếp ": (("RPT_RECEIVED_DIRECT",), ("RPT_RECEIVED",)),
    "qua dịch vụ bưu chính công ích ": (("RPT_RECEIVED_POSTAL",), ("RPT_RECEIVED",)),
    "giải quyết trước hạn ": (("RPT_RESOLVED_EARLY",), RESOLVED),
    ", đúng hạn ": (("RPT_RESOLVED_ON_TIME",), RESOLVED),
    ", quá hạn ": (("RPT_RESOLVED_LATE",), RESOLVED),
    "giải quyết trước và đúng hạn ": (("RPT_RESOLVED_EARLY", "RPT_RESOLVED_ON_TIME"), RESOLVED),
    "trong đó trong hạn ": (("RPT_PENDING_WITHIN",), PENDING),
    "quá hạn ": (("RPT_PENDING_OVERDUE",), PENDING),   # the pending sentence's last share (after the others)
}
# phrase right before ": x/y (z %)" -> the indicator whose numerator, denominator and value it states
RATES = {
    "trên các thủ tục được cung cấp trực tuyến": "ONLINE_SHARE_ELIGIBLE",
    "Tiếp nhận qua dịch vụ bưu chính công ích": "POSTAL_SHARE",
    "Số hóa kết quả giải quyết thủ tục hành chính": "DIGITIZED_RESULT_RATE",
    "hồ sơ được số hóa thành phần và kết quả": "IDX_4_2",
    "hồ sơ có kết quả điện tử": "IDX_4_1",
    "Người dân, doanh nghiệp đánh giá hài lòng": "SATISFACTION_RATE",
    "Hồ sơ trễ hạn có thư xin lỗi gửi người dân, doanh nghiệp": "APOLOGY_COVERAGE",
    "Phản ánh, kiến nghị (PAKN) được xử lý đúng hạn": "IDX_5_2",
    "kết quả xử lý PAKN được công khai": "FEEDBACK_PUBLISHED",
    "Văn bản điện tử (trừ văn bản mật)": "DOC_ELECTRONIC_RATE",
    "văn bản đi điện tử có ký số": "DOC_OUT_SIGNED_SENT",
    "văn bản đến được xử lý trên môi trường mạng": "DOC_IN_PROCESSED_ONLINE",
    "văn bản gửi, nhận qua trục liên thông": "DOC_INTERCONNECT_RATE",
    "Tài khoản thư điện tử công vụ sử dụng thường xuyên": "EMAIL_ACTIVE_RATE",
    "lãnh đạo sử dụng thư điện tử công vụ thường xuyên": "EMAIL_LEADER_REGULAR",
}
# phrase -> the RPT_* counts a plain count after it sums
COUNTS = {"đã tiếp nhận ": ("RPT_RECEIVED",), "ngoài ra có ": ("RPT_CARRIED_OVER",), "Đã giải quyết ": RESOLVED,
          "Có ": ("RPT_WITHDRAWN_REJECTED",), "Đến cuối kỳ còn ": PENDING}


def num(text: str) -> float:
    return float(text.replace(".", "").replace(",", "."))


def r2(x) -> Decimal:
    return Decimal(repr(float(x))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def pct(text: str) -> Decimal:
    return Decimal(text.replace(".", "").replace(",", "."))


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def wh(sample_warehouse, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("reports_docx") / "warehouse.duckdb"
    shutil.copyfile(sample_warehouse, path)
    return path


@pytest.fixture(scope="module")
def cli_run(wh) -> subprocess.CompletedProcess:
    """`cchc-etl report --format xlsx,docx` for the quarter (to date) of the city and one department."""
    return subprocess.run([sys.executable, "-m", "cchc_etl.cli", "report", "--period", "2024-Q1", "--unit", CITY, "--unit", DEPT,
                           "--format", "xlsx,docx", "--warehouse", f"duckdb:///{wh.resolve().as_posix()}"],
                          cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def con(wh, cli_run):
    c = duckdb.connect(str(wh), read_only=True)
    yield c
    c.close()


def body(path: Path) -> list:
    """The document's paragraphs and tables in order: ('p', text) or ('t', [[cell text]])."""
    d = docx.Document(str(path))
    out = []
    tables = iter(d.tables)
    paras = iter(d.paragraphs)
    for child in d.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[1]
        if tag == "p":
            out.append(("p", next(paras).text))
        elif tag == "tbl":
            out.append(("t", [[c.text for c in row.cells] for row in next(tables).rows]))
    return out


# --------------------------------------------------------------------------- the checker


class Marts:
    def __init__(self, con, ptype: str, start: str):
        self.con, self.ptype, self.start = con, ptype, start
        iv = con.execute("SELECT org_unit_code, org_level, indicator_code, numerator, denominator, value FROM marts.indicator_values "
                         "WHERE period_type = ? AND period_start = ? AND methodology_version = ?", [ptype, start, VERSION]).fetchall()
        self.iv = {(u, lvl, c): (n, d, v) for u, lvl, c, n, d, v in iv}
        self.levels = dict(con.execute("SELECT DISTINCT ON (unit_code) unit_code, level FROM staging.stg_org_units "
                                       "ORDER BY unit_code, valid_from DESC NULLS LAST").fetchall())

    def group(self, unit: str) -> str:
        lv = self.levels.get(unit)
        return lv if lv in ("department", "district", "commune") else "other"

    def count(self, code: str, level: str, codes) -> int:
        return int(sum(self.iv[(code, level, c)][0] for c in codes))

    def members(self, scope: str) -> set[str]:
        if scope == CITY:
            return {u for (u, lvl, _c) in self.iv if lvl == "unit"}
        rows = self.con.execute("""SELECT DISTINCT u.rollup_code FROM core.org_rollup d JOIN core.org_rollup u
            ON u.member_code = d.member_code AND u.period_type = d.period_type AND u.period_start = d.period_start
            WHERE d.period_type = ? AND d.period_start = ? AND d.rollup_level = 'department' AND d.rollup_code = ?
              AND u.rollup_level = 'unit'""", [self.ptype, self.start, scope]).fetchall()
        return {r[0] for r in rows}


def check_report(path: Path, m: Marts, scope: str, level: str) -> list[str]:
    """Check every figure; returns the checks made (for the sanity of the test itself)."""
    parts = body(path)
    text = "\n".join(t for k, t in parts if k == "p")
    done = []

    def consume(pattern: str, check) -> None:
        nonlocal text
        hit = re.search(pattern, text)
        assert hit, f"{pattern!r} not in {path.name}"
        check(hit)
        text = text[:hit.start()] + "¤" + text[hit.end():]
        done.append(pattern)

    def share(num_codes, den_codes):
        def check(hit):
            x, y = num(hit.group(1)), num(hit.group(2))
            assert x == m.count(scope, level, num_codes) and y == m.count(scope, level, den_codes), hit.group(0)
            assert pct(hit.group(3)) == r2(100 * x / y), hit.group(0)
        return check

    for phrase, (n_codes, d_codes) in COUNT_SHARES.items():
        consume(re.escape(phrase) + FRAC, share(n_codes, d_codes))
    for phrase, codes in COUNTS.items():
        consume(re.escape(phrase) + NUM + " hồ sơ", lambda h, codes=codes: (
            None if num(h.group(1)) == m.count(scope, level, codes) else pytest.fail(f"{h.group(0)}: {m.count(scope, level, codes)}")))
    for phrase, code in RATES.items():
        got = m.iv.get((scope, level, code))
        if got is None or got[1] is None or got[1] != got[1] or not got[1]:
            consume(re.escape(phrase) + ": chưa có số liệu trong kho dữ liệu", lambda h: None)
            continue

        def rate(hit, got=got):
            assert (num(hit.group(1)), num(hit.group(2))) == (got[0], got[1]), hit.group(0)
            assert pct(hit.group(3)) == r2(got[2]), hit.group(0)
        consume(re.escape(phrase) + ": " + FRAC, rate)

    check_level_table(parts, m, scope, level)
    check_targets(parts, m, scope, consume)
    check_ranking(parts, m, scope, level, consume)
    # the period's own wording and the numbering of headings and tables are not figures
    leftover = re.sub(r"(?m)quý I năm 2024|NĂM 2024|năm 2024|tháng 0[23]/2024|tháng 0[23] năm 2024|^\d\. |Bảng 1\.", "", text)
    assert not re.search(r"\d", leftover), f"unchecked figures in {path.name}: " + " | ".join(
        line for line in leftover.splitlines() if re.search(r"\d", line))
    return done


def check_level_table(parts, m: Marts, scope: str, level: str) -> None:
    table = next(t for k, t in parts if k == "t" and t[0][0] == "Cấp")
    members = m.members(scope)
    fields = [("RPT_RECEIVED",), ("RPT_CARRIED_OVER",), ("RPT_RECEIVED_ONLINE",), RESOLVED, ("RPT_RESOLVED_EARLY",),
              ("RPT_RESOLVED_ON_TIME",), ("RPT_RESOLVED_LATE",), None, ("RPT_PENDING_WITHIN",), ("RPT_PENDING_OVERDUE",)]
    seen = []
    for row in table[1:]:
        label = row[0]
        if label == "Tổng cộng":
            units = [(scope, level)]
        else:
            units = [(u, "unit") for u in members if m.group(u) == LEVEL_GROUP[label]]
            seen.append(label)
        for cell, codes in zip(row[1:], fields):
            if codes is None:
                continue
            assert num(cell) == sum(m.count(u, lvl, codes) for u, lvl in units), (label, cell, codes)
        done = sum(m.count(u, lvl, RESOLVED) for u, lvl in units)
        in_time = sum(m.count(u, lvl, RESOLVED[:2]) for u, lvl in units)
        assert row[8] == ("N/A" if not done else f"{str(r2(100 * in_time / done)).replace('.', ',')} %"), (label, row[8])
    present = {g for g, lv in LEVEL_GROUP.items() for u in members if m.group(u) == lv}
    assert set(seen) == present and table[-1][0] == "Tổng cộng"


def fmt_value(x) -> str:
    d = r2(x)
    whole, _, frac = f"{abs(d):.2f}".partition(".")
    return ("−" if d < 0 else "") + f"{int(whole):,}".replace(",", ".") + "," + frac


def check_targets(parts, m: Marts, scope: str, consume) -> None:
    rows = m.con.execute("""
        SELECT t.org_unit_code, coalesce(i.name_vi, t.indicator_code), t.comparator, t.target_value, t.second_value, t.actual_value,
               t.numerator, t.denominator, t.met
        FROM marts.target_attainment t LEFT JOIN core.dim_indicator i
          ON i.indicator_code = t.indicator_code AND i.methodology_version = t.methodology_version
        WHERE t.year = 2024 AND t.methodology_version = ?""", [VERSION]).fetchall()
    wanted = m.members(scope) | {scope} if scope != CITY else None
    rows = [r for r in rows if wanted is None or r[0] in wanted]
    met = [r for r in rows if r[8] is True]
    not_met = [r for r in rows if r[8] is False]
    no_data = [r for r in rows if r[8] is None]
    assessed = len(met) + len(not_met)

    def lead(hit):
        assert num(hit.group(1)) == len(rows)
        assert (num(hit.group(2)), num(hit.group(3))) == (len(met), assessed) and pct(hit.group(4)) == r2(100 * len(met) / assessed)
    consume(r"Có " + NUM + " chỉ tiêu được giao; đã đạt " + FRAC, lead)
    if no_data:
        consume(r"; " + NUM + " chỉ tiêu chưa đủ số liệu", lambda h: None if num(h.group(1)) == len(no_data) else pytest.fail(h.group(0)))
    heading = None
    tables = {}
    for kind, item in parts:
        if kind == "p" and re.match(r"\d\. Các chỉ tiêu", item):
            heading = item
        elif kind == "t" and item[0][0] == "Chỉ tiêu":
            tables[heading] = item[1:]
    expect = {"1. Các chỉ tiêu đã đạt": met, "2. Các chỉ tiêu chưa đạt": not_met, "3. Các chỉ tiêu chưa đủ số liệu": no_data}
    assert {k for k, v in expect.items() if v} == set(tables)
    for heading, table in tables.items():
        pool = list(expect[heading])
        assert len(table) == len(pool), heading
        for name, unit, condition, actual in table:
            code = re.search(r"\(([^()]+)\)$", unit).group(1)
            cands = [r for r in pool if r[0] == code and name.startswith(r[1]) and fmt_value(r[3]) in condition]
            assert cands, (heading, name, unit, condition)
            r = cands[0]
            pool.remove(r)
            if r[4] is not None:
                assert fmt_value(r[4]) in condition
            figures = re.findall(NUM, actual)
            if r[5] is None:
                assert actual == "—"
            else:
                assert fmt_value(abs(r[5])) == figures[0], (name, actual)
                if r[2] == "share_of_units":
                    assert [num(f) for f in figures[1:]] == [r[6], r[7]], actual
                else:
                    assert len(figures) == 1


def check_ranking(parts, m: Marts, scope: str, level: str, consume) -> None:
    def totals(start) -> dict:
        return {(u, lvl): (s, mx, r, b) for u, lvl, s, mx, r, b in m.con.execute(
            "SELECT org_unit_code, org_level, score, max_score, ratio, classification FROM marts.scores WHERE period_type = ? "
            "AND period_start = ? AND methodology_version = ? AND group_code = 'TOTAL'", [m.ptype, start, VERSION]).fetchall()}

    prev_start = {"quarter": "2023-10-01", "month": None}.get(m.ptype)
    now = totals(m.start)
    before = totals(prev_start) if prev_start else totals(m.con.execute(
        "SELECT CAST(? AS DATE) - INTERVAL 1 MONTH", [m.start]).fetchone()[0])

    group = m.group
    def ranks(scores) -> dict:
        out = {}
        for u in {u for (u, _l) in scores if u != CITY}:
            key = (u, "department" if m.levels.get(u) in ("department", "district") else "unit")
            if key in scores and scores[key][2] is not None:
                out[u] = r2(scores[key][2])
        return {u: 1 + sum(1 for v, r in out.items() if group(v) == group(u) and r > out[u]) for u in out}

    rank_now, rank_before = ranks(now), ranks(before)
    own = now[(scope, level)]

    def own_line(hit):
        assert (fmt_value(own[0]), fmt_value(own[1]), pct(hit.group(3))) == (hit.group(1), hit.group(2), r2(own[2]))
        assert hit.group(4) == own[3]
    consume(f"đạt {NUM}/{NUM} điểm \\({NUM} %\\), xếp loại ([^,.]+)", own_line)
    if scope != CITY:
        in_group = sum(1 for u in rank_now if group(u) == group(scope))
        consume(f"xếp hạng {NUM}/{NUM} trong nhóm", lambda h: None if (num(h.group(1)), num(h.group(2))) == (
            rank_now[scope], in_group) else pytest.fail(h.group(0)))
    heading, seen = None, 0
    members = m.members(scope)
    for kind, item in parts:
        if kind == "p":
            heading = item
        elif kind == "t" and item[0][0] == "Hạng":
            g = RANK_GROUP[heading]
            for rank, unit, score, ratio, band, change in item[1:]:
                code = re.search(r"\(([^()]+)\)$", unit).group(1)
                assert code in members and group(code) == g, (heading, unit)
                key = (code, "department" if m.levels.get(code) in ("department", "district") else "unit")
                s, _mx, r, b = now[key]
                assert (score, ratio, band) == (fmt_value(s), f"{fmt_value(r)} %", b), unit
                assert int(rank) == rank_now[code], unit
                if code in rank_before:
                    d = rank_before[code] - rank_now[code]
                    assert change == ("không đổi" if d == 0 else f"tăng {d} bậc" if d > 0 else f"giảm {-d} bậc"), unit
                else:
                    assert change == "—", unit
                seen += 1
    assert seen == sum(1 for u in members if (u, "department" if m.levels.get(u) in ("department", "district") else "unit") in now)


# --------------------------------------------------------------------------- tests


def test_cli_writes_workbook_and_drafted_report(cli_run, wh):
    assert cli_run.returncode == 0, cli_run.stderr
    directory = wh.parent / "reports" / "2024-Q1"
    for unit in (CITY, DEPT):
        for fmt in ("xlsx", "docx"):
            assert (directory / file_name("2024-Q1", unit, fmt)).exists()
            assert str(directory / file_name("2024-Q1", unit, fmt)) in cli_run.stdout


@pytest.mark.parametrize("scope,level", [(CITY, "city"), (DEPT, "department")])
def test_quarter_to_date_every_figure_is_the_marts(con, wh, scope, level):
    path = wh.parent / "reports" / "2024-Q1" / file_name("2024-Q1", scope, "docx")
    paragraphs = [t for k, t in body(path) if k == "p"]
    assert paragraphs[2] == "Kết quả thực hiện công tác cải cách hành chính quý I năm 2024 (lũy kế đến hết tháng 02/2024)"
    done = check_report(path, Marts(con, "quarter", "2024-01-01"), scope, level)
    assert len(done) >= len(COUNT_SHARES) + len(COUNTS) + len(RATES) + 2


def test_month_every_figure_is_the_marts(con, wh, tmp_path):
    run = build_reports(wh, "2024-02", version=VERSION, units=[CITY], out=tmp_path, formats=["docx"])
    assert [f.suffix for f in run.files] == [".docx"]
    paragraphs = [t for k, t in body(run.files[0]) if k == "p"]
    assert paragraphs[2] == "Kết quả thực hiện công tác cải cách hành chính tháng 02 năm 2024"
    check_report(run.files[0], Marts(con, "month", "2024-02-01"), CITY, "city")


def test_half_year_says_what_is_not_scored(con, wh, tmp_path):
    run = build_reports(wh, "2024-H1", version=VERSION, units=[CITY], out=tmp_path, formats=["docx"])
    text = "\n".join(t for k, t in body(run.files[0]) if k == "p")
    assert "6 tháng đầu năm 2024 (lũy kế đến hết tháng 02/2024)" in text
    assert "Người dân, doanh nghiệp đánh giá hài lòng: không tính cho kỳ 6 tháng" in text
    assert "kỳ này không có điểm và xếp hạng" in text
    received = sum(int(r[0]) for r in con.execute("SELECT numerator FROM marts.indicator_values WHERE period_type = 'quarter' "
                                                  "AND period_start = '2024-01-01' AND org_unit_code = ? AND org_level = 'city' "
                                                  "AND indicator_code = 'RPT_RECEIVED'", [CITY]).fetchall())
    assert f"đã tiếp nhận {received:,} hồ sơ mới".replace(",", ".") in text
