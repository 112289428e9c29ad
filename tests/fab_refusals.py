"""FAB's permission decorators (has_access, protect, has_access_api) log a refusal
before the view runs: whatever the path names and the request carries, the view never
reads it, so one refused request stands for every other request to that route and
method by the same role. The IDOR matrix and the route fuzzer count them to try each
refused route once."""

import logging

from flask_appbuilder.const import LOGMSG_ERR_SEC_ACCESS_DENIED


class _FabRefusals(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record):
        if record.msg == LOGMSG_ERR_SEC_ACCESS_DENIED:
            self.count += 1


REFUSALS = _FabRefusals()
logging.getLogger("flask_appbuilder.security.decorators").addHandler(REFUSALS)


def refused_by_fab(send):
    """``send()``'s response, and whether FAB's permission check refused it."""
    before = REFUSALS.count
    response = send()
    return response, REFUSALS.count > before
