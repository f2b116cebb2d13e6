"""Sign-in matching forgives case, spaces, accents and separators, and nothing else."""

from trackmycrime.identity import reference_key, surname_key


def test_surnames_ignore_case_spaces_and_accents():
    assert surname_key("  Zoë Price ") == surname_key("zoe price")
    assert surname_key("O’Brien") == surname_key("o'brien")
    assert surname_key("Smith") != surname_key("Smyth")


def test_crime_references_ignore_case_spaces_and_separators():
    assert reference_key("dp-2026-000123") == reference_key("DP 2026 000123")
    assert reference_key("DP/2026/000123") == "DP2026000123"
    assert reference_key("DP-2026-000123") != reference_key("DP-2026-000124")
