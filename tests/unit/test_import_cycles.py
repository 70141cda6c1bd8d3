"""No import cycles in the package or the benchmarks, counting imports inside functions too (a
lazy import hides a cycle from the interpreter, not from a reader)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def import_graph(folder: Path, package: str | None) -> dict[str, set[str]]:
    """Module -> the modules of the same tree it imports. ``package`` None: a folder of scripts
    that import each other by bare name (bench/ puts itself on sys.path)."""
    modules = {}
    for path in folder.rglob("*.py"):
        parts = path.relative_to(folder).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        name = ".".join(([package] if package else []) + list(parts))
        modules[name] = path
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            else:
                continue
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_detector_finds_a_cycle_through_a_lazy_import(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from pkg.b import f\n")
    (pkg / "b.py").write_text("def f():\n    from pkg import a\n")
    (pkg / "c.py").write_text("import pkg.a\n")
    assert cycles(import_graph(pkg, "pkg")) == [["pkg.a", "pkg.b"]]


def test_the_package_has_no_import_cycles():
    assert cycles(import_graph(ROOT / "cchc_etl", "cchc_etl")) == []


def test_the_command_modules_import_only_the_common_module():
    graph = import_graph(ROOT / "cchc_etl", "cchc_etl")
    commands = [m for m in graph if m.startswith("cchc_etl.cli.") and m not in ("cchc_etl.cli.common", "cchc_etl.cli.__main__")]
    assert len(commands) >= 5, commands
    for module in commands:
        cli_imports = {t for t in graph[module] if t == "cchc_etl.cli" or t.startswith("cchc_etl.cli.")}
        assert cli_imports <= {"cchc_etl.cli.common"}, (module, cli_imports)


def test_month_arithmetic_lives_in_periods():
    """One home for months: no module but periods defines month_start, next_month, previous_month."""
    defined = {}
    for path in (ROOT / "cchc_etl").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name in ("month_start", "next_month", "previous_month", "add_months"):
                defined.setdefault(node.name, []).append(path.relative_to(ROOT).as_posix())
    assert defined == {n: ["cchc_etl/periods.py"] for n in ("month_start", "next_month", "previous_month", "add_months")}, defined


def test_the_benchmarks_have_no_import_cycles():
    """bench/ scripts import each other by bare name; the suites share bench/common.py only."""
    graph = import_graph(ROOT / "bench", None)
    assert "common" in graph and graph["common"] == set()
    assert cycles(graph) == []
    for suite in ("publish", "reports", "scoring"):
        assert "run" not in graph[suite], suite
