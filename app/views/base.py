"""The base every daiban CRUD view stands on: scope on every path FAB offers (lists,
show/edit/delete, actions, related and search dropdowns, export), the role matrix's
read/write/delete verbs, bounded page sizes and a scoped CSV export."""

import csv
import io

from flask import Response, abort, flash, redirect, request
from flask_appbuilder import ModelView, expose
from flask_appbuilder.actions import action as fab_action
from flask_appbuilder.fieldwidgets import Select2Widget
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.urltools import get_filter_args, get_order_args
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload
from wtforms import SelectField
from wtforms.validators import DataRequired, Optional

from app.formatting import format_date, format_datetime
from app.models.choices import label
from app.security.roles import METHOD_PERMISSIONS
from app.security.scope import SCOPE_FILTER, ScopeFilter

EXPORT_MAX_ROWS = 50_000


def choice_field(field_label, choices: dict, required: bool = True):
    """A select for a coded column, labelled in the user's language; an optional one
    starts blank."""
    options = list(choices.items())
    if not required:
        options = [("", "—"), *options]
    return SelectField(
        field_label,
        choices=options,
        validators=[DataRequired()] if required else [Optional()],
        coerce=lambda v: v or None,
        widget=Select2Widget(),
    )


def choice_formatter(choices: dict):
    return lambda value: label(choices, value)


def blank_if_none(value):
    return "" if value is None else value


def yes_no(value) -> str:
    return _("Yes") if value else _("No")


class ScopedModelView(ModelView):
    """A ModelView over a scoped model (one with ``scope_clause``)."""

    base_filters = SCOPE_FILTER
    method_permission_name = METHOD_PERMISSIONS
    list_template = "daiban/model_list.html"
    page_size = 25
    # relations a list shows through a property (loaded with the page, not per row)
    list_eager: tuple[str, ...] = ()

    def _init_properties(self):
        super()._init_properties()
        if isinstance(self.datamodel, EagerInterface):
            self.datamodel.eager_relations.update(
                c for c in self.list_columns if self.datamodel.is_relation(c)
            )
            self.datamodel.eager_relations.update(self.list_eager)
        self._add_default_formatters()
        self.add_form_query_rel_fields = dict(self.add_form_query_rel_fields or {})
        self.edit_form_query_rel_fields = dict(self.edit_form_query_rel_fields or {})
        self.search_form_query_rel_fields = dict(self.search_form_query_rel_fields or {})
        columns = {*self.add_columns, *self.edit_columns, *self.search_columns}
        for column in sorted(columns):
            if not self.datamodel.is_relation(column):
                continue
            related = self.datamodel.get_related_model(column)
            if not hasattr(related, "scope_clause"):
                continue
            scope = [["id", ScopeFilter, None]]
            for rel_fields in (
                self.add_form_query_rel_fields,
                self.edit_form_query_rel_fields,
                self.search_form_query_rel_fields,
            ):
                rel_fields.setdefault(column, scope)

    def _add_default_formatters(self):
        """Dates in the user's language (app/formatting.py) and empty values as blanks
        (FAB prints Python's "None"), unless a view says otherwise."""
        formatters = dict(self.formatters_columns or {})
        for column in {*self.list_columns, *self.show_columns}:
            if column in formatters:
                continue
            if "." not in column and self.datamodel.is_datetime(column):
                formatters[column] = format_datetime
            elif "." not in column and self.datamodel.is_date(column):
                formatters[column] = format_date
            else:
                formatters[column] = blank_if_none
        self.formatters_columns = formatters

    def render_template(self, template, **kwargs):
        kwargs.setdefault("view", self)
        return super().render_template(template, **kwargs)

    def _get_list_widget(self, *args, page_size=None, **kwargs):
        # FAB leaves psize_ unbounded; keep a page a page.
        if page_size is not None:
            page_size = max(1, min(int(page_size), 100))
        return super()._get_list_widget(*args, page_size=page_size, **kwargs)

    # FAB's action routes fetch rows by primary key without the base filters; refuse
    # the whole action if any selected row is outside the user's scope.
    def _scoped_items(self, pks):
        items = []
        for pk in pks:
            item = self.datamodel.get(self._deserialize_pk_if_composite(pk), self._base_filters)
            if item is None:
                return None
            items.append(item)
        return items

    @expose("/action/<string:name>/<pk>", methods=["POST"])
    def action(self, name, pk):
        if self._scoped_items([pk]) is None:
            abort(404)
        return super().action(name, pk)

    @expose("/action_post", methods=["POST"])
    def action_post(self):
        if self._scoped_items(request.form.getlist("rowid")) is None:
            flash(_("Some of the selected rows do not exist or are outside your area."), "danger")
            return redirect(self.get_redirect())
        return super().action_post()

    @fab_action(
        "muldelete",
        _l("Delete"),
        _l("Delete all selected rows?"),
        "fa-trash",
        single=False,
    )
    def muldelete(self, items):
        for item in items:
            self.datamodel.delete(item)
        flash(_("Deleted %(count)s rows.", count=len(items)), "info")
        return redirect(self.get_redirect())

    @expose("/export/")
    @has_access
    def export(self):
        """The current list (same filters, same order, same scope) as CSV for Excel."""
        get_filter_args(self._filters)
        joined_filters = self._filters.get_joined_filters(self._base_filters)
        orders = get_order_args().get(self.__class__.__name__)
        order_column, order_direction = orders if orders else (self.base_order or ("", ""))
        _count, items = self.datamodel.query(
            joined_filters, order_column, order_direction, page=0, page_size=EXPORT_MAX_ROWS
        )
        columns = self.export_columns()
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out)
        writer.writerow([str(self.label_columns.get(c, c)) for c in columns])
        for item in items:
            writer.writerow([self._export_value(item, c) for c in columns])
        filename = f"{self.class_permission_name or self.__class__.__name__}.csv"
        return Response(
            out.getvalue(),
            mimetype="text/csv; charset=utf-8",
            headers={"Content-Disposition": f"attachment; filename={filename}"},
        )

    def export_columns(self):
        return list(self.list_columns)

    def _export_value(self, item, column):
        value = item
        for part in column.split("."):
            value = getattr(value, part, None) if value is not None else None
            if callable(value):
                value = value()
        formatter = self.formatters_columns.get(column)
        if formatter is not None:
            value = formatter(value)
        return "" if value is None else str(value)


class EagerInterface(SQLAInterface):
    """FAB's SQLAlchemy interface, loading the related rows a list shows in one extra
    query per relation (selectin) instead of one query per row and relation."""

    def __init__(self, obj, session=None):
        super().__init__(obj, session)
        self.eager_relations: set[str] = set()

    def apply_all(self, query, *args, **kwargs):
        query = super().apply_all(query, *args, **kwargs)
        options = [selectinload(getattr(self.obj, name)) for name in sorted(self.eager_relations)]
        return query.options(*options) if options else query


def interface(model):
    return EagerInterface(model)
