"""The life of a case on its page: the actions the user may take now (each a small form
posting to ``act`` with the case's version), its deadline, the printable entrustment
letter and non-acceptance notice, and read-only archived cases. Every write goes through
app/services (``action_inputs.run``), exactly like the REST API."""

from dataclasses import dataclass

from flask import abort, flash, g, redirect, request, send_from_directory, url_for
from flask_appbuilder import expose
from flask_appbuilder.actions import action as fab_action
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import clock
from app.domain import deadlines
from app.domain.errors import CaseNotFound, DomainError
from app.domain.lifecycle import ARCHIVED, CASE_ACTIONS
from app.extensions import db
from app.models import (
    CaseReview,
    Department,
    EscalationRequest,
    JointMeeting,
    Transfer,
)
from app.models.choices import CASE_ACTIONS as ACTION_LABELS
from app.models.choices import CASE_LEVELS, DEADLINE_STATUSES, REVIEW_STAGES
from app.security.confidential import COMPLAINT, identity_withheld
from app.security.roles import METHOD_PERMISSIONS, READ
from app.security.scope import load_in_scope, scoped
from app.services import action_inputs, uploads
from app.services import cases as case_service


@dataclass
class ActionForm:
    action: str
    label: str
    fields: list  # (Field, choices or None)


def _choices(field, case):
    kind = field.kind
    if kind == action_inputs.PERSON:  # searched on the server (pick/<kind>)
        return None
    if kind == action_inputs.DEPARTMENTS:
        query = select(Department).where(Department.active.is_(True))
        if case.purpose == COMPLAINT and case.accused_department_id is not None:
            # an accusation is never transferred to the department it accuses
            query = query.where(Department.id != case.accused_department_id)
        rows = db.session.scalars(query.order_by(Department.code))
        return [(d.id, str(d)) for d in rows]
    if kind == action_inputs.JOINT_MEETING:
        rows = db.session.scalars(
            scoped(select(JointMeeting), JointMeeting).order_by(JointMeeting.held_on.desc())
            .limit(50)
        )
        return [(m.id, str(m)) for m in rows]
    if kind == action_inputs.CHOICE:
        return [(code, str(text)) for code, text in field.choices.items()]
    return None


def _reply_by_choices(case, choices):
    """(department id, name, default reply-by, earliest, latest) for a transfer's form."""
    earliest, latest = case_service.reply_by_bounds(case)
    departments = {d.id: d for d in db.session.scalars(
        select(Department).where(Department.id.in_([pk for pk, _text in choices])))}
    return [(pk, text, case_service.default_reply_by(departments[pk], latest), earliest,
             latest) for pk, text in choices]


