"""The form that names a new API token; the check itself is `tokens.token_name_error`."""
from wtforms import StringField

from portfolio.api.tokens import NAME_LENGTH
from portfolio.core.forms import BaseForm


class TokenForm(BaseForm):
    name = StringField("令牌名称", description=f"说明这个令牌给谁、做什么用，如“县级台账同步”（{NAME_LENGTH}字以内）",
                       filters=[lambda value: value.strip() if value else value])
