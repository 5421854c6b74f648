"""The rules of DESIGN.md at their boundaries."""
from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from portfolio.progress.models import MilestoneKind
from portfolio.registry.models import ProjectStatus
from portfolio.rules import (
    Light,
    MilestoneDates,
    ProjectFacts,
    ReportFigures,
    Thresholds,
    WarningKind,
    assess,
    describe_delay,
    investment_lag,
    late_milestones,
    late_start,
    not_reported,
    overdue,
    quarter_end,
    quarter_of,
    quarter_period,
    reporting_quarter,
    round_quarter,
    schedule_share,
    status_on,
    year_investment,
)

S = ProjectStatus
P = quarter_period


def facts(status=S.UNDER_WAY, start=2024, end=2026, planned="1000", reports=(), plans=None, milestones=()):
    return ProjectFacts(status=status, start_year=start, end_year=end, planned_investment=D(planned),
                        reports=tuple(ReportFigures(y, q, D(c), D(t)) for y, q, c, t in reports),
                        annual_plans={y: D(a) for y, a in (plans or {}).items()}, milestones=tuple(milestones))


@pytest.mark.parametrize(
    ("day", "quarter", "end"),
    [(date(2026, 1, 1), 1, date(2026, 3, 31)), (date(2026, 3, 31), 1, date(2026, 3, 31)),
     (date(2026, 4, 1), 2, date(2026, 6, 30)), (date(2026, 9, 30), 3, date(2026, 9, 30)),
     (date(2026, 10, 1), 4, date(2026, 12, 31)), (date(2024, 2, 29), 1, date(2024, 3, 31))],
)
def test_quarters(day, quarter, end):
    assert quarter_of(day) == quarter and quarter_end(day.year, quarter) == end


@pytest.mark.parametrize(("quarter", "share"), [(1, D("0.25")), (2, D("0.5")), (3, D("0.75")), (4, D(1))])
def test_schedule_share(quarter, share):
    assert schedule_share(quarter) == share


@pytest.mark.parametrize(
    ("day", "due"),
    [(date(2026, 9, 30), (2026, 2)), (date(2026, 10, 1), (2026, 2)), (date(2026, 10, 5), (2026, 2)),
     (date(2026, 10, 6), (2026, 3)), (date(2026, 11, 22), (2026, 3)), (date(2026, 12, 31), (2026, 3)),
     (date(2027, 1, 5), (2026, 3)), (date(2027, 1, 6), (2026, 4)), (date(2026, 1, 15), (2025, 4)),
     (date(2026, 3, 31), (2025, 4)), (date(2024, 3, 5), (2023, 4)), (date(2024, 3, 6), (2023, 4))],
)
def test_reporting_quarter_moves_the_day_after_the_deadline(day, due):
    """DESIGN.md: the latest quarter whose 报送截止日 (its end + 5 days) is before the date."""
    assert reporting_quarter(day) == due


def test_reporting_quarter_follows_the_configured_deadline():
    assert reporting_quarter(date(2026, 10, 10), 10) == (2026, 2)
    assert reporting_quarter(date(2026, 10, 11), 10) == (2026, 3)
    assert reporting_quarter(date(2026, 10, 1), 0) == (2026, 3)


@pytest.mark.parametrize(
    ("day", "gathered"),
    [(date(2026, 9, 29), (2026, 2)), (date(2026, 9, 30), (2026, 3)), (date(2026, 10, 6), (2026, 3)),
     (date(2026, 12, 31), (2026, 4)), (date(2027, 1, 1), (2026, 4))],
)
def test_the_round_gathers_the_latest_quarter_ended(day, gathered):
    assert round_quarter(day) == gathered


def test_a_quarter_not_yet_due_is_not_missing():
    """2026-12-31: 2026 Q4's progress is due on 2027-01-05, so it is not 未报送 yet, and the lag is judged
    on Q3's figures (序时进度 75%), not on 100%."""
    project = facts(start=2026, end=2027, reports=[(2026, 3, "75", "75")], plans={2026: "100"})
    judged = assess(project, date(2026, 12, 31))
    assert judged.light is Light.GREEN and judged.warnings == ()
    late = assess(project, date(2027, 1, 6))
    assert [w.kind for w in late.warnings] == [WarningKind.INVESTMENT_LAG, WarningKind.NOT_REPORTED]
    assert late.warnings[0].reason == "年度投资完成率75.0%，低于序时进度100%达25.0个百分点"
    assert late.warnings[1].reason == "2026年第4季度未报送进展"


