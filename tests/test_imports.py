"""No import cycle anywhere in guichet/, and the rooms keep the layering of docs/architecture.md.

The imports are read from the source (ast), not from a running process: module-level and
function-level imports count alike (a function-level import is a cycle that waits for its
call), only ``if TYPE_CHECKING:`` blocks do not (they never run). Importing ``a.b.c`` also
runs the packages ``a`` and ``a.b``; the app factory imports the features named in
``guichet.FEATURES``.
"""

import ast
from pathlib import Path

import guichet

PACKAGE = Path(guichet.__file__).resolve().parent

# Lower layers never import higher ones (docs/architecture.md). Within a layer, rooms may use
# one another as long as no cycle forms.
LAYERS = (
    {"text", "geo", "config", "paging", "db", "sqlite_writes"},
    {"programmes"},
    {"search", "security"},
    {"web"},
    {"api"},
    {"communes", "curation", "territories"},
    {"sources", "digests"},
    {"feeds", "admin", "projects"},
)
# The shell: the app factory, the commands, the scheduler, the model registry and migrations
# import features (to assemble them); features may only use the shell's registries.
SHELL = {"", "__main__", "cli", "commands", "hooks", "scheduler", "models", "migrations"}
SHELL_REGISTRIES = {"guichet.hooks", "guichet.scheduler"}


def module_name(path: Path) -> str:
    parts = ["guichet", *path.relative_to(PACKAGE).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")
           if "versions" not in path.relative_to(PACKAGE).parts}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return getattr(test, "id", None) == "TYPE_CHECKING" or getattr(test, "attr", None) == "TYPE_CHECKING"


def _imported(name: str, path: Path) -> set[str]:
    """Modules of guichet that running ``name`` may import, at any depth of its code."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()

    def visit(node):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for statement in child.orelse:
                    visit_statement(statement)
                continue
            visit_statement(child)

    def visit_statement(node):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package
                for _ in range(node.level - 1):
                    anchor = anchor.rpartition(".")[0]
                base = f"{anchor}.{base}" if base else anchor
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in MODULES else base)
        visit(node)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    modules = set()
    for module in found:
        if module not in MODULES:
            continue
        # Importing a.b.c runs a and a.b first, unless the importer is already inside them.
        parts = module.split(".")
        for size in range(1, len(parts) + 1):
            ancestor = ".".join(parts[:size])
            if ancestor == module or not (name == ancestor or name.startswith(ancestor + ".")):
                modules.add(ancestor)
    modules.discard(name)
    return modules


def _features() -> set[str]:
    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "FEATURES":
            return set(ast.literal_eval(node.value))
    raise AssertionError("guichet.FEATURES not found")


def import_graph() -> dict[str, set[str]]:
    graph = {name: _imported(name, path) for name, path in MODULES.items()}
    graph["guichet"] |= _features() & set(MODULES)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def layer_of(name: str) -> int | None:
    return next((number for number, rooms in enumerate(LAYERS) if name in rooms), None)


def package_graph(graph) -> dict[str, set[str]]:
    rooms: dict[str, set[str]] = {}
    for module, imported in graph.items():
        for other in imported:
            if room(other) != room(module):
                rooms.setdefault(room(module), set()).add(room(other))
    return rooms


def test_the_walker_sees_function_level_imports_and_ignores_type_checking_blocks():
    graph = import_graph()
    # guichet.commands imports the run pipeline inside a command's function.
    assert "guichet.sources.pipeline" in graph["guichet.commands"]
    # curation names the back office's User for type hints only.
    assert not any(room(module) == "admin" for module in graph["guichet.curation.review"])
    # Importing guichet.web.formatting runs guichet/web/__init__.py first.
    assert "guichet.web" in graph["guichet.curation.diff"]
    # The app factory assembles the features it names.
    assert {"guichet.search", "guichet.admin"} <= graph["guichet"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_there_is_no_import_cycle_in_guichet():
    assert cycles(import_graph()) == []


def test_every_room_has_a_layer():
    rooms = {room(module) for module in MODULES}
    assert rooms - SHELL - set().union(*LAYERS) == set(), "add the new room to LAYERS (and docs/architecture.md)"


def test_rooms_import_only_their_layer_and_below():
    wrong = []
    for module, imported in import_graph().items():
        source = room(module)
        if source in SHELL:
            continue
        for other in imported:
            target = room(other)
            if target == source:
                continue
            if target in SHELL:
                if other not in SHELL_REGISTRIES:
                    wrong.append(f"{module} → {other} (a feature uses only the shell's registries)")
                continue
            if layer_of(target) > layer_of(source):
                wrong.append(f"{module} → {other}")
    assert wrong == []


def test_communes_depend_on_search_never_the_reverse():
    rooms = package_graph(import_graph())
    assert "search" in rooms["communes"]
    assert "communes" not in rooms["search"]


# What scrapers/ may use of guichet/: the text module, geography, ROOT and the record contract.
SCRAPERS_MAY_IMPORT = ("guichet.text", "guichet.geo", "guichet.config", "guichet.programmes")


def test_the_scrapers_use_only_text_geography_and_the_record_contract():
    scrapers = PACKAGE.parent / "scrapers"
    offenders = []
    for path in scrapers.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            offenders += [f"{path.relative_to(scrapers)}: {name}" for name in names
                          if (name == "guichet" or name.startswith("guichet."))
                          and not any(name == allowed or name.startswith(allowed + ".")
                                      for allowed in SCRAPERS_MAY_IMPORT)]
    assert offenders == []
