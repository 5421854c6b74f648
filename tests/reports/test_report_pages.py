"""The quarterly report from the web page and from `flask report quarterly`."""
import io
import re
import subprocess
from datetime import date

from docx import Document
from sqlalchemy import select

from portfolio.progress.demo import add_demo_progress
from portfolio.registry.models import Region
from tests.factories import SEED_DIR
from tests.pdf import joined, pages, pdf_text

SEED_NAMES = [line.split(",")[2] for line in (SEED_DIR / "projects.csv").read_text(encoding="utf-8").splitlines()[1:]]
SHANYANG = ["焦作市人民医院门急诊楼及医学研究中心项目", "焦作市中医院中医优势专科综合楼", "山阳区黄龙山体育公园项目"]


def test_page_shows_how_many_projects_before_generating(client, seeded, in_app):
    region = in_app(lambda s: s.scalar(select(Region.id).where(Region.name == "山阳区")))
    page = client.get(f"/reports/?year=2026&quarter=3&region={region}").get_data(as_text=True)
    assert re.search(r'id="report-count">3<', page)
    assert f"/reports/quarterly.pdf?year=2026&amp;quarter=3&amp;region={region}" in page


def test_download_the_county_report(client, seeded, in_app, tmp_path):
    region = in_app(lambda s: s.scalar(select(Region.id).where(Region.name == "山阳区")))
    response = client.get(f"/reports/quarterly.pdf?year=2026&quarter=3&region={region}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    text = joined(pdf_text(response.data, tmp_path))
    assert all(name in text for name in SHANYANG)
    assert not [name for name in SEED_NAMES if name not in SHANYANG and name in text]
    assert "县(市、区)：焦作市山阳区" in text


def test_future_quarter_is_refused_on_the_page(client, seeded):
    response = client.get("/reports/quarterly.pdf?year=2099&quarter=1")
    assert response.status_code == 422 and "尚未开始，不能生成进展报告" in response.get_data(as_text=True)


def test_cli_writes_the_report(runner, seeded, tmp_path):
    out = tmp_path / "report.pdf"
    result = runner.invoke(args=["report", "quarterly", "--year", "2026", "--quarter", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "13个项目" in result.output
    text = joined(pdf_text(out.read_bytes(), tmp_path))
    assert all(name in text for name in SEED_NAMES) and "626,457" in text


def test_cli_filters_by_region_plan_and_sector(runner, seeded, tmp_path):
    out = tmp_path / "county.pdf"
    result = runner.invoke(args=["report", "quarterly", "--year", "2026", "--quarter", "3", "--out", str(out),
                                 "--region", "山阳区", "--plan", "焦作", "--sector", "医疗卫生"])
    assert result.exit_code == 0, result.output
    assert "2个项目" in result.output
    text = joined(pdf_text(out.read_bytes(), tmp_path))
    assert SHANYANG[0] in text and SHANYANG[1] in text and SHANYANG[2] not in text


def test_cli_errors_leave_no_file(runner, seeded, tmp_path):
    out = tmp_path / "report.pdf"
    cases = [
        (["--year", "2099", "--quarter", "1", "--out", str(out)], "尚未开始"),
        (["--year", "2026", "--quarter", "3", "--out", str(out), "--region", "火星区"], "未知的县(市、区): 火星区"),
        (["--year", "2026", "--quarter", "3", "--out", str(out), "--sector", "航天"], "未知的领域"),
        (["--year", "2026", "--quarter", "3", "--out", str(tmp_path / "missing" / "r.pdf")], "目录不存在"),
        (["--year", "2026", "--quarter", "5", "--out", str(out)], "Invalid value for '--quarter'"),
    ]
    for args, message in cases:
        result = runner.invoke(args=["report", "quarterly", *args])
        assert result.exit_code != 0 and message in result.output, (args, result.output)
    assert list(tmp_path.iterdir()) == []


def test_cli_help_explains_each_option(runner):
    result = runner.invoke(args=["report", "quarterly", "--help"])
    assert result.exit_code == 0
    for option in ("--year", "--quarter", "--out", "--plan", "--region", "--sector"):
        assert option in result.output


def test_the_word_report_downloads_from_the_page_and_the_cli(client, seeded, runner, tmp_path):
    page = client.get("/reports/?year=2026&quarter=3").get_data(as_text=True)
    assert "/reports/quarterly.docx?year=2026&amp;quarter=3" in page
    with client.get("/reports/quarterly.docx?year=2026&quarter=3") as response:
        assert response.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        assert response.headers["Content-Disposition"].endswith(".docx")
        assert Document(io.BytesIO(response.data)).paragraphs[0].text == "重大工程项目2026年第三季度进展情况"
    out = tmp_path / "report.docx"
    result = runner.invoke(args=["report", "quarterly", "--year", "2026", "--quarter", "3", "--format", "docx",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "13个项目" in result.output
    assert Document(str(out)).tables[1].rows[-1].cells[0].text == "合计"


def test_no_heading_is_left_at_the_foot_of_a_page(client, seeded, in_app, tmp_path):
    """The seed with demo progress lays 一、's trend table down to the foot of the first page: the
    heading 二、 then moves to the next page with its table instead of ending the page alone."""
    def demo(session):
        add_demo_progress(session, date(2026, 11, 23))
        session.commit()

    in_app(demo)
    with client.get("/reports/quarterly.pdf?year=2026&quarter=3") as response:
        all_pages = pages(response.data, tmp_path)
    first_lines = [[line.strip() for line in page.splitlines() if line.strip()][0] for page in all_pages]
    assert "二、分县区情况" in first_lines and "一、总体情况" not in first_lines


def test_no_line_of_the_report_starts_with_closing_punctuation(client, seeded, tmp_path):
    """The seed's summary once broke before "；" (ReportLab's frame is 12 points narrower than the page's
    text width): lines are measured for the frame, and closing punctuation stays with what it closes."""
    with client.get("/reports/quarterly.pdf?year=2026&quarter=3") as response:
        (tmp_path / "seed.pdf").write_bytes(response.data)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "seed.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert any("投资完成率" in line for line in lines)
    assert not [line for line in lines if line[0] in "，。；：、！？）》」”"]
