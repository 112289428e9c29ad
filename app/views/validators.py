"""WTForms validators over the plain checks in app.domain.validators, with the
messages in the user's language."""

from flask_appbuilder.validators import Unique
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


class UniqueValue(Unique):
    """FAB's Unique, except that a blank value (stored as NULL) never collides and the
    message is translated when it is shown — FAB's keeps the language of the first
    request that triggered it."""

    def __init__(self, unique: Unique):
        super().__init__(unique.datamodel, unique.col_name)

    def __call__(self, form, field):
        if field.data is None or (isinstance(field.data, str) and not field.data.strip()):
            return
        model = self.datamodel.obj
        if self.col_name == "id_number" and hasattr(model, "id_number_hash"):
            # encrypted at rest: the keyed hash is what is unique (app/security/pii.py)
            from app.security.pii import keyed_hash

            taken = self.datamodel.session.query(model).filter(
                model.id_number_hash == keyed_hash(str(field.data))).first()
            if taken is not None and (not hasattr(form, "_id") or form._id != taken.id):
                raise ValidationError(gettext("Already exists."))
            return
        try:
            super().__call__(form, field)
        except ValidationError as err:
            raise ValidationError(gettext("Already exists.")) from err


def with_unique_values(form_class) -> None:
    """Swap FAB's Unique for one UniqueValue in every field of a generated form class.
    FAB appends its validators to the view's validators_columns list itself, so a field
    on both the add and the edit form carried Unique twice (the message showed twice)."""
    if form_class is None:
        return
    for name in dir(form_class):
        unbound = getattr(form_class, name, None)
        validators = getattr(unbound, "kwargs", {}).get("validators") if hasattr(
            unbound, "field_class") else None
        if not validators:
            continue
        kept, unique = [], None
        for validator in validators:
            if type(validator) is Unique:
                if unique is None:
                    unique = UniqueValue(validator)
                    kept.append(unique)
            else:
                kept.append(validator)
        unbound.kwargs["validators"] = kept


class NoLikelyDuplicate:
    """Before a new petitioner is recorded, the ones who may be the same person (same ID
    number, same phone, same name in the same village) are shown; the user picks one of
    them when registering the case, or confirms this is someone else."""

    CONFIRM = "not_a_duplicate"

    def __call__(self, form, field):
        from app.security.scope import current_scope
        from app.services.pickers import likely_duplicates

        confirm = form._fields.get(self.CONFIRM)
        if confirm is None or confirm.data:
            return
        place = form.place.data if "place" in form else None
        phone = form.phone.data if "phone" in form else None
        try:
            phone = check_phone(phone) if phone else None
        except InvalidValue:
            phone = None  # the phone's own validator says what is wrong with it
        matches = likely_duplicates(
            current_scope(), name=field.data, place_id=getattr(place, "id", None),
            id_number=form.id_number.data if "id_number" in form else None,
            phone=phone)
        if not matches:
            return
        why = {"id_number": gettext("same ID number"), "phone": gettext("same phone"),
               "name_place": gettext("same name in the same village")}
        listed = "; ".join(f"{row.picker_label} ({why[reason]})" for row, reason in matches)
        raise ValidationError(gettext(
            "This may be someone already recorded: %(matches)s. Choose them when you "
            "register the case, or tick “%(confirm)s” to record a new petitioner.",
            matches=listed, confirm=gettext("A different person: record anyway")))
