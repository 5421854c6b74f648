"""`flask --app wsgi demo` through Flask's CLI runner: labelled demo progress, added and removed."""
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
    assert rows[0][0] == "项目编号" and {row[2] for row in rows[1:]} == {"山阳区"} and len(rows) > 1
    refused = runner.invoke(args=["progress", "template", "--region", "火星区", "--year", "2026", "--quarter", "3",
                                  "--out", str(tmp_path / "x.xlsx")])
    assert refused.exit_code == 1 and "未知的县(市、区)" in refused.output and not (tmp_path / "x.xlsx").exists()
