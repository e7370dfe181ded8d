"""Grading and four-eyes review: a grade waits for a second person, disputes go to a reviewer whose
word is final, exact duplicates and known bank items are graded once, and report figures count
only confirmed grades."""

from __future__ import annotations

from pathlib import Path

import pytest

from clearsight.assess.audit import AuditLog
from clearsight.store.db import open_engine
from tests.assess.workbench import CATEGORY_A, CATEGORY_C, Workbench, make_workbench
from tests.web_client import csrf_of


@pytest.fixture
def bench(db: str, tmp_path: Path) -> Workbench:
    return make_workbench(db, tmp_path)


def test_a_grade_waits_for_a_second_person_and_its_author_cannot_confirm_it(bench: Workbench) -> None:
    ann, _ = bench.client("ann")
    photo, copy = bench.item_id("photo.jpg"), bench.item_id("photo_copy.jpg")
    page = ann.get(f"/items/{photo}").text
    assert f"Apply this grade to its 1 exact duplicate(s) (items {copy})" in page
    page = bench.grade(ann, photo, CATEGORY_A, to_duplicates="yes")
    assert "— <strong>pending</strong>" in page and "Confirm this grade" not in page
    assert "A1" in page and "baseline" in page
    assert "pending" in ann.get(f"/items/{copy}").text
    assert f'href="/items/{photo}"' not in ann.get("/queue", params={"queue": "review"}).text

    bob, _ = bench.client("bob")
    assert f'href="/items/{photo}"' in bob.get("/queue", params={"queue": "review"}).text
    assessment = bench.assessment_id(bob.get(f"/items/{photo}").text)
    refused = ann.post(f"/assessments/{assessment}/review", data={"csrf_token": csrf_of(ann.get("/").text), "item_id": photo, "decision": "confirm"})
    assert "you cannot review your own" in refused.text
    confirmed = bench.review(bob, photo, assessment, "confirm")
    assert "— <strong>confirmed</strong>" in confirmed and "confirm by bob" in confirmed
    assert "— <strong>confirmed</strong>" in bob.get(f"/items/{copy}").text
    actions = [(entry["actor"], entry["action"]) for entry in AuditLog(open_engine(bench.db)).entries() if entry["action"].startswith(("grade", "review"))]
    assert actions[:2] == [("bob", "review.confirm"), ("ann", "grade")]


def test_a_disputed_grade_goes_to_a_reviewer_whose_decision_is_final(bench: Workbench) -> None:
    ann, _ = bench.client("ann")
    bob, _ = bench.client("bob")
    rita, _ = bench.client("rita")
    other = bench.item_id("other.png")
    assert "/review" not in bob.get(f"/items/{other}").text
    bench.grade(ann, other, CATEGORY_C)
    assessment = bench.assessment_id(bob.get(f"/items/{other}").text)
    assert "say why" in bench.review(bob, other, assessment, "dispute")
    disputed = bench.review(bob, other, assessment, "dispute", note="category looks wrong")
    assert "— <strong>disputed</strong>" in disputed and "Reviewer's decision" not in disputed
    assert "only a reviewer" in bench.review(bob, other, assessment, "overrule", **CATEGORY_A)
    assert f'href="/items/{other}"' in rita.get("/queue", params={"queue": "disputed"}).text
    final = bench.review(rita, other, assessment, "overrule", note="A on review", **CATEGORY_A)
    assert "Current grade: <strong>criminal</strong>, category A" in final and "graded by rita" in final and "— <strong>confirmed</strong>" in final
    assert "overruled" in final and "dispute by bob: category looks wrong" in final
    assert f'href="/items/{other}"' not in rita.get("/queue", params={"queue": "disputed"}).text
    assert "Reviewer's decision" not in final and "Save grade" not in final


def test_known_items_are_graded_automatically_and_kept_out_of_the_human_queue(bench: Workbench, tmp_path: Path) -> None:
    ann, _ = bench.client("ann")
    known = bench.item_id("known.png")
    assert f'href="/items/{known}"' not in ann.get("/queue").text
    listed = ann.get("/queue", params={"queue": "known"}).text
    assert f'href="/items/{known}"' in listed and "automatic: sha256 match in bank partner (entry partner-7), classified B" in listed
    page = ann.get(f"/items/{known}").text
    assert "Save grade" not in page and "partner-7" in page
    matched = ann.get("/queue", params={"queue": "all", "matched": "yes"}).text
    assert f'href="/items/{known}"' in matched and "photo.jpg" not in matched

    photo = bench.item_id("photo.jpg")
    bench.grade(ann, photo, CATEGORY_A)
    bob, _ = bench.client("bob")
    bench.review(bob, photo, bench.assessment_id(bob.get(f"/items/{photo}").text), "confirm")
    later = tmp_path / "later"
    later.mkdir()
    (later / "again.jpg").write_bytes((bench.folder / "photo.jpg").read_bytes())
    from tests.cli_runner import clearsight
    clearsight("scan", str(later), "--db", bench.db)
    known_now = ann.get("/queue", params={"queue": "known"}).text
    assert "again.jpg" in known_now and f"exact duplicate of item {photo}, graded by ann" in known_now
    assert "photo_copy.jpg" in known_now  # the copy left ungraded by the analyst is known too
    assert "again.jpg" not in ann.get("/queue").text


