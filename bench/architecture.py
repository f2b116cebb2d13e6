"""Measures the architecture bars of issue 19: import loops, upward imports and hard-coded URLs.

`python -m bench.architecture` prints the counts; tests/unit/test_import_graph.py fails on any loop.
Function-local imports count: hiding an import inside a function does not remove the dependency.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = ROOT / "site" / "trackmycrime"
TEMPLATES_DIR = ROOT / "templates"

# The layers, top first. The entry points may import anything; the web areas (pages and the route
# modules under them) may import the domain; the domain and the infrastructure import neither.
ENTRY_MODULES = frozenset(
    {
        "trackmycrime.__main__",
        "trackmycrime.app",
        "trackmycrime.asgi",
        "trackmycrime.cli",
        "trackmycrime.demo.runner",
    }
)
WEB_AREAS = (
    "trackmycrime.pages",
    "trackmycrime.forms",
    "trackmycrime.victim",
    "trackmycrime.officer",
    "trackmycrime.public",
    "trackmycrime.demo",
    "trackmycrime.ingest",
)
# The ingest API is one caller of the domain, like the officer and victim pages: no other area imports it.
CALLER_PACKAGES = ("trackmycrime.ingest",)


def _within(module: str, areas: tuple[str, ...] | frozenset[str]) -> bool:
    return any(module == area or module.startswith(area + ".") for area in areas)


def layer(module: str) -> int:
    if module in ENTRY_MODULES:
        return 2
    return 1 if _within(module, WEB_AREAS) else 0


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def package_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE_DIR.rglob("*.py"))}


def imported_modules(name: str, path: Path, known: set[str]) -> set[str]:
    """The trackmycrime modules `name` imports anywhere in its file (ones under TYPE_CHECKING excepted)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    type_checking_only = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for statement in block.body
        for node in ast.walk(statement)
    }
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in type_checking_only:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".")
                if not is_package:
                    anchor = anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    resolved = set()
    for target in found:
        while target and target not in known:
            target = target.rpartition(".")[0]
        if target and target != name:
            resolved.add(target)
    return resolved


def import_graph() -> dict[str, set[str]]:
    modules = package_modules()
    known = set(modules)
    return {name: imported_modules(name, path, known) for name, path in modules.items()}


def import_loops(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted; a package's
    __init__ importing its own modules is not a loop by itself, so packages are left out."""
    edges = {
        source: {target for target in targets if not _is_ancestor(target, source)}
        for source, targets in graph.items()
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    sys.setrecursionlimit(10_000)

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(groups)


def _is_ancestor(package: str, module: str) -> bool:
    return module.startswith(package + ".")


def upward_imports(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    """Imports of a higher layer from a lower one, and of a caller package (ingest) from another area."""
    found = []
    for source, targets in sorted(graph.items()):
        for target in sorted(targets):
            reaches_up = layer(target) > layer(source)
            into_caller = _within(target, CALLER_PACKAGES) and not _within(source, CALLER_PACKAGES)
            if (reaches_up or into_caller) and source not in ENTRY_MODULES:
                found.append((source, target))
    return found


TEMPLATE_URL = re.compile(r"""\b(?:href|action|hx-(?:post|get|put|delete|patch))\s*=\s*["']/""")
PYTHON_URL = re.compile(r"""RedirectResponse\(\s*f?["']/""")


def hard_coded_urls() -> dict[str, int]:
    counts = {"template href": 0, "template action": 0, "template hx-*": 0, "python redirect": 0}
    for template in TEMPLATES_DIR.rglob("*.html"):
        for match in TEMPLATE_URL.finditer(template.read_text(encoding="utf-8")):
            text = match.group(0)
            kind = "href" if text.startswith("href") else "action" if text.startswith("action") else "hx-*"
            counts[f"template {kind}"] += 1
    for path in PACKAGE_DIR.rglob("*.py"):
        counts["python redirect"] += len(PYTHON_URL.findall(path.read_text(encoding="utf-8")))
    return counts


def _iter_report() -> Iterator[str]:
    graph = import_graph()
    loops = import_loops(graph)
    yield f"import loops: {len(loops)}"
    for group in loops:
        yield "  " + " <-> ".join(name.removeprefix("trackmycrime.") for name in group)
    upward = upward_imports(graph)
    yield f"upward imports: {len(upward)}"
    for source, target in upward:
        yield f"  {source.removeprefix('trackmycrime.')} -> {target.removeprefix('trackmycrime.')}"
    urls = hard_coded_urls()
    yield f"hard-coded URLs: {sum(urls.values())} " + ", ".join(f"{k} {v}" for k, v in urls.items())


if __name__ == "__main__":
    print("\n".join(_iter_report()))
