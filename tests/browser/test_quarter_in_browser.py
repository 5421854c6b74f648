"""A whole quarter in a real Chromium: the city sees three counties late and sends 催报 (a real
SMTP server receives the mail), a county reports and submits from its to-do, the city reviews with
the previous quarter beside the new one and returns it with a reason, the county corrects and
resubmits, the city approves, raises a problem and a 督办单, the county replies, and the quarterly
report's problem section shows it."""
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from portfolio.accounts.models import Role, User
from portfolio.core.db import db
from portfolio.progress.models import ProgressReport, ReviewState
from portfolio.rules import period_quarter, quarter_end, quarter_period, reporting_quarter
from tests.factories import PASSWORD, ProjectBuilder, build_user
from tests.pdf import joined, pdf_text

pytestmark = pytest.mark.browser

YEAR, QUARTER = reporting_quarter(date.today())
PREVIOUS = period_quarter(quarter_period(YEAR, QUARTER) - 1)
COUNTIES = {"山阳区": "shanyang", "解放区": "jiefang", "温县": "wenxian"}


@pytest.fixture
def quarter(app, clean_db, monkeypatch):
    """One project per county, each reported and approved last quarter and owing this one; the
    deadline was yesterday. Accounts: the city, and one per county (all but 温县 with an e-mail)."""
    monkeypatch.setitem(app.config, "REPORT_DUE_DAYS", (date.today() - quarter_end(YEAR, QUARTER)).days - 1)
    with app.app_context():
        session = db.session
        make = ProjectBuilder(session)
        for county, username in COUNTIES.items():
            project = make(name=f"{county}综合医院", region=county, planned_investment=Decimal("10000"),
                           start_year=2024, end_year=YEAR + 1)
            session.add(ProgressReport(project=project, year=PREVIOUS[0], quarter=PREVIOUS[1],
                                       cumulative_investment=Decimal("4000"), quarter_investment=Decimal("500"),
                                       physical_progress=Decimal("40"), works_status="主体结构施工至五层",
                                       review_state=ReviewState.APPROVED))
            build_user(session, username, Role.COUNTY, county)
        session.flush()
        build_user(session, "city", Role.CITY)
        for user in session.query(User).filter(User.username.in_(["shanyang", "jiefang"])):
            user.email = f"{user.username}@example.cn"
        session.commit()


def _tab(browser, live_server, username):
    context = browser.new_context(locale="zh-CN", base_url=live_server)
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")
    return page


def _confirm(page, button: str, reason: str | None = None):
    """A review action's confirmation page: check the count, give the reason, confirm."""
    expect(page.locator("h1")).to_contain_text("1条进展")
    if reason is not None:
        page.get_by_label("意见").fill(reason)
    page.get_by_role("button", name=re.compile(f"确认{button}")).click()


def chase_late_counties(city, mail_server):
    city.get_by_role("link", name="报送情况").click()
    expect(city.locator("tr.row-late")).to_have_count(3)
    city.get_by_role("button", name="催报全部逾期县（3）").click()
    expect(city.locator("h1")).to_have_text("确认向3个县(市、区)催报？")
    expect(city.locator("#remind-table")).to_contain_text("1个（0个有邮箱）")  # 温县: no address
    city.get_by_role("button", name="确认催报").click()
    expect(city.locator(".flash-success").first).to_contain_text("邮件发送成功1封")
    expect(city.locator("#reminders")).to_contain_text("邮件已发送")
    assert sorted(a for m in mail_server.received for a in m.envelope_to) == ["jiefang@example.cn",
                                                                              "shanyang@example.cn"]
    assert "山阳区综合医院" in mail_server.to("shanyang@example.cn")[0].get_content()


