"""The base every daiban CRUD view stands on: scope on every path FAB offers (lists,
show/edit/delete, actions, related and search dropdowns, export), the role matrix's
read/write/delete verbs, bounded page sizes and a scoped CSV export."""

import csv
import io
from contextlib import contextmanager

from flask import Response, abort, current_app, flash, g, redirect, request, url_for
from flask_appbuilder import ModelView, expose
from flask_appbuilder.actions import action as fab_action
from flask_appbuilder.exceptions import DatabaseException, FABException
from flask_appbuilder.fieldwidgets import Select2Widget
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.urltools import (
    get_filter_args,
    get_order_args,
    get_page_args,
    get_page_size_args,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from wtforms import BooleanField, SelectField
from wtforms.validators import DataRequired, Optional

from app.domain.errors import DomainError
from app.extensions import db
from app.formatting import format_date, format_datetime
from app.models.choices import label
from app.security.roles import METHOD_PERMISSIONS
from app.security.scope import SCOPE_FILTER, ScopeFilter, ScopeOrCurrentFilter

EXPORT_MAX_ROWS = 50_000
LAST_PAGE = 1_000_000


def bound_list_arguments():
    """FAB reads a list's page_<View>, psize_<View> and _oc_<View> straight from the query
    string: "abc" or a huge number is a 500, an unknown column too, and psize has no upper
    bound. Before any view runs, keep them to what a list page can show (every list, the
    related lists on show and edit pages, FAB's own security views)."""
    args = request.args
    if not any(key.startswith(("page_", "psize_", "_oc_")) for key in args):
        return
    from app.extensions import appbuilder

    order_columns = {type(v).__name__: set(getattr(v, "order_columns", None) or ())
                     for v in appbuilder.baseviews}
    largest = current_app.config.get("PAGE_SIZE_MAX", 100)
    bounded = MultiDict()
    for key, value in args.items(multi=True):
        if key.startswith(("page_", "psize_")):
            try:
                number = int(value)
            except ValueError:
                continue
            if key.startswith("psize_"):
                value = str(max(1, min(number, largest)))
            else:
                value = str(max(0, min(number, LAST_PAGE)))
        elif key.startswith("_oc_"):
            view = key[len("_oc_"):]
            if view in order_columns and value not in order_columns[view]:
                continue
        bounded.add(key, value)
    request.args = ImmutableMultiDict(bounded)


def choice_field(field_label, choices: dict, required: bool = True):
    """A select for a coded column, labelled in the user's language. It starts blank,
    required or not: a required choice is made by the user, never a guess the form
    made for them."""
    options = [("", "—"), *choices.items()]
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
        if isinstance(self.datamodel, DaibanInterface):
            self.datamodel.eager_relations.update(
                c for c in self.list_columns if self.datamodel.is_relation(c)
            )
            self.datamodel.eager_relations.update(self.list_eager)
        self._add_default_formatters()
        self._init_boolean_fields()
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
            self.add_form_query_rel_fields.setdefault(column, scope)
            self.search_form_query_rel_fields.setdefault(column, scope)
            self.edit_form_query_rel_fields.setdefault(column, [["id", ScopeOrCurrentFilter,
                                                                 None]])

    def _init_forms(self):
        super()._init_forms()
        from app.views.validators import with_unique_values

        with_unique_values(self.add_form)
        with_unique_values(self.edit_form)
        self._blank_related_choices(self.add_form)
        self._people_told_apart(self.add_form)
        self._people_told_apart(self.edit_form)

    @staticmethod
    def _blank_related_choices(form_class):
        """FAB preselects the first row of a required relation (a petitioner, a village,
        a category): the add form starts blank and DataRequired refuses it until the
        user has chosen."""
        from flask_appbuilder.fields import QuerySelectField

        for name in dir(form_class):
            unbound = getattr(form_class, name, None)
            if getattr(unbound, "field_class", None) is QuerySelectField:
                unbound.kwargs["allow_blank"] = True
                unbound.kwargs.setdefault("blank_text", "—")

    def _people_told_apart(self, form_class):
        """A person or petitioner is chosen by more than a bare name (picker_label)."""
        from flask_appbuilder.fields import QuerySelectField

        for name in dir(form_class):
            unbound = getattr(form_class, name, None)
            if (getattr(unbound, "field_class", None) is QuerySelectField
                    and self.datamodel.is_relation(name)
                    and hasattr(self.datamodel.get_related_model(name), "picker_label")):
                unbound.kwargs["get_label"] = "picker_label"

    def _init_boolean_fields(self):
        """FAB gives a NOT NULL boolean column an InputRequired checkbox, so an unticked
        box ("not active", "not a group petition") could never be saved: a plain
        checkbox instead, unticked meaning False."""
        for attr in ("add_form_extra_fields", "edit_form_extra_fields"):
            extra = dict(getattr(self, attr) or {})
            columns = self.add_columns if attr.startswith("add") else self.edit_columns
            for column in columns:
                if column in extra or not self.datamodel.is_boolean(column):
                    continue
                extra[column] = BooleanField(
                    self.label_columns.get(column, column),
                    default=bool(self.datamodel.get_col_default(column)),
                    description=self.description_columns.get(column, ""),
                )
            setattr(self, attr, extra)

    def _add(self):
        """FAB's add, except that a rule the row breaks (a DomainError from pre_add, or
        the database refusing it) shows the form again, filled in, with the message —
        FAB flashed it over an empty list page and the user lost what they typed."""
        if request.method != "POST":
            return super()._add()
        get_filter_args(self._filters, disallow_if_not_in_search=False)
        exclude_cols = self._filters.get_relation_cols()
        form = self.add_form.refresh()
        self._fill_form_exclude_cols(exclude_cols, form)
        if not form.validate():
            return self._get_add_widget(form=form, exclude_cols=exclude_cols)
        self.process_form(form, True)
        item = self.datamodel.obj()
        try:
            with refused_in_plain_words():
                form.populate_obj(item)
                self.pre_add(item)
                self.datamodel.add(item)
        except (DomainError, DatabaseException) as error:
            db.session.rollback()
            flash(_refusal_text(error), "danger")
            return self._get_add_widget(form=form, exclude_cols=exclude_cols)
        self.post_add(item)
        flash(self.add_row_message, "success")
        g.daiban_saved_pk = self.datamodel.get_pk_value(item)
        return None

    def _saved_record_redirect(self):
        """After a save the user is on the record they saved, not on an old list."""
        pk = getattr(g, "daiban_saved_pk", None)
        if pk is None:
            return redirect(self.get_redirect())
        return redirect(url_for(f"{self.endpoint}.show", pk=pk))

    def post_add_redirect(self):
        return self._saved_record_redirect()

    def post_edit_redirect(self):
        return self._saved_record_redirect()

    def _edit(self, pk):
        """FAB's edit, with the same difference as _add: a broken rule shows the form
        again with what the user typed and the message, and saves nothing."""
        if request.method != "POST":
            return super()._edit(pk)
        pages, page_sizes, orders = get_page_args(), get_page_size_args(), get_order_args()
        get_filter_args(self._filters, disallow_if_not_in_search=False)
        exclude_cols = self._filters.get_relation_cols()
        item = self.datamodel.get(pk, self._base_filters)
        if not item:
            abort(404)
        form = self.edit_form.refresh(request.form)
        self._fill_form_exclude_cols(exclude_cols, form)
        form._id = self.datamodel.get_pk_value(item)
        if form.validate():
            self.process_form(form, False)
            try:
                with refused_in_plain_words():
                    form.populate_obj(item)
                    self.pre_update(item)
                    self.datamodel.edit(item)
            except (DomainError, DatabaseException) as error:
                db.session.rollback()
                flash(_refusal_text(error), "danger")
            else:
                self.post_update(item)
                flash(self.edit_row_message, "success")
                g.daiban_saved_pk = self.datamodel.get_pk_value(item)
                return None
        widgets = self._get_edit_widget(form=form, exclude_cols=exclude_cols)
        return self._get_related_views_widgets(
            item, filters={}, orders=orders, pages=pages, page_sizes=page_sizes,
            widgets=widgets,
        )

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
            page_size = max(1, min(int(page_size), current_app.config.get("PAGE_SIZE_MAX", 100)))
        return super()._get_list_widget(*args, page_size=page_size, **kwargs)

    @expose("/edit/<pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        item = self.datamodel.get(self._deserialize_pk_if_composite(pk), self._base_filters)
        if item is not None:
            current = {}
            for column in self.edit_columns:
                if self.datamodel.is_relation_many_to_one(column):
                    value = getattr(item, column, None)
                    if value is not None:
                        current.setdefault(type(value), set()).add(value.id)
            g.daiban_current = current
        return super().edit(pk)

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
        deleted = 0
        for item in items:
            try:
                self.datamodel.delete(item)
            except DatabaseException as error:
                flash(str(error), "danger")
                break
            deleted += 1
        flash(_("Deleted %(count)s rows.", count=deleted), "info")
        return redirect(self.get_redirect())

    @expose("/export/")
    @has_access
    def export(self):
        """The current list (same filters, same order, same scope) as CSV for Excel."""
        get_filter_args(self._filters)
        joined_filters = self._filters.get_joined_filters(self._base_filters)
        orders = get_order_args().get(self.__class__.__name__)
        order_column, order_direction = orders if orders else (self.base_order or ("", ""))
        try:
            _count, items = self.datamodel.query(
                joined_filters, order_column, order_direction, page=0,
                page_size=EXPORT_MAX_ROWS,
            )
        except FABException:  # a filter value that does not fit its column, as on the list
            self.datamodel.session.rollback()
            flash(_("A search filter's value does not fit its field."), "warning")
            return redirect(self.get_redirect())
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


def _refusal_text(error) -> str:
    return error.translate(_) if isinstance(error, DomainError) else str(error)


class StoreRefused(Exception):
    """Why the database refused a change, in words fit for the user."""


class DaibanInterface(SQLAInterface):
    """FAB's data interface, but
    - a list loads the related rows it shows in one extra query per relation
      (selectin), not one query per row and relation;
    - a refused write never shows the user the SQL, its parameters (ID numbers,
      phones) or nothing at all: FAB flashes ``str(error)`` on the pages and puts
      ``error.__cause__`` into the REST API's 422; add even re-raises the raw error,
      a 500 on the API."""

    def __init__(self, obj, session=None):
        super().__init__(obj, session)
        self.eager_relations: set[str] = set()

    def apply_all(self, query, *args, **kwargs):
        query = super().apply_all(query, *args, **kwargs)
        options = [selectinload(getattr(self.obj, name)) for name in sorted(self.eager_relations)]
        return query.options(*options) if options else query

    def add(self, item, commit=True):
        with refused_in_plain_words():
            super().add(item, commit)

    def edit(self, item, commit=True):
        with refused_in_plain_words():
            super().edit(item, commit)

    def delete(self, item, commit=True):
        with refused_in_plain_words():
            super().delete(item, commit)


@contextmanager
def refused_in_plain_words():
    try:
        yield
    except (SQLAlchemyError, DatabaseException) as error:
        db.session.rollback()
        cause = error if isinstance(error, SQLAlchemyError) else error.__cause__
        if isinstance(cause, IntegrityError):
            message = _("This change conflicts with other records: a value that must "
                        "be unique is already taken, or other records still refer to "
                        "this one.")
        else:
            message = _("The database could not save this change. Please try again.")
        raise DatabaseException(message) from StoreRefused(message)


def interface(model):
    return DaibanInterface(model)