def test_a_project_on_plan_stays_green_between_quarter_ends():
    """序时进度 is taken at the 报告期's end: on plan through Q3 is green every day until Q4 is due."""
    project = facts(reports=[(2026, 1, "25", "25"), (2026, 2, "50", "25"), (2026, 3, "75", "25")],
                    plans={2026: "100"}, start=2026, end=2026)
    lights = {assess(project, date(2026, 10, 6) + timedelta(days=n)).light for n in range(87)}  # to Dec 31
    assert lights == {Light.GREEN}


def test_status_is_judged_as_of_the_date():
    history = ((date.min, S.UNDER_WAY), (date(2026, 10, 15), S.COMPLETED))
    project = ProjectFacts(status=S.COMPLETED, start_year=2023, end_year=2026, planned_investment=D(100),
                           status_since=date(2026, 10, 15), status_history=history)
    assert status_on(project, date(2026, 9, 30)) is S.UNDER_WAY
    assert status_on(project, date(2026, 10, 15)) is S.COMPLETED
    assert assess(project, date(2026, 9, 30)).status is S.UNDER_WAY
    assert assess(project, date(2026, 12, 31)).light is Light.DONE


@pytest.mark.parametrize(
    ("start", "end", "words"),
    [(date(2024, 12, 31), date(2026, 9, 30), "1年9个月"), (date(2024, 12, 31), date(2025, 1, 12), "12天"),
     (date(2024, 12, 31), date(2025, 12, 31), "1年"), (date(2024, 12, 31), date(2026, 11, 22), "1年10个月"),
     (date(2025, 1, 1), date(2025, 4, 1), "3个月"), (date(2025, 1, 1), date(2025, 3, 31), "2个月")],
)
def test_describe_delay(start, end, words):
    assert describe_delay(start, end) == words


@pytest.mark.parametrize(
    ("status", "end", "as_of", "expected"),
    [(S.UNDER_WAY, 2024, date(2024, 12, 31), False), (S.UNDER_WAY, 2024, date(2025, 1, 1), True),
     (S.SUSPENDED, 2024, date(2025, 1, 1), True), (S.PREPARING, 2024, date(2026, 9, 30), True),
     (S.COMPLETED, 2024, date(2026, 9, 30), False), (S.IN_USE, 2024, date(2026, 9, 30), False),
     (S.CANCELLED, 2024, date(2026, 9, 30), False)],
)
def test_overdue(status, end, as_of, expected):
    assert (overdue(facts(status=status, start=2022, end=end), status, as_of) is not None) is expected


def test_overdue_reason_matches_the_design():
    warning = overdue(facts(start=2021, end=2024), S.UNDER_WAY, date(2026, 9, 30))
    assert warning.light is Light.RED and warning.reason == "计划2024年底竣工，已超期1年9个月"


@pytest.mark.parametrize(
    ("status", "as_of", "light"),
    [(S.PREPARING, date(2025, 1, 1), None), (S.PREPARING, date(2025, 1, 2), Light.YELLOW),
     (S.PREPARING, date(2025, 3, 31), Light.YELLOW), (S.PREPARING, date(2025, 4, 1), Light.RED),
     (S.UNDER_WAY, date(2026, 4, 1), None), (S.PREPARING, date(2024, 6, 1), None)],
)
def test_late_start_yellow_then_red_after_three_months(status, as_of, light):
    warning = late_start(facts(status=status, start=2025, end=2027), status, as_of)
    assert (warning.light if warning else None) is light


def test_late_milestones():
    milestones = [MilestoneDates(MilestoneKind.COMMENCEMENT, date(2025, 3, 1), date(2025, 3, 5)),
                  MilestoneDates(MilestoneKind.MAIN_WORKS_DONE, date(2026, 6, 30), None),
                  MilestoneDates(MilestoneKind.ACCEPTANCE, date(2026, 9, 30), None)]
    warnings = late_milestones(facts(milestones=milestones), S.UNDER_WAY, date(2026, 9, 30))
    assert [w.reason for w in warnings] == ["节点“主体完工”计划2026年6月30日完成，尚未完成，已滞后3个月"]
    assert late_milestones(facts(milestones=milestones), S.UNDER_WAY, date(2026, 10, 1))[1].reason.startswith(
        "节点“竣工验收”")
    assert late_milestones(facts(milestones=milestones), S.COMPLETED, date(2027, 1, 1)) == []
    # reached, but after the as-of date: still late on that date
    assert len(late_milestones(facts(milestones=milestones), S.UNDER_WAY, date(2025, 3, 3))) == 1


