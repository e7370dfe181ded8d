"""The labels other schemes give a graded item, derived in one place from the UK grade.

Analysts grade once, against UK law; partners receive the item under their own scheme. Each
rule below is the whole derivation for its scheme, shown to the analyst before the grade is
saved and stored with it, so a changed rule never silently relabels old grades.

- INTERPOL baseline: material illegal everywhere. `baseline` needs a real child (a photograph,
  not AI-made or drawn), apparently under 11 by the age band (the baseline speaks of
  prepubescent children or those apparently under 13; the 11-13 band straddles that line, so
  it is left to national law), and sexual activity (UK A or B). Other criminal grades are
  `national`. UK category C can meet the baseline where the image focuses on the genitals;
  the schema does not record that, so C is `national` and the analyst may say otherwise.
- NCMEC industry categorisation (A1, A2, B1, B2): the letter is prepubescent (A) or
  pubescent (B), taken from the age band (under 11 is A, 11-17 is B, unknown gives no label);
  the digit is a sexual act (1, UK A or B) or a lascivious exhibition (2, UK C). It covers
  photographic material only (indecent and pseudo-photographs).
- VICS category, as Project VIC partners' tools number them: 1 child abuse material
  (photographic or realistic), 3 computer-generated or drawn abuse material, 0 not pertinent
  (graded not criminal). The VICS specification is shared only under agreement with Project
  VIC; the numbering here is the one their tools' users publish, and an export maps with it.
  Category 2 (exploitative, not illegal) needs a judgement the UK grade does not record, so no
  grade derives it.
An outcome of unable_to_assess derives no label in any scheme.
"""

from __future__ import annotations

from clearsight.assess.schema import Grade

SCHEMES = ("interpol_baseline", "ncmec_industry", "vics_category")
PREPUBESCENT_BANDS = ("0-2", "3-6", "7-10")
PUBESCENT_BANDS = ("11-13", "14-15", "16-17")
PHOTOGRAPHIC_BASES = ("indecent_photo", "pseudo_photo")
SEXUAL_ACTIVITY = ("A", "B")
SYNTHETIC_PRODUCTIONS = ("ai_non_realistic", "drawn_cgi")


def interpol_baseline(grade: Grade) -> str | None:
    if grade.outcome != "criminal":
        return None
    real_young_child = grade.production == "real" and grade.age_band in PREPUBESCENT_BANDS
    return "baseline" if real_young_child and grade.uk_category in SEXUAL_ACTIVITY else "national"


def ncmec_industry(grade: Grade) -> str | None:
    if grade.outcome != "criminal" or grade.uk_legal_basis not in PHOTOGRAPHIC_BASES:
        return None
    if grade.age_band in PREPUBESCENT_BANDS:
        letter = "A"
    elif grade.age_band in PUBESCENT_BANDS:
        letter = "B"
    else:
        return None
    return letter + ("1" if grade.uk_category in SEXUAL_ACTIVITY else "2")


def vics_category(grade: Grade) -> int | None:
    if grade.outcome == "not_criminal":
        return 0
    if grade.outcome != "criminal" or grade.uk_legal_basis == "csa_image_generator":
        return None
    if grade.uk_legal_basis == "prohibited_image" or grade.production in SYNTHETIC_PRODUCTIONS:
        return 3
    return 1


def derived_labels(grade: Grade) -> dict[str, str | int | None]:
    """Every scheme's label for `grade` (None where the scheme gives none)."""
    return {"interpol_baseline": interpol_baseline(grade), "ncmec_industry": ncmec_industry(grade), "vics_category": vics_category(grade)}
