"""An import-linter contract that no two modules import each other, directly or through others.

import-linter's own ``acyclic_siblings`` compares siblings as whole packages; it does not see a package whose
``__init__`` imports a submodule that imports the package back (a blueprint defined in ``__init__``, its views
importing it). This contract looks at every module alone: each strongly connected component of the module graph
with more than one module (or a module importing itself) is a cycle, reported with the imports that close it.
"""

from __future__ import annotations

import grimp
from importlinter import Contract, ContractCheck, fields, output


def _components(graph: grimp.ImportGraph, modules: set[str]) -> list[list[str]]:
    """Tarjan's strongly connected components, iteratively (a deep graph must not hit the recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(modules):
        if root in index:
            continue
        work: list[tuple[str, list[str]]] = [(root, [])]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        work[-1] = (root, sorted(graph.find_modules_directly_imported_by(root) & modules))
        while work:
            node, todo = work[-1]
            if todo:
                nxt = todo.pop()
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, sorted(graph.find_modules_directly_imported_by(nxt) & modules)))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph.find_modules_directly_imported_by(node):
                    found.append(sorted(component))
    return found


class NoModuleCycles(Contract):
    """``packages``: the packages whose modules (all of them, at every depth) must form no cycle."""

    type_name = "no_module_cycles"
    packages = fields.ListField(subfield=fields.StringField())

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        modules: set[str] = set()
        for package in self.packages:  # type: ignore[attr-defined]
            modules |= {package} | graph.find_descendants(package)
        cycles = _components(graph, modules)
        details = [[(a, b) for a in cycle for b in sorted(graph.find_modules_directly_imported_by(a))
                    if b in cycle] for cycle in cycles]
        return ContractCheck(kept=not cycles, metadata={"cycles": details})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for imports in check.metadata["cycles"]:
            output.print_error("A cycle of imports:", bold=True)
            for importer, imported in imports:
                output.print_error(f"  {importer} -> {imported}")
            output.new_line()

