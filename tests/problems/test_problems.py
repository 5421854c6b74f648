"""The problem ledger's rules: validation messages, state transitions and closed_on, the figures of a
quarter across its boundaries, 督办单 numbering, messages to the county and the audit trail."""
from datetime import date

import pytest
from sqlalchemy import select

from portfolio.accounts.models import Role, User
from portfolio.core.audit import AuditEntry
from portfolio.messages.models import Message
from portfolio.problems import operations, validation
from portfolio.problems.models import NoticeState, Problem, ProblemKind, ProblemState, SupervisionNotice
from portfolio.problems.queries import notices_awaiting_reply, overdue_notices, problem_figures, round_window
from portfolio.registry.models import Project, ProjectStatus
from tests.factories import add_problem, build_user

TODAY = date(2026, 11, 22)
GOOD = {"kind": ProblemKind.FUNDING, "description": "配套资金缺口3000万元", "responsible_units": "市财政局",
        "deadline": date(2026, 12, 31)}


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({}, None, None),
    ({"deadline": None}, None, None),
    ({"kind": None}, "kind", "请选择问题类型"),
    ({"description": "  "}, "description", "请填写问题描述"),
    ({"description": "字" * 2001}, "description", "问题描述不能超过2000个字"),
    ({"responsible_units": ""}, "responsible_units", "请填写责任单位"),
    ({"deadline": date(2026, 11, 21)}, "deadline", "办结时限（2026年11月21日）早于今天，请填写今天或以后的日期"),
])
def test_problem_validation_names_the_field(changes, field, message):
    errors = validation.problem_errors(Project(status=ProjectStatus.UNDER_WAY), GOOD | changes, TODAY)
    assert errors == ({} if field is None else {field: message})


def test_problem_on_a_cancelled_project_is_refused():
    errors = validation.problem_errors(Project(status=ProjectStatus.CANCELLED), GOOD, TODAY)
    assert errors == {"project": "项目已取消，不能登记问题"}


@pytest.mark.parametrize(("before", "after", "note", "field", "message"), [
    (ProblemState.PENDING, ProblemState.COORDINATING, None, None, None),
    (ProblemState.PENDING, ProblemState.SOLVED, "已办理用地手续", None, None),
    (ProblemState.COORDINATING, ProblemState.COORDINATING, None, None, None),
    (ProblemState.COORDINATING, ProblemState.PENDING, None, "state", "状态只能向前推进：协调中的问题不能改为待协调"),
    (ProblemState.COORDINATING, ProblemState.UNSOLVABLE, "", "closing_note", "请填写无法解决的原因"),
    (ProblemState.COORDINATING, ProblemState.UNSOLVABLE, "规划调整，项目选址变更", None, None),
])
def test_state_moves_only_forward(before, after, note, field, message):
    problem = Problem(state=before)
    errors = validation.update_errors(problem, {"body": "召开协调会", "state": after, "closing_note": note})
    assert errors == ({} if field is None else {field: message})


def test_reply_body_is_required_and_closed_problems_do_not_change():
    assert validation.update_errors(Problem(state=ProblemState.PENDING), {"body": "", "state": ProblemState.PENDING}) == {
        "body": "请填写协调进展"}
    closed = Problem(state=ProblemState.SOLVED, closed_on=date(2026, 10, 8))
    assert validation.update_errors(closed, {"body": "再次协调", "state": ProblemState.SOLVED}) == {
        "body": "该问题已于2026年10月8日办结（已解决），不能再更改"}


def test_change_state_sets_closed_on_when_it_closes(session, make_project):
    problem = add_problem(session, make_project())
    operations.change_state(session, problem, ProblemState.COORDINATING, None, date(2026, 10, 1))
    assert problem.closed_on is None and problem.version == 2
    operations.change_state(session, problem, ProblemState.UNSOLVABLE, "选址调整", date(2026, 10, 9))
    assert (problem.state, problem.closed_on, problem.closing_note) == (ProblemState.UNSOLVABLE, date(2026, 10, 9), "选址调整")


def test_a_quarters_round_is_the_days_whose_reporting_period_it_is():
    assert round_window(2026, 3, date(2026, 11, 23)) == (date(2026, 9, 30), date(2026, 11, 23))
    assert round_window(2026, 3, date(2027, 2, 1)) == (date(2026, 9, 30), date(2026, 12, 30))
    assert round_window(2025, 4, date(2027, 1, 1)) == (date(2025, 12, 31), date(2026, 3, 30))


