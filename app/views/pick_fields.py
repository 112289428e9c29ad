"""The form field for a person or petitioner: FAB's QuerySelectField, narrowed to what
``app.services.pickers`` allows. The page holds only the chosen row (select2 asks the
view's ``pick/<kind>`` route as the user types); a submitted id is accepted when the
same statement finds it — or when it is the row the record already names (editing a
record whose person has since moved away keeps them)."""

from flask import abort, jsonify, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.fields import QuerySelectField
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from markupsafe import Markup, escape
from wtforms.validators import ValidationError

from app.security.scope import current_scope
from app.services import pickers


def _not_offered() -> ValidationError:
    return ValidationError(_("Choose someone the list offers: this one is outside your "
                             "area or does not hold the duty needed."))


class PickWidget:
    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        url = url_for(f"{field.view.endpoint}.pick", kind=field.pick_kind)
        options = "".join(
            f'<option value="{escape(value)}"{" selected" if selected else ""}>'
            f"{escape(label)}</option>"
            for value, label, selected, *_ in field.iter_choices())
        attributes = " ".join(
            f'{name}="{escape(value)}"' for name, value in kwargs.items()
            if name not in ("class", "style"))
        return Markup(
            f'<select class="form-control daiban-pick" name="{escape(field.name)}" '
            f'data-url="{escape(url)}" {attributes}>{options}</select>')


class PickField(QuerySelectField):
    widget = PickWidget()

    def __init__(self, label=None, validators=None, pick_kind="person", view=None,
                 query_func=None, get_pk_func=None, **kwargs):
        kwargs.pop("get_label", None)
        kwargs.pop("widget", None)  # FAB passes its Select2Widget; ours asks the server
        super().__init__(label, validators, query_func=query_func,
                         get_pk_func=get_pk_func or (lambda row: row.id),
                         get_label="picker_label", **kwargs)
        self.pick_kind = pick_kind
        self.view = view
        self._saved = None  # the row the record named before this request

    def process_data(self, value):
        super().process_data(value)
        self._saved = value

    def _get_object_list(self):
        """Only the rows this request is about: the submitted one (if it may be chosen)
        and the one the record already names — never the whole roster."""
        if self._object_list is None:
            rows = []
            if self._formdata not in (None, "", "__None"):
                wanted = str(self._formdata)
                rows = pickers.search(self.pick_kind, current_scope(), ids=[int(wanted)]
                                      ) if wanted.isdigit() else []
            if self._saved is not None and all(r.id != self._saved.id for r in rows):
                rows.append(self._saved)
            self._object_list = [(str(row.id), row) for row in rows]
        return self._object_list

    def pre_validate(self, form):
        """The chosen row must be one the picker may offer (or the record's own) — also
        when FAB filled it in from a related view's filter in the URL."""
        data = self.data
        if data is None:
            if self._formdata not in (None, "", "__None"):
                raise _not_offered()
            if not self.allow_blank:
                raise ValidationError(_("Please choose."))
            return
        if self._saved is not None and data.id == self._saved.id:
            return
        if pickers.chosen(self.pick_kind, current_scope(), data.id) is None:
            raise _not_offered()


class PickerMixin:
    """Mixed into a ModelView: its forms' person and petitioner fields become PickFields
    and the view answers their searches at ``pick/<kind>`` (read like its list)."""

    # the kind of choice (app/services/pickers.py) a person or petitioner column needs
    # where it is not the model's own
    pick_kinds: dict[str, str] = {}

    def _init_properties(self):
        super()._init_properties()
        self.offered_picks = set()

    def _init_forms(self):
        super()._init_forms()
        self._people_picked(self.add_form)
        self._people_picked(self.edit_form)

    def _people_picked(self, form_class):
        for name in dir(form_class):
            unbound = getattr(form_class, name, None)
            if (getattr(unbound, "field_class", None) is not QuerySelectField
                    or not self.datamodel.is_relation(name)):
                continue
            related = self.datamodel.get_related_model(name)
            kind = self.pick_kinds.get(name) or next(
                (k for k, p in pickers.PICKS.items() if p.model is related and p.duty is None),
                None)
            if kind is None:
                continue
            unbound.field_class = PickField
            # blank until chosen: a required one is refused by its DataRequired
            unbound.kwargs.update(pick_kind=kind, view=self, allow_blank=True,
                                  blank_text="—")
            self.offered_picks.add(kind)

    @expose("/pick/<kind>")
    @has_access
    def pick(self, kind):
        """Up to pickers.LIMIT rows that may be chosen for ``kind`` in the user's scope,
        whose names contain ``q`` (or the row ``id``), labelled to tell people apart."""
        if kind not in self.offered_picks:
            abort(404)
        wanted = request.args.get("id", "")
        if wanted and not wanted.isdigit():
            abort(404)
        rows = pickers.search(kind, current_scope(), request.args.get("q", "").strip()[:50],
                              ids=[int(wanted)] if wanted else None)
        return jsonify(results=[{"id": row.id, "text": row.picker_label} for row in rows])
