"""Filters, sorting and totals of the project list."""
from decimal import Decimal

import pytest
from sqlalchemy import select

from portfolio.registry.models import Plan, ProjectStatus, Region, Sector
from portfolio.registry.queries import ProjectFilters, project_totals, projects_query


def _names(session, **filters) -> list[str]:
    return [project.name for project in session.scalars(projects_query(ProjectFilters(**filters))).unique()]


@pytest.fixture
def projects(make_project):
    return [
        make_project(name="甲医院", region="山阳区", sector=Sector.HEALTH, planned_investment=Decimal("300"),
                     start_year=2020, end_year=2023, content="新建门诊楼"),
        make_project(name="乙学校", region="解放区", sector=Sector.EDUCATION, planned_investment=Decimal("100.50"),
                     start_year=2022, end_year=2022, status=ProjectStatus.PREPARING),
        make_project(name="丙体育公园", region="山阳区", sector=Sector.SPORTS, planned_investment=Decimal("200"),
                     start_year=2021, end_year=2025, content="步道100%覆盖_一期"),
    ]


def test_filter_by_region_sector_status_and_plan(session, projects):
    shanyang = session.scalar(select(Region).where(Region.name == "山阳区"))
    assert _names(session, region_id=shanyang.id) == ["甲医院", "丙体育公园"]
    assert _names(session, sector=Sector.EDUCATION) == ["乙学校"]
    assert _names(session, status=ProjectStatus.UNDER_WAY) == ["甲医院", "丙体育公园"]
    assert _names(session, region_id=shanyang.id, sector=Sector.SPORTS) == ["丙体育公园"]
    plan = session.scalar(select(Plan))
    assert len(_names(session, plan_id=plan.id)) == 3
    assert _names(session, plan_id=plan.id + 1000) == []


@pytest.mark.parametrize(
    ("keyword", "expected"),
    [("医院", ["甲医院"]), ("门诊", ["甲医院"]), ("100%", ["丙体育公园"]), ("%", ["丙体育公园"]), ("_", ["丙体育公园"]),
     ("  学校 ", ["乙学校"]), ("不存在", [])],
)
def test_keyword_searches_name_and_content_literally(session, projects, keyword, expected):
    assert _names(session, keyword=keyword) == expected


@pytest.mark.parametrize(
    ("sort", "ascending"),
    [
        ("investment", ["乙学校", "丙体育公园", "甲医院"]),
        ("start", ["甲医院", "丙体育公园", "乙学校"]),
        ("end", ["乙学校", "甲医院", "丙体育公园"]),
        ("region", ["甲医院", "丙体育公园", "乙学校"]),
        (None, ["甲医院", "乙学校", "丙体育公园"]),
    ],
)
def test_sorting_both_ways(session, projects, sort, ascending):
    assert _names(session, sort=sort) == ascending
    if sort in ("investment", "start", "end"):
        assert _names(session, sort=sort, descending=True) == ascending[::-1]


def test_sort_by_name_uses_the_database_collation(session, projects):
    names = _names(session, sort="name")
    assert sorted(names) == sorted(_names(session)) and _names(session, sort="name", descending=True) == names[::-1]


def test_totals_follow_the_filters(session, projects):
    totals = project_totals(session, ProjectFilters())
    assert (totals.count, totals.planned_investment) == (3, Decimal("600.50"))
    totals = project_totals(session, ProjectFilters(sector=Sector.SPORTS))
    assert (totals.count, totals.planned_investment) == (1, Decimal("200.00"))
    totals = project_totals(session, ProjectFilters(keyword="不存在"))
    assert (totals.count, totals.planned_investment) == (0, Decimal("0"))