def test_the_labels_of_other_schemes_are_shown_before_saving(bench: Workbench) -> None:
    ann, csrf = bench.client("ann")
    fragment = ann.post("/grading/labels", data={"csrf_token": csrf, **CATEGORY_C, "age_band": "14-15"}).text
    assert "B2" in fragment and "national" in fragment and "<html" not in fragment
    assert "needs category" in ann.post("/grading/labels", data={"csrf_token": csrf, "outcome": "criminal", "uk_legal_basis": "pseudo_photo"}).text
    assert ann.post("/grading/labels", data={"outcome": "criminal"}).status_code == 403


def test_similar_graded_items_are_listed_by_pdq_distance(bench: Workbench, tmp_path: Path) -> None:
    from PIL import Image

    from tests.cli_runner import clearsight
    ann, _ = bench.client("ann")
    photo = bench.item_id("photo.jpg")
    bench.grade(ann, photo, CATEGORY_A)
    near = tmp_path / "near"
    near.mkdir()
    Image.open(bench.folder / "photo.jpg").resize((300, 225)).save(near / "resized.jpg", quality=80)
    clearsight("scan", str(near), "--db", bench.db)
    page = ann.get(f"/items/{bench.item_id('resized.jpg')}").text
    assert f'<a href="/items/{photo}">{photo}</a>' in page and "criminal A (pending)" in page


def test_report_figures_count_only_confirmed_grades(bench: Workbench) -> None:
    ann, csrf = bench.client("ann")
    created = ann.post("/reports", data={"csrf_token": csrf, "url": "https://host.example/gallery/1", "source": "public", "site_type": "ai_gallery",
                                         "web_layer": "clear", "commercial": "none", "hosting_country": "nl", "scan_run": "1"})
    assert created.status_code == 303
    report = created.headers["location"]
    page = ann.get(report).text
    assert "host.example" in page and "NL" in page and "4 not yet confirmed" not in page  # the known item is confirmed already
    photo = bench.item_id("photo.jpg")
    bench.grade(ann, photo, CATEGORY_A)
    figures = ann.get(report).text
    assert "<th>most severe category</th><td>B</td>" in figures  # only the automatic grade of the known item counts
    bob, _ = bench.client("bob")
    bench.review(bob, photo, bench.assessment_id(bob.get(f"/items/{photo}").text), "confirm")
    figures = ann.get(report).text
    assert "<th>most severe category</th><td>A</td>" in figures and "<th>youngest age band</th><td>7-10</td>" in figures
    assert f'href="/items/{photo}"' in ann.get("/queue", params={"queue": "all", "site_type": "ai_gallery"}).text
    assert f'href="/items/{photo}"' not in ann.get("/queue", params={"queue": "all", "site_type": "forum"}).text


def test_an_item_is_attached_to_a_report_from_its_page(bench: Workbench) -> None:
    ann, csrf = bench.client("ann")
    other = bench.item_id("other.png")
    assert "No reports yet" in ann.get(f"/items/{other}").text
    report = ann.post("/reports", data={"csrf_token": csrf, "url": "https://forum.example/t/5", "source": "member", "site_type": "forum"}).headers["location"]
    report_id = report.rsplit("/", 1)[1]
    assert ann.post(f"/items/{other}/report", data={"csrf_token": csrf, "report": report_id}).status_code == 303
    assert f'href="/reports/{report_id}"' in ann.get(f"/items/{other}").text
    assert f'<a href="/items/{other}">{other}</a>' in ann.get(report).text
    assert f'href="/items/{other}"' in ann.get("/queue", params={"report": report_id}).text
    entry = AuditLog(open_engine(bench.db)).entries(limit=3)
    assert ("report.attach", report_id, {"item": other}) in [(row["action"], row["subject"], row["details"]) for row in entry]


def test_items_join_the_human_queue_only_once_matched_against_the_banks(bench: Workbench, monkeypatch: pytest.MonkeyPatch) -> None:
    from clearsight.assess import known
    from clearsight.web import items

    monkeypatch.setattr(known, "CHUNK", 1)
    monkeypatch.setattr(items, "REFRESH_SECONDS", 0.0)
    monkeypatch.setattr(known.KnownItems, "refresh", lambda self: None)  # hold the background thread back
    ann, _ = bench.client("ann")
    page = ann.get("/queue").text
    assert "3 new items are still being matched against the banks" in page and "known.png" not in page
    assert page.count('<tr><td><a href="/items/') <= 1
    ann.app.state.known._refresh(None)  # type: ignore[attr-defined]  # what the background thread does
    page = ann.get("/queue").text
    # photo_copy.jpg waits behind photo.jpg, the representative of their cluster (distance 0).
    assert "still being matched" not in page and "2 items" in page and "known.png" not in page and "photo_copy.jpg" not in page
