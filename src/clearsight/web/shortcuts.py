"""The keyboard shortcuts of each page, listed in its help overlay (`shortcuts.html`): one list
per page, so what the overlay says and what the page's `data-key` elements do cannot drift apart
(tests/web/test_keyboard_grading.py checks every key on the page is listed)."""

from __future__ import annotations

from clearsight.assess.grading import QUICK_GRADES

HELP = ("?", "Show this list")
ITEM = [
    *((key, f"{label}{' (carrying over legal basis, age band and sex)' if outcome == 'criminal' else ''}, then the next item")
      for key, (label, outcome) in QUICK_GRADES.items()),
    ("k", "Apply my next grade to the whole near-duplicate cluster (on a cluster's representative)"),
    ("f", "Go to the full grading form"),
    ("z", "Undo my last grade (while it awaits review)"),
    ("v", "Reveal the preview: blurred first, then without the blur"),
    ("q", "Back to the queue"),
    HELP,
]
QUEUE = [("o", "Open the first item of the queue"), HELP]
GRID = [*((key, f"{label} for the selected items") for key, (label, _) in QUICK_GRADES.items()),
        ("v", "Reveal the grid, blurred"), ("q", "Back to the queue"), HELP]
