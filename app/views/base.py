"""The base every daiban CRUD view stands on: scope on every path FAB offers (lists,
show/edit/delete, actions, related and search dropdowns, export), the role matrix's
read/write/delete verbs, bounded page sizes and a scoped CSV export."""

import csv
import io
from contextlib import contextmanager

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    request,
    stream_with_context,
    url_for,
)
from flask_appbuilder import ModelView, expose
from flask_appbuilder.actions import action as fab_action
from flask_appbuilder.exceptions import DatabaseException, FABException
from flask_appbuilder.fieldwidgets import Select2Widget
from flask_appbuilder.models.filters import Filters
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.urltools import (
    get_filter_args,
    get_order_args,
    get_page_args,
    get_page_size_args,
)
from flask_appbuilder.utils.base import get_column_root_relation, is_column_dotted
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import func, or_, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, selectinload
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from wtforms import BooleanField, Field, SelectField
from wtforms.validators import DataRequired, Optional

from app import generation
from app.domain.errors import DomainError
from app.domain.validators import mask_id_number, mask_phone
from app.extensions import db
from app.formatting import format_date, format_datetime
from app.models.cases import AppendOnlyError
from app.models.choices import label
from app.security import audit
from app.security.pii import keyed_hash
from app.security.roles import METHOD_PERMISSIONS, SHOW_UNMASKED
from app.security.scope import SCOPE_FILTER, ScopeFilter, ScopeOrCurrentFilter, current_scope
from app.views.pick_fields import PickerMixin
from app.views.widgets import CachedSearchWidget

EXPORT_MAX_ROWS = 50_000
# from this many rows skipped on, a list page selects its ids first (DaibanInterface.query)
DEFERRED_OFFSET = 1_000
EXPORT_BATCH = 1_000
# a text search's list counts this many matches at most (the pages reach that far)
COUNT_CAP = 500
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


# Related columns whose tables grow with the region: the search form asks the server for
# matching rows as the user types (select2 over ``<view>/choices/<column>``) instead of
# rendering every row as an <option> — 1,628 options, 137 of 242 KB and two thirds of the
# time of a case list page at 1,000,000 cases.
REMOTE_SEARCH_MODELS = {"Place", "Person", "Petitioner", "StaffUser"}
NAME_COLUMNS = ("name_zh", "name_mn", "name", "code", "username", "first_name", "last_name")
REMOTE_CHOICES = 20


class RemoteChoiceWidget:
    """A hidden input that daiban/model_list.html turns into a select2 asking the view's
    choices endpoint; FAB's filter script names it and sets its value like any input."""

    def __call__(self, field, **kwargs):
        url = url_for(f"{field.view.endpoint}.choices", column=field.column)
        return Markup('<input type="hidden" class="daiban-remote" data-url="{}" value="">'
                      ).format(url)


class RemoteChoiceField(Field):
    widget = RemoteChoiceWidget()

    def __init__(self, label=None, view=None, column=None, **kwargs):
        super().__init__(label, **kwargs)
        self.view, self.column = view, column


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