def test_a_round_not_begun_says_so(session):
    start, end = round_window(2026, 4, date(2026, 11, 23))
    assert end < start
    assert problem_figures(session, start, end).summary() == "该季度的报送和问题协调自2026年12月31日开始，尚无数据。"


def test_problem_figures_across_the_quarter_boundaries(session, make_project):
    """2025 Q3 (July 1 – September 30): what was raised, closed and still open in it."""
    shanyang, mengzhou = make_project(region="山阳区"), make_project(region="孟州市")
    add_problem(session, shanyang, raised_on=date(2025, 6, 30))  # before, still open
    add_problem(session, shanyang, raised_on=date(2025, 7, 1), kind=ProblemKind.FUNDING,
                state=ProblemState.SOLVED, closed_on=date(2025, 9, 30))  # raised and solved inside
    add_problem(session, mengzhou, raised_on=date(2025, 8, 1), state=ProblemState.SOLVED,
                closed_on=date(2025, 10, 1))  # solved after the end: open in Q3
    add_problem(session, mengzhou, raised_on=date(2025, 5, 1), kind=ProblemKind.PERMITS,
                state=ProblemState.UNSOLVABLE, closed_on=date(2025, 7, 15), closing_note="政策不允许")
    add_problem(session, mengzhou, raised_on=date(2025, 3, 1), state=ProblemState.SOLVED,
                closed_on=date(2025, 6, 30))  # closed before the quarter: not counted
    add_problem(session, shanyang, raised_on=date(2025, 10, 1))  # after: not counted
    add_problem(session, shanyang, raised_on=date(2025, 9, 1), deadline=date(2025, 9, 15))  # open and overdue at end

    figures = problem_figures(session, date(2025, 7, 1), date(2025, 9, 30))
    total = figures.total
    assert (total.raised, total.solved, total.unsolvable, total.open) == (3, 1, 1, 3)
    by_kind = {row.label: (row.raised, row.solved, row.unsolvable, row.open) for row in figures.by_kind}
    assert by_kind == {"用地": (2, 0, 0, 3), "资金": (1, 1, 0, 0), "手续": (0, 0, 1, 0), "征迁": (0, 0, 0, 0),
                       "施工": (0, 0, 0, 0), "其他": (0, 0, 0, 0)}
    by_region = {row.label: (row.raised, row.solved, row.unsolvable, row.open) for row in figures.by_region}
    assert by_region == {"山阳区": (2, 1, 0, 2), "孟州市": (1, 0, 1, 1)}
    assert [(p.region, p.overdue) for p in figures.open_problems] == [("山阳区", False), ("山阳区", True), ("孟州市", False)]
    assert figures.summary() == ("2025年7月1日至2025年9月30日，新增问题3个，解决1个、确认无法解决1个；截至2025年9月30日尚未解决3个，"
                                 "其中超过办结时限1个。")
    only_mengzhou = problem_figures(session, date(2025, 7, 1), date(2025, 9, 30), mengzhou.region_id)
    assert only_mengzhou.total.open == 1 and [row.label for row in only_mengzhou.by_region] == ["孟州市"]
    assert problem_figures(session, date(2024, 7, 1), date(2024, 9, 30)).summary() == \
        "2024年7月1日至2024年9月30日，无新增问题，无待协调问题。"


def _notice_values(problem: Problem, **changes) -> dict:
    return {"problem_ids": [problem.id], "region_id": problem.project.region_id, "unit": "",
            "reply_deadline": date(2026, 12, 10), "requirement": "请于期限内落实用地指标并回复"} | changes


