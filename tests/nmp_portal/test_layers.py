"""The apps depend one way: topics | participants < feedback < invitations < nmp_portal.

Walks the source of every module (every import statement, also those inside
functions, as import-linter does) instead of importing it, so an import that
only runs on some code path is found too.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Lower number = lower layer. Apps on the same layer may not import each other.
LAYERS = {"topics": 0, "participants": 0, "feedback": 1, "invitations": 2, "nmp_portal": 3}


def _module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path):
    """(imported module, line) for every import in ``path``, relative imports made absolute."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module
            yield target, node.lineno
            for alias in node.names:  # "from . import tasks" imports the module feedback.tasks
                yield f"{target}.{alias.name}", node.lineno


def _sources():
    for app in LAYERS:
        folder = ROOT / app
        if folder.is_dir():
            yield from sorted(folder.rglob("*.py"))


def _project_imports():
    modules = {_module_name(path): path for path in _sources()}
    graph = {}
    for name, path in modules.items():
        graph[name] = {(target, line) for target, line in _imports(path)}
    return modules, graph


def test_the_walk_finds_every_app_and_function_level_imports():
    modules, graph = _project_imports()
    assert {name.split(".")[0] for name in modules} >= {"topics", "participants", "feedback", "nmp_portal"}
    # nmp_portal.apps imports its signal receiver inside ready(): the walk must see it.
    assert any(target == "nmp_portal.tasks" for target, _line in graph["nmp_portal.apps"])


@pytest.mark.parametrize("app", sorted(LAYERS))
def test_no_module_imports_an_app_above_or_beside_it(app):
    _modules, graph = _project_imports()
    wrong = []
    for name, imports in graph.items():
        if name.split(".")[0] != app:
            continue
        for target, line in imports:
            other = target.split(".")[0]
            if other in LAYERS and other != app and LAYERS[other] >= LAYERS[app]:
                wrong.append(f"{name}:{line} imports {target}")
    assert sorted(set(wrong)) == []


def test_no_import_cycles_between_project_modules():
    """Two modules that import each other (even inside a function) are one module in disguise."""
    modules, graph = _project_imports()
    edges = {name: {t for t, _l in targets if t in modules and t != name} for name, targets in graph.items()}
    # A package's __init__ is imported with any of its modules; it is not a cycle of its own.
    edges = {name: {t for t in targets if not name.startswith(t + ".")} for name, targets in edges.items()}
    cycles, state = [], {}

    def visit(node, stack):
        state[node] = "active"
        stack.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == "active":
                cycles.append(" -> ".join([*stack[stack.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            visit(node, [])
    assert cycles == []
