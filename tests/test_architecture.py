"""The package's layering and the design's hard rules, read from the source of every module under
mlgarden/ with ast (imports inside functions count too).

- each part of the package imports only the parts below it (LAYERS: the engine nothing, the
  document the engine, ...), and no module reaches, through any chain of imports, back to itself;
- every subpackage says in its docstring what it owns and what it may import;
- nothing outside mlgarden/gui/ imports dearpygui or mlgarden.gui, except that mlgarden/cli.py
  may import mlgarden.gui inside a function (the app is loaded only when it is asked for);
- only mlgarden/files/fileformat.py (and its bounded_yaml.py) imports yaml, and no module loads
  YAML with anything but the safe loader (safe_load, SafeLoader / CSafeLoader): never yaml.load with
  another loader, unsafe_load, full_load, or the Loader, FullLoader and UnsafeLoader classes;
- nothing imports mlgarden.cli, except mlgarden/__main__.py, which is how `python -m mlgarden`
  reaches it.

The checkers are tested on small made-up sources too, so that a rule that can never fire is caught.
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
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in yaml_names):
            if node.attr in UNSAFE_YAML and id(node) not in safe_calls:
                found.append(f"line {node.lineno}: yaml.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module == "yaml":
            found += [f"line {node.lineno}: from yaml import {a.name}"
                      for a in node.names if a.name in UNSAFE_YAML]
        elif (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "getattr"
              and len(node.args) >= 2
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


# --- the layers and the import graph ---------------------------------------------------------------

# What each part of mlgarden may import of mlgarden, besides itself. A part is a subpackage, or a
# top-level module (session_aids, session_scope and session_tools are parts of the session).
# Lower layers never import higher ones: engine < document < files, learning, export < userstate,
# session < gui < cli. atomic, number_text, shipped and story are leaves any layer may use.
LEAVES = {"atomic", "number_text", "shipped", "story"}
CORE = {"engine", "document", "files", "learning", "export"}
LAYERS = {
    "engine": set(),
    "document": {"engine"},
    "files": {"engine", "document", "atomic"},
    "learning": {"engine", "document", "atomic"},
    "export": {"engine", "document"},
    "atomic": set(), "number_text": set(), "shipped": set(), "story": set(),
    "userstate": {"atomic"},
    "session": CORE | LEAVES | {"userstate"},
    "gui": CORE | LEAVES | {"userstate", "session"},
    "cli": CORE | LEAVES | {"userstate", "session", "gui"},  # the GUI lazily (rule_breaks)
    "__main__": {"cli"},
    "mlgarden": set(),  # the package's own __init__
}
SESSION_PARTS = {"session", "session_aids", "session_scope", "session_tools"}
SUBPACKAGES = ("engine", "document", "files", "learning", "export", "gui")


def part_of(module: str) -> str:
    """The part of the package a module belongs to: 'mlgarden.document.graph' -> 'document'."""
    parts = module.split(".")
    if len(parts) == 1:
        return "mlgarden"
    return "session" if parts[1] in SESSION_PARTS else parts[1]


def layer_breaks(module: str, imports: list[Import]) -> list[str]:
    """Every import of mlgarden by `module` that reaches a part its layer may not use."""
    own = part_of(module)
    breaks = []
    for item in imports:
        if not _is(item.target, "mlgarden") or item.target == "mlgarden":
            continue
        used = part_of(item.target)
        if used != own and used not in LAYERS[own]:
            allowed = ", ".join(sorted(LAYERS[own])) or "nothing of mlgarden"
            breaks.append(f"{module} line {item.line} imports {item.target}: {own} may import "
                          f"{allowed}")
    return breaks


def import_graph(sources: dict[str, tuple[str, bool]]) -> dict[str, set[str]]:
    """module -> the modules of `sources` it imports (anywhere in it), from module -> (source,
    is_package); `from a import b` counts as importing a, and b when b is a module."""
    graph = {}
    for module, (source, is_package) in sources.items():
        targets = set()
        for item in imports_of(source, module, is_package):
            name = item.target
            while name and name not in sources:  # a name imported from a module: the module
                name = name.rpartition(".")[0]
            if name and name != module:
                targets.add(name)
        graph[module] = targets
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A chain of imports that comes back to where it started (['a', 'b', 'a']), or None."""
    state: dict[str, str] = {}  # "open" while on the current path, "done" after
    for root in sorted(graph):
        if root in state:
            continue
        path, pending = [root], [iter(sorted(graph[root]))]
        state[root] = "open"
        while pending:
            for target in pending[-1]:
                if state.get(target) == "open":
                    return path[path.index(target):] + [target]
                if target not in state:
                    state[target] = "open"
                    path.append(target)
                    pending.append(iter(sorted(graph.get(target, ()))))
                    break
            else:
                state[path.pop()] = "done"
                pending.pop()
    return None


