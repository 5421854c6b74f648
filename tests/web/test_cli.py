"""`flask --app wsgi seed` through Flask's CLI runner."""
import shutil

from sqlalchemy import func, select

from portfolio.progress.models import ProgressReport
from portfolio.registry.models import Project
from tests.conftest import SEED_DIR


def _project_count(in_app) -> int:
    return in_app(lambda s: s.scalar(select(func.count()).select_from(Project)))


def test_seed_twice(runner, in_app):
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    assert "项目: 新增 13,已存在 0" in first.output
    second = runner.invoke(args=["seed"])
    assert second.exit_code == 0 and "项目: 新增 0,已存在 13" in second.output
    assert _project_count(in_app) == 13


def test_malformed_seed_stops_with_file_line_and_reason(runner, in_app, tmp_path):
    directory = tmp_path / "seeds"
    shutil.copytree(SEED_DIR, directory)
    projects = directory / "projects.csv"
    projects.write_text(projects.read_text(encoding="utf-8").replace(",46580,", ",-46580,"), encoding="utf-8")
    result = runner.invoke(args=["seed", "--dir", str(directory)])
    assert result.exit_code != 0
    assert "projects.csv 第4行" in result.output and "不能为负数" in result.output
    assert _project_count(in_app) == 0


def test_seed_help(runner):
    result = runner.invoke(args=["seed", "--help"])
    assert result.exit_code == 0 and "--dir" in result.output and "running it again changes nothing" in result.output




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