def test_annual_lag_reason_matches_the_design():
    project = facts(reports=[(2026, 1, "200", "100"), (2026, 2, "260", "60"), (2026, 3, "280", "20")],
                    plans={2026: "400"})
    warning = investment_lag(project, S.UNDER_WAY, P(2026, 3))
    assert warning.reason == "年度投资完成率45.0%，低于序时进度75%达30.0个百分点" and warning.light is Light.YELLOW


@pytest.mark.parametrize(
    ("this_year", "light"),
    [("65.06", None), ("65.05", Light.YELLOW), ("65", Light.YELLOW), ("45", Light.YELLOW), ("44.96", Light.YELLOW),
     ("44.95", Light.RED), ("0", Light.RED)],
)
def test_annual_lag_thresholds_on_the_rounded_lag(this_year, light):
    """The lag is rounded to 0.1 point first: 9.95 reads 10.0 and is yellow, 30.04 reads 30.0 and is not red."""
    project = facts(reports=[(2025, 4, "100", "100"), (2026, 3, str(100 + D(this_year)), this_year)], plans={2026: "100"})
    warning = investment_lag(project, S.UNDER_WAY, P(2026, 3))
    assert (warning.light if warning else None) is light


def test_annual_plan_counts_only_quarters_up_to_the_as_of_date():
    project = facts(reports=[(2026, 1, "30", "30"), (2026, 4, "100", "70")], plans={2026: "100"})
    assert investment_lag(project, S.UNDER_WAY, P(2026, 1)) is None
    assert investment_lag(project, S.UNDER_WAY, P(2026, 3)).reason.startswith("年度投资完成率30.0%")


@pytest.mark.parametrize(
    ("start", "end", "cumulative", "period", "light"),
    [
        (2027, 2029, "0", P(2026, 3), None),  # start year in the future
        (2026, 2026, "0", P(2025, 4), None),  # judged at 2025-12-31, before the start
        (2026, 2026, "0", P(2026, 1), Light.YELLOW),  # 90 of 365 days: 24.7 pp
        (2026, 2026, "0", P(2026, 4), Light.RED),
        (2025, 2026, "500", P(2025, 4), None),  # elapsed 50.07%, rate 50%
        (2025, 2026, "0", P(2025, 4), Light.RED),  # zero cumulative
        (2021, 2024, "800", P(2026, 3), Light.YELLOW),  # elapsed clamped to 100%: lag 20 pp
    ],
)
def test_period_lag(start, end, cumulative, period, light):
    """Judged at the end of the 报告期."""
    reports = [(start, 1, cumulative, cumulative)] if cumulative != "0" else []
    warning = investment_lag(facts(start=start, end=end, reports=reports), S.UNDER_WAY, period)
    assert (warning.light if warning else None) is light


def test_no_lag_without_planned_investment():
    assert investment_lag(facts(planned="0"), S.UNDER_WAY, P(2026, 3)) is None


def test_the_lag_rounds_half_up():
    """30.05 points read 30.1 and are red (above 30), not 30.0 (banker's rounding would say 30.0)."""
    project = facts(reports=[(2025, 4, "100", "100"), (2026, 3, "144.95", "44.95")], plans={2026: "100"})
    warning = investment_lag(project, S.UNDER_WAY, P(2026, 3))
    assert "达30.1个百分点" in warning.reason and warning.light is Light.RED


def test_the_years_investment_is_the_rise_of_the_cumulative():
    """DESIGN.md's example: 累计 2,000 at 2025 Q4, 2,750.01 at 2026 Q1, no Q2, 3,000 at Q3 with 本季度
    typed as 50: 1,000 completed in 2026, not the 800.01 the typed quarter figures add up to."""
    project = facts(planned="10000", reports=[(2025, 4, "2000", "500"), (2026, 1, "2750.01", "750.01"),
                                             (2026, 3, "3000", "50")])
    assert year_investment(project, P(2026, 3)) == D("1000")
    assert year_investment(project, P(2026, 2)) == D("750.01")
    assert assess(project, date(2026, 10, 6)).year_investment == D("1000")
    # without a report before the year, the year's quarter figures add up
    assert year_investment(facts(reports=[(2026, 1, "300", "100"), (2026, 2, "450", "150")]), P(2026, 2)) == D("250")


