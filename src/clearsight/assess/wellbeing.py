"""Wellbeing safeguards: exposure time, the daily limit, break reminders and preview preferences.

Exposure is counted from the audit trail, which already records every reveal: a reveal counts
until the analyst's next recorded action (opening another page, grading, another reveal), and
at most `REVEAL_CAP_SECONDS`, since an analyst who walks away from a blurred preview is not
looking at it. Days are UTC days. A work stretch is a run of recorded actions with no gap as
long as a break; when it has lasted the break interval, every page reminds the analyst to stop.
Once the day's exposure reaches the limit, no more previews are shown that day (grading from
hashes and metadata still works). Admins set the limit and intervals; each analyst sets how
previews look to them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from sqlalchemy import Engine, Table, delete, insert, select

from clearsight.assess.audit import AuditLog, log_t
from clearsight.errors import ClearsightError
from clearsight.store.models import AppSetting, UserPreferences

settings_t: Table = AppSetting.__table__  # type: ignore[assignment]
preferences_t: Table = UserPreferences.__table__  # type: ignore[assignment]
REVEAL_CAP_SECONDS = 120.0
REVEAL = "item.reveal"


@dataclass(frozen=True)
class WellbeingSettings:
    """The admin's settings, with the defaults a new case starts from."""

    daily_limit_minutes: int = 120
    break_every_minutes: int = 60
    break_minutes: int = 10

    BOUNDS: ClassVar[dict[str, tuple[int, int]]] = {"daily_limit_minutes": (1, 24 * 60), "break_every_minutes": (5, 8 * 60), "break_minutes": (1, 120)}


@dataclass(frozen=True)
class PreviewPreferences:
    """How previews look to one analyst: blur radius of the first reveal, greyscale, longest side in pixels."""

    blur: int = 12
    greyscale: bool = True
    side: int = 512

    BOUNDS: ClassVar[dict[str, tuple[int, int]]] = {"blur": (4, 40), "side": (128, 1024)}


@dataclass(frozen=True)
class Exposure:
    seconds: float
    limit_seconds: float
    stretch_seconds: float
    break_due: bool

    @property
    def limit_reached(self) -> bool:
        return self.seconds >= self.limit_seconds

    @property
    def minutes(self) -> int:
        return int(self.seconds // 60)


def _bounded(name: str, raw: Any, bounds: dict[str, tuple[int, int]]) -> int:
    low, high = bounds[name]
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise ClearsightError(f"{name.replace('_', ' ')} must be a whole number") from None
    if not low <= value <= high:
        raise ClearsightError(f"{name.replace('_', ' ')} must be between {low} and {high}")
    return value


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


class Wellbeing:
    def __init__(self, engine: Engine, audit: AuditLog, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.engine = engine
        self.audit = audit
        self.clock = clock

    def settings(self) -> WellbeingSettings:
        with self.engine.connect() as conn:
            stored = {key: value for key, value in conn.execute(select(settings_t.c.key, settings_t.c.value))}
        return WellbeingSettings(**{key: stored[key] for key in WellbeingSettings.BOUNDS if key in stored})

    def change_settings(self, actor: str, values: dict[str, Any]) -> WellbeingSettings:
        checked = {name: _bounded(name, values[name], WellbeingSettings.BOUNDS) for name in WellbeingSettings.BOUNDS if name in values}
        with self.engine.begin() as conn:
            conn.execute(delete(settings_t).where(settings_t.c.key.in_(list(checked))))
            conn.execute(insert(settings_t), [{"key": key, "value": value} for key, value in checked.items()])
        self.audit.append(actor, "settings.change", "wellbeing", checked)
        return self.settings()

    def preferences(self, user_id: int) -> PreviewPreferences:
        with self.engine.connect() as conn:
            stored = conn.execute(select(preferences_t.c["values"]).where(preferences_t.c.user_id == user_id)).scalar()
        return PreviewPreferences(**(stored or {}))

    def change_preferences(self, user_id: int, actor: str, values: dict[str, Any]) -> PreviewPreferences:
        chosen = PreviewPreferences(blur=_bounded("blur", values.get("blur", 12), PreviewPreferences.BOUNDS),
                                    greyscale=bool(values.get("greyscale")), side=_bounded("side", values.get("side", 512), PreviewPreferences.BOUNDS))
        with self.engine.begin() as conn:
            conn.execute(delete(preferences_t).where(preferences_t.c.user_id == user_id))
            conn.execute(insert(preferences_t).values(user_id=user_id, values=asdict(chosen)))
        self.audit.append(actor, "settings.preferences", actor, asdict(chosen))
        return chosen

    def exposure(self, actor: str, subject: str | None = None) -> Exposure:
        """`actor`'s exposure today (to one item if `subject` is given) and current work stretch."""
        now = self.clock()
        day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
        query = select(log_t.c.at, log_t.c.action, log_t.c.subject).where(log_t.c.actor == actor, log_t.c.at >= day_start).order_by(log_t.c.id)
        with self.engine.connect() as conn:
            entries = [Activity(_aware(at), action, about) for at, action, about in conn.execute(query)]
        settings = self.settings()
        stretch = work_stretch([entry.at for entry in entries], now, timedelta(minutes=settings.break_minutes))
        return Exposure(exposure_seconds(entries, now, subject), settings.daily_limit_minutes * 60.0, stretch,
                        stretch >= settings.break_every_minutes * 60)


@dataclass(frozen=True)
class Activity:
    """One audit entry of an analyst, as far as wellbeing needs it."""

    at: datetime
    action: str
    subject: str | None


def exposure_seconds(entries: list[Activity], now: datetime, subject: str | None = None) -> float:
    """Seconds of exposure in a day's entries (oldest first): each reveal until the next entry, capped."""
    seconds = 0.0
    for index, entry in enumerate(entries):
        if entry.action != REVEAL or (subject is not None and entry.subject != subject):
            continue
        until = entries[index + 1].at if index + 1 < len(entries) else now
        seconds += min(max((until - entry.at).total_seconds(), 0.0), REVEAL_CAP_SECONDS)
    return seconds


def work_stretch(times: list[datetime], now: datetime, gap: timedelta) -> float:
    """Seconds since the current stretch of work began: the first of the latest entries with no gap of `gap` or more."""
    start = now
    for at in reversed(times):
        if start - at >= gap:
            break
        start = at
    return (now - start).total_seconds()
