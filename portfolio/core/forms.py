"""Form pieces shared by every blueprint."""
from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, NumberRange, StopValidation, ValidationError
from wtforms.widgets import TextInput

from portfolio.core.formatting import QUARTER_NAMES
from portfolio.core.limits import FIRST_YEAR, LAST_YEAR, MAX_ID
from portfolio.core.parsing import CONTROL_CHARACTERS, ParseError, control_character_message, date_problem, parse_amount, parse_degrees


def choice_list(pairs, blank: str | None = None) -> list[SelectChoice]:
    """Select options from (value, label) pairs, after an optional blank option that means "none"."""
    options = [SelectChoice("", blank)] if blank is not None else []
    return options + [SelectChoice(value, label) for value, label in pairs]


def region_choices(regions, blank: str | None = None) -> list[SelectChoice]:
    """Regions grouped by city, so 焦作 and 新乡 districts are not mixed up."""
    options = [SelectChoice("", blank)] if blank is not None else []
    return options + [SelectChoice(r.id, r.display_name, optgroup=r.city) for r in regions]


def record_id(value) -> int:
    """An id chosen in a form: a whole number a table can hold, else ValueError (the field's error)."""
    number = int(value)
    if not 1 <= number <= MAX_ID:
        raise ValueError(f"没有编号为{value}的记录")
    return number


def optional_int(value):
    return record_id(value) if value not in (None, "") else None


def years_in_range(form, field) -> None:
    """Validator of a date field: within FIRST_YEAR–LAST_YEAR (`parsing.date_problem`)."""
    if field.data and (problem := date_problem(field.label.text, field.data)):
        raise ValidationError(problem)


def year_field(label: str = "年份") -> IntegerField:
    return IntegerField(label, validators=[
        InputRequired(message="请填写年份"),
        NumberRange(FIRST_YEAR, LAST_YEAR, message=f"年份应在{FIRST_YEAR}–{LAST_YEAR}之间"),
    ])


def quarter_field() -> SelectField:
    return SelectField("季度", coerce=int, choices=choice_list(QUARTER_NAMES.items()),
                       validators=[InputRequired(message="请选择季度")])


def refuse_control_characters(form, field) -> None:
    """Every field's first validator: a value with a character no one types (a NUL, which PostgreSQL
    cannot even store, a vertical tab) is refused under the field's own label, the typed text kept."""
    if any(isinstance(value, str) and CONTROL_CHARACTERS.search(value) for value in field.raw_data or ()):
        raise StopValidation(control_character_message(field.label.text))


class FormMeta:
    """The meta of every form (`BaseForm`, and the plain row forms inside one): Chinese messages, and
    `refuse_control_characters` ahead of each field's validators."""

    locales = ("zh",)

    def bind_field(self, form, unbound_field, options):
        field = super().bind_field(form, unbound_field, options)
        field.validators = [refuse_control_characters, *field.validators]
        return field


class BaseForm(FlaskForm):
    Meta = FormMeta


class AmountField(DecimalField):
    """An amount in 万元 that accepts "1,054.65" and full-width digits, with a Chinese error.

    A text input, not type=number: browsers refuse thousands separators in number inputs.
    """

    widget = TextInput()
    parse = staticmethod(parse_amount)

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data: Decimal | None = self.parse(valuelist[0])
        except ParseError as error:
            self.data = None
            raise ValueError(str(error)) from None

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()  # the parse error says it all; range checks would only repeat it

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{self.data:f}"


class DegreesField(AmountField):
    """A longitude or latitude in decimal degrees (WGS-84)."""

    parse = staticmethod(parse_degrees)


class NormalizedField(StringField):
    """Text its filters normalize (a code, a phone number) but that is shown again as typed."""

    def _value(self):
        return self.raw_data[0] if self.raw_data else super()._value()


class ConfirmForm(BaseForm):
    """An empty form: its CSRF token is what a confirmation step needs."""
