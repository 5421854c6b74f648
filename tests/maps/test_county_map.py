"""The county map: each county shaded by the roll-up's figures, the separate sites beside it with
their figures, projects with coordinates as dots in their light — on the dashboard, equal to its
分县区 figures, and the same without JavaScript in the table beside the map."""
import re
from datetime import date
from decimal import Decimal
from html import unescape

from sqlalchemy import select

from portfolio.dashboard.queries import build_dashboard
from portfolio.maps.geometry import MapMeasure, ProjectPlace, RegionPlace, county_map, county_maps
from portfolio.registry.models import Project, Region
from portfolio.rules import Light, assess
from portfolio.rules.figures import facts_for
from portfolio.rules.totals import GroupFigures

JIAOZUO = ["解放区", "中站区", "马村区", "山阳区", "示范区", "修武县", "博爱县", "武陟县", "温县", "沁阳市", "孟州市", "中心城区"]
REGIONS = [RegionPlace(n, "焦作市", name) for n, name in enumerate(JIAOZUO, start=1)] + [RegionPlace(99, "新乡市", "红旗区")]


def _row(region_id, count, planned, red=0, yellow=0):
    return GroupFigures(key=region_id, label=JIAOZUO[region_id - 1] if region_id < 99 else "红旗区", count=count,
                        planned_investment=Decimal(planned), red=red, yellow=yellow)


def test_counties_are_shaded_by_fifths_of_the_largest_county_and_other_sites_are_listed():
    rows = [_row(1, 2, 1000, red=1), _row(4, 3, 10000, yellow=3), _row(9, 1, 4000), _row(5, 1, 900000)]
    by_name = {area.name: area for area in county_map("焦作市", MapMeasure.INVESTMENT, REGIONS, rows).areas}
    assert len(by_name) == 10
    # 示范区 (900,000) is not a county: it neither gets a shade nor stretches the scale
    assert (by_name["山阳区"].shade, by_name["温县"].shade, by_name["解放区"].shade, by_name["博爱县"].shade) == (4, 1, 0, None)
    assert by_name["山阳区"].region_id == 4 and by_name["山阳区"].figures.planned_investment == 10000
    warnings = {area.name: area for area in county_map("焦作市", MapMeasure.WARNINGS, REGIONS, rows).areas}
    assert (warnings["山阳区"].shade, warnings["解放区"].shade, warnings["温县"].shade) == (4, 2, 0)
    assert [row.label for row in county_map("焦作市", MapMeasure.INVESTMENT, REGIONS, rows).separate] == ["示范区"]


def test_dots_are_the_citys_projects_inside_the_drawing():
    places = [ProjectPlace(1, "温县项目", 9, Decimal("113.08"), Decimal("34.94"), Light.RED),
              ProjectPlace(2, "坐标在郑州", 9, Decimal("113.62"), Decimal("34.75"), Light.GREEN),
              ProjectPlace(3, "新乡的项目", 99, Decimal("113.08"), Decimal("34.94"), Light.GREEN)]
    drawn = county_map("焦作市", MapMeasure.INVESTMENT, REGIONS, [_row(9, 1, 4000)], places)
    assert [(dot.project_id, dot.light) for dot in drawn.dots] == [(1, Light.RED)]
    dot = drawn.dots[0]
    assert 0 < dot.x < drawn.width and 0 < dot.y < drawn.height


def test_at_most_map_dots_are_drawn_red_first():
    from portfolio.maps.geometry import MAP_DOTS

    lights = [Light.GREEN, Light.DONE, Light.YELLOW, Light.RED]
    places = [ProjectPlace(n, f"项目{n}", 9, Decimal("113.08"), Decimal("34.94"), lights[n % 4])
              for n in range(MAP_DOTS + 100)]
    drawn = county_map("焦作市", MapMeasure.INVESTMENT, REGIONS, [_row(9, 1, 4000)], places).dots
    assert len(drawn) == MAP_DOTS
    order = [Light.RED, Light.YELLOW, Light.GREEN, Light.DONE]
    assert [dot.light for dot in drawn] == sorted((dot.light for dot in drawn), key=order.index)
    assert sum(dot.light is Light.RED for dot in drawn) == sum(place.light is Light.RED for place in places)


def test_a_map_for_each_city_with_projects_and_boundaries():
    assert [m.city for m in county_maps(MapMeasure.INVESTMENT, REGIONS, [_row(99, 1, 10), _row(1, 1, 10)])] == [
        "焦作市", "新乡市"]
    assert county_maps(MapMeasure.INVESTMENT, REGIONS, []) == []


def _section(page):
    return page.split('id="maps"')[1].split("</section>")[0]


def test_the_dashboard_map_shows_the_dashboards_figures(client, app, seeded):
    from portfolio.core.db import db

    as_of = date(2026, 9, 30)
    with app.app_context():
        session = db.session
        dashboard = build_dashboard(session, as_of)
        regions = {r.name: r.id for r in session.scalars(select(Region).where(Region.city == "焦作市"))}
        wen = session.scalars(select(Project).join(Project.region).where(Region.name == "孟州市")).first()
        wen.longitude, wen.latitude = Decimal("112.79"), Decimal("34.91")
        session.commit()
        light = assess(facts_for(session, [wen])[wen.id], as_of).light
        wen_id = wen.id
    with client.get("/?as_of=2026-09-30") as response:
        section = _section(response.get_data(as_text=True))
    counties = re.findall(r'<path d="[^"]+" class="county" fill="#\w+" data-shade="(\w+)" data-region="([^"]+)">', section)
    assert len(counties) == 10 and {name for _, name in counties} == set(regions) - {"示范区", "中心城区"}
    rows = {row.label: row for row in dashboard.by_region}
    shown = dict(re.findall(r'<tr><td><a href="[^"]*region=\d+[^"]*">([^<]+)</a></td>\s*<td class="num">(\d+)</td>',
                            section))
    assert {name: int(count) for name, count in shown.items() if int(count)} == {
        name: row.count for name, row in rows.items()}
    for name, row in rows.items():
        assert f"{row.planned_investment:,.0f}万元" in section, name
        assert f'href="/projects/?region={regions[name]}&amp;as_of=2026-09-30">{name}</a>' in section
    separate = section.split('class="separate-sites"')[1]
    assert "示范区" in separate and "中心城区" in separate and "孟州市" not in separate
    assert f'<a href="/projects/{wen_id}"><circle' in section and f'data-light="{light.value}"' in section
    for shade, name in counties:
        assert (shade == "none") == (name not in rows)


def test_the_map_switches_to_the_share_of_warnings_and_ignores_a_bad_switch(client, seeded):
    with client.get("/?as_of=2026-09-30&map=warnings") as response:
        section = _section(response.get_data(as_text=True))
    assert 'class="county-map" data-measure="warnings"' in section and "<strong aria-current=\"true\">按红黄灯项目占比" in section
    assert re.search(r"100\.0%（\d+/\d+）", unescape(section))
    with client.get("/?map=%3Cscript%3E") as response:
        assert response.status_code == 200
        assert 'class="county-map" data-measure="investment"' in response.get_data(as_text=True)
