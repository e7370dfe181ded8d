"""The rules module: every label each scheme can give, and the grades the schema refuses."""

from __future__ import annotations

import pytest

from clearsight.assess.jurisdictions import derived_labels
from clearsight.assess.schema import Grade, parse_grade
from clearsight.errors import ClearsightError

CRIMINAL_PHOTO = {"outcome": "criminal", "uk_legal_basis": "indecent_photo"}

# (grade, INTERPOL baseline, NCMEC industry, VICS category)
TABLE = [
    (Grade(**CRIMINAL_PHOTO, uk_category="A", age_band="3-6", production="real"), "baseline", "A1", 1),
    (Grade(**CRIMINAL_PHOTO, uk_category="B", age_band="7-10", production="real"), "baseline", "A1", 1),
    (Grade(**CRIMINAL_PHOTO, uk_category="C", age_band="0-2", production="real"), "national", "A2", 1),
    (Grade(**CRIMINAL_PHOTO, uk_category="A", age_band="11-13", production="real"), "national", "B1", 1),
    (Grade(**CRIMINAL_PHOTO, uk_category="C", age_band="14-15", production="real"), "national", "B2", 1),
    (Grade(**CRIMINAL_PHOTO, uk_category="B", age_band="16-17", production="unknown"), "national", "B1", 1),
    (Grade(**CRIMINAL_PHOTO, uk_category="A", age_band="unknown", production="real"), "national", None, 1),
    (Grade("criminal", "pseudo_photo", "A", age_band="3-6", production="ai_realistic"), "national", "A1", 1),
    (Grade("criminal", "pseudo_photo", "C", age_band="7-10", production="ai_altered_real"), "national", "A2", 1),
    (Grade("criminal", "prohibited_image", "none", age_band="3-6", production="drawn_cgi"), "national", None, 3),
    (Grade("criminal", "prohibited_image", "none", age_band="11-13", production="ai_non_realistic"), "national", None, 3),
    (Grade("criminal", "csa_image_generator", "none"), "national", None, None),
    (Grade("not_criminal"), None, None, 0),
    (Grade("unable_to_assess"), None, None, None),
]


@pytest.mark.parametrize(("grade", "baseline", "ncmec", "vics"), TABLE)
def test_each_scheme_labels_a_grade_from_the_uk_grade_alone(grade: Grade, baseline: str | None, ncmec: str | None, vics: int | None) -> None:
    assert derived_labels(grade) == {"interpol_baseline": baseline, "ncmec_industry": ncmec, "vics_category": vics}


def test_the_table_covers_every_label_of_every_scheme() -> None:
    seen = {scheme: {derived_labels(grade)[scheme] for grade, *_ in TABLE} for scheme in ("interpol_baseline", "ncmec_industry", "vics_category")}
    assert seen == {"interpol_baseline": {"baseline", "national", None}, "ncmec_industry": {"A1", "A2", "B1", "B2", None},
                    "vics_category": {0, 1, 3, None}}


@pytest.mark.parametrize(("values", "reason"), [
    ({}, "outcome must be one of"),
    ({"outcome": "criminal"}, "needs its legal basis"),
    ({"outcome": "criminal", "uk_legal_basis": "indecent_photo"}, "needs category A, B or C"),
    ({"outcome": "criminal", "uk_legal_basis": "indecent_photo", "uk_category": "D"}, "uk category must be one of"),
    ({"outcome": "not_criminal", "child_count": "many"}, "child count must be a whole number"),
    ({"outcome": "not_criminal", "age_band": "18+"}, "age band must be one of"),
])
def test_an_incomplete_or_unknown_grade_is_refused_with_the_field_named(values: dict[str, str], reason: str) -> None:
    with pytest.raises(ClearsightError, match=reason):
        parse_grade(values)


def test_a_grade_that_is_not_criminal_drops_any_category_left_in_the_form() -> None:
    grade = parse_grade({"outcome": "not_criminal", "uk_legal_basis": "indecent_photo", "uk_category": "A"}, ["grid", "grid"])
    assert (grade.uk_legal_basis, grade.uk_category, grade.flags) == ("none", "none", ("grid",))


def test_unknown_flags_are_refused() -> None:
    with pytest.raises(ClearsightError, match="unknown flags"):
        parse_grade({"outcome": "not_criminal"}, ["bogus"])
