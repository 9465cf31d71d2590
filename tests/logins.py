"""Logging a test client in as a person would be after the password and the second factor."""

from __future__ import annotations

import time

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP


def log_in(client, user, *, with_app: bool = False):
    """The client logged in as the user; for a person who has an authenticator app, whose
    role needs one (admins, approvers) or who is given one (`with_app`: a support user, whose
    access makes it required), with an app and its code entered just now, as the login page
    leaves a session."""
    from kassenwart.companies.two_factor import authenticator_issue, authenticator_of, two_factor_required
    from kassenwart.web.step_up import SESSION_KEY

    client.force_login(user)
    device = authenticator_of(user)
    if device is None and (with_app or two_factor_required(user)):
        device = authenticator_issue(user, via="test")
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session[SESSION_KEY] = time.time()
        session.save()
    return client


def totp_code(key: bytes, at: float | None = None) -> str:
    """The code an authenticator app shows for the key (now, or at a given time)."""
    totp = TOTP(key, step=30, t0=0, digits=6)
    if at is not None:
        totp.time = at
    return f"{totp.token():06d}"
