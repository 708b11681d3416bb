"""Field names from raster names: sanitised, unique, within the output format's limit."""
from insar_fusion.core.regression.fieldnames import name_limit, sample_field_names, sanitise


def test_sanitise_keeps_letters_digits_and_underscores_and_never_starts_with_a_digit():
    assert sanitise("NDVI change (2020-2019).tif") == "NDVI_change_2020_2019_tif"
    assert sanitise("201907_sm") == "r201907_sm"
    assert sanitise("ü@#") == "raster"


def test_multiband_rasters_get_a_field_per_band_and_clashes_get_numbers():
    names = sample_field_names("", ["ndvi", "ndvi", "stack"], [1, 1, 3], ["pid", "NDVI"])
    assert names == [["ndvi_2"], ["ndvi_3"], ["stack_1", "stack_2", "stack_3"]]


def test_shapefile_names_are_at_most_ten_characters_and_unique():
    assert name_limit("/tmp/out.shp") == 10 and name_limit("/tmp/out.gpkg") == 63
    names = sample_field_names("s_", ["soil_moisture_201907", "soil_moisture_202007"], [1, 12], [],
                               limit=10)
    flat = [n for group in names for n in group]
    assert all(len(n) <= 10 for n in flat)
    assert len({n.lower() for n in flat}) == len(flat) == 13
    assert flat[0] == "s_soil_moi" and flat[1] == "s_soil_m_1" and flat[-1] == "s_soil__12"