class ScopedModelView(PickerMixin, ModelView):
    """A ModelView over a scoped model (one with ``scope_clause``)."""

    base_filters = SCOPE_FILTER
    method_permission_name = {**METHOD_PERMISSIONS, "choices": METHOD_PERMISSIONS["list"],
                              "pick": METHOD_PERMISSIONS["list"]}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # a search field's choices are read like the list itself, whatever a mixin maps
        methods = cls.__dict__.get("method_permission_name")
        if methods is None:
            methods = next((c.__dict__["method_permission_name"] for c in cls.__mro__
                            if "method_permission_name" in c.__dict__), None)
        if isinstance(methods, dict) and not {"choices", "pick"} <= set(methods):
            cls.method_permission_name = {"choices": methods.get("list", "read"),
                                          "pick": methods.get("list", "read"), **methods}
    list_template = "daiban/model_list.html"
    search_widget = CachedSearchWidget
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
        self.search_form_extra_fields = dict(self.search_form_extra_fields or {})
        self.remote_search_columns = {}
        columns = {*self.add_columns, *self.edit_columns, *self.search_columns}
        for column in sorted(columns):
            if not self.datamodel.is_relation(column):
                continue
            related = self.datamodel.get_related_model(column)
            if not hasattr(related, "scope_clause"):
                continue
            scope = [["id", ScopeFilter, None]]
            if column in self.search_columns and related.__name__ in REMOTE_SEARCH_MODELS:
                self.remote_search_columns[column] = related
                self.search_form_extra_fields.setdefault(column, RemoteChoiceField(
                    self.label_columns.get(column, column), view=self, column=column))
            self.add_form_query_rel_fields.setdefault(column, scope)
            self.search_form_query_rel_fields.setdefault(column, scope)
            self.edit_form_query_rel_fields.setdefault(column, [["id", ScopeOrCurrentFilter,
                                                                 None]])
        # a search field offering every row of a table (a dictionary: no scope, no
        # filter) is the same for everyone: rendered once per language and generation
        self.shared_search_choices = frozenset(
            column for column in self.search_columns
            if self.datamodel.is_relation(column)
            and column not in self.search_form_query_rel_fields
            and column not in self.search_form_extra_fields)
        for column in self.shared_search_choices:
            generation.watch(self.datamodel.get_related_model(column).__table__.name)

    def _init_forms(self):
        super()._init_forms()
        from app.views.validators import with_unique_values

        with_unique_values(self.add_form)
        with_unique_values(self.edit_form)
        self._blank_related_choices(self.add_form)

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

    def _get_search_widget(self, form=None, exclude_cols=None, widgets=None):
        widgets = super()._get_search_widget(form, exclude_cols, widgets)
        widgets["search"].template_args["shared_choices"] = self.shared_search_choices
        return widgets

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

    # FAB answers 500 to an unknown action name, and to a list-only action (muldelete)
    # called on the single-row route: neither exists.
    @expose("/action/<string:name>/<pk>", methods=["POST"])
    def action(self, name, pk):
        known = self.actions.get(name)
        if known is None or not known.single or self._scoped_items([pk]) is None:
            abort(404)
        return super().action(name, pk)

    @expose("/action_post", methods=["POST"])
    def action_post(self):
        if request.form.get("action") not in self.actions:
            abort(404)
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

    @expose("/choices/<column>")
    @has_access
    def choices(self, column):
        """Up to REMOTE_CHOICES rows of a related column's table, in the user's scope,
        whose names contain ``q`` (or the row ``id``), as select2 expects them."""
        model = self.remote_search_columns.get(column)
        if model is None:
            abort(404)
        statement = select(model).where(model.scope_clause(current_scope()))
        wanted = request.args.get("id", "")
        term = request.args.get("q", "").strip()
        if wanted:
            if not wanted.isdigit():
                abort(404)
            statement = statement.where(model.id == int(wanted))
        elif term:
            columns = sa_inspect(model).columns
            names = [getattr(model, c) for c in NAME_COLUMNS if c in columns]
            statement = statement.where(or_(*(c.ilike(f"%{term}%") for c in names)))
        rows = db.session.scalars(statement.order_by(model.id).limit(REMOTE_CHOICES))
        return jsonify(results=[{"id": row.id, "text": str(row)} for row in rows])

    @expose("/download/<string:filename>")
    def download(self, filename):
        """FAB serves its upload folder here (a 500 without one); daiban keeps no file
        columns in its models: scans are served by their own scoped routes."""
        abort(404)

    @expose("/export/")
    @has_access
    def export(self):
        """The current list (same filters, same order, same scope) as CSV for Excel,
        streamed in batches: the first rows leave at once and a worker holds one batch,
        not 50,000 rows and their text (4.8–6 s and up to 315 MB before). ``rows`` asks
        for fewer than EXPORT_MAX_ROWS."""
        get_filter_args(self._filters)
        joined_filters = self._filters.get_joined_filters(self._base_filters)
        orders = get_order_args().get(self.__class__.__name__)
        order_column, order_direction = orders if orders else (self.base_order or ("", ""))
        try:
            rows = max(1, min(int(request.args.get("rows", EXPORT_MAX_ROWS)),
                              EXPORT_MAX_ROWS))
        except ValueError:
            rows = EXPORT_MAX_ROWS
        # a session of its own: the request's is closed before the body is streamed
        stream_session = Session(bind=db.engine)
        try:
            query = self.datamodel.apply_all(
                self.datamodel.session.query(self.datamodel.obj), joined_filters,
                order_column, order_direction, page=0, page_size=rows,
            )
            items = iter(query.with_session(stream_session).yield_per(EXPORT_BATCH))
            first = next(items, None)
        except (FABException, SQLAlchemyError):  # a filter value that does not fit its column
            stream_session.close()
            self.datamodel.session.rollback()
            flash(_("A search filter's value does not fit its field."), "warning")
            return redirect(self.get_redirect())
        audit.record("export", self.datamodel.obj.__name__,
                     detail=f"up to {rows} rows; {request.query_string.decode()[:500]}")
        db.session.commit()
        columns = self.export_columns()
        header = [str(self.label_columns.get(c, c)) for c in columns]

        def lines():
            try:
                yield from _lines()
            finally:
                stream_session.close()

        def _lines():
            memo = {}
            out = io.StringIO()
            writer = csv.writer(out)
            out.write("\ufeff")
            writer.writerow(header)
            batch = [] if first is None else [first]
            for item in items:
                batch.append(item)
                if len(batch) >= EXPORT_BATCH:
                    for row in batch:
                        writer.writerow([self._export_value(row, c, memo) for c in columns])
                    batch.clear()
                    yield out.getvalue()
                    out.seek(0)
                    out.truncate()
            for row in batch:
                writer.writerow([self._export_value(row, c, memo) for c in columns])
            yield out.getvalue()

        filename = f"{self.class_permission_name or self.__class__.__name__}.csv"
        return Response(
            stream_with_context(lines()),
            mimetype="text/csv; charset=utf-8",
            headers={"Content-Disposition": f"attachment; filename={filename}"},
        )

    def export_columns(self):
        return list(self.list_columns)

    def _export_value(self, item, column, memo=None):
        value = item
        for part in column.split("."):
            value = getattr(value, part, None) if value is not None else None
            if callable(value):
                value = value()
        # the same value formats the same way: translate and format each one once
        key = (column, type(value), getattr(value, "id", value))
        try:
            hash(key)
        except TypeError:
            memo = None
        if memo is not None and key in memo:
            return memo[key]
        formatter = self.formatters_columns.get(column)
        if formatter is not None:
            value = formatter(value)
        text = spreadsheet_safe("" if value is None else str(value))
        if memo is not None:
            memo[key] = text
        return text


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """A cell Excel or LibreOffice would run as a formula (=HYPERLINK(…) sending the
    row elsewhere) is written as text, behind an apostrophe."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _refusal_text(error) -> str:
    return error.translate(_) if isinstance(error, DomainError) else str(error)


MASKS = {"id_number": mask_id_number, "phone": mask_phone}


class PersonalInformationMixin:
    """ID numbers and phones (the model's ``masked_columns``) are shown masked; in full
    only to a role holding ``can_show_unmasked`` on the view's resource — on the record's
    "show in full" page and in its edit form — and every such showing is written to the
    audit trail. Without it the edit form leaves them blank (the masked value below
    them): a value typed replaces the stored one, a blank keeps it."""

    show_template = "daiban/show_pi.html"
    method_permission_name = {**METHOD_PERMISSIONS, "show_unmasked": SHOW_UNMASKED}

    def may_unmask(self) -> bool:
        from app.extensions import appbuilder

        return appbuilder.sm.has_access(f"can_{SHOW_UNMASKED}", self.class_permission_name)

    def _masked_in(self, columns, item):
        return [c for c in self.datamodel.obj.masked_columns
                if c in columns and getattr(item, c, None)]

    @expose("/unmasked/<pk>")
    @has_access
    def show_unmasked(self, pk):
        item = self.datamodel.get(self._deserialize_pk_if_composite(pk), self._base_filters)
        if item is None:
            abort(404)
        masked = {f"{c}_masked": c for c in self.datamodel.obj.masked_columns}
        columns = [masked.get(c, c) for c in self.show_columns]
        shown = self._masked_in(columns, item)
        if shown:
            audit.record("view_pi", type(item).__name__, item.id, detail=",".join(shown))
            db.session.commit()
        widgets = {"show": self.show_widget(
            pk=pk, label_columns=self.label_columns, include_columns=columns,
            value_columns=self.datamodel.get_values_item(item, columns),
            formatters_columns=self.formatters_columns, actions={},
            modelview_name=self.__class__.__name__)}
        return self.render_template(self.show_template, pk=pk, title=self.show_title,
                                    widgets=widgets, unmasked=True)

    def prefill_form(self, form, pk):
        item = self.datamodel.get(self._deserialize_pk_if_composite(pk), self._base_filters)
        shown = self._masked_in(self.edit_columns, item) if item is not None else []
        if not shown:
            return
        if self.may_unmask():  # the edit form shows them in full
            audit.record("view_pi", type(item).__name__, item.id, detail=",".join(shown))
            db.session.commit()
            return
        for column in shown:
            form[column].data = ""
            form[column].description = _("Leave blank to keep %(value)s.",
                                         value=MASKS[column](getattr(item, column)))

    def process_form(self, form, is_created):
        super().process_form(form, is_created)
        if is_created or self.may_unmask():
            return
        for column in self.datamodel.obj.masked_columns:
            if column in form and not (form[column].data or "").strip():
                del form[column]  # blank: the stored value stays


class StoreRefused(Exception):
    """Why the database refused a change, in words fit for the user."""


class ExactMatch(FilterEqual):
    """The only search a masked column offers: the whole value, through its keyed hash
    (ID numbers and phones are stored encrypted)."""

    def apply(self, query, value):
        hashed = getattr(self.model, f"{self.column_name}_hash", None)
        if hashed is not None:
            return query.filter(hashed == keyed_hash(str(value)))
        return super().apply(query, value)


class DaibanFilters(Filters):
    """FAB's Filters, but the filters each column offers are worked out once per data
    interface: FAB converts every column of the model again for each ``Filters`` it
    makes — the view's, and the copies and joins every list request makes (230 column
    conversions and 1,400 filter objects per case list page). Each ``Filters`` still gets
    its own dict and lists, so a view that adds filters to a column changes only its own."""

    def _get_filters(self, cols):
        cache = self.datamodel.__dict__.setdefault("_daiban_filter_cache", {})
        key = tuple(cols)
        if key not in cache:
            cache[key] = super()._get_filters(cols)
        return {column: list(filters) for column, filters in cache[key].items()}

    def copy(self):
        other = type(self)(self.filter_converter, self.datamodel)
        other.filters, other.values = list(self.filters), list(self.values)
        return other

    def get_joined_filters(self, filters):
        other = type(self)(self.filter_converter, self.datamodel)
        other.filters = self.filters + filters.filters
        other.values = self.values + filters.values
        return other

    def add_filter_index(self, column_name, filter_instance_index, value):
        if 0 <= filter_instance_index < len(self._all_filters.get(column_name) or ()):
            super().add_filter_index(column_name, filter_instance_index, value)


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

    def get_filters(self, search_columns=None, search_filters=None):
        """FAB's filters, but a column holding personal information (the model's
        ``masked_columns``: ID numbers, phones) is searched by its whole value only —
        "starts with" read a masked number back one digit at a time — and a filter index
        the column does not have is ignored (FAB answered 500)."""
        filters = DaibanFilters(self.filter_converter_class, self,
                                search_columns=search_columns or [],
                                search_filters=search_filters)
        for column in getattr(self.obj, "masked_columns", ()):
            for table in (filters._search_filters, filters._all_filters):
                if column in table:
                    table[column] = [ExactMatch(column, self)]
        return filters

    def get_inner_filters(self, filters):
        """FAB's inner filters (columns of the row itself and of its to-one relations),
        built as DaibanFilters: FAB's plain Filters converts every column again."""
        inner = DaibanFilters(self.filter_converter_class, self)
        if filters:
            inner.add_filter_list([
                (flt.column_name, flt.__class__, value)
                for flt, value in zip(filters.filters, filters.values, strict=True)
                if not is_column_dotted(flt.column_name)
                or self.is_relation_many_to_one(get_column_root_relation(flt.column_name))
                or self.is_relation_one_to_one(get_column_root_relation(flt.column_name))])
        return inner

    def apply_all(self, query, *args, **kwargs):
        query = super().apply_all(query, *args, **kwargs)
        return self._eager(query)

    def _eager(self, query):
        options = [selectinload(getattr(self.obj, name)) for name in sorted(self.eager_relations)]
        return query.options(*options) if options else query

    def query_count(self, query, filters=None, select_columns=None):
        """``SELECT count(*) FROM t WHERE …`` — FAB counts ``SELECT count(*) FROM (SELECT
        every column …)``, which SQLite cannot answer from an index alone. A list with no
        filter but the scope may have a cheaper answer (``fast_count``)."""
        if not select_columns:
            fast = self.fast_count(filters)
            if fast is not None:
                return fast
        inner = self._apply_inner_all(query, filters, select_columns=select_columns,
                                      aliases_mapping={})
        if filters is not None and any(getattr(f, "capped_count", False)
                                       for f in filters.filters):
            # a text search counts its first COUNT_CAP matches, not all 66,000 of a
            # common word (each one a trigram candidate checked against its row)
            first = inner.order_by(None).with_entities(self.get_pk()).limit(COUNT_CAP)
            return self.session.scalar(select(func.count()).select_from(first.subquery()))
        counted = inner.order_by(None).with_entities(func.count())
        if not counted.statement.get_final_froms():
            # no clause names the table (a banner-wide list with no filter): count its
            # ids, else the statement has no FROM at all and counts 1
            ids = inner.order_by(None).with_entities(self.get_pk())
            return self.session.scalar(select(func.count()).select_from(ids.subquery()))
        return counted.scalar()

    def fast_count(self, filters) -> int | None:
        return None

    def query(self, filters=None, order_column="", order_direction="", page=None,
              page_size=None, select_columns=None, outer_default_load=False):
        """Deep pages as a deferred join: the page's ids first (OFFSET over an index
        alone, no row read), then those rows — OFFSET 50,000 over whole rows read every
        skipped row."""
        if (select_columns or not page or not page_size
                or page * page_size < DEFERRED_OFFSET):
            return super().query(filters, order_column, order_direction, page, page_size,
                                 select_columns, outer_default_load)
        count = self.query_count(self.session.query(self.obj), filters)
        pk = self.get_pk()
        ids = self._apply_inner_all(self.session.query(pk), filters, order_column,
                                    order_direction, page, page_size, aliases_mapping={})
        rows = self.session.query(self.obj).filter(pk.in_(ids.subquery().select()))
        rows = self.apply_order_by(rows, order_column, order_direction, add_pk=True)
        return count, self._eager(rows).all()

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
    except AppendOnlyError:
        db.session.rollback()
        message = _("This record has a history that is kept for good: it cannot be deleted.")
        raise DatabaseException(message) from StoreRefused(message)
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
