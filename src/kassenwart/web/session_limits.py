"""How long a login lasts: SESSION_IDLE_SECONDS without a request, SESSION_MAX_SECONDS after the
login at most (settings; KASSENWART_SESSION_IDLE_MINUTES, KASSENWART_SESSION_MAX_MINUTES).

Checked on every request, so a session is over the moment it is over, whatever the cookie
says. The time of the last request is written at most once a minute, so a page that polls
does not write its session every second; the idle limit is therefore kept to the minute.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.translation import gettext as _

STARTED = "kw_started"
SEEN = "kw_seen"
WRITE_EVERY = 60


class SessionLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            self._check(request, int(time.time()))
        return self.get_response(request)

    def _check(self, request, now: int) -> None:
        session = request.session
        started, seen = session.get(STARTED), session.get(SEEN)
        if started is None or seen is None:  # the first request after the login
            session[STARTED] = session[SEEN] = now
        elif now - seen > settings.SESSION_IDLE_SECONDS or now - started > settings.SESSION_MAX_SECONDS:
            logout(request)  # the session is flushed; request.user is anonymous from here on
            messages.info(request, _("You were logged out because your session ended. Please log in again."))
        elif now - seen >= WRITE_EVERY:
            session[SEEN] = now