def _package_sources() -> dict[str, tuple[str, bool]]:
    return {module_name(path): (path.read_text(encoding="utf-8"), path.name == "__init__.py")
            for path in MODULE_FILES}


def test_every_part_of_the_package_has_a_layer():
    assert {part_of(module_name(path)) for path in MODULE_FILES} <= set(LAYERS)


@pytest.mark.parametrize("path", MODULE_FILES, ids=lambda p: str(p.relative_to(PACKAGE_DIR)))
def test_every_module_imports_only_the_layers_below_it(path):
    module = module_name(path)
    imports = imports_of(path.read_text(encoding="utf-8"), module, path.name == "__init__.py")
    assert layer_breaks(module, imports) == []


def test_no_module_imports_itself_through_others():
    graph = import_graph(_package_sources())
    assert len(graph) == len(MODULE_FILES)
    cycle = find_cycle(graph)
    assert cycle is None, "an import cycle: " + " -> ".join(cycle)


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_each_subpackage_says_what_it_owns_and_what_it_may_import(name):
    docstring = ast.get_docstring(ast.parse((PACKAGE_DIR / name / "__init__.py").read_text()))
    assert docstring is not None, f"mlgarden/{name}/__init__.py has no docstring"
    assert len(docstring.split()) >= 30, f"mlgarden/{name}/__init__.py: say what it owns"
    assert "import" in docstring, f"mlgarden/{name}/__init__.py: say what it may import"


@pytest.mark.parametrize("module, source, complaint", [
    ("mlgarden.engine.ops", "from mlgarden.document.graph import Document", "engine may import nothing"),
    ("mlgarden.document.graph", "from mlgarden.files import fileformat", "document may import engine"),
    ("mlgarden.document.graph", "def f():\n    from mlgarden.learning import training", "document may"),
    ("mlgarden.learning.training", "from mlgarden import session", "learning may import"),
    ("mlgarden.files.png", "from ..learning import surface", "files may import"),
    ("mlgarden.session_scope", "from mlgarden.gui import canvas", "session may import"),
    ("mlgarden.userstate", "import mlgarden.session", "userstate may import atomic"),
])
def test_the_layer_checker_catches_an_import_upwards(module, source, complaint):
    breaks = layer_breaks(module, imports_of(source, module))
    assert any(complaint in line for line in breaks), breaks


@pytest.mark.parametrize("module, source", [
    ("mlgarden.document.graph", "from mlgarden.engine.program import compile_graph\nfrom . import nodes"),
    ("mlgarden.session_aids", "from mlgarden.learning import datasets\nfrom mlgarden import shipped"),
    ("mlgarden.gui.app", "from mlgarden.session import Session"),
    ("mlgarden.files.png", "from mlgarden.atomic import write_atomically"),
])
def test_the_layer_checker_lets_imports_downwards_pass(module, source):
    assert layer_breaks(module, imports_of(source, module)) == []


def test_the_cycle_finder_reports_a_cycle_through_a_lazy_import():
    sources = {
        "mlgarden.document.graph": ("def f():\n    from mlgarden.document import edits", False),
        "mlgarden.document.edits": ("from mlgarden.document.functions import check", False),
        "mlgarden.document.functions": ("from mlgarden.document.graph import Document", False),
        "mlgarden.document.nodes": ("import math", False),
    }
    cycle = find_cycle(import_graph(sources))
    assert cycle == ["mlgarden.document.edits", "mlgarden.document.functions",
                     "mlgarden.document.graph", "mlgarden.document.edits"]


def test_the_cycle_finder_lets_a_layered_graph_pass():
    sources = {
        "mlgarden.document.graph": ("from mlgarden.document.nodes import Node", False),
        "mlgarden.document.edits": ("from mlgarden.document import graph, nodes", False),
        "mlgarden.document.nodes": ("import math", False),
    }
    assert import_graph(sources)["mlgarden.document.edits"] == {"mlgarden.document.graph",
                                                              "mlgarden.document.nodes"}
    assert find_cycle(import_graph(sources)) is None


# --- the checker itself, on made-up sources ----------------------------------------------------------


@pytest.mark.parametrize("module, source, complaint", [
    ("mlgarden.document.graph", "import dearpygui.dearpygui as dpg", "dearpygui"),
    ("mlgarden.learning.training", "from dearpygui import dearpygui", "dearpygui"),
    ("mlgarden.cli", "import dearpygui.dearpygui as dpg", "dearpygui"),
    ("mlgarden.session", "from mlgarden.gui import app", "only mlgarden.cli"),
    ("mlgarden.session", "from . import gui", "only mlgarden.cli"),
    ("mlgarden.session", "from .gui.canvas import Canvas", "only mlgarden.cli"),
    ("mlgarden.session", "def f():\n    import mlgarden.gui.app", "only mlgarden.cli"),
    ("mlgarden.session", "import importlib\nimportlib.import_module('mlgarden.gui')", "only mlgarden.cli"),
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
