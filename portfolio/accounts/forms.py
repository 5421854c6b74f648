"""Login and password forms."""
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from portfolio.accounts.models import Role
from portfolio.accounts.passwords import password_problem
from portfolio.core.forms import BaseForm, choice_list, region_choices
from portfolio.core.limits import USERNAME_LENGTH


class LoginForm(BaseForm):
    username = StringField("用户名", validators=[DataRequired(message="请填写用户名"), Length(max=50)])
    password = PasswordField("密码", validators=[DataRequired(message="请填写密码"), Length(max=200)])


class NewPasswordMixin:
    def validate_new_password(self, field):
        if problem := password_problem(field.data or "", getattr(self, "username_for_policy", "")):
            raise ValidationError(problem)


class ChangePasswordForm(NewPasswordMixin, BaseForm):
    current_password = PasswordField("当前密码", validators=[DataRequired(message="请填写当前密码")])
    new_password = PasswordField("新密码", validators=[DataRequired(message="请填写新密码"), Length(max=200)])
    confirm = PasswordField("再次输入新密码", validators=[EqualTo("new_password", message="两次输入的新密码不一致")])


class UserForm(BaseForm):
    username = StringField("用户名", validators=[DataRequired(message="请填写用户名"),
                                              Length(max=USERNAME_LENGTH, message=f"用户名不能超过{USERNAME_LENGTH}个字符")])
    display_name = StringField("姓名", validators=[Optional(), Length(max=50, message="姓名不能超过50个字符")])
    role = SelectField("角色", coerce=Role, choices=choice_list(Role.choices()))
    region = SelectField("县(市、区)（县级账户必填）", coerce=lambda v: int(v) if v else None, validators=[Optional()])
    email = StringField("电子邮箱", validators=[Optional()], description="接收催报和督办单邮件，可不填")

    def __init__(self, *args, regions: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.region.choices = region_choices(regions, blank="（无）")