def test_a_whole_quarter(browser, live_server, quarter, tmp_path, mail_server):
    city = _tab(browser, live_server, "city")

    # --- the city sees three counties late and chases them
    chase_late_counties(city, mail_server)

    # --- 山阳区 reports from its to-do and submits
    county = _tab(browser, live_server, "shanyang")
    expect(county.locator("#nav-messages .count-badge")).to_have_text("1")
    todo = county.locator("#todo")
    expect(todo).to_contain_text("已过1天")
    todo.get_by_role("link", name="山阳区综合医院").click()
    expect(county.get_by_label("年份")).to_have_value(str(YEAR))  # the 报告期 is offered
    expect(county.get_by_label("季度", exact=True)).to_have_value(str(QUARTER))
    county.get_by_label("累计完成投资(万元)").fill("4,800")
    county.get_by_label("工程进度(%)").fill("52")
    county.get_by_label("形象进度").fill("主体结构封顶")
    county.get_by_label("存在问题").fill("配套道路用地尚未移交")
    county.get_by_role("button", name="保存").click()
    expect(county.locator(".flash-success")).to_contain_text("本季度完成投资800.00万元")
    county.get_by_role("link", name="进展审核").click()
    county.get_by_role("button", name=re.compile("报送本季度进展")).click()
    expect(county.locator(".flash-success")).to_contain_text("已报送")

    # --- the city reviews with the previous quarter beside it, and returns it with a reason
    city.goto(f"/reviews/?year={YEAR}&quarter={QUARTER}")
    card = city.locator('article[data-project="山阳区综合医院"]')
    expect(card).to_contain_text("4,000.00")  # last quarter's cumulative
    expect(card).to_contain_text("+800.00")
    expect(card).to_contain_text("主体结构施工至五层")
    expect(card).to_contain_text("主体结构封顶")
    card.get_by_role("button", name="退回").click()
    city.get_by_role("button", name=re.compile("确认退回")).click()
    expect(city.locator(".field.has-error .errors")).to_contain_text("必须填写退回意见")
    _confirm(city, "退回", "本季度完成投资与财务台账不符，请核实")
    expect(city.locator(".flash-success")).to_contain_text("已退回1条进展")
    assert f"quarter={QUARTER}" in city.url, "the quarter filter stays"

    # --- the county sees why, corrects and resubmits
    county.goto("/")
    returned = county.locator("#todo-returned")
    expect(returned).to_contain_text("本季度完成投资与财务台账不符，请核实")
    returned.get_by_role("link", name="山阳区综合医院").click()
    expect(county.locator(".flash-info")).to_contain_text("财务台账不符")
    county.get_by_label("累计完成投资(万元)").fill("4,750")
    county.get_by_label("本季度完成投资(万元)").fill("750")
    county.get_by_role("button", name="保存").click()
    expect(county.locator(".flash-success")).to_contain_text("750.00万元")
    county.goto(f"/reviews/?year={YEAR}&quarter={QUARTER}")
    county.get_by_role("button", name=re.compile("报送本季度进展")).click()
    expect(county.locator(".flash-success")).to_contain_text("已报送")

    # --- the city approves, raises a problem from 存在问题 and a 督办单
    city.goto(f"/reviews/?year={YEAR}&quarter={QUARTER}")
    card = city.locator('article[data-project="山阳区综合医院"]')
    expect(card).to_contain_text("4,750.00")
    card.get_by_role("link", name=re.compile("据“存在问题”登记问题")).click()
    expect(city.get_by_label("问题描述")).to_have_value("配套道路用地尚未移交")
    city.get_by_label("问题类型").select_option(label="用地")
    city.get_by_label("责任单位").fill("市自然资源和规划局、山阳区人民政府")
    city.get_by_role("button", name="登记").click()
    expect(city.locator(".flash-success")).to_be_visible()
    city.goto(f"/reviews/?year={YEAR}&quarter={QUARTER}")
    card = city.locator('article[data-project="山阳区综合医院"]')
    expect(card.locator(".review-problems")).to_contain_text("配套道路用地尚未移交")
    card.get_by_role("button", name="审核通过").click()
    _confirm(city, "审核通过")
    expect(city.locator(".flash-success")).to_contain_text("已审核通过1条进展")

    city.goto("/problems/notices/new")
    city.get_by_label(re.compile("配套道路用地尚未移交")).check()
    city.get_by_label("督办县(市、区)").select_option(label="山阳区")
    city.get_by_label("回复期限").fill((date.today() + timedelta(days=7)).isoformat())
    city.get_by_label("督办事项").fill("请于一周内报告道路用地移交进展")
    city.get_by_role("button", name="印发").click()
    expect(city.locator("h1")).to_contain_text(f"督办〔{date.today().year}〕1号")

    # --- the county replies to the 督办单 from its home
    county.goto("/")
    county.locator("#todo-notices").get_by_role("link", name=f"督办〔{date.today().year}〕1号").click()
    county.get_by_label("回复内容").fill("已与市自然资源和规划局对接，预计下月完成移交")
    county.get_by_role("button", name="提交回复").click()
    expect(county.locator(".flash-success")).to_be_visible()
    expect(county.locator("body")).to_contain_text("已回复")

    # --- the quarterly report's problem section shows it
    response = city.request.get(f"/reports/quarterly.pdf?year={YEAR}&quarter={QUARTER}")
    assert response.ok
    text = joined(pdf_text(response.body(), tmp_path))
    section = text[text.index("存在问题及协调解决情况"):]
    assert "新增问题1个" in section and "配套道路用地尚未移交" in section and "山阳区" in section
