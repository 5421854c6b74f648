"""The vendored county boundaries decode to the real counties: ECharts' compression undone exactly,
every ring closed and inside the city, and every county a region of the seed data."""
import csv
from pathlib import Path

from portfolio.maps.boundaries import city_counties, decode_ring

SEED_REGIONS = Path(__file__).parents[2] / "seeds" / "regions.csv"


def _encode(points, offset):
    """ECharts' compression, written out independently of the decoder: zig-zag deltas + 64."""
    text, (px, py) = "", offset
    for x, y in points:
        for delta in (x - px, y - py):
            text += chr(((delta << 1) ^ (delta >> 31)) + 64)
        px, py = x, y
    return text


def test_a_ring_decodes_to_the_points_it_was_encoded_from():
    points = [(115944, 36008), (115946, 36005), (115930, 36020), (115944, 36008)]
    decoded = decode_ring(_encode(points, (115944, 36008)), (115944, 36008))
    assert decoded == tuple((x / 1024, y / 1024) for x, y in points)
    assert decoded[0] == (113.2265625, 35.1640625)


def _seed_regions(city):
    with SEED_REGIONS.open(encoding="utf-8") as rows:
        return {row["name"] for row in csv.DictReader(rows) if row["city"] == city}


def test_jiaozuo_has_its_ten_counties_and_the_other_sites_are_not_on_the_map():
    counties = city_counties("焦作市")
    names = {county.name for county in counties}
    assert names == {"解放区", "中站区", "马村区", "山阳区", "修武县", "博爱县", "武陟县", "温县", "沁阳市", "孟州市"}
    assert _seed_regions("焦作市") - names == {"示范区", "中心城区"}
    assert {county.code for county in counties} == {"410802", "410803", "410804", "410811", "410821", "410822",
                                                     "410823", "410825", "410882", "410883"}
    for county in counties:
        for ring in county.rings:
            assert len(ring) > 100 and ring[0] == ring[-1]
            assert all(112.5 < lon < 113.7 and 34.7 < lat < 35.6 for lon, lat in ring), county.name


def test_xinxiang_uses_todays_names():
    names = {county.name for county in city_counties("新乡市")}
    assert len(names) == 12 and "长垣市" in names and "长垣县" not in names
    assert _seed_regions("新乡市") - names == {"平原示范区"}


def test_a_city_without_a_map_file_has_no_counties():
    assert city_counties("郑州市") == ()
