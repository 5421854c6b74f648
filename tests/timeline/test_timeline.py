"""The timeline: each project's build years and milestones, late ones red by the rules' own test,
sorted by start or by lateness; the list's filters choose the projects; the seed's 13 projects draw."""
import re
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from portfolio.progress.models import Milestone, MilestoneKind
from portfolio.registry.models import Project, ProjectStatus, Region
from portfolio.rules import Light, MilestoneDates, ProjectFacts, assess
from portfolio.timeline import views
from portfolio.timeline.geometry import (
    LABEL_WIDTH,
    PLOT_WIDTH,
    TimelineOrder,
    TimelineProject,
    build_timeline,
    order_projects,
    timeline_project,
)

AS_OF = date(2026, 9, 30)


def _facts(start, end, milestones=(), status=ProjectStatus.UNDER_WAY):
    return ProjectFacts(status=status, start_year=start, end_year=end, planned_investment=Decimal(1000),
                        milestones=tuple(MilestoneDates(kind, planned, actual) for kind, planned, actual in milestones))


def test_lateness_is_the_longest_delay_of_the_project_or_a_milestone():
    facts = _facts(2024, 2025, [(MilestoneKind.COMMENCEMENT, date(2024, 3, 1), date(2024, 5, 1)),
                                (MilestoneKind.MAIN_WORKS_DONE, date(2026, 1, 1), None),
                                (MilestoneKind.ACCEPTANCE, date(2027, 1, 1), None)])
    project = timeline_project(1, "项目", "温县", facts, assess(facts, AS_OF), AS_OF)
    assert project.lateness_days == (AS_OF - date(2025, 12, 31)).days == 273  # overdue beats the milestones
    on_time = _facts(2026, 2027, [(MilestoneKind.COMMENCEMENT, date(2026, 3, 1), date(2026, 2, 1))])
    assert timeline_project(2, "按期", "温县", on_time, assess(on_time, AS_OF), AS_OF).lateness_days == 0
    late_milestone = _facts(2026, 2028, [(MilestoneKind.COMMENCEMENT, date(2026, 3, 1), None)])
    assert timeline_project(3, "滞后", "温县", late_milestone, assess(late_milestone, AS_OF), AS_OF).lateness_days == 213


def test_a_finished_or_cancelled_project_is_never_late():
    """As in the rules: only an active project's milestones can be late."""
    milestones = [(MilestoneKind.ACCEPTANCE, date(2020, 12, 1), None), (MilestoneKind.COMMENCEMENT, date(2019, 3, 1),
                                                                       date(2019, 9, 1))]
    for status in (ProjectStatus.CANCELLED, ProjectStatus.COMPLETED):
        facts = _facts(2019, 2020, milestones, status)
        assessment = assess(facts, AS_OF)
        project = timeline_project(1, "项目", "温县", facts, assessment, AS_OF)
        assert not assessment.warnings and project.lateness_days == 0 and not project.active
        assert not any(marker.late for row in build_timeline([project], AS_OF).rows for marker in row.markers)
    active = _facts(2019, 2020, milestones)
    assert timeline_project(1, "项目", "温县", active, assess(active, AS_OF), AS_OF).lateness_days > 2000


def _project(project_id, start, end, lateness=0, milestones=()):
    return TimelineProject(project_id, f"项目{project_id}", "温县", start, end, Light.GREEN, tuple(milestones), lateness)


def test_order_by_start_or_by_lateness():
    projects = [_project(1, 2024, 2026, 10), _project(2, 2022, 2027, 0), _project(3, 2025, 2026, 300)]
    assert [p.project_id for p in order_projects(projects, TimelineOrder.START)] == [2, 1, 3]
    assert [p.project_id for p in order_projects(projects, TimelineOrder.LATENESS)] == [3, 1, 2]


