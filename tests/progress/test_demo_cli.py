"""`flask --app wsgi demo` through Flask's CLI runner: labelled demo progress, added and removed."""
from sqlalchemy import func, select

from portfolio.progress.models import ProgressReport


def test_demo_adds_labelled_progress_and_removes_it(runner, in_app, seeded, client):
    result = runner.invoke(args=["demo", "--seed", "3"])
    assert result.exit_code == 0 and "已为 13 个项目生成演示数据" in result.output
    assert in_app(lambda s: s.scalar(select(func.count()).select_from(ProgressReport))) > 0
    assert "演示数据</strong>" in client.get("/").get_data(as_text=True)
    assert client.get("/projects/").get_data(as_text=True).count('class="badge badge-demo"') == 13
    again = runner.invoke(args=["demo"])
    assert "已为 0 个项目生成演示数据" in again.output, "projects with progress are left alone"
    removed = runner.invoke(args=["demo", "--remove"])
    assert removed.exit_code == 0 and "已删除 13 个项目的演示数据" in removed.output
    assert in_app(lambda s: s.scalar(select(func.count()).select_from(ProgressReport))) == 0
    assert "badge-demo" not in client.get("/projects/").get_data(as_text=True)


def test_demo_help(runner):
    result = runner.invoke(args=["demo", "--help"])
    assert result.exit_code == 0 and "--remove" in result.output and "Never run by `make run`" in result.output
