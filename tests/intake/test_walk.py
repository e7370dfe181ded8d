"""The walk never leaves the scanned root and never blocks on special files."""

from __future__ import annotations

import os
from pathlib import Path

from clearsight.intake.walk import walk


def errors_by_name(root: Path) -> dict[str, str | None]:
    return {Path(entry.path).name: entry.error for entry in walk([str(root)])}


def test_files_are_listed_in_a_stable_order_with_sizes(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "two.txt").write_text("22")
    (tmp_path / "a.txt").write_text("1")
    entries = list(walk([str(tmp_path)]))
    assert [Path(entry.path).relative_to(tmp_path).as_posix() for entry in entries] == ["a.txt", "b/two.txt"]
    assert [entry.size for entry in entries] == [1, 2]


def test_symlinks_leaving_the_root_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("secret")
    root = tmp_path / "root"
    root.mkdir()
    (root / "inside.txt").write_text("inside")
    (root / "escape").symlink_to(outside)
    (root / "alias").symlink_to(root / "inside.txt")
    (root / "loop").symlink_to(root)
    (root / "dangling").symlink_to(root / "missing")
    errors = errors_by_name(root)
    assert "outside the scanned root" in (errors["escape"] or "")
    assert errors["alias"] is None
    assert "not followed" in (errors["loop"] or "")
    assert "broken" in (errors["dangling"] or "")


def test_named_pipes_are_not_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    assert "not a regular file" in (errors_by_name(tmp_path)["pipe"] or "")
