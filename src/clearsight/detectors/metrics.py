"""What a detector's scores are worth, from scores and known labels: the figures a hotline needs
to decide whether to rely on it. Pure functions, so the test can check them against a brute-force
computation."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

ECE_BINS = 10


def auc(positives: Sequence[float], negatives: Sequence[float]) -> float | None:
    """The area under the ROC curve: the chance a random AI-made sample scores above a random real
    one, ties counting a half (Mann-Whitney U over average ranks). None without both classes."""
    if not positives or not negatives:
        return None
    ranked = sorted([(score, 1) for score in positives] + [(score, 0) for score in negatives])
    rank_sum, position = 0.0, 0
    while position < len(ranked):
        end = position
        while end + 1 < len(ranked) and ranked[end + 1][0] == ranked[position][0]:
            end += 1
        average = (position + end) / 2 + 1
        rank_sum += average * sum(label for _, label in ranked[position : end + 1])
        position = end + 1
    count = len(positives)
    return (rank_sum - count * (count + 1) / 2) / (count * len(negatives))


@dataclass(frozen=True)
class OperatingPoint:
    """A score threshold (`score >= threshold` flags AI-made) and what it does on the samples."""

    threshold: float
    false_positive_rate: float
    detection_rate: float


def at_false_positive_rate(positives: Sequence[float], negatives: Sequence[float], rate: float) -> OperatingPoint | None:
    """The lowest threshold whose false-positive rate on the real samples is at most `rate`, and
    the share of AI-made samples it detects. None without both classes."""
    if not positives or not negatives:
        return None
    ordered = sorted(negatives, reverse=True)
    allowed = math.floor(rate * len(ordered) + 1e-9)
    threshold = ordered[-1] if allowed >= len(ordered) else math.nextafter(ordered[allowed], math.inf)
    false = sum(score >= threshold for score in negatives) / len(negatives)
    return OperatingPoint(threshold, false, sum(score >= threshold for score in positives) / len(positives))


def calibration_error(scores: Sequence[float], labels: Sequence[int], bins: int = ECE_BINS) -> float | None:
    """Expected calibration error: over equal-width score bins, the gap between the mean score and
    the share of AI-made samples, weighted by the bin's share of samples."""
    if not scores:
        return None
    total = 0.0
    for number in range(bins):
        low, high = number / bins, (number + 1) / bins
        members = [(score, label) for score, label in zip(scores, labels, strict=True) if low <= score < high or (number == bins - 1 and score == 1.0)]
        if members:
            total += len(members) / len(scores) * abs(sum(label for _, label in members) / len(members) - sum(score for score, _ in members) / len(members))
    return total
