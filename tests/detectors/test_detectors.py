"""Pluggable ONNX detectors: added with a model card that must match the model, run in the scan
as indicative evidence, shown in the record and the queue, deciding a verdict only when an admin
allowed it and the detector's calibration on the case's own grades met their ceiling."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from itertools import product
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from clearsight.assess.accounts import Accounts
from clearsight.assess.audit import AuditLog
from clearsight.assess.grading import Grading
from clearsight.assess.schema import Grade
from clearsight.config import Settings
from clearsight.detectors.metrics import at_false_positive_rate, auc, calibration_error
from clearsight.store.db import open_engine
from clearsight.store.items import ItemStore, QueueFilter
from clearsight.web.app import create_app
from tests.cli_runner import clearsight, records
from tests.onnx_factory import brightness_model, write_detector
from tests.web_client import PASSWORD, log_in

pytestmark = pytest.mark.timeout(600)


def _flat(path: Path, level: int) -> Path:
    """A flat grey picture: its brightness score is `level / 255` through every variant."""
    Image.new("RGB", (96, 64), (level, level, level)).save(path, "PNG")
    return path


def _detector(tmp_path: Path, db: str, name: str = "bright") -> None:
    model, card = write_detector(tmp_path / "model")
    clearsight("detectors", "add", name, str(model), "--card", str(card), "--db", db)


def _listed(db: str) -> dict[str, dict]:
    return {row["name"]: row for row in json.loads(clearsight("detectors", "list", "--format", "json", "--db", db).stdout)}


def _scan(folder: Path, db: str) -> dict[str, dict]:
    out = clearsight("scan", str(folder), "--db", db, "--format", "jsonl", "--workers", "1").stdout
    return {Path(record["path"]).name: record for record in records(out)}


def _detector_evidence(record: dict) -> list[dict]:
    return [evidence for evidence in record["provenance"]["evidence"] if evidence["source"] == "detector"]


def test_a_detector_is_added_listed_disabled_enabled_and_removed(tmp_path: Path) -> None:
    db = str(tmp_path / "case.db")
    _detector(tmp_path, db)
    listed = _listed(db)["bright"]
    assert (listed["model"], listed["version"], listed["enabled"], listed["decides_verdicts"], listed["auc"]) == ("Brightness test model", "1.0", True, False, None)
    assert "verdicts are off" in listed["why"]
    clearsight("detectors", "disable", "bright", "--db", db)
    assert _listed(db)["bright"]["enabled"] is False
    clearsight("detectors", "enable", "bright", "--db", db)
    assert _listed(db)["bright"]["enabled"] is True
    model, card = write_detector(tmp_path / "again")
    again = clearsight("detectors", "add", "bright", str(model), "--card", str(card), "--db", db, check=False)
    assert again.returncode == 1 and "exists already" in again.stderr
    clearsight("detectors", "remove", "bright", "--db", db)
    assert _listed(db) == {}


@pytest.mark.parametrize(("model", "changes", "reason"), [
    (b"\x08\x07 this is not a protobuf graph", {}, "cannot be loaded as ONNX"),
    (brightness_model(side=32), {"input": {"width": 224, "height": 224}}, "but the model's input shape is"),
    (brightness_model(side=32), {"input": {"width": 32, "height": 32, "layout": "NHWC"}}, "but the model's input shape is"),
    (brightness_model(side=32), {"normalisation": {"scale": 255, "mean": [0, 0], "std": [1, 1, 1]}}, "three numbers"),
    (brightness_model(side=32), {"threshold": 1.5}, "threshold must be a number from 0 to 1"),
    (brightness_model(side=32), {"weights_url": "https://example.invalid/model.onnx"}, "unknown keys: weights_url"),
])
def test_a_corrupt_model_or_a_card_that_does_not_match_the_model_is_refused_with_a_reason(tmp_path: Path, model: bytes, changes: dict, reason: str) -> None:
    db = str(tmp_path / "case.db")
    model_path, card_path = write_detector(tmp_path / "model", model, **changes)
    refused = clearsight("detectors", "add", "bad", str(model_path), "--card", str(card_path), "--db", db, check=False)
    assert refused.returncode == 1 and reason in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    assert _listed(db) == {}


def test_scores_reach_the_record_and_the_queue_but_the_verdict_stays_unknown(tmp_path: Path) -> None:
    db = str(tmp_path / "case.db")
    _detector(tmp_path, db)
    folder = tmp_path / "case"
    folder.mkdir()
    for level in (20, 200, 120):
        _flat(folder / f"grey{level}.png", level)
    scanned = _scan(folder, db)
    for level in (20, 200, 120):
        record = scanned[f"grey{level}.png"]
        [evidence] = _detector_evidence(record)
        assert evidence["strength"] == "indicative" and evidence["claims"]["detector"] == "bright"
        assert evidence["claims"]["model_card"] == "Brightness test model"
        assert evidence["claims"]["score"] == pytest.approx(level / 255, abs=1e-4)
        assert evidence["claims"]["false_positive_rate"] is None and evidence["claims"]["decides_verdict"] is False
        assert record["provenance"]["verdict"] == "unknown"
    rows, total = ItemStore(open_engine(db)).queue(QueueFilter(queue="all", order="score"), "ann")
    assert [Path(row["path"]).name for row in rows] == ["grey200.png", "grey120.png", "grey20.png"]
    assert [round(row["detector_score"], 3) for row in rows] == [round(200 / 255, 3), round(120 / 255, 3), round(20 / 255, 3)]
    rows, total = ItemStore(open_engine(db)).queue(QueueFilter(queue="all", min_score=0.4), "ann")
    assert total == 2 and {Path(row["path"]).name for row in rows} == {"grey200.png", "grey120.png"}
    Accounts(open_engine(db), actor="test").add("ann", "analyst", PASSWORD)
    client = TestClient(create_app(Settings(db=db)), follow_redirects=False)
    log_in(client, "ann")
    page = client.get("/queue", params={"queue": "all", "sort": "score", "min_score": "0.4"}).text
    assert "2 items" in page and page.index("grey200.png") < page.index("grey120.png") and "grey20.png" not in page
    assert f"<td>{200 / 255:.2f}</td>" in page and f"<td>{120 / 255:.2f}</td>" in page


def test_a_detector_that_fails_on_an_item_is_that_items_problem_only(tmp_path: Path) -> None:
    db = str(tmp_path / "case.db")
    model, card = write_detector(tmp_path / "model", brightness_model(fails_below=0.5))
    clearsight("detectors", "add", "picky", str(model), "--card", str(card), "--db", db)
    folder = tmp_path / "case"
    folder.mkdir()
    _flat(folder / "dark.png", 40)
    _flat(folder / "bright.png", 230)
    scanned = _scan(folder, db)
    [failed] = _detector_evidence(scanned["dark.png"])
    assert failed["unreadable"] == "detector picky failed: the model gave a score that is not a number"
    assert scanned["dark.png"]["error"] is None and scanned["dark.png"]["md5"]
    [scored] = _detector_evidence(scanned["bright.png"])
    assert scored["claims"]["score"] == pytest.approx((230 / 255 - 0.5) ** 0.5, abs=1e-4)


def _graded_case(tmp_path: Path, db: str, real: list[int], ai: list[int]) -> None:
    """A case of flat pictures graded and confirmed: `real` levels as real photographs, `ai` levels as AI-made."""
    folder = tmp_path / "graded"
    folder.mkdir()
    for kind, levels in (("real", real), ("ai", ai)):
        for number, level in enumerate(levels):
            _flat(folder / f"{kind}{number:03d}.png", level)
    clearsight("scan", str(folder), "--db", db, "--workers", "2")
    engine = open_engine(db)
    rows, _ = ItemStore(engine).queue(QueueFilter(queue="all"), "nobody")
    grading = Grading(engine, AuditLog(engine))
    for row in rows:
        production = "real" if Path(row["path"]).name.startswith("real") else "ai_realistic"
        grading.confirm(grading.grade(row["id"], "ann", Grade("not_criminal", production=production)), "bob")


def _pairs_auc(positives: list[float], negatives: list[float]) -> float:
    return sum(1.0 if p > n else 0.5 if p == n else 0.0 for p, n in product(positives, negatives)) / (len(positives) * len(negatives))


def test_calibration_on_known_labels_gives_the_auc_and_rates_computed_independently(tmp_path: Path) -> None:
    db = str(tmp_path / "case.db")
    _detector(tmp_path, db)
    # Levels 8 apart, so JPEG's rounding (a level at most) never reorders two pictures.
    real = [16 + 8 * n for n in range(20)]            # 16 .. 168
    ai = [112 + 8 * n for n in range(15)]             # 112 .. 224: overlapping the brighter real ones
    _graded_case(tmp_path, db, real, ai)
    figures = json.loads(clearsight("detectors", "calibrate", "bright", "--format", "json", "--db", db).stdout)
    assert (figures["items"], figures["unscored"], figures["ai_samples"], figures["real_samples"]) == (35, 0, 15 * 6, 20 * 6)
    expected_auc = _pairs_auc([level / 255 for level in ai], [level / 255 for level in real])
    assert figures["auc"] == pytest.approx(expected_auc, abs=1e-9)
    for variant in figures["variants"].values():
        assert variant["auc"] == pytest.approx(expected_auc, abs=1e-9)
    # 1% of 120 real samples is 1: the threshold lies among the brightest real picture's six
    # samples, so what is detected is the AI-made pictures brighter than every real one.
    detected = sum(level > max(real) for level in ai) / len(ai)
    assert figures["detection_at_0.01_fpr"]["detection_rate"] == pytest.approx(detected)
    assert figures["detection_at_0.01_fpr"]["false_positive_rate"] <= 0.01
    scores = [level / 255 for level in real + ai]
    labels = [0] * len(real) + [1] * len(ai)
    assert figures["expected_calibration_error"] == pytest.approx(_ece(scores, labels), abs=0.01)
    text = clearsight("detectors", "calibrate", "bright", "--db", db).stderr
    assert "AUC" in text and "graded" not in text and ".png" not in text
    html = clearsight("detectors", "calibrate", "bright", "--format", "html", "--db", db).stdout
    assert "<table>" in html and ".png" not in html


def _ece(scores: list[float], labels: list[int]) -> float:
    bins: dict[int, list[tuple[float, int]]] = {}
    for score, label in zip(scores, labels, strict=True):
        bins.setdefault(min(int(score * 10), 9), []).append((score, label))
    return sum(len(members) / len(scores) * abs(sum(l for _, l in members) / len(members) - sum(s for s, _ in members) / len(members))
               for members in bins.values())


def test_the_verdict_becomes_ai_only_with_verdicts_on_and_a_calibration_that_met_the_ceiling(tmp_path: Path) -> None:
    db = str(tmp_path / "case.db")
    _detector(tmp_path, db)
    _graded_case(tmp_path, db, real=[10 + 6 * n for n in range(17)], ai=[200 + 3 * n for n in range(10)])  # separable
    folder = tmp_path / "new"
    folder.mkdir()
    _flat(folder / "bright.png", 240)
    _flat(folder / "dark.png", 30)
    clearsight("detectors", "verdicts", "bright", "on", "--ceiling", "0.01", "--db", db)
    assert "not calibrated" in _listed(db)["bright"]["why"]
    assert _scan(folder, db)["bright.png"]["provenance"]["verdict"] == "unknown"
    clearsight("detectors", "calibrate", "bright", "--db", db)
    listed = _listed(db)["bright"]
    assert listed["decides_verdicts"] is True and listed["auc"] == 1.0 and listed["false_positive_rate"] == 0.0
    later = tmp_path / "later"
    later.mkdir()
    _flat(later / "bright.png", 241)
    _flat(later / "dark.png", 31)
    scanned = _scan(later, db)
    assert scanned["bright.png"]["provenance"]["verdict"] == "ai" and scanned["bright.png"]["provenance"]["strength"] == "indicative"
    assert scanned["dark.png"]["provenance"]["verdict"] == "unknown"
    [evidence] = _detector_evidence(scanned["bright.png"])
    assert evidence["claims"]["decides_verdict"] is True and evidence["claims"]["false_positive_rate"] == 0.0
    # A ceiling the calibration cannot show (17 x 6 = 102 real samples measure no rate below 1/102) keeps the verdict unknown.
    clearsight("detectors", "verdicts", "bright", "on", "--ceiling", "0.001", "--db", db)
    assert _listed(db)["bright"]["decides_verdicts"] is False and "needs 1000" in _listed(db)["bright"]["why"]


def test_the_metrics_agree_with_brute_force_on_random_scores() -> None:
    rng = random.Random(7)
    positives = [round(rng.betavariate(3, 2), 2) for _ in range(300)]
    negatives = [round(rng.betavariate(2, 3), 2) for _ in range(400)]  # rounded: many ties
    assert auc(positives, negatives) == pytest.approx(_pairs_auc(positives, negatives), abs=1e-12)
    for rate in (0.01, 0.05, 0.2):
        point = at_false_positive_rate(positives, negatives, rate)
        assert point is not None and point.false_positive_rate <= rate
        # No lower threshold among the scores keeps the false-positive rate within `rate`.
        lower = [score for score in set(negatives + positives) if score < point.threshold]
        assert all(sum(n >= score for n in negatives) / len(negatives) > rate for score in lower)
        assert point.detection_rate == sum(p >= point.threshold for p in positives) / len(positives)
    scores, labels = positives + negatives, [1] * 300 + [0] * 400
    assert calibration_error(scores, labels) == pytest.approx(_ece(scores, labels), abs=1e-12)


def test_without_detectors_a_scan_never_loads_onnx_runtime_and_without_the_extra_enabled_ones_stop_it_with_the_fix(tmp_path: Path) -> None:
    db = str(tmp_path / "case.db")
    probe = ("import sys; from clearsight.config import Settings; from clearsight.detectors.manage import with_detectors; "
             f"settings = Settings(db={db!r}); assert with_detectors(settings) is settings; assert 'onnxruntime' not in sys.modules")
    subprocess.run([sys.executable, "-c", probe], check=True)
    _detector(tmp_path, db)
    missing = ("import sys; sys.modules['onnxruntime'] = None; from clearsight.cli import main; "
               f"sys.argv = ['clearsight', 'scan', {str(tmp_path)!r}, '--db', {db!r}]; main()")
    refused = subprocess.run([sys.executable, "-c", missing], capture_output=True, text=True, check=False)
    assert refused.returncode == 1 and "pip install 'clearsight[detectors]'" in refused.stderr
