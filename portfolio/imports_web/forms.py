"""Upload forms."""
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange, Regexp

from portfolio.forms import BaseForm, choice_list
from portfolio.reports.data import QUARTER_NAMES

ALLOWED = FileAllowed(["xlsx", "csv"], "只能上传 .xlsx 或 .csv 文件")


class ProjectTableForm(BaseForm):
    plan = SelectField("导入到规划", coerce=int, validators=[InputRequired(message="请选择规划")])
    file = FileField("项目表文件(.xlsx 或 .csv)", validators=[FileRequired(message="请选择文件"), ALLOWED])


class ProgressUploadForm(BaseForm):
    file = FileField("填好的季度进展模板(.xlsx)", validators=[FileRequired(message="请选择文件"), ALLOWED])


class ConfirmUploadForm(BaseForm):
    """Carries the stored upload from the preview to the confirmation."""

    token = HiddenField(validators=[Regexp(r"^[0-9a-f]{32}\.(xlsx|csv)$")])
    filename = HiddenField()
    plan = HiddenField()


class TemplateForm(BaseForm):
    class Meta:
        csrf = False

    region = SelectField("县(市、区)", coerce=int, validators=[InputRequired(message="请选择县(市、区)")])
    year = IntegerField("年份", validators=[InputRequired(message="请填写年份"), NumberRange(1949, 2100)])
    quarter = SelectField("季度", coerce=int, choices=choice_list(QUARTER_NAMES.items()),
                          validators=[InputRequired(message="请选择季度")])
