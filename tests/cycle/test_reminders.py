"""报送情况 and 催报 through a real SMTP server (aiosmtpd): who is late, what each county and each
account receives, a server that is down, retries, no server at all, and who may do what."""
import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portfolio.accounts.models import Role, User
from portfolio.core.db import db
from portfolio.cycle.models import Reminder
from portfolio.messages.models import MailDelivery, MailState, Message
from portfolio.progress.models import ProgressReport, ReviewState
from portfolio.rules import quarter_end, reporting_quarter
from tests.factories import ProjectBuilder, build_user, login, submit

YEAR, QUARTER = reporting_quarter(date.today())
PAGE = f"/round/?year={YEAR}&quarter={QUARTER}"


def _text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def late_round(app, clean_db, monkeypatch):
    """Deadline yesterday. 山阳区: two projects, one missing and one submitted, two accounts (one
    with an e-mail); 解放区: one draft, one account with an e-mail; 温县: one missing, no account;
    孟州市: everything submitted."""
    monkeypatch.setitem(app.config, "REPORT_DUE_DAYS", (date.today() - quarter_end(YEAR, QUARTER)).days - 1)
    with app.app_context():
        session = db.session
        make = ProjectBuilder(session)

        def project(name, region, state=None):
            made = make(name=name, region=region, start_year=2024, end_year=YEAR + 1)
            if state:
                session.add(ProgressReport(project=made, year=YEAR, quarter=QUARTER, review_state=state,
                                           cumulative_investment=Decimal(100), quarter_investment=Decimal(0),
                                           physical_progress=Decimal(10)))

        project("山阳区医院", "山阳区")
        project("山阳区学校", "山阳区", ReviewState.SUBMITTED)
        project("解放区图书馆", "解放区", ReviewState.DRAFT)
        project("温县体育馆", "温县")
        project("孟州市养老院", "孟州市", ReviewState.SUBMITTED)
        session.flush()
        build_user(session, "city", Role.CITY)
        build_user(session, "viewer", Role.VIEWER)
        for username, region, email in (("shanyang1", "山阳区", "sy1@example.cn"), ("shanyang2", "山阳区", None),
                                        ("jiefang", "解放区", "jf@example.cn")):
            build_user(session, username, Role.COUNTY, region)
            session.scalar(select(User).where(User.username == username)).email = email
        session.commit()


def _client(app, username):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def _remind(client, which="late", **fields):
    data = {"which": which, "year": YEAR, "quarter": QUARTER, **fields}
    confirmation = submit(client, "/round/remind", data, form_url=PAGE)
    assert confirmation.status_code == 200, _text(confirmation)
    regions = re.findall(r'name="region" value="(\d+)"', _text(confirmation))
    note = re.search(r'<textarea[^>]*name="note"[^>]*>([^<]*)</textarea>', _text(confirmation)).group(1)
    return confirmation, submit(client, "/round/remind", {**data, "confirmed": "y", "region": regions,
                                                          "note": fields.get("note", note)}, form_url=PAGE)


def _count(in_app, model) -> int:
    return in_app(lambda s: s.scalar(select(func.count()).select_from(model)))


def test_the_city_sees_who_is_late_and_each_number_leads_to_its_projects(app, late_round):
    page = _text(_client(app, "city").get(PAGE))
    late = re.findall(r'<tr class="row-late" data-region="(\S+)">', page)
    assert sorted(late) == ["山阳区", "温县", "解放区"], "孟州市 has submitted everything"
    row = re.search(r'data-region="山阳区">(.*?)</tr>', page, re.S).group(1)
    assert re.sub(r"<[^>]+>|\s", "", row) == "山阳区已逾期210010—", "应报2：未填报1、已报送待审1；not reminded yet"
    assert "state=missing" in row and "催报全部逾期县（3）" in page


def test_reminders_reach_every_account_and_mail_those_with_an_address(app, late_round, mail_server, in_app):
    city = _client(app, "city")
    confirmation, sent = _remind(city)
    assert "确认向2个县(市、区)催报" in _text(confirmation) and "温县没有可接收的账户，不会催报" in _text(confirmation)
    assert sent.status_code == 302
    flashes = _text(city.get(sent.headers["Location"]))
    assert "温县没有可接收的账户（启用的县级账户），未催报" in flashes
    assert "已向山阳区催报：站内消息2条，邮件发送成功1封" in flashes

    assert sorted(a for m in mail_server.received for a in m.envelope_to) == ["jf@example.cn", "sy1@example.cn"]
    [letter] = mail_server.to("sy1@example.cn")
    assert letter["Subject"] == f"催报：请尽快报送{YEAR}年第{QUARTER}季度项目进展"
    body = letter.get_content()
    assert "山阳区尚有1个项目未报送（未填报1个）：山阳区医院。" in body and "山阳区学校" not in body
    assert letter["From"] == "fgw@example.cn"

    assert _count(in_app, Reminder) == 2 and _count(in_app, Message) == 3
    county = _client(app, "shanyang2")
    home = _text(county.get("/"))
    assert re.search(r'id="nav-messages"[^>]*>消息<span class="count-badge"[^>]*>1</span>', home)
    messages = _text(county.get("/messages/"))
    message_id = re.search(r'href="/messages/(\d+)"', messages).group(1)
    assert "山阳区医院" in _text(county.get(f"/messages/{message_id}"))
    assert 'class="count-badge"' not in _text(county.get("/messages/")), "read once opened"
    assert _client(app, "jiefang").get(f"/messages/{message_id}").status_code == 404, "another's message"
    log = _text(city.get(PAGE))
    assert "2次" not in log and "1次" in log and "邮件已发送" in log and "无邮箱" in log


