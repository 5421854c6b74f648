"""Login and password forms."""
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from portfolio.forms import BaseForm
from portfolio.passwords import password_problem


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
