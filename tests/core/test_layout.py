"""The project's house: pages under the top-level `templates/<module>/`, assets under `static/`,
nothing of the kind inside the package, every template a page names present, and an import
graph without a circle (models of one layer never import the layer above)."""
import ast
import re
from pathlib import Path

import pytest

from portfolio.core.settings import ROOT

PACKAGE = ROOT / "portfolio"
TEMPLATES = ROOT / "templates"
TEMPLATE_NAME = re.compile(r"""["']([\w/]+\.html)["']""")


def _module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Module → the package's modules it imports, every import counted: at the top, under
    TYPE_CHECKING and inside functions. `from a import b` counts as importing `a.b` when `b` is a
    module, else `a`."""
    files = {_module_name(path, package.parent): path for path in package.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                submodules = [f"{node.module}.{alias.name}" for alias in node.names
                              if f"{node.module}.{alias.name}" in files]
                targets = submodules + ([node.module] if len(submodules) < len(node.names) else [])
            else:
                continue
            graph[name].update(target for target in targets if target in files and target != name)
    return graph


def import_circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each a circle of imports."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in sorted(graph[module]):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while (member := stack.pop()) != module:
                on_stack.discard(member)
                component.append(member)
            on_stack.discard(module)
            if component:
                circles.append(sorted([module, *component]))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return circles


def test_the_import_graph_has_no_circle():
    assert import_circles(import_graph()) == []


def test_the_circle_finder_finds_a_circle(tmp_path):
    """The check above can fail: two modules importing each other (one only for type hints) are found."""
    package = tmp_path / "portfolio"
    (package / "registry").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "registry" / "__init__.py").write_text("")
    (package / "registry" / "models.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from portfolio.progress import models\n")
    (package / "progress.py").write_text("from portfolio.registry import models\n")
    assert import_circles(import_graph(package)) == [["portfolio.progress", "portfolio.registry.models"]]
    assert import_circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_models_of_the_registry_do_not_know_progress():
    assert not any(target.startswith("portfolio.progress") for target in import_graph()["portfolio.registry.models"])


def test_pages_and_assets_live_at_the_top_level():
    assert not [path for path in PACKAGE.rglob("*") if path.is_dir() and path.name in {"templates", "static"}]
    assert (TEMPLATES / "base.html").is_file() and (ROOT / "static" / "css" / "app.css").is_file()
    modules = {path.name for path in PACKAGE.iterdir() if (path / "__init__.py").is_file()}
    shared = {"macros", "errors"}
    assert {path.name for path in TEMPLATES.iterdir() if path.is_dir()} <= modules | shared


def _named_templates() -> set[tuple[Path, str]]:
    sources = [*PACKAGE.rglob("*.py"), *TEMPLATES.rglob("*.html")]
    return {(source, name) for source in sources for name in TEMPLATE_NAME.findall(source.read_text(encoding="utf-8"))
            if "render_template" in source.read_text(encoding="utf-8") or source.suffix == ".html"}


def test_every_named_template_exists():
    named = _named_templates()
    assert len(named) > 40
    assert [(str(source.relative_to(ROOT)), name) for source, name in named if not (TEMPLATES / name).is_file()] == []


@pytest.mark.parametrize("page", sorted(str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.html")))
def test_every_template_compiles(app, page):
    assert app.jinja_env.get_template(page) is not None
