"""WTForms validators over the plain checks in app.domain.validators, with the
messages in the user's language."""

from flask_babel import gettext
from wtforms.validators import ValidationError

from app.domain.validators import InvalidValue, check_id_number, check_phone, check_place_code


class IdNumber:
    def __call__(self, form, field):
        if not field.data:
            return
        try:
            field.data = check_id_number(field.data)
        except InvalidValue as err:
            raise ValidationError(gettext(str(err))) from err


class Phone:
    def __call__(self, form, field):
        if not field.data:
            return
        try:
            field.data = check_phone(field.data)
        except InvalidValue as err:
            raise ValidationError(gettext(str(err))) from err


class PlaceCode:
    """The code's shape follows the level chosen on the same form and its parent."""

    def __call__(self, form, field):
        level = form.level.data if "level" in form else None
        parent = form.parent.data if "parent" in form else None
        try:
            field.data = check_place_code(
                level,
                field.data or "",
                parent.level if parent else None,
                parent.code if parent else None,
            )
        except InvalidValue as err:
            raise ValidationError(gettext(str(err))) from err
