"""专栏 tasks: seeded as printed, the progress rule, the programme page for each role, recording
progress, linking projects of the same plan, and refusals — through the pages, with CSRF on."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portfolio.accounts.models import Role
from portfolio.programmes.models import ProgrammeTask, TaskProgress
from portfolio.programmes.rules import task_state
from portfolio.registry.models import Plan, Programme, Project, Region
from tests.factories import login, submit

D = Decimal


def _text(response) -> str:
    return response.get_data(as_text=True)


def _task(in_app, text: str) -> ProgrammeTask:
    return in_app(lambda s: s.scalar(select(ProgrammeTask).where(ProgrammeTask.text == text)))


def _entries(in_app) -> int:
    return in_app(lambda s: s.scalar(select(func.count()).select_from(TaskProgress)))


@pytest.mark.parametrize(("target", "unit", "done", "words", "bar"), [
    (D(17), "所", None, "目标17所，尚未填报进展", 0),
    (D(17), "所", D(12), "已完成17所中的12所（70.6%）", 70),
    (D(17), "所", D(17), "已完成17所中的17所（100.0%），已完成目标", 100),
    (D(17), "所", D(20), "已完成17所中的20所（117.6%），超过目标3所", 100),
    (D("48.33"), "万人次", D("12.5"), "已完成48.33万人次中的12.5万人次（25.9%）", 25),
    (D(4), "所", D(0), "已完成4所中的0所（0.0%）", 0),
])
def test_task_state(target, unit, done, words, bar):
    state = task_state(target, unit, done)
    assert (state.words, state.bar_percent) == (words, bar)


def test_the_tasks_are_seeded_as_printed(session, seeded):
    counts = dict(session.execute(select(Plan.title, func.count(ProgrammeTask.id)).join(ProgrammeTask.programme)
                                  .join(Programme.plan).group_by(Plan.title)).all())
    assert counts == {"焦作市“十四五”公共服务和社会保障规划": 25, "新乡市“十五五”公共服务和社会保障规划": 9}
    schools = session.scalar(select(ProgrammeTask).where(ProgrammeTask.text == "新建17所中小学校"))
    assert (schools.programme.number, schools.target_quantity, schools.unit) == (2, D(17), "所")
    ranged = session.scalar(select(ProgrammeTask).where(ProgrammeTask.text.like("建设5—10个%")))
    assert ranged.target_quantity == 5 and "按下限" in ranged.note


def test_the_programme_page_for_each_role(app, client, seeded, in_app, make_user):
    schools = _task(in_app, "新建17所中小学校")
    url = f"/programmes/{schools.programme_id}"
    page = _text(client.get(url))
    assert "专栏2:公共教育服务工程" in page and "新建17所中小学校" in page and "目标17所，尚未填报进展" in page
    assert "录入进展" in page
    index = _text(client.get("/programmes/"))
    assert "新乡市“十五五”公共服务和社会保障规划" in index and f'href="{url}"' in index
    for username, role, region in (("county-b", Role.COUNTY, "红旗区"), ("viewer-b", Role.VIEWER, None)):
        other = app.test_client()
        login(other, make_user(username, role, region))
        assert "录入进展" not in _text(other.get(url)) and "新建17所中小学校" in _text(other.get(url))
        response = submit(other, f"{url}/tasks/{schools.id}/progress",
                          {f"t{schools.id}p-recorded_on": "2026-10-01", f"t{schools.id}p-quantity": "3"},
                          form_url="/programmes/")
        assert response.status_code == 403
    assert _entries(in_app) == 0


def test_recording_progress_and_lowering_it_needs_a_note(client, seeded, in_app):
    schools = _task(in_app, "新建17所中小学校")
    url, prefix = f"/programmes/{schools.programme_id}", f"t{schools.id}p"
    action = f"{url}/tasks/{schools.id}/progress"
    response = submit(client, action, {f"{prefix}-recorded_on": "2026-06-30", f"{prefix}-quantity": "12",
                                       f"{prefix}-note": "12所已开工"}, form_url=url)
    assert response.status_code == 302
    page = _text(client.get(url))
    assert "已完成17所中的12所（70.6%）" in page and 'value="70"' in page
    lower = {f"{prefix}-recorded_on": "2026-09-30", f"{prefix}-quantity": "10"}
    refused = submit(client, action, lower, form_url=url)
    assert refused.status_code == 422
    assert "累计完成由2026年6月30日的12所降为10所，请在“说明”中写明原因" in _text(refused)
    assert 'value="10"' in _text(refused)
    assert submit(client, action, lower | {f"{prefix}-note": "两所合并建设"}, form_url=url).status_code == 302
    assert "已完成17所中的10所（58.8%）" in _text(client.get(url))
    assert _entries(in_app) == 2


@pytest.mark.parametrize(("data", "label", "message"), [
    ({"recorded_on": "2099-01-01", "quantity": "3"}, "截至日期", "截至日期不能晚于今天"),
    ({"recorded_on": "2020-01-01", "quantity": "3"}, "截至日期", "截至日期不能早于规划期（2026年起）"),
    ({"recorded_on": "", "quantity": "3"}, "截至日期", "请填写截至日期"),
    ({"recorded_on": "2026-10-01", "quantity": "-3"}, "累计完成", "不能为负数"),
    ({"recorded_on": "2026-10-01", "quantity": "很多"}, "累计完成", "不是数字"),
    ({"recorded_on": "2026-10-01", "quantity": "171"}, "累计完成", "累计完成不能超过目标的10倍"),
    ({"recorded_on": "2026-10-01", "quantity": ""}, "累计完成", "请填写累计完成数量"),
])
def test_bad_progress_is_refused_naming_the_field(client, seeded, in_app, data, label, message):
    schools = _task(in_app, "新建17所中小学校")
    url, prefix = f"/programmes/{schools.programme_id}", f"t{schools.id}p"
    response = submit(client, f"{url}/tasks/{schools.id}/progress", {f"{prefix}-{k}": v for k, v in data.items()},
                      form_url=url)
    text = _text(response)
    assert response.status_code == 422 and f"<li>{label}：" in text and message in text
    assert _entries(in_app) == 0


def test_linking_projects_of_the_same_plan_only(client, seeded, in_app):
    task = _task(in_app, "新改扩建50所左右公办幼儿园和普惠性民办幼儿园")
    url, prefix = f"/programmes/{task.programme_id}", f"t{task.id}l"
    own = in_app(lambda s: s.scalar(select(Project.id).where(Project.name == "孟州市全民健身中心")))
    response = submit(client, f"{url}/tasks/{task.id}/projects", {f"{prefix}-project_id": str(own)}, form_url=url)
    assert response.status_code == 302
    assert '<a href="/projects/%d">孟州市全民健身中心</a>' % own in _text(client.get(url))
    again = submit(client, f"{url}/tasks/{task.id}/projects", {f"{prefix}-project_id": str(own)}, form_url=url)
    assert again.status_code == 422 and "已关联到该任务" in _text(again)

    def other_plan_project(session):
        plan = session.scalar(select(Plan).where(Plan.city == "新乡市"))
        project = Project(plan=plan, region=session.scalar(select(Region).where(Region.name == "红旗区")),
                          name="新乡测试项目", site="红旗区", sector="education", planned_investment=D(1),
                          start_year=2026, end_year=2027, status="under_way")
        session.add(project)
        session.commit()
        return project.id

    stranger = in_app(other_plan_project)
    refused = submit(client, f"{url}/tasks/{task.id}/projects", {f"{prefix}-project_id": str(stranger)}, form_url=url)
    assert refused.status_code == 422 and "不是有效的选择" in _text(refused)
    unlinked = submit(client, f"{url}/tasks/{task.id}/projects/{own}/unlink", {}, form_url=url)
    assert unlinked.status_code == 302 and "尚未关联项目" in _text(client.get(url))
    assert in_app(lambda s: len(s.get(ProgrammeTask, task.id).projects)) == 0


def test_the_project_page_links_its_programme(client, seeded, in_app):
    project = in_app(lambda s: s.scalar(select(Project).where(Project.programme_id.is_not(None)).limit(1)))
    assert f'href="/programmes/{project.programme_id}"' in _text(client.get(f"/projects/{project.id}"))


def test_link_errors_refuse_a_project_of_another_plan(session, seeded):
    from portfolio.programmes.validation import link_errors

    task = session.scalar(select(ProgrammeTask).where(ProgrammeTask.text == "新建17所中小学校"))
    jiaozuo = session.scalar(select(Project).where(Project.name == "孟州市全民健身中心"))
    assert link_errors(task, jiaozuo) == {
        "project_id": "“孟州市全民健身中心”不属于新乡市“十五五”公共服务和社会保障规划，不能关联到该规划的专栏任务"}
    assert link_errors(task, None) == {"project_id": "请选择项目"}
    assert date(2026, 1, 1).year == task.programme.plan.start_year
