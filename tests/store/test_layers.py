"""The store is the bottom layer with tables: the other layers build on it, so it imports none of them.

A store that imported grading rules, bank formats, report parsing, provenance readers, the
pipeline, the web app or the command line would tie every query to code that changes for other
reasons, load half the application into a migration or a script that needs only tables, and
invite import cycles that fail only at run time. What the store may use is its own modules and
the shared modules below everything (errors, config, item, pathnames, sensitive, hashing.bits);
records that cross the boundary are defined in the store (`store.records`) and the layers above
convert to them.

These tests read the source instead of importing it, so nothing can pass because an import
happens to succeed: every `import` and `from ... import` at any depth counts (inside functions
and `if TYPE_CHECKING:` blocks too, which are dependencies all the same).
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
STORE = SRC / "clearsight" / "store"
HIGHER = ("assess", "banks", "cli", "demo", "export", "intake", "pipeline", "provenance", "stats", "web")
"""Packages of `clearsight` above the store: those that use it, and the provenance readers the pipeline runs."""


def module_name(path: Path) -> str:
    """`src/clearsight/store/items.py` -> `clearsight.store.items` (a package by its folder's name)."""
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_of(path: Path) -> str:
    """The package a source file's relative imports start from."""
    return module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]


def imported_names(source: str, package: str) -> set[str]:
    """Absolute names of everything `source` (a module of `package`) imports: modules, and for
    `from m import n` also `m.n`, which is a module when `n` is a submodule (`from clearsight import assess`)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module) if part)
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def imports_of(path: Path) -> set[str]:
    return imported_names(path.read_text(encoding="utf-8"), package_of(path))


def source_of(name: str) -> Path | None:
    """The file of a Clearsight module or package, None for other names (classes, functions, third-party modules)."""
    base = SRC.joinpath(*name.split("."))
    return next((path for path in (base.with_suffix(".py"), base / "__init__.py") if path.is_file()), None)


def higher_layer(name: str) -> bool:
    return any(name == f"clearsight.{layer}" or name.startswith(f"clearsight.{layer}.") for layer in HIGHER)


def reached_from_store() -> set[Path]:
    """Every source file loaded by importing the store's modules: theirs, and those of the
    Clearsight modules they import, followed to the end (with the packages that hold them)."""
    seen: set[Path] = set()
    todo = sorted(STORE.rglob("*.py"))
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for name in imports_of(path):
            parts = name.split(".")
            todo += [found for depth in range(1, len(parts) + 1) if (found := source_of(".".join(parts[:depth]))) is not None]
    return seen


def violations(paths: set[Path]) -> list[str]:
    return sorted(f"{module_name(path)} imports {name}" for path in paths for name in imports_of(path) if higher_layer(name))


def test_the_store_imports_no_higher_layer() -> None:
    modules = set(STORE.rglob("*.py"))
    assert {"items.py", "reports.py", "banks.py", "provenance.py", "grades.py", "records.py", "linking.py"} <= {path.name for path in modules}
    assert violations(modules) == []


def test_nor_do_the_shared_modules_it_imports() -> None:
    """Moving a higher-layer import into a shared module (or its package's `__init__`) must not
    hide it: importing the store would still load that layer."""
    shared = {path for path in reached_from_store() if not path.is_relative_to(STORE)}
    assert SRC / "clearsight" / "hashing" / "bits.py" in shared
    assert violations(shared) == []


def test_every_form_of_import_is_seen() -> None:
    """The reader itself: relative imports, packages imported by name, and imports inside functions."""
    source = "from ..assess import grading\nfrom clearsight import banks\ndef later() -> None:\n    import clearsight.web.app\n"
    found = {name for name in imported_names(source, "clearsight.store") if higher_layer(name)}
    assert found == {"clearsight.assess", "clearsight.assess.grading", "clearsight.banks", "clearsight.web.app"}
