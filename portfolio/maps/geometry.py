"""The county map's geometry: boundaries projected to a drawing, each county shaded by a measure of
the one roll-up's figures, projects with coordinates as dots, and the sites that are not one county
(示范区, 中心城区, 市本级) listed beside it. Pure: the SVG template (`maps/_map.html`) and the report's
PNG (`reports/pictures.py`) only draw what is computed here."""
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from portfolio.core.enums import LabelledEnum
from portfolio.core.formatting import format_rate, format_wan_whole
from portfolio.maps.boundaries import County, city_counties
from portfolio.rules import Light
from portfolio.rules.totals import GroupFigures

WIDTH = 560
PADDING = 12
SHADE_COLOURS = {
    "investment": ("#dbeafe", "#a5c8f0", "#6ea3e0", "#3b7bc8", "#1e4f96"),
    "warnings": ("#fde8e1", "#f8b9a4", "#ef8466", "#d9502f", "#a8261a"),
}
"""Each measure's shades, lightest first: blues for investment, reds for the share of warnings."""
SHADES = 5
NO_PROJECTS = "#edf2f7"
MAP_DOTS = 500
"""Projects drawn as dots at most (red first, then yellow, green, done): more is a blot, and a page's weight."""
DOT_ORDER = (Light.RED, Light.YELLOW, Light.GREEN, Light.DONE)


class MapMeasure(LabelledEnum):
    INVESTMENT = "investment", "计划投资"
    WARNINGS = "warnings", "红黄灯项目占比"


@dataclass(frozen=True)
class RegionPlace:
    """A region of the registry as the map needs it."""

    id: int
    city: str
    name: str


Ring = tuple[tuple[float, float], ...]


