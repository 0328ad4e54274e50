"""Bundled public data: checksums as documented, and the published counts."""

import hashlib

import pytest

from workbench.datasets import RAW_DIR, load_cdnow, load_mobi

CHECKSUMS = {
    "cdnow/CDNOW_master.txt": "eff6889ed364c5199d6eacbbeb7a6d559971df4406ac876f322c373f00a072ef",
    "cdnow/CDNOW_sample.txt": "6fae10155c0b0ba363c2c386e30f77990d22328220efd862a5edd1443420d94a",
    "mobi/mobi.csv": "8411783cfe766e06d056363066a8c769059c4d82fb9c4f348bf658dd1eba8dff",
}


@pytest.mark.parametrize(("name", "digest"), sorted(CHECKSUMS.items()))
def test_raw_files_match_their_documented_checksums(name, digest):
    assert hashlib.sha256((RAW_DIR / name).read_bytes()).hexdigest() == digest
    assert digest in (RAW_DIR / "README.md").read_text(encoding="utf-8")


def test_cdnow_counts_match_the_literature():
    """23,570 customers in the master file, 2,357 in the sample (Fader, Hardie & Lee 2005)."""
    master, sample = load_cdnow("master"), load_cdnow("sample")
    assert master["customer_id"].nunique() == 23_570 and len(master) == 69_659
    assert sample["customer_id"].nunique() == 2_357 and len(sample) == 6_919
    assert master["date"].min().date().isoformat() == "1997-01-01"
    assert master["date"].max().date().isoformat() == "1998-06-30"


def test_mobi_shape_and_scale():
    mobi = load_mobi()
    assert mobi.shape == (250, 25)
    items = mobi.drop(columns="respondent_id")
    assert items.min().min() >= 1 and items.max().max() <= 10


def test_unknown_cdnow_kind_is_a_clear_error():
    with pytest.raises(ValueError, match="use one of"):
        load_cdnow("full")
