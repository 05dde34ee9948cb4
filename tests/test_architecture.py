"""The design's one hard rule, read from the source of every module under mlgarden/ with ast.

- nothing outside mlgarden/gui/ imports dearpygui or mlgarden.gui, except that mlgarden/cli.py
  may import mlgarden.gui inside a function (the app is loaded only when it is asked for);
- only mlgarden/files/fileformat.py (and its bounded_yaml.py) imports yaml, and no module loads YAML with anything but the safe
  loader (safe_load, SafeLoader / CSafeLoader): never yaml.load with another loader,
  unsafe_load, full_load, or the Loader, FullLoader and UnsafeLoader classes;
- nothing imports mlgarden.cli, except mlgarden/__main__.py, which is how `python -m mlgarden`
  reaches it.

The checker is tested on small made-up sources too, so that a rule that can never fire is caught.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

import mlgarden

PACKAGE_DIR = Path(mlgarden.__file__).parent

UNSAFE_YAML = {"load", "load_all", "unsafe_load", "unsafe_load_all", "full_load", "full_load_all",
               "Loader", "UnsafeLoader", "FullLoader", "CLoader", "CUnsafeLoader", "CFullLoader"}
SAFE_LOADERS = {"SafeLoader", "CSafeLoader"}


@dataclass(frozen=True)
class Import:
    target: str  # the absolute module name, e.g. "mlgarden.gui.app"
    in_function: bool
    line: int


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(module: str, is_package: bool, level: int, name: str | None) -> str:
    if level == 0:
        return name or ""
    base = module.split(".")
    if not is_package:
        base.pop()
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([name] if name else []))


class _ImportReader(ast.NodeVisitor):
    """Collects imports, noting whether each sits inside a function, and dynamic imports too."""

    def __init__(self, module: str, is_package: bool):
        self.module, self.is_package = module, is_package
        self.imports: list[Import] = []
        self.depth = 0

    def _add(self, target: str, node: ast.AST) -> None:
        self.imports.append(Import(target, self.depth > 0, node.lineno))

    def _function(self, node):
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _function

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = _resolve(self.module, self.is_package, node.level, node.module)
        self._add(base, node)
        for alias in node.names:  # `from mlgarden import gui` imports mlgarden.gui
            if alias.name != "*":
                self._add(f"{base}.{alias.name}", node)

    def visit_Call(self, node: ast.Call) -> None:
        function = node.func
        name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
        if name in ("import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
            if isinstance(node.args[0].value, str):
                self._add(node.args[0].value, node)
        self.generic_visit(node)


def imports_of(source: str, module: str, is_package: bool = False) -> list[Import]:
    reader = _ImportReader(module, is_package)
    reader.visit(ast.parse(source))
    return reader.imports


def _is(target: str, package: str) -> bool:
    return target == package or target.startswith(package + ".")


YAML_MODULES = ("mlgarden.files.fileformat", "mlgarden.files.bounded_yaml")


def rule_breaks(module: str, imports: list[Import]) -> list[str]:
    """Every import of `module` that breaks the design's rule, as readable lines."""
    breaks = []
    inside_gui = _is(module, "mlgarden.gui")
    for item in imports:
        where = f"{module} line {item.line} imports {item.target}"
        if _is(item.target, "dearpygui") and not inside_gui:
            breaks.append(f"{where}: only mlgarden.gui may use dearpygui")
        if _is(item.target, "mlgarden.gui") and not inside_gui:
            if module != "mlgarden.cli":
                breaks.append(f"{where}: only mlgarden.cli may import the GUI")
            elif not item.in_function:
                breaks.append(f"{where}: mlgarden.cli may import the GUI only inside a function")
        if _is(item.target, "yaml") and module not in YAML_MODULES:
            breaks.append(f"{where}: only mlgarden.files.fileformat and bounded_yaml may import yaml")
        if _is(item.target, "mlgarden.cli") and module not in ("mlgarden.cli", "mlgarden.__main__"):
            breaks.append(f"{where}: nothing imports mlgarden.cli")
    return breaks


def _loader_is_safe(call: ast.Call) -> bool:
    """True for a call given SafeLoader or CSafeLoader, by keyword or as its second argument."""
    loaders = [k.value for k in call.keywords if k.arg == "Loader"] + call.args[1:2]
    if not loaders:
        return False
    loader = loaders[0]
    name = loader.attr if isinstance(loader, ast.Attribute) else getattr(loader, "id", None)
    return name in SAFE_LOADERS