def svg_path(rings: Sequence[Ring]) -> str:
    """SVG path data of closed rings."""
    return "".join("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in ring) + "Z" for ring in rings)


@dataclass(frozen=True)
class MapArea:
    name: str
    region_id: int | None
    """The registry's region drawn here (its list is the link); None if the registry lacks it."""
    rings: tuple[Ring, ...]
    """The county's outline in the drawing's coordinates."""
    label_x: float
    label_y: float
    label_size: int
    """Font size of the name: smaller inside the small urban districts, so neighbours' names do not collide."""
    shade: int | None
    """0 (lightest) to SHADES − 1, or None: no projects."""
    colour: str
    figures: GroupFigures | None

    @property
    def path(self) -> str:
        return svg_path(self.rings)


@dataclass(frozen=True)
class MapDot:
    project_id: int
    name: str
    x: float
    y: float
    light: Light

    @property
    def colour(self) -> str:
        return self.light.colour


@dataclass(frozen=True)
class ProjectPlace:
    """A project with coordinates (WGS-84), as judged on the map's date."""

    project_id: int
    name: str
    region_id: int
    longitude: Decimal
    latitude: Decimal
    light: Light


@dataclass(frozen=True)
class LegendStep:
    colour: str
    label: str


@dataclass(frozen=True)
class CountyMap:
    city: str
    measure: MapMeasure
    width: int
    height: int
    areas: tuple[MapArea, ...]
    dots: tuple[MapDot, ...]
    separate: tuple[GroupFigures, ...]
    """Sites of the city that are not one county (示范区, 中心城区, 市本级): no boundary, figures beside."""
    legend: tuple[LegendStep, ...]

    @property
    def dots_capped(self) -> bool:
        return len(self.dots) >= MAP_DOTS

    def value_label(self, figures: GroupFigures | None) -> str:
        return measure_label(self.measure, figures)


def warning_share(figures: GroupFigures) -> Decimal | None:
    """Red and yellow projects as a share of the group's projects (None without projects)."""
    return Decimal(figures.red + figures.yellow) / figures.count if figures.count else None


def measure_label(measure: MapMeasure, figures: GroupFigures | None) -> str:
    if figures is None or not figures.count:
        return "无项目"
    if measure is MapMeasure.INVESTMENT:
        return f"{format_wan_whole(figures.planned_investment)}万元"
    return f"{format_rate(warning_share(figures))}（{figures.red + figures.yellow}/{figures.count}）"


def _value(measure: MapMeasure, figures: GroupFigures) -> Decimal:
    return figures.planned_investment if measure is MapMeasure.INVESTMENT else warning_share(figures)


def _steps(measure: MapMeasure, largest: Decimal) -> tuple[Decimal, ...]:
    """The upper bound of each shade: fifths of the largest county's investment, or of 100%."""
    top = largest if measure is MapMeasure.INVESTMENT else Decimal(1)
    return tuple(top * (n + 1) / SHADES for n in range(SHADES))


def _shade(value: Decimal, steps: Sequence[Decimal]) -> int:
    return next((n for n, bound in enumerate(steps) if value <= bound), len(steps) - 1)


def _legend(measure: MapMeasure, steps: Sequence[Decimal]) -> tuple[LegendStep, ...]:
    labels, low = [], Decimal(0)
    for bound in steps:
        if measure is MapMeasure.INVESTMENT:
            labels.append(f"{format_wan_whole(low)}–{format_wan_whole(bound)}万元")
        else:
            labels.append(f"{format_rate(low)}–{format_rate(bound)}")
        low = bound
    return tuple(LegendStep(colour, label) for colour, label in zip(SHADE_COLOURS[measure.value], labels))


@dataclass(frozen=True)
class _Projection:
    west: float
    north: float
    scale: float
    """Drawing units per degree of longitude; latitude is stretched by 1 / cos(mid-latitude)."""
    stretch: float
    height: int

    def __call__(self, longitude: float, latitude: float) -> tuple[float, float]:
        return (PADDING + (longitude - self.west) * self.scale,
                PADDING + (self.north - latitude) * self.scale * self.stretch)


@dataclass(frozen=True)
class _Outline:
    county: County
    rings: tuple[Ring, ...]
    label_x: float
    label_y: float
    label_size: int


def _centroid(points: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """The centroid of a closed ring (shoelace formula); its first point for a degenerate one."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        cross = x0 * y1 - x1 * y0
        area, cx, cy = area + cross, cx + (x0 + x1) * cross, cy + (y0 + y1) * cross
    return (cx / (3 * area), cy / (3 * area)) if area else points[0]


def _inside(point: tuple[float, float], ring: Sequence[tuple[float, float]]) -> bool:
    """Whether `point` lies inside the closed `ring` (even–odd ray casting)."""
    x, y = point
    inside = False
    for (x0, y0), (x1, y1) in zip(ring, ring[1:]):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


@cache
def _projected(city: str) -> tuple[_Projection, tuple[_Outline, ...]]:
    """The city's counties projected to WIDTH (an equirectangular projection true at the middle
    latitude: at a city's size no other is needed), as SVG path data, computed once per process.
    Points closer than a unit to the last one kept are dropped."""
    counties = city_counties(city)
    points = [point for county in counties for ring in county.rings for point in ring]
    west, east = min(p[0] for p in points), max(p[0] for p in points)
    south, north = min(p[1] for p in points), max(p[1] for p in points)
    stretch = 1 / math.cos(math.radians((north + south) / 2))
    scale = (WIDTH - 2 * PADDING) / (east - west)
    height = math.ceil(2 * PADDING + (north - south) * scale * stretch)
    project = _Projection(west, north, scale, stretch, height)
    outlines = []
    for county in counties:
        rings, largest = [], ()
        for ring in county.rings:
            kept: list[tuple[float, float]] = []
            for x, y in (project(*point) for point in ring):
                if not kept or abs(x - kept[-1][0]) + abs(y - kept[-1][1]) >= 1:
                    kept.append((x, y))
            rings.append(tuple(kept))
            largest = max(largest, kept, key=len)
        width = max(x for x, _ in largest) - min(x for x, _ in largest)
        label = _centroid(largest)  # a crescent's centroid lies outside it: then the file's label point
        label_x, label_y = label if _inside(label, largest) else project(*county.centre)
        outlines.append(_Outline(county, tuple(rings), label_x, label_y, 12 if width >= 90 else 9))
    return project, tuple(outlines)


def has_map(city: str) -> bool:
    return bool(city_counties(city))


def county_map(city: str, measure: MapMeasure, regions: Sequence[RegionPlace], by_region: Sequence[GroupFigures],
               places: Sequence[ProjectPlace] = ()) -> CountyMap:
    """The map of `city` (one with boundaries, `has_map`): its counties shaded by `measure` of the
    figures `by_region` (the roll-up's rows, keyed by region id), its other sites beside it, and the
    projects placed inside the drawing as dots coloured by their light (at most MAP_DOTS, red first)."""
    project, outlines = _projected(city)
    figures = {row.key: row for row in by_region}
    city_regions = [region for region in regions if region.city == city]
    by_name = {region.name: region for region in city_regions}
    drawn = {outline.county.name for outline in outlines}
    counted = [figures[region.id] for region in city_regions
               if region.name in drawn and region.id in figures and figures[region.id].count]
    steps = _steps(measure, max((row.planned_investment for row in counted), default=Decimal(0)) or Decimal(1))
    areas = []
    for outline in outlines:
        region = by_name.get(outline.county.name)
        row = figures.get(region.id) if region else None
        shade = _shade(_value(measure, row), steps) if row and row.count else None
        areas.append(MapArea(outline.county.name, region.id if region else None, outline.rings, outline.label_x,
                             outline.label_y, outline.label_size, shade,
                             NO_PROJECTS if shade is None else SHADE_COLOURS[measure.value][shade], row))
    in_city = {region.id for region in city_regions}
    dots = []
    for place in places:
        if place.region_id not in in_city:
            continue
        x, y = project(float(place.longitude), float(place.latitude))
        if PADDING <= x <= WIDTH - PADDING and PADDING <= y <= project.height - PADDING:
            dots.append(MapDot(place.project_id, place.name, x, y, place.light))
    dots.sort(key=lambda dot: DOT_ORDER.index(dot.light))  # stable: within a light, the callers' order
    return CountyMap(city, measure, WIDTH, project.height, tuple(areas), tuple(dots[:MAP_DOTS]),
                     tuple(figures[region.id] for region in city_regions
                           if region.name not in drawn and region.id in figures),
                     _legend(measure, steps))


def county_maps(measure: MapMeasure, regions: Sequence[RegionPlace], by_region: Sequence[GroupFigures],
                places: Sequence[ProjectPlace] = ()) -> list[CountyMap]:
    """A map for each city that has boundaries and projects among `by_region`, in the regions' order."""
    cities = []
    for region in regions:
        if region.city not in cities and has_map(region.city) and any(row.key == region.id for row in by_region):
            cities.append(region.city)
    return [county_map(city, measure, regions, by_region, places) for city in cities]
