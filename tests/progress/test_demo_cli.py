"""`flask --app wsgi demo` through Flask's CLI runner: labelled demo progress, added and removed."""
from datetime import date

from sqlalchemy import func, select

from portfolio.progress.models import ProgressReport
from tests.judgements.checks import mismatches


def test_demo_adds_labelled_progress_and_removes_it(runner, in_app, seeded, client):
    result = runner.invoke(args=["demo", "--seed", "3"])
    assert result.exit_code == 0 and "已为 13 个项目生成演示数据" in result.output
    assert in_app(lambda s: s.scalar(select(func.count()).select_from(ProgressReport))) > 0
    assert "演示数据</strong>" in client.get("/").get_data(as_text=True)
    assert in_app(mismatches) == [], "the stored judgements follow the demo data"
    assert client.get("/projects/").get_data(as_text=True).count('class="badge badge-demo"') == 13
    again = runner.invoke(args=["demo"])
    assert "已为 0 个项目生成演示数据" in again.output, "projects with progress are left alone"
    removed = runner.invoke(args=["demo", "--remove"])
    assert removed.exit_code == 0 and "已删除 13 个项目的演示数据" in removed.output
    assert in_app(lambda s: s.scalar(select(func.count()).select_from(ProgressReport))) == 0
    assert "badge-demo" not in client.get("/projects/").get_data(as_text=True)
    assert in_app(mismatches) == [], "…and its removal"


def test_demo_help(runner):
    result = runner.invoke(args=["demo", "--help"])
    assert result.exit_code == 0 and "--remove" in result.output and "Never run by `make run`" in result.output


def test_progress_template_from_the_command_line(runner, seeded, tmp_path):
    out = tmp_path / "山阳区.xlsx"
    result = runner.invoke(args=["progress", "template", "--region", "山阳区", "--year", "2026", "--quarter", "3",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    from openpyxl import load_workbook

    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert "山阳区" in rows[0][0] and rows[1][0] == "项目编号" and {row[2] for row in rows[2:]} == {"山阳区"} and len(rows) > 2
    refused = runner.invoke(args=["progress", "template", "--region", "火星区", "--year", "2026", "--quarter", "3",
                                  "--out", str(tmp_path / "x.xlsx")])
    assert refused.exit_code == 1 and "未知的县(市、区)" in refused.output and not (tmp_path / "x.xlsx").exists()


def _snapshot(session) -> dict:
    """Every row of every table the demo must leave as it found it (without `modified_dt`: the demo
    marks and unmarks the projects it gave data, and that is when they were modified)."""
    from portfolio.core.db import db
    names = ("projects", "status_changes", "progress_reports", "milestones", "annual_plans", "project_funding")
    return {table.name: sorted(tuple(map(str, row)) for row in session.execute(
                select(*(column for column in table.columns if column.name != "modified_dt"))))
            for table in db.metadata.sorted_tables if table.name in names}


def test_demo_leaves_stated_statuses_alone_and_its_removal_restores_everything(runner, in_app, seeded):
    """A project imported as 已取消 stays cancelled (no generated rows at all), one whose 在建 was
    recorded (it has history) keeps its status and history; after `demo --remove` every row is as it was."""
    from portfolio.registry.models import Project, ProjectStatus, StatusChange
    from portfolio.registry.operations import change_status

    def state(session):
        cancelled, under_way = session.scalars(select(Project).order_by(Project.id).limit(2)).all()
        cancelled.status = ProjectStatus.CANCELLED
        change_status(session, under_way, ProjectStatus.UNDER_WAY, date(2024, 3, 1), "manual")
        session.commit()
        return cancelled.id, under_way.id

    cancelled_id, under_way_id = in_app(state)
    before = in_app(_snapshot)
    assert runner.invoke(args=["demo", "--seed", "5"]).exit_code == 0
    statuses = in_app(lambda s: dict(s.execute(select(Project.id, Project.status)).all()))
    assert statuses[cancelled_id] is ProjectStatus.CANCELLED and statuses[under_way_id] is ProjectStatus.UNDER_WAY
    assert in_app(lambda s: s.scalar(select(func.count(ProgressReport.id)).where(
        ProgressReport.project_id == cancelled_id))) == 0
    assert in_app(lambda s: s.scalar(select(func.count(StatusChange.id)).where(
        StatusChange.project_id.in_([cancelled_id, under_way_id]), StatusChange.source == "demo"))) == 0, \
        "no history made up for recorded statuses"
    assert in_app(lambda s: s.scalar(select(func.count(ProgressReport.id)).where(
        ProgressReport.project_id == under_way_id))) > 0, "a stated 在建 project gets progress fitting it"
    assert runner.invoke(args=["demo", "--remove"]).exit_code == 0
    assert in_app(_snapshot) == before
    assert in_app(mismatches) == []