def test_notice_validation(session, make_project):
    problem = add_problem(session, make_project(region="山阳区"))
    other = make_project(region="孟州市")
    assert validation.notice_errors(session, _notice_values(problem), TODAY) == {}
    assert validation.notice_errors(session, _notice_values(problem, region_id=None, unit="市自然资源和规划局"), TODAY) == {}
    errors = validation.notice_errors(session, _notice_values(problem, problem_ids=[], region_id=None, reply_deadline=None,
                                                              requirement=""), TODAY)
    assert errors == {"problem_ids": "请至少选择一个督办的问题", "region_id": "请选择督办的县(市、区)或填写督办单位",
                      "reply_deadline": "请填写回复期限", "requirement": "请填写督办事项"}
    assert validation.notice_errors(session, _notice_values(problem, reply_deadline=date(2026, 11, 21)), TODAY) == {
        "reply_deadline": "回复期限（2026年11月21日）早于今天，请填写今天或以后的日期"}
    assert validation.notice_errors(session, _notice_values(problem, region_id=other.region_id), TODAY) == {
        "problem_ids": "问题“用地指标未落实”属于山阳区，不能督办孟州市"}


def test_notices_are_numbered_per_year_and_the_county_is_told(session, make_project):
    problem = add_problem(session, make_project(region="山阳区"))
    build_user(session, "county-own", Role.COUNTY, "山阳区")
    build_user(session, "county-off", Role.COUNTY, "山阳区")
    session.scalar(select(User).where(User.username == "county-off")).is_enabled = False
    make_project(region="孟州市")
    build_user(session, "county-other", Role.COUNTY, "孟州市")
    first = operations.issue_notice(session, _notice_values(problem), "市发改委", TODAY)
    second = operations.issue_notice(session, _notice_values(problem, region_id=None, unit="市财政局"), "市发改委", TODAY)
    next_year = operations.issue_notice(session, _notice_values(problem), "市发改委", date(2027, 1, 4))
    assert [first.issue_number, second.issue_number, next_year.issue_number] == [
        "督办〔2026〕1号", "督办〔2026〕2号", "督办〔2027〕1号"]
    messages = session.scalars(select(Message).order_by(Message.id)).all()
    assert [m.recipient.username for m in messages] == ["county-own", "county-own"]
    assert messages[0].subject == "督办〔2026〕1号：用地指标未落实"
    assert messages[0].link == f"/problems/notices/{first.id}" and messages[0].sender == "市发改委"
    assert "2026年12月10日" in messages[0].body


def test_awaiting_and_overdue_notices(session, make_project):
    own = add_problem(session, make_project(region="山阳区"))
    other = add_problem(session, make_project(region="孟州市"))
    late = operations.issue_notice(session, _notice_values(own, reply_deadline=date(2026, 11, 25)), "市", TODAY)
    soon = operations.issue_notice(session, _notice_values(own, reply_deadline=date(2026, 11, 30)), "市", TODAY)
    elsewhere = operations.issue_notice(session, _notice_values(other), "市", TODAY)
    answered = operations.issue_notice(session, _notice_values(own), "市", TODAY)
    operations.reply_to_notice(session, answered, "已落实", "县", TODAY)
    later = date(2026, 11, 27)
    assert notices_awaiting_reply(session, own.project.region_id, later) == [late, soon]
    assert set(notices_awaiting_reply(session, None, later)) == {late, soon, elsewhere}
    assert overdue_notices(session, later) == [late]
    assert overdue_notices(session, later, other.project.region_id) == []
    assert (answered.state, answered.replied_on, answered.replied_by) == (NoticeState.REPLIED, TODAY, "县")
    operations.close_notice(session, answered)
    assert validation.notice_reply_errors(answered, {"reply": "补充"}) == {"reply": "该督办单已办结，不能再回复"}


def test_writes_are_audited(session, make_project):
    project = make_project()
    problem = operations.raise_problem(session, project, GOOD, "市发改委", TODAY)
    operations.add_reply(session, problem, "召开协调会", "市发改委", TODAY)
    operations.change_state(session, problem, ProblemState.SOLVED, "资金已到位", TODAY)
    notice = operations.issue_notice(session, _notice_values(problem), "市发改委", TODAY)
    session.commit()
    entries = session.execute(select(AuditEntry.table_name, AuditEntry.action, AuditEntry.record_id)
                              .where(AuditEntry.table_name.in_(("problems", "problem_replies", "supervision_notices")))
                              .order_by(AuditEntry.id)).all()
    assert ("problems", "create", problem.id) in entries and ("problems", "update", problem.id) in entries
    assert ("problem_replies", "create", problem.replies[0].id) in entries
    assert ("supervision_notices", "create", notice.id) in entries
    assert session.get(SupervisionNotice, notice.id).problems == [problem]
