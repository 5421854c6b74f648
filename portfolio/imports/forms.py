"""Upload forms."""
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, SelectField
from wtforms.validators import InputRequired, Regexp

from portfolio.core.forms import BaseForm, choice_list, quarter_field, region_choices, year_field

ALLOWED = FileAllowed(["xlsx", "csv"], "只能上传 .xlsx 或 .csv 文件")


class ProjectTableForm(BaseForm):
    plan = SelectField("导入到规划", coerce=int, validators=[InputRequired(message="请选择规划")])
    file = FileField("项目表文件(.xlsx 或 .csv)", validators=[FileRequired(message="请选择文件"), ALLOWED])

    def __init__(self, *args, plans: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan.choices = choice_list((p.id, p.title) for p in plans)


class ProgressUploadForm(BaseForm):
    file = FileField("填好的季度进展模板(.xlsx)", validators=[FileRequired(message="请选择文件"), ALLOWED])


class ConfirmUploadForm(BaseForm):
    """Names the stored upload to confirm; everything else about it (its file name, plan, rows) is
    kept on the server (`uploads.remember`), never taken from the browser."""

    token = HiddenField(validators=[Regexp(r"^u\d+-[0-9a-f]{32}\.(xlsx|csv)$")])


class TemplateForm(BaseForm):
    class Meta:
        csrf = False

    region = SelectField("县(市、区)", coerce=int, validators=[InputRequired(message="请选择县(市、区)")])
    year = year_field()
    quarter = quarter_field()

    def __init__(self, *args, regions: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.region.choices = region_choices(regions)