def test_a_server_that_is_down_leaves_failed_mail_that_can_be_retried(app, late_round, mail_server, in_app):
    mail_server.stop()
    city = _client(app, "city")
    _, sent = _remind(city, which="chosen", region=[str(in_app(
        lambda s: s.scalar(select(User.region_id).where(User.username == "jiefang"))))])
    flashes = _text(city.get(sent.headers["Location"]))
    assert "失败1封（无法连接邮件服务器127.0.0.1" in flashes
    delivery = in_app(lambda s: s.scalar(select(MailDelivery)))
    assert delivery.state is MailState.FAILED and delivery.attempts == 1 and "无法连接" in delivery.error
    assert _count(in_app, Reminder) == 1 and _count(in_app, Message) == 1, "the reminder and message are kept"
    assert "发送失败（无法连接邮件服务器" in _text(city.get(PAGE))

    mail_server.start()
    retried = submit(city, "/round/retry", {"year": YEAR, "quarter": QUARTER, "delivery": delivery.id},
                     form_url=PAGE)
    assert "重发邮件1封：成功1封" in _text(city.get(retried.headers["Location"]))
    assert in_app(lambda s: s.scalar(select(MailDelivery))).state is MailState.SENT
    assert [m.envelope_to for m in mail_server.received] == [["jf@example.cn"]]


def test_without_a_mail_server_only_the_in_app_message_is_sent(app, late_round, in_app):
    assert app.config["SMTP_HOST"] is None
    city = _client(app, "city")
    confirmation, sent = _remind(city)
    assert "未配置邮件服务器，只发送站内消息" in _text(confirmation)
    assert "未配置邮件服务器，仅发送了站内消息" in _text(city.get(sent.headers["Location"]))
    assert _count(in_app, Message) == 3 and _count(in_app, MailDelivery) == 0


def test_an_empty_note_is_refused_and_nothing_is_sent(app, late_round, in_app):
    city = _client(app, "city")
    refused = submit(city, "/round/remind", {"which": "late", "year": YEAR, "quarter": QUARTER, "confirmed": "y",
                                             "note": "  "}, form_url=PAGE)
    assert refused.status_code == 422 and "请填写催报内容" in _text(refused)
    assert _count(in_app, Reminder) == 0 and _count(in_app, Message) == 0


def test_who_may_see_and_send(app, late_round, in_app):
    viewer = _client(app, "viewer")
    page = _text(viewer.get(PAGE))
    assert "应报" in page and "催报全部逾期县" not in page and 'name="region"' not in page
    assert submit(viewer, "/round/remind", {"which": "late"}, form_url=PAGE).status_code == 403
    county = _client(app, "shanyang1")
    assert county.get(PAGE).headers["Location"].endswith("/"), "a county's round is its home page"
    assert _count(in_app, Reminder) == 0


def test_an_account_email_is_checked_once_for_form_and_command_line(app, late_round, in_app, runner):
    admin = app.test_client()
    with app.app_context():
        build_user(db.session, "admin", Role.ADMIN)
        db.session.commit()
    login(admin, "admin")
    user_id = in_app(lambda s: s.scalar(select(User.id).where(User.username == "shanyang2")))
    refused = submit(admin, f"/admin/users/{user_id}/email", {"email": "sy2 at example"}, form_url="/admin/users")
    assert refused.status_code == 422 and "电子邮箱“sy2 at example”格式不正确" in _text(refused)
    assert 'value="sy2 at example"' in _text(refused), "what was typed stays"
    assert in_app(lambda s: s.get(User, user_id).email) is None
    assert submit(admin, f"/admin/users/{user_id}/email", {"email": " sy2@example.cn "},
                  form_url="/admin/users").status_code == 302
    assert in_app(lambda s: s.get(User, user_id).email) == "sy2@example.cn"
    created = submit(admin, "/admin/users", {"username": "new-county", "role": "viewer", "email": "a@b"},
                     form_url="/admin/users")
    assert created.status_code == 422 and "格式不正确" in _text(created)
    result = runner.invoke(args=["users", "create", "--username", "x", "--role", "viewer", "--email", "bad",
                                 "--password-stdin"], input="correct-horse-battery-42\n")
    assert result.exit_code != 0 and "格式不正确" in result.output
