"""Provenance in the case database: saving verdicts, model references and model files, and the
queries that link images to model files (rules in `store.linking`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, Table, and_, insert, or_, select, update
from sqlalchemy.sql import ColumnElement

from clearsight.item import ItemResult
from clearsight.pathnames import shown
from clearsight.store.linking import ModelRef, model_names, refs, via
from clearsight.store.models import ItemModelRef, ItemProvenance, MediaItem, ModelFileRecord, ModelName
from clearsight.store.sealing import Sealer

provenance_t: Table = ItemProvenance.__table__  # type: ignore[assignment]
refs_t: Table = ItemModelRef.__table__  # type: ignore[assignment]
models_t: Table = ModelFileRecord.__table__  # type: ignore[assignment]
names_t: Table = ModelName.__table__  # type: ignore[assignment]
items_t: Table = MediaItem.__table__  # type: ignore[assignment]


def save_provenance(conn: Connection, flat: Sequence[tuple[int, ItemResult]], sealer: Sealer) -> None:
    """Write the provenance and model-file records of newly saved items, sensitive values sealed."""
    rows: dict[Table, list[dict[str, Any]]] = {provenance_t: [], refs_t: [], models_t: [], names_t: []}
    for item_id, result in flat:
        if result.provenance is not None:
            record = result.provenance
            rows[provenance_t].append(
                {"item_id": item_id, "verdict": record["verdict"], "strength": record["strength"], "tool": record["tool"],
                 "detector_score": detector_score(record), "record": sealer.seal(record, "provenance")}
            )
            rows[refs_t] += [
                {"item_id": item_id, "kind": ref.kind, "name": ref.name, "name_key": ref.name_key, "hash_key": ref.hash_key} for ref in refs(record)
            ]
        if result.modelfile is not None:
            record = result.modelfile
            hashes = record["hashes"]
            rows[models_t].append(
                {"item_id": item_id, "format": record["format"], "kind": record["kind"], "sha256": hashes["sha256"], "autov1": hashes.get("autov1"),
                 "autov3": hashes.get("autov3"), "blake3": hashes.get("blake3"), "unsafe_pickle": record["unsafe_pickle"],
                 "record": sealer.seal(record, "modelfile")}
            )
            rows[names_t] += [{"item_id": item_id, "name_key": key} for key in model_names(shown(result.path), record)]
    for table, table_rows in rows.items():
        if table_rows:
            conn.execute(insert(table), table_rows)


def detector_score(record: dict[str, Any]) -> float | None:
    """The highest detector score in a provenance record (none when no detector scored it)."""
    scores = [evidence["claims"]["score"] for evidence in record.get("evidence", []) if evidence.get("source") == "detector" and "score" in evidence.get("claims", {})]
    return max(scores, default=None)


def load_records(conn: Connection, ids: Sequence[int], sealer: Sealer) -> tuple[dict[int, dict[str, Any]], dict[int, dict[str, Any]]]:
    """Provenance and model-file records of these items, by item id, sealed values opened."""
    provenance = {item_id: sealer.open(record, "provenance") or {}
                  for item_id, record in conn.execute(select(provenance_t.c.item_id, provenance_t.c.record).where(provenance_t.c.item_id.in_(ids)))}
    modelfiles = {item_id: sealer.open(record, "modelfile") or {}
                  for item_id, record in conn.execute(select(models_t.c.item_id, models_t.c.record).where(models_t.c.item_id.in_(ids)))}
    return provenance, modelfiles


def reseal_records(engine: Engine, change: Callable[[dict[str, Any], str], dict[str, Any]]) -> int:
    """Apply `change` to every stored provenance and model-file record (a key rotation); how many changed."""
    changed = 0
    for table, kind in ((provenance_t, "provenance"), (models_t, "modelfile")):
        with engine.begin() as conn:
            for item_id, record in conn.execute(select(table.c.item_id, table.c.record)).all():
                updated = change(record, kind)
                if updated != record:
                    conn.execute(update(table).where(table.c.item_id == item_id).values(record=updated))
                    changed += 1
    return changed


def _hash_matches(hash_value: Any) -> ColumnElement[bool]:
    """A model file whose hashes the reference hash is a prefix of (any form) or equals (AutoV1)."""
    return or_(
        models_t.c.sha256.startswith(hash_value, autoescape=False),
        models_t.c.autov3.startswith(hash_value, autoescape=False),
        models_t.c.blake3.startswith(hash_value, autoescape=False),
        models_t.c.autov1 == hash_value,
    )


class LinkStore:
    """Answers which model files an image's metadata points at."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def links_for(self, record: dict[str, Any] | None) -> list[dict[str, str]]:
        """Links of one provenance record: by hash, or by name where the metadata gives no hash."""
        wanted = refs(record)
        if not wanted:
            return []
        out: list[dict[str, str]] = []
        with self.engine.connect() as conn:
            for ref in wanted:
                if ref.hash_key:
                    out += [{"model_file": path, "via": via(ref, by_hash=True)} for path in self._by_hash(conn, ref)]
                elif ref.name_key:
                    out += [{"model_file": path, "via": via(ref, by_hash=False)} for path in self._by_name(conn, ref)]
        return _unique(out)

    def _by_hash(self, conn: Connection, ref: ModelRef) -> list[str]:
        query = select(items_t.c.path).join(models_t, models_t.c.item_id == items_t.c.id).where(_hash_matches(ref.hash_key))
        return sorted(set(conn.execute(query).scalars()))

    def _by_name(self, conn: Connection, ref: ModelRef) -> list[str]:
        query = select(items_t.c.path).join(names_t, names_t.c.item_id == items_t.c.id).where(names_t.c.name_key == ref.name_key)
        return sorted(set(conn.execute(query).scalars()))

    def all_links(self) -> list[dict[str, Any]]:
        """Every image-to-model link in the case database, for `clearsight models links`."""
        image = items_t.alias("image")
        model = items_t.alias("model")
        base = [image.c.path.label("image"), model.c.path.label("model_file"), refs_t.c.kind, refs_t.c.name, refs_t.c.hash_key]
        by_hash = (
            select(*base)
            .select_from(refs_t.join(image, image.c.id == refs_t.c.item_id))
            .join(models_t, and_(refs_t.c.hash_key.is_not(None), _hash_matches(refs_t.c.hash_key)))
            .join(model, model.c.id == models_t.c.item_id)
        )
        by_name = (
            select(*base)
            .select_from(refs_t.join(image, image.c.id == refs_t.c.item_id))
            .join(names_t, names_t.c.name_key == refs_t.c.name_key)
            .join(model, model.c.id == names_t.c.item_id)
            .where(refs_t.c.hash_key.is_(None))
        )
        out: list[dict[str, Any]] = []
        with self.engine.connect() as conn:
            rows = [dict(row) | {"via": via(ModelRef(row["kind"], None, None, None), by_hash=True)} for row in conn.execute(by_hash).mappings()]
            rows += [dict(row) | {"via": via(ModelRef(row["kind"], None, None, None), by_hash=False)} for row in conn.execute(by_name).mappings()]
        for row in rows:
            row["hash"] = row.pop("hash_key")
            out.append(row)
        return _unique(sorted(out, key=lambda row: (row["image"], row["model_file"], row["via"])))


def _unique(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[tuple[Any, ...]] = set()
    out = []
    for row in rows:
        key = tuple(sorted((k, str(v)) for k, v in row.items()))
        if key not in seen:
            seen.add(key)
            out.append(row)
    return out