@pytest.mark.parametrize(
    ("reports", "period", "light"),
    [([(2026, 3)], P(2026, 3), None), ([(2026, 2)], P(2026, 3), Light.YELLOW),
     ([(2026, 1)], P(2026, 3), Light.RED), ([], P(2026, 3), Light.RED),
     ([(2025, 4)], P(2025, 4), None), ([(2025, 3)], P(2025, 4), Light.YELLOW)],
)
def test_not_reported(reports, period, light):
    project = facts(start=2020, end=2030, reports=[(y, q, "10", "0") for y, q in reports])
    warning = not_reported(project, S.UNDER_WAY, period)
    assert (warning.light if warning else None) is light


def test_not_reported_names_the_missing_quarters():
    assert not_reported(facts(), S.UNDER_WAY, P(2025, 4)).reason == (
        "连续两个季度未报送进展（2025年第3季度、2025年第4季度）")
    assert not_reported(facts(), S.SUSPENDED, P(2025, 4)) is None


def test_a_project_starting_after_the_reporting_period_is_not_expected_to_report():
    assert not_reported(facts(start=2027, end=2028), S.UNDER_WAY, P(2026, 3)) is None
    # its first expected quarter missing is yellow, not red: the quarter before was not expected
    assert not_reported(facts(start=2026, end=2028), S.UNDER_WAY, P(2026, 1)).light is Light.YELLOW


def test_a_quarter_before_the_project_was_under_way_is_not_expected():
    """Commenced on 2026-05-10 (前期 until then): 2026 Q1 is not owed, so Q2 missing is yellow, not red."""
    project = ProjectFacts(status=S.UNDER_WAY, start_year=2026, end_year=2028, planned_investment=D(1000),
                           status_since=date(2026, 5, 10),
                           status_history=((date.min, S.PREPARING), (date(2026, 5, 10), S.UNDER_WAY)))
    assert not_reported(project, S.UNDER_WAY, P(2026, 1)) is None
    assert not_reported(project, S.UNDER_WAY, P(2026, 2)).light is Light.YELLOW
    assert not_reported(project, S.UNDER_WAY, P(2026, 3)).light is Light.RED


def test_cancelled_and_done_projects_are_never_warned():
    for status, light in [(S.CANCELLED, Light.CANCELLED), (S.COMPLETED, Light.DONE), (S.IN_USE, Light.DONE)]:
        result = assess(facts(status=status, start=2015, end=2018), date(2026, 9, 30))
        assert (result.light, result.warnings) == (light, ())


def test_suspended_project_is_still_overdue_but_not_unreported():
    result = assess(facts(status=S.SUSPENDED, start=2020, end=2024), date(2026, 9, 30))
    assert result.light is Light.RED
    assert {w.kind for w in result.warnings} == {WarningKind.OVERDUE, WarningKind.INVESTMENT_LAG}


def test_project_with_no_progress_at_all():
    result = assess(facts(start=2026, end=2028), date(2026, 9, 30))
    assert result.cumulative_investment == 0 and result.completion_rate == 0
    assert {w.kind for w in result.warnings} == {WarningKind.NOT_REPORTED, WarningKind.INVESTMENT_LAG}


def test_green_project_and_over_budget_flag():
    project = facts(start=2026, end=2026, planned="100",
                    reports=[(2026, 1, "30", "30"), (2026, 2, "60", "30"), (2026, 3, "110", "50")])
    result = assess(project, date(2026, 10, 6))
    assert result.light is Light.GREEN and result.warnings == () and result.over_budget
    assert result.completion_rate == D("1.1")


def test_thresholds_are_configurable():
    project = facts(reports=[(2026, 3, "50", "50")], plans={2026: "100"})
    assert investment_lag(project, S.UNDER_WAY, P(2026, 3)).light is Light.YELLOW
    assert investment_lag(project, S.UNDER_WAY, P(2026, 3), Thresholds(lag_yellow_pp=D(30), lag_red_pp=D(20))).light is Light.RED
    assert investment_lag(project, S.UNDER_WAY, P(2026, 3), Thresholds(lag_yellow_pp=D(30), lag_red_pp=D(50))) is None