def test_bars_and_markers_sit_on_one_axis_and_late_ones_are_marked():
    milestones = [MilestoneDates(MilestoneKind.COMMENCEMENT, date(2024, 1, 1), date(2024, 7, 1)),  # reached late
                  MilestoneDates(MilestoneKind.MAIN_WORKS_DONE, date(2026, 1, 1), None),  # late, open
                  MilestoneDates(MilestoneKind.ACCEPTANCE, date(2027, 1, 1), None),  # upcoming
                  MilestoneDates(MilestoneKind.PROJECT_APPROVAL, date(2023, 6, 1), date(2023, 5, 1))]  # early
    timeline = build_timeline([_project(1, 2024, 2026, milestones=milestones), _project(2, 2025, 2025)], AS_OF)
    assert [tick.year for tick in timeline.years] == list(range(2023, 2029))  # 2023 (a milestone) … 2027, end
    assert timeline.years[0].x == LABEL_WIDTH and timeline.years[-1].x == LABEL_WIDTH + PLOT_WIDTH
    first, second = timeline.rows
    assert first.bar_x == timeline.years[1].x and first.bar_x + first.bar_width == timeline.years[4].x
    assert second.y - first.y == timeline.row_height
    markers = [(m.actual, m.late) for m in first.markers]
    assert markers == [(False, False), (True, True), (False, True), (False, False), (False, False), (True, False)]
    assert timeline.years[3].x < timeline.today_x < timeline.years[4].x
    assert "晚于计划182天" in first.markers[1].title and "未按期完成" in first.markers[2].title


def _gantt(client, query=""):
    with client.get(f"/timeline/?as_of=2026-09-30{query}") as response:
        assert response.status_code == 200
        return response.get_data(as_text=True)


def test_the_seed_projects_draw_and_late_milestones_are_red(client, app, seeded):
    from portfolio.core.db import db

    with app.app_context():
        project = db.session.scalars(select(Project).order_by(Project.id)).first()
        db.session.add_all([
            Milestone(project_id=project.id, kind=MilestoneKind.COMMENCEMENT, planned_date=date(2026, 3, 1)),
            Milestone(project_id=project.id, kind=MilestoneKind.PROJECT_APPROVAL, planned_date=date(2014, 6, 1),
                      actual_date=date(2014, 5, 1)),
        ])
        db.session.commit()
        count = db.session.scalar(select(func.count(Project.id)))
        project_id = project.id
    page = _gantt(client)
    rows = re.findall(r'<g class="gantt-row" data-project="(\d+)" data-lateness="(\d+)">', page)
    assert count == 13 and len(rows) == 13
    row = page.split(f'data-project="{project_id}"')[1].split("</g>")[0]
    assert row.count('class="marker late"') == 1 and row.count('class="marker"') == 2  # approval planned + reached
    assert "开工：计划2026年3月1日，未按期完成" in row
    by_lateness = _gantt(client, "&by=lateness")
    days = [int(d) for _, d in re.findall(r'data-project="(\d+)" data-lateness="(\d+)"', by_lateness)]
    assert days == sorted(days, reverse=True) and days[0] > 0
    assert "按滞后程度</strong>" in by_lateness
    assert "按开工年份</strong>" in _gantt(client, "&by=%3Cb%3E")


def test_the_lists_filters_choose_the_projects_and_a_long_list_is_cut(client, app, seeded, monkeypatch):
    from portfolio.core.db import db

    with app.app_context():
        region = db.session.scalar(select(Region).where(Region.name == "孟州市"))
        names = set(db.session.scalars(select(Project.name).where(Project.region_id == region.id)))
    page = _gantt(client, f"&region={region.id}")
    assert len(re.findall('class="gantt-row"', page)) == len(names) == 2
    assert all(name in page for name in names) and "县(市、区)：孟州市" in page
    with client.get(f"/projects/?region={region.id}") as response:
        assert f'href="/timeline/?region={region.id}"' in response.get_data(as_text=True)
    monkeypatch.setattr(views, "TIMELINE_PROJECTS", 5)
    page = _gantt(client)
    assert len(re.findall('class="gantt-row"', page)) == 5 and "筛选出13个项目，时间轴只画清单中的前5个" in page
    assert "“按滞后程度”也只在这5个之中排序" in _gantt(client, "&by=lateness")

