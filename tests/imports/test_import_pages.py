"""Upload → preview → confirm, through the pages and the CLI."""
import re
from io import BytesIO

from sqlalchemy import func, select

from portfolio.progress.models import ProgressReport
from portfolio.registry.models import Plan, Project, Region
from tests.factories import PLAN_TITLE, appendix_rows, xlsx_bytes


def _text(response) -> str:
    return response.get_data(as_text=True)


def _new_plan(in_app) -> int:
    def create(session):
        plan = Plan(title="焦作市网页导入规划", city="焦作市", start_year=2021, end_year=2025)
        session.add(plan)
        session.commit()
        return plan.id
    return in_app(create)


def _count(in_app, plan_id) -> int:
    return in_app(lambda s: s.scalar(select(func.count()).select_from(Project).where(Project.plan_id == plan_id)))


def _upload_projects(client, plan_id, data, filename="附表.xlsx"):
    return client.post("/imports/projects", data={
        "projects-csrf_token": _token(client),
        "projects-plan": str(plan_id), "projects-file": (BytesIO(data), filename)},
        content_type="multipart/form-data")


def _token(client) -> str:
    return re.search(r'name="projects-csrf_token" type="hidden" value="([^"]+)"', _text(client.get("/imports/"))).group(1)


def test_upload_preview_confirm(client, seeded, in_app):
    plan_id = _new_plan(in_app)
    preview = _upload_projects(client, plan_id, xlsx_bytes(appendix_rows(), title=PLAN_TITLE))
    assert preview.status_code == 200
    assert re.search(r"新增 <strong>13</strong>", _text(preview)) and _count(in_app, plan_id) == 0
    form = dict(re.findall(r'<input id="(\w+)" name="\w+" type="hidden" value="([^"]*)"', _text(preview)))
    confirmed = client.post("/imports/projects/confirm", data={
        "csrf_token": re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', _text(preview)).group(1),
        "token": form["token"]})
    assert confirmed.status_code == 302 and _count(in_app, plan_id) == 13
    again = _upload_projects(client, plan_id, xlsx_bytes(appendix_rows()))
    assert re.search(r"无变化 <strong>13</strong>", _text(again))


def test_errors_are_shown_per_row_and_there_is_no_confirm_button(client, seeded, in_app):
    plan_id = _new_plan(in_app)
    rows = appendix_rows()
    rows[4][2] = "火星区"
    response = _upload_projects(client, plan_id, xlsx_bytes(rows))
    assert "第6行：建设地点“火星区”不是焦作市的县(市、区)" in _text(response)
    assert "确认导入" not in _text(response) and _count(in_app, plan_id) == 0


def test_a_file_that_is_not_what_it_says(client, seeded, in_app):
    plan_id = _new_plan(in_app)
    response = _upload_projects(client, plan_id, b"not a workbook at all", "附表.xlsx")
    assert response.status_code == 422 and "内容不是 Excel 工作簿" in _text(response)
    refused = _upload_projects(client, plan_id, b"hello", "附表.pdf")
    assert refused.status_code == 422 and "只能上传 .xlsx 或 .csv 文件" in _text(refused)


def test_oversized_upload_is_refused(app, client, seeded, in_app):
    boundary = "portfolio-test-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"projects-file\"; filename=\"big.csv\"\r\n"
            f"Content-Type: text/csv\r\n\r\n").encode() + b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1) + \
        f"\r\n--{boundary}--\r\n".encode()
    response = client.post("/imports/projects", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413 and "文件过大" in _text(response)


def test_progress_template_download_and_upload(client, seeded, in_app):
    region = in_app(lambda s: s.scalar(select(Region.id).where(Region.name == "山阳区")))
    template = client.get(f"/imports/progress-template.xlsx?template-region={region}&template-year=2026&template-quarter=3")
    assert template.status_code == 200
    from openpyxl import load_workbook

    workbook = load_workbook(BytesIO(template.data))
    sheet = workbook.active
    sheet["I3"], sheet["J3"], sheet["K3"] = 1000, 200, 30  # row 1 the title, row 2 the header
    buffer = BytesIO()
    workbook.save(buffer)
    token = re.search(r'name="progress-csrf_token" type="hidden" value="([^"]+)"', _text(client.get("/imports/"))).group(1)
    preview = client.post("/imports/progress", data={"progress-csrf_token": token,
                                                     "progress-file": (BytesIO(buffer.getvalue()), "进展.xlsx")},
                          content_type="multipart/form-data")
    assert re.search(r"新增 <strong>1</strong>", _text(preview)), _text(preview)
    form = dict(re.findall(r'<input id="(\w+)" name="\w+" type="hidden" value="([^"]*)"', _text(preview)))
    confirmed = client.post("/imports/progress/confirm", data={
        "csrf_token": re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', _text(preview)).group(1),
        "token": form["token"]})
    assert confirmed.status_code == 302
    assert in_app(lambda s: s.scalar(select(func.count()).select_from(ProgressReport))) == 1


def test_tampered_upload_token_is_refused(client, seeded):
    token = re.search(r'name="projects-csrf_token" type="hidden" value="([^"]+)"', _text(client.get("/imports/"))).group(1)
    response = client.post("/imports/projects/confirm", data={"csrf_token": token, "token": "../../secret_key"})
    assert response.status_code == 400


def test_cli_project_import(runner, seeded, in_app, tmp_path):
    plan_id = _new_plan(in_app)
    path = tmp_path / "附表.xlsx"
    path.write_bytes(xlsx_bytes(appendix_rows(), title=PLAN_TITLE))
    dry = runner.invoke(args=["projects", "import", str(path), "--plan", "网页导入", "--dry-run"])
    assert dry.exit_code == 0 and "新增 13" in dry.output and _count(in_app, plan_id) == 0
    real = runner.invoke(args=["projects", "import", str(path), "--plan", "网页导入"])
    assert real.exit_code == 0 and _count(in_app, plan_id) == 13
    rows = appendix_rows()
    rows[0][4] = "-1"
    path.write_bytes(xlsx_bytes(rows))
    bad = runner.invoke(args=["projects", "import", str(path), "--plan", "网页导入"])
    assert bad.exit_code != 0 and "附表.xlsx 第2行：计划投资：“-1”不能为负数" in bad.output
    empty = tmp_path / "空.csv"
    empty.write_bytes(b"")
    nothing = runner.invoke(args=["projects", "import", str(empty), "--plan", "网页导入"])
    assert nothing.exit_code != 0 and "文件是空的" in nothing.output


def test_cli_help(runner):
    for command in (["projects", "import"], ["projects", "export"], ["progress", "import"]):
        result = runner.invoke(args=[*command, "--help"])
        assert result.exit_code == 0
        assert ("--format" if command[1] == "export" else "--dry-run") in result.output
