"""Registers every view and API with AppBuilder, grouped by how staff think."""

from flask_babel import lazy_gettext as _l

from app.api import API_CLASSES
from app.api_accounts import ACCOUNT_APIS
from app.api_errors import install_jwt_errors
from app.api_exchange import ExchangeApi
from app.api_resources import RESOURCE_APIS
from app.api_webhooks import WebhookDeliveryApi, WebhookEndpointApi
from app.views.audit import AuditView
from app.views.cases import CaseEventView, CaseView
from app.views.cockpit import BulletinView, CockpitApi, CockpitView
from app.views.dictionaries import (
    ChannelView,
    DepartmentView,
    ExcludedCategoryView,
    ServiceCategoryView,
)
from app.views.exchange import ExchangeView
from app.views.imports import PersonImportView
from app.views.inboxes import (
    CountedLabel,
    EscalationInboxView,
    MyCasesView,
    TransferInboxView,
    pending_approvals_count,
)
from app.views.places import ChildPlaceView, PlaceView, SiteView
from app.views.records import (
    DutyRotaView,
    JointMeetingCaseView,
    JointMeetingView,
    LeaderReceptionView,
    MediationSessionView,
)
from app.views.rosters import DutyView, PersonView, PetitionerView, TrainingView
from app.views.security import RoleScopeView
from app.views.webhooks import WebhookDeliveryView, WebhookEndpointView

PLACES = _l("Places")
ROSTERS = _l("Rosters")
CASES = _l("Cases")
RECORDS = _l("Records")
DICTIONARIES = _l("Dictionaries")


def register_views(appbuilder) -> None:
    add = appbuilder.add_view
    register_cockpit(appbuilder)  # first in the menu: what leaders open
    add(PlaceView, "Places", label=_l("Places"), icon="fa-sitemap", category="Places",
        category_label=PLACES, category_icon="fa-map")
    appbuilder.add_view_no_menu(ChildPlaceView)
    add(SiteView, "Service sites", label=_l("Service sites"), icon="fa-home",
        category="Places")

    add(PersonView, "People", label=_l("People"), icon="fa-users", category="Rosters",
        category_label=ROSTERS, category_icon="fa-id-card")
    add(DutyView, "Duties", label=_l("Duties"), icon="fa-id-badge", category="Rosters")
    appbuilder.add_view(PersonImportView, "Import people", label=_l("Import people"),
                        icon="fa-upload", category="Rosters")
    add(TrainingView, "Training records", label=_l("Training records"),
        icon="fa-graduation-cap", category="Rosters")

    add(CaseView, "Cases", label=_l("Cases"), icon="fa-folder-open", category="Cases",
        category_label=CASES, category_icon="fa-folder")
    add(PetitionerView, "Petitioners", label=_l("Petitioners"), icon="fa-user",
        category="Cases")
    add(ExchangeView, "Upper-level exchange", label=_l("Upper-level exchange"),
        icon="fa-exchange", category="Cases")
    appbuilder.add_view_no_menu(CaseEventView)
    appbuilder.add_view_no_menu(JointMeetingCaseView)
    register_lifecycle_views(appbuilder)

    add(JointMeetingView, "Joint meetings", label=_l("Joint meetings"), icon="fa-gavel",
        category="Records", category_label=RECORDS, category_icon="fa-book")
    add(MediationSessionView, "Mediation sessions", label=_l("Mediation sessions"),
        icon="fa-handshake-o", category="Records")
    add(LeaderReceptionView, "Leader receptions", label=_l("Leader receptions"),
        icon="fa-user-circle", category="Records")
    add(DutyRotaView, "Duty rota", label=_l("Duty rota"), icon="fa-calendar",
        category="Records")

    add(ServiceCategoryView, "Service list", label=_l("Service list"), icon="fa-list",
        category="Dictionaries", category_label=DICTIONARIES, category_icon="fa-book")
    add(ExcludedCategoryView, "Non-acceptance list", label=_l("Non-acceptance list"),
        icon="fa-ban", category="Dictionaries")
    add(ChannelView, "Channels", label=_l("Channels"), icon="fa-random",
        category="Dictionaries")
    add(DepartmentView, "Stationed departments", label=_l("Stationed departments"),
        icon="fa-building", category="Dictionaries")

    add(AuditView, "Audit trail", label=_l("Audit trail"), icon="fa-history",
        category="Security")
    add(WebhookEndpointView, "Webhooks", label=_l("Webhooks"), icon="fa-plug",
        category="Security")
    add(WebhookDeliveryView, "Webhook deliveries", label=_l("Webhook deliveries"),
        icon="fa-paper-plane", category="Security")
    add(RoleScopeView, "Data scopes", label=_l("Data scopes"), icon="fa-filter",
        category="Security")
    for api in [*API_CLASSES, *RESOURCE_APIS, ExchangeApi, WebhookEndpointApi,
                WebhookDeliveryApi]:
        appbuilder.add_api(api)
    # accounts, roles, permissions: under their security pages' permission lists, which
    # the start-up sync would otherwise shrink to the API's
    pages = {v.class_permission_name: v for v in appbuilder.baseviews}
    for api in ACCOUNT_APIS:
        api.base_permissions = list(pages[api.class_permission_name].base_permissions)
        appbuilder.add_api(api)
    install_jwt_errors(appbuilder.sm.jwt_manager)


def register_lifecycle_views(appbuilder) -> None:
    """The inboxes of the life of a case (issue 3)."""
    add = appbuilder.add_view
    add(EscalationInboxView, "Escalation approvals",
        label=CountedLabel(_l("Escalation approvals"), pending_approvals_count),
        icon="fa-inbox", category="Cases")
    add(MyCasesView, "My cases", label=_l("My cases"), icon="fa-briefcase", category="Cases")
    add(TransferInboxView, "Transfers to my department", label=_l("Transfers to my department"),
        icon="fa-share", category="Cases")
    # the count shows on the top-level "Cases" menu too, without opening it
    cases_menu = appbuilder.menu.find("Cases")
    if cases_menu is not None:
        cases_menu.label = CountedLabel(cases_menu.label, pending_approvals_count)


def register_cockpit(appbuilder) -> None:
    """The banner cockpit and the daily bulletin (issue 4)."""
    appbuilder.add_view(CockpitView, "Cockpit", label=_l("Banner cockpit"),
                        icon="fa-tachometer", category="Cockpit",
                        category_label=_l("Cockpit"), category_icon="fa-dashboard")
    appbuilder.add_view(BulletinView, "Daily bulletin", label=_l("Daily bulletin"),
                        icon="fa-newspaper-o", category="Cockpit")
    appbuilder.add_api(CockpitApi)
