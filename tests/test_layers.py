"""The apps stand on floors and imports only go down.

- No import cycle between apps, counting imports inside functions (a cycle hidden in a
  function body is still a cycle: it only moves the failure to run time).
- No import of another app's ``actions`` from inside a function: an action that needs
  another app's action imports it openly, from an app beneath it.
- The ground floor (``lib``, ``vault``, ``audit``) imports no app above it.

``find_violations`` is tested on a small made-up tree too, so that a broken detector
cannot pass by finding nothing.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GROUND = {"lib", "vault", "audit"}


def _app_of(path: Path, package: Path) -> str:
    relative = path.relative_to(package)
    return relative.parts[0].removesuffix(".py")


def import_edges(package: Path):
    """[(from app, to app, inside a function?, module imported, where)] for the package."""
    name = package.name
    edges = []
    for path in sorted(package.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        source = _app_of(path, package)
        tree = ast.parse(path.read_text())
        in_function = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                in_function.update(id(n) for n in ast.walk(node) if n is not node)
        for node in ast.walk(tree):
            modules = []
            if isinstance(node, ast.ImportFrom) and node.module and (
                    node.module == name or node.module.startswith(name + ".")):
                if node.module == name:
                    modules = [f"{name}.{alias.name}" for alias in node.names]
                else:
                    modules = [node.module]
            elif isinstance(node, ast.Import):
                modules = [a.name for a in node.names if a.name.startswith(name + ".")]
            for module in modules:
                target = module.split(".")[1]
                if target != source:
                    edges.append((source, target, id(node) in in_function, module,
                                  f"{path.relative_to(package.parent)}:{node.lineno}"))
    return edges


def _cycles(graph):
    """Strongly connected components with more than one app (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def find_violations(package: Path, ground=frozenset(GROUND)):
    edges = import_edges(package)
    problems = []
    graph = {}
    for source, target, inside, module, where in edges:
        graph.setdefault(source, set()).add(target)
        if inside and module.endswith(".actions"):
            problems.append(f"{where}: imports {module} inside a function")
        if source in ground and target not in ground:
            problems.append(f"{where}: the ground floor ({source}) imports {module}")
    for cycle in _cycles(graph):
        links = sorted({f"{s} -> {t} ({w})" for s, t, _i, _m, w in edges
                        if s in cycle and t in cycle})
        problems.append(f"import cycle between {', '.join(cycle)}: " + "; ".join(links))
    return problems


def test_the_apps_form_no_circle_and_the_ground_floor_imports_nothing_above_it():
    assert find_violations(ROOT / "circlekeep") == []


def _write(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_a_deliberate_cycle_a_hidden_action_import_and_a_ground_floor_import_are_caught(
        tmp_path):
    package = tmp_path / "circlekeep"
    _write(package, {
        "__init__.py": "",
        "lib/__init__.py": "",
        "lib/text.py": "from circlekeep.circles.models import Circle\n",
        "circles/__init__.py": "",
        "circles/models.py": "class Circle: ...\n",
        "circles/actions.py": (
            "def do_create_circle():\n"
            "    from circlekeep.agreements.actions import start_agreement\n"),
        "agreements/__init__.py": "",
        "agreements/actions.py": "from circlekeep.circles.models import Circle\n"
                                 "def start_agreement(): ...\n",
    })
    problems = find_violations(package)
    assert any("inside a function" in p and "agreements.actions" in p for p in problems)
    assert any("ground floor (lib) imports circlekeep.circles.models" in p for p in problems)
    assert any("import cycle between agreements, circles" in p for p in problems)
    # Without them, the same tree passes.
    _write(package, {"lib/text.py": "", "circles/actions.py": ""})
    assert find_violations(package) == []
