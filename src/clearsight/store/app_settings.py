"""Reading and writing one app setting by key (the `app_settings` table), for settings that are
not the wellbeing ones (`assess.wellbeing` keeps those, checked against their bounds)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, Table, delete, insert, select

from clearsight.store.models import AppSetting

settings_t: Table = AppSetting.__table__  # type: ignore[assignment]


class AppSettings:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get(self, key: str, default: Any = None) -> Any:
        with self.engine.connect() as conn:
            row = conn.execute(select(settings_t.c.value).where(settings_t.c.key == key)).first()
        return default if row is None else row.value

    def set(self, key: str, value: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(settings_t).where(settings_t.c.key == key))
            conn.execute(insert(settings_t).values(key=key, value=value))