class CaseLifecycleMixin:
    """Mixed into CaseView (which supplies the datamodel and base filters)."""

    show_template = "daiban/case_show.html"
    method_permission_name = {
        **METHOD_PERMISSIONS,
        "act": READ,
        "entrustment_letter": READ,
        "entrustment_scan": READ,
        "non_acceptance_notice": READ,
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # one permission per lifecycle action, checked in ``act`` (and by the API)
        self.base_permissions = sorted({*self.base_permissions,
                                        *(f"can_{a}" for a in CASE_ACTIONS)})

    def _case_or_404(self, pk):
        case = load_in_scope(self.datamodel.obj, pk)
        if case is None:
            abort(404)
        return case

    def lifecycle_panel(self, pk):
        """What the case page shows above the details: deadline, pending requests and
        the forms of the actions this user may take now (asked of the service, which
        asks the one authority — the same answer the action gets when posted)."""
        case = load_in_scope(self.datamodel.obj, pk)
        if case is None:
            return None
        rules = case_service.deadline_rules()
        today = clock.today()
        due = case.effective_due_on
        status = deadlines.deadline_status(due, today, rules)
        forms = [
            ActionForm(action, str(ACTION_LABELS[action]),
                       [(f, _choices(f, case)) for f in action_inputs.INPUTS[action]
                        if not (action == "transfer" and f.name == "due_on")])
            for action in case_service.available_actions(case, g.user)
        ]
        for form in forms:
            if form.action == "transfer":  # each department with its own reply-by date
                form.fields = [(f, _reply_by_choices(case, c) if f.kind == "departments"
                                else c) for f, c in form.fields]
        pending = db.session.scalars(
            select(EscalationRequest).where(EscalationRequest.case_id == case.id,
                                            EscalationRequest.status == "pending")
        ).first()
        transfers = db.session.scalars(
            select(Transfer).where(Transfer.case_id == case.id).order_by(Transfer.id)
        ).all()
        reviews = db.session.scalars(
            select(CaseReview).where(CaseReview.case_id == case.id).order_by(CaseReview.id)
        ).all()
        return {
            "case": case,
            "reviews": [(str(REVIEW_STAGES[r.stage]), r) for r in reviews],
            "forms": forms,
            "due": due,
            "days_left": deadlines.days_left(due, today),
            "status": status,
            "status_label": str(DEADLINE_STATUSES[status]) if status else "",
            "pending": pending,
            "pending_to": str(CASE_LEVELS.get(pending.to_level, "")) if pending else "",
            "transfers": transfers,
            "archived": case.state == ARCHIVED,
            "has_scan": (not identity_withheld(case)
                         and uploads.is_stored_scan(case.entrustment_file)),
            "can_edit": case_service.may_edit_details(case, g.user),
        }

    @expose("/act/<int:pk>/<string:action>", methods=["POST"])
    @has_access
    def act(self, pk, action):
        """Take one action from the case page; refused → a message, nothing changes."""
        if action not in CASE_ACTIONS:
            abort(404)
        show = url_for(f"{self.endpoint}.show", pk=pk)
        version = request.form.get("version")
        if not version:
            flash(_("This form is out of date. Reload the page and try again."), "danger")
            return redirect(show)
        data = request.form.copy()
        stored = None
        try:
            stored = uploads.save_scan(request.files.get("entrustment_scan"))
            if stored:
                data["entrustment_file"] = stored
            action_inputs.run(action, pk, g.user, data, data.getlist, version=version)
        except CaseNotFound:
            uploads.discard(stored)
            abort(404)
        except DomainError as err:
            uploads.discard(stored)
            flash(err.translate(_), "danger")
            return redirect(show)
        flash(_("Done: %(action)s.", action=ACTION_LABELS[action]), "success")
        return redirect(show)

    @expose("/entrustment/<int:pk>")
    @has_access
    def entrustment_letter(self, pk):
        """《信访事项代办授权委托书》: blank for signing before acceptance (the signed letter
        is what acceptance needs), filled in with the agent and dates after."""
        case = self._case_or_404(pk)
        return self.render_template("daiban/print_entrustment.html", case=case,
                                    today=clock.today())

    @expose("/entrustment_scan/<int:pk>")
    @has_access
    def entrustment_scan(self, pk):
        """The uploaded scan of the signed entrustment (scoped like the case)."""
        case = self._case_or_404(pk)
        if identity_withheld(case) or not uploads.is_stored_scan(case.entrustment_file):
            abort(404)
        return send_from_directory(uploads.upload_dir(), case.entrustment_file,
                                   as_attachment=True)

    @expose("/notice/<int:pk>")
    @has_access
    def non_acceptance_notice(self, pk):
        """The written notice that a matter is not accepted, why, and where to go."""
        case = self._case_or_404(pk)
        if case.decline_reason is None:
            flash(_("This case has not been declined."), "warning")
            return redirect(url_for(f"{self.endpoint}.show", pk=pk))
        return self.render_template("daiban/print_notice.html", case=case,
                                    today=clock.today())

    # --- the details: edited through the service, like every other change ------------
    @expose("/edit/<pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        """The edit page writes through ``case_service.edit_details`` (an event with
        before and after, the deadline an urgency set), never by FAB's populate_obj."""
        case = self._case_or_404(pk)
        show = url_for(f"{self.endpoint}.show", pk=case.id)
        refused = case_service.refusal("edit_details", case, g.user)
        if refused is not None:
            flash(refused.translate(_), "danger")
            return redirect(show)
        if request.method != "POST":
            return super().edit(pk)
        form = self.edit_form.refresh(request.form)
        if form.validate():
            changes = {name: self._form_value(form, name)
                       for name in case_service.DETAIL_FIELDS if name in form}
            try:
                case_service.edit_details(case.id, g.user, version=request.form.get("version"),
                                          **changes)
            except CaseNotFound:
                abort(404)
            except DomainError as err:
                flash(err.translate(_), "danger")
            else:
                flash(self.edit_row_message, "success")
                return redirect(show)
        return self.render_template(self.edit_template, title=self.edit_title,
                                    widgets=self._get_edit_widget(form=form))

    @staticmethod
    def _form_value(form, name):
        value = form[name].data
        return value.id if hasattr(value, "id") else value

    @fab_action("muldelete", _l("Delete"), _l("Delete all selected rows?"), "fa-trash",
                single=False)
    def muldelete(self, items):
        if any(item.state == ARCHIVED for item in items):
            flash(_("This case is archived and can no longer be changed."), "danger")
            return redirect(self.get_redirect())
        return super().muldelete(items)

    def pre_delete(self, item):
        case_service.check_editable(item)
