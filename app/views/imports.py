"""Bulk import of the people roster from a spreadsheet (CSV or XLSX)."""

from flask import Response, flash, redirect, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from app.models.choices import DUTY_KINDS, EMPLOYMENT, GENDERS
from app.security.roles import METHOD_PERMISSIONS
from app.security.scope import current_scope
from app.services.people_import import (
    COLUMNS,
    IMPORTABLE_DUTIES,
    choices_text,
    import_people,
    read_rows,
    template_csv,
)

MAX_BYTES = 5 * 1024 * 1024


class ImportForm(FlaskForm):
    file = FileField(validators=[FileRequired()])


class PersonImportView(BaseView):
    route_base = "/people-import"
    class_permission_name = "Person"
    method_permission_name = {**METHOD_PERMISSIONS, "form": "write", "upload": "write",
                              "template": "read"}
    default_view = "form"

    @expose("/", methods=["GET"])
    @has_access
    def form(self, errors=None):
        return self.render_template(
            "daiban/people_import.html", form=ImportForm(), columns=COLUMNS,
            errors=errors or [], duties=choices_text(DUTY_KINDS, IMPORTABLE_DUTIES),
            employment=choices_text(EMPLOYMENT), genders=choices_text(GENDERS))

    @expose("/", methods=["POST"])
    @has_access
    def upload(self):
        form = ImportForm()
        if not form.validate_on_submit():
            return self.form(errors=[_("Choose a CSV or XLSX file.")])
        upload = form.file.data
        payload = upload.read(MAX_BYTES + 1)
        if len(payload) > MAX_BYTES:
            return self.form(errors=[_("The file is larger than 5 MB.")])
        try:
            rows = read_rows(upload.filename or "", payload)
        except Exception:  # noqa: BLE001 - any unreadable file gets the same answer
            return self.form(errors=[_("The file could not be read as CSV or XLSX.")])
        result = import_people(rows, current_scope())
        if result.errors:
            return self.form(errors=result.errors)
        flash(_("Imported: %(created)s new people, %(updated)s updated.",
                created=result.created, updated=result.updated), "success")
        return redirect(url_for("PersonView.list"))

    @expose("/template.csv")
    @has_access
    def template(self):
        return Response(template_csv(), mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition": "attachment; filename=people.csv"})

