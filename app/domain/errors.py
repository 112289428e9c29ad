"""Refusals a user can be shown. Plain Python: messages are English msgids with
%(name)s parameters, translated where they are shown (``err.translate(gettext)``)."""

import datetime


class DomainError(ValueError):
    """A rule the user broke: shown to them, never a 500. The message is either a msgid
    (translated where it is shown) or already in the user's language."""

    status = 422
    code = "refused"  # stable, for API clients
    field: str | None = None  # the input field at fault, when there is one

    def __init__(self, message: str = "", **params):
        super().__init__(message)
        self.message = message
        self.params = params

    def translate(self, gettext) -> str:
        """The message in the user's language; string parameters (field names) are
        msgids too, dates are written as the reader writes them, anything else (a
        department's name) passes through unchanged."""
        params = {k: gettext(v) if isinstance(v, str) and v else _date(v)
                  for k, v in self.params.items()}
        return gettext(self.message, **params)


def _date(value):
    if isinstance(value, datetime.date):
        from app.formatting import format_date  # only where a message is shown

        return format_date(value)
    return value


class ActionNotAllowed(DomainError):
    """The action does not apply to the case in its present state."""

    code = "wrong_state"


class RoleNotAllowed(DomainError):
    """None of the user's roles may take this action."""

    status = 403
    code = "forbidden"


class CaseNotFound(DomainError):
    """No such case, or not in the user's area (the two look the same on purpose)."""

    status = 404
    code = "not_found"


class StaleCase(DomainError):
    """Someone else acted on the case since the page was loaded (422 like any other
    refusal: the request was well formed, the case has moved on)."""

    code = "stale"


class RuleBroken(DomainError):
    """The action applies, but a rule of the regulations or of the input refuses it."""

    code = "invalid"
