"""Wellbeing: exposure counted from reveals, a daily limit that stops previews, break reminders,
and each analyst's own preview preferences; only admins change the limits."""

from __future__ import annotations

import base64
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image

from clearsight.assess.wellbeing import REVEAL_CAP_SECONDS, Activity, exposure_seconds, work_stretch
from tests.assess.workbench import Workbench, make_workbench
from tests.web_client import csrf_of

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def _at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.fixture
def bench(db: str, tmp_path: Path) -> Workbench:
    return make_workbench(db, tmp_path)


def test_a_reveal_counts_until_the_next_action_and_at_most_two_minutes() -> None:
    entries = [Activity(_at(0), "item.reveal", "1"), Activity(_at(0.5), "item.view", "2"), Activity(_at(1), "item.reveal", "2"),
               Activity(_at(30), "grade", "2"), Activity(_at(31), "item.reveal", "3")]
    assert exposure_seconds(entries, _at(31.25)) == 30 + REVEAL_CAP_SECONDS + 15
    assert exposure_seconds(entries, _at(31.25), subject="2") == REVEAL_CAP_SECONDS


def test_a_work_stretch_runs_back_to_the_last_gap_as_long_as_a_break() -> None:
    times = [_at(0), _at(5), _at(30), _at(38), _at(46), _at(55)]
    assert work_stretch(times, _at(60), timedelta(minutes=10)) == 30 * 60
    assert work_stretch(times, _at(80), timedelta(minutes=10)) == 0


def _preview_size(html: str) -> tuple[int, int]:
    match = re.search(r'<img src="data:image/png;base64,([^"]+)"', html)
    assert match
    return Image.open(io.BytesIO(base64.b64decode(match[1]))).size


def test_previews_follow_the_analysts_preferences(bench: Workbench) -> None:
    ann, csrf = bench.client("ann")
    assert ann.post("/preferences", data={"csrf_token": csrf, "blur": "2", "side": "200"}).status_code == 400
    assert ann.post("/preferences", data={"csrf_token": csrf, "blur": "20", "side": "160"}).status_code == 303
    page = ann.get("/preferences").text
    assert 'value="20"' in page and 'value="160"' in page and "checked" not in page
    photo = bench.item_id("photo.jpg")
    shown = ann.post(f"/items/{photo}/reveal", data={"csrf_token": csrf, "stage": "blurred"}).text
    assert max(_preview_size(shown)) == 160
    bob, bob_csrf = bench.client("bob")
    assert _preview_size(bob.post(f"/items/{photo}/reveal", data={"csrf_token": bob_csrf, "stage": "blurred"}).text) == (320, 240)  # never enlarged


def test_past_the_daily_limit_no_preview_is_shown_and_every_page_says_so(bench: Workbench) -> None:
    admin, admin_csrf = bench.client("ada")
    assert admin.post("/admin/settings", data={"csrf_token": admin_csrf, "daily_limit_minutes": "0"}).status_code == 400
    assert admin.post("/admin/settings", data={"csrf_token": admin_csrf, "daily_limit_minutes": "2", "break_every_minutes": "60",
                                                "break_minutes": "10"}).status_code == 303
    ann, csrf = bench.client("ann")
    photo = bench.item_id("photo.jpg")
    ann.post(f"/items/{photo}/reveal", data={"csrf_token": csrf, "stage": "blurred"})
    ann.post(f"/items/{photo}/reveal", data={"csrf_token": csrf, "stage": "clear"})
    later = datetime.now(UTC) + timedelta(minutes=3)
    ann.app.state.wellbeing.clock = lambda: later  # type: ignore[attr-defined]
    page = ann.get("/queue").text
    assert "Exposure today: 2 of 2 minutes" in page and "previews are paused until tomorrow" in page
    refused = ann.post(f"/items/{photo}/reveal", data={"csrf_token": csrf_of(page), "stage": "blurred"}).text
    assert "exposure limit (2 minutes)" in refused and "<img" not in refused and 'id="reveal"' not in refused


def test_only_admins_change_the_wellbeing_settings_and_every_change_is_audited(bench: Workbench) -> None:
    ann, csrf = bench.client("ann")
    assert ann.get("/admin/settings").status_code == 403
    assert ann.post("/admin/settings", data={"csrf_token": csrf, "daily_limit_minutes": "600"}).status_code == 403
    admin, admin_csrf = bench.client("ada")
    admin.post("/admin/settings", data={"csrf_token": admin_csrf, "break_every_minutes": "45"})
    assert 'value="45"' in admin.get("/admin/settings").text
    audit = admin.get("/audit").text
    assert "settings.change" in audit and "intact" in audit
