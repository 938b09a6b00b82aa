"""The import graph of shls: no cycle through shls.apis / utils / engine / outputs.

The graph holds every ``import`` of every module, deferred ones (inside functions)
included: a cycle hidden behind a function-level import still ties the layers together
(``apis.inference -> utils.setup_env -> engine -> engine.vos_test_loop ->
apis.inference`` was one). Imports under ``if TYPE_CHECKING:`` are not counted.
"""
import ast
import os.path as osp
import subprocess
import sys
from pathlib import Path
from typing import Dict, Iterator, List, Set

import pytest

REPO = Path(osp.dirname(osp.dirname(osp.abspath(__file__))))
LAYERS = ('shls.apis', 'shls.utils', 'shls.engine', 'shls.outputs')


def module_files() -> Dict[str, Path]:
    """Dotted module name -> file, for every module of the shls package."""
    files = {}
    for path in sorted((REPO / 'shls').rglob('*.py')):
        parts = list(path.relative_to(REPO).with_suffix('').parts)
        if parts[-1] == '__init__':
            parts = parts[:-1]
        files['.'.join(parts)] = path
    return files


def _import_nodes(tree: ast.AST) -> Iterator[ast.stmt]:
    """Every import statement of a module, outside ``if TYPE_CHECKING:`` blocks."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and 'TYPE_CHECKING' in ast.unparse(node.test):
            yield from (n for child in node.orelse for n in _import_nodes_of(child))
            continue
        yield from _import_nodes_of(node)


def _import_nodes_of(node: ast.AST) -> Iterator[ast.stmt]:
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        yield node
    else:
        yield from _import_nodes(node)


def _resolve(name: str, files: Dict[str, Path]) -> str:
    """The longest known module that ``name`` (a module or a name in one) lies in."""
    while name and name not in files:
        name = name.rpartition('.')[0]
    return name


def imports_of(module: str, files: Dict[str, Path]) -> Set[str]:
    """The shls modules that ``module`` imports (anywhere in its code)."""
    path = files[module]
    package = module if path.name == '__init__.py' else module.rpartition('.')[0]
    found = set()
    for node in _import_nodes(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(_resolve(alias.name, files) for alias in node.names)
            continue
        base = node.module or ''
        if node.level:
            parts = package.split('.')
            base = '.'.join(parts[:len(parts) - node.level + 1] + ([base] if base else []))
        for alias in node.names:
            full = f'{base}.{alias.name}'
            found.add(full if full in files else _resolve(base, files))
    found.discard('')
    found.discard(module)
    return found


def cycles(graph: Dict[str, Set[str]]) -> List[List[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    found: List[List[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for succ in sorted(graph[node]):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _in_layers(module: str) -> bool:
    return any(module == layer or module.startswith(layer + '.') for layer in LAYERS)


def test_the_scan_sees_relative_and_deferred_imports():
    files = module_files()
    assert 'shls.engine' in imports_of('shls.utils.setup_env', files)  # inside a function
    assert 'shls.apis.streaming' in imports_of('shls.apis.inference', files)  # relative
    assert cycles({'a': {'b'}, 'b': {'c'}, 'c': {'a'}, 'd': {'a'}}) == [['a', 'b', 'c']]


def test_no_import_cycle_through_apis_utils_engine_outputs():
    files = module_files()
    graph = {module: imports_of(module, files) for module in files}
    bad = [c for c in cycles(graph) if any(_in_layers(m) for m in c)]
    assert not bad, f'import cycles: {bad}'


@pytest.mark.parametrize('module', ['shls.engine.vos_test_loop', 'shls.apis.inference',
                                    'shls.utils.setup_env', 'shls.apis.evaluate',
                                    'shls.outputs', 'shls.apis.to_disk'])
def test_imports_first_in_a_fresh_interpreter(module):
    """A module of the former cycle imported before anything else of shls."""
    proc = subprocess.run([sys.executable, '-c', f'import {module}'], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
