"""`flask --app wsgi seed` through Flask's CLI runner."""
import shutil

from sqlalchemy import func, select

from portfolio.registry.models import Project
from tests.factories import SEED_DIR


def _project_count(in_app) -> int:
    return in_app(lambda s: s.scalar(select(func.count()).select_from(Project)))


def test_seed_twice(runner, in_app):
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    assert "项目: 新增 13，已存在 0" in first.output and "规划指标: 新增 58，已存在 0" in first.output
    second = runner.invoke(args=["seed"])
    assert second.exit_code == 0 and "项目: 新增 0，已存在 13" in second.output
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
    assert result.exit_code == 0
    help_text = " ".join(result.output.split())
    assert "Load the plans, programmes, regions, projects, plan indicators and 专栏 tasks from the seed" in help_text
    assert "running it again changes nothing" in help_text and "nothing is written" in help_text
    assert "--dir DIRECTORY" in help_text
    assert "Folder holding plans.csv, programmes.csv, regions.csv, projects.csv, plan_indicators.csv and programme_tasks.csv" in help_text
    assert "(default: the repository's seeds/)" in help_text


def test_seed_from_a_missing_dir_fails_with_a_message(runner, in_app, tmp_path):
    missing = tmp_path / "no-such-folder"
    result = runner.invoke(args=["seed", "--dir", str(missing)])
    assert result.exit_code != 0
    assert "种子数据有误，未载入任何数据" in result.output and "plans.csv" in result.output, result.output
    assert "Traceback" not in result.output
    assert _project_count(in_app) == 0


def test_seed_from_a_file_instead_of_a_dir_is_refused(runner, in_app):
    result = runner.invoke(args=["seed", "--dir", str(SEED_DIR / "projects.csv")])
    assert result.exit_code == 2 and "is a file" in result.output, result.output
    assert _project_count(in_app) == 0