def unsafe_yaml_uses(source: str) -> list[str]:
    """yaml.load with a loader other than the safe one, unsafe_load, full_load, unsafe loader classes."""
    tree = ast.parse(source)
    yaml_names = {"yaml"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yaml_names |= {a.asname or a.name for a in node.names if a.name == "yaml"}
    found = []
    safe_calls = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and _loader_is_safe(node):
            if node.func.attr in ("load", "load_all"):
                safe_calls.add(id(node.func))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in yaml_names:
            if node.attr in UNSAFE_YAML and id(node) not in safe_calls:
                found.append(f"line {node.lineno}: yaml.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module == "yaml":
            found += [f"line {node.lineno}: from yaml import {a.name}" for a in node.names if a.name in UNSAFE_YAML]
        elif (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "getattr" and len(node.args) >= 2
              and isinstance(node.args[1], ast.Constant) and node.args[1].value in UNSAFE_YAML
              and getattr(node.args[0], "id", None) in yaml_names):
            found.append(f"line {node.lineno}: getattr(yaml, {node.args[1].value!r})")
    return found


MODULE_FILES = sorted(PACKAGE_DIR.rglob("*.py"))


def test_the_package_is_where_the_test_looks():
    names = {module_name(path) for path in MODULE_FILES}
    assert {"mlgarden", "mlgarden.engine.ops", "mlgarden.engine.program", "mlgarden.document.graph"} <= names


@pytest.mark.parametrize("path", MODULE_FILES, ids=lambda p: str(p.relative_to(PACKAGE_DIR)))
def test_every_module_keeps_the_import_rule(path):
    module = module_name(path)
    source = path.read_text(encoding="utf-8")
    assert rule_breaks(module, imports_of(source, module, path.name == "__init__.py")) == []
    assert unsafe_yaml_uses(source) == [], f"{module} loads YAML unsafely"


# --- the checker itself, on made-up sources ----------------------------------------------------------


@pytest.mark.parametrize("module, source, complaint", [
    ("mlgarden.document.graph", "import dearpygui.dearpygui as dpg", "dearpygui"),
    ("mlgarden.learning.training", "from dearpygui import dearpygui", "dearpygui"),
    ("mlgarden.cli", "import dearpygui.dearpygui as dpg", "dearpygui"),
    ("mlgarden.session", "from mlgarden.gui import app", "only mlgarden.cli"),
    ("mlgarden.session", "from . import gui", "only mlgarden.cli"),
    ("mlgarden.session", "from .gui.canvas import Canvas", "only mlgarden.cli"),
    ("mlgarden.session", "def f():\n    import mlgarden.gui.app", "only mlgarden.cli"),
    ("mlgarden.session", "import importlib\nimportlib.import_module('mlgarden.gui.app')", "only mlgarden.cli"),
    ("mlgarden.cli", "from mlgarden.gui.app import run_app", "inside a function"),
    ("mlgarden.cli", "from .gui import app", "inside a function"),
    ("mlgarden.document.graph", "import yaml", "only mlgarden.files.fileformat"),
    ("mlgarden.gui.app", "from yaml import safe_load", "only mlgarden.files.fileformat"),
    ("mlgarden", "from . import cli", "nothing imports mlgarden.cli"),
    ("mlgarden.gui.menus", "from mlgarden.cli import main", "nothing imports mlgarden.cli"),
    ("mlgarden.gui.menus", "from ..cli import main", "nothing imports mlgarden.cli"),
    ("mlgarden.session", "def f():\n    __import__('mlgarden.cli')", "nothing imports mlgarden.cli"),
])
def test_the_import_checker_catches_each_kind_of_break(module, source, complaint):
    breaks = rule_breaks(module, imports_of(source, module, is_package=module == "mlgarden"))
    assert any(complaint in line for line in breaks), breaks


@pytest.mark.parametrize("module, source", [
    ("mlgarden.gui.canvas", "import dearpygui.dearpygui as dpg\nfrom mlgarden.gui import ids"),
    ("mlgarden.gui.app", "from ..graph import Document\nfrom . import canvas"),
    ("mlgarden.cli", "def main():\n    from mlgarden.gui.app import run_app"),
    ("mlgarden.cli", "def main():\n    from .gui.app import run_app"),
    ("mlgarden.files.fileformat", "import yaml"),
    ("mlgarden.files.bounded_yaml", "import yaml"),
    ("mlgarden.__main__", "from mlgarden.cli import main"),
    ("mlgarden.document.graph", "from mlgarden.engine.program import compile_graph\nimport mlgarden.guide"),
])
def test_the_import_checker_lets_the_allowed_imports_pass(module, source):
    assert rule_breaks(module, imports_of(source, module)) == []


@pytest.mark.parametrize("source", [
    "import yaml\nyaml.load(text)",
    "import yaml\nyaml.load(text, Loader=yaml.Loader)",
    "import yaml\nyaml.load(text, yaml.FullLoader)",
    "import yaml\nyaml.load_all(text, Loader=yaml.UnsafeLoader)",
    "import yaml\nyaml.unsafe_load(text)",
    "import yaml\nyaml.full_load(text)",
    "import yaml as y\ny.full_load(text)",
    "from yaml import load",
    "from yaml import unsafe_load as read",
    "import yaml\nloader = yaml.CLoader",
    "import yaml\nread = getattr(yaml, 'unsafe_load')",
])
def test_the_yaml_checker_catches_unsafe_loading(source):
    assert unsafe_yaml_uses(source) != []


@pytest.mark.parametrize("source", [
    "import yaml\nyaml.safe_load(text)",
    "import yaml\nyaml.safe_load_all(text)",
    "import yaml\nyaml.load(text, Loader=yaml.SafeLoader)",
    "import yaml\nyaml.load(text, Loader=yaml.CSafeLoader)",
    "import yaml\nloader = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)(text)",
    "import yaml\nyaml.dump(data, Dumper=yaml.SafeDumper)",
    "import json\njson.load(handle)",
])
def test_the_yaml_checker_lets_safe_loading_pass(source):
    assert unsafe_yaml_uses(source) == []
