"""Idempotency keys on every POST, with Stripe's semantics.

A POST may carry `Idempotency-Key: <up to 255 characters>`. The first request with a key in a
company claims it by inserting an IdempotencyKey row (the unique constraint (company, key)
lets exactly one request win, across threads, processes and machines, on SQLite and
PostgreSQL alike) and stores its response when it is done. Later requests with that key:

* while the first one still runs: 409 `idempotency_key_in_use` (try again a little later);
* same method, path, query and body: the stored response is replayed, with the header
  `Idempotent-Replayed: true`; nothing runs again;
* anything else: 422 `idempotency_key_reused`.

A request that did not run its use case (401, 403, 429, a server error) gives its key back, so
a retry may run. Keys are kept at least KEEP; `idempotency_keys_expire` (a periodic job of
runtime/worker.py) removes older ones, and claims left RUNNING by a process that died.

Applied to every operation of the API by `api.add_decorator(idempotent, mode="view")` in main.py; the
OpenAPI document gets the header and the 409/422 answers on every POST there too.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from functools import wraps

from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from kassenwart.api.auth import request_token
from kassenwart.api.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
MAX_KEY = 255
KEEP = timedelta(hours=24)
STALE = timedelta(hours=1)  # a claim still RUNNING this long lost its process
NOT_RUN = {401, 403, 429}


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "field": HEADER}, status=status)


def fingerprint(request) -> str:
    """What makes two requests the same: method, path, query and content. A multipart body is
    read as its fields and files (its boundary differs from one sending to the next)."""
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}?{request.META.get('QUERY_STRING', '')}\n".encode())
    if request.content_type == "multipart/form-data":
        for name in sorted(request.POST):
            digest.update(f"{name}={request.POST.getlist(name)!r}\n".encode())
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                digest.update(f"{name}:{upload.name}:".encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        digest.update(request.content_type.encode() + b"\n" + request.body)
    return digest.hexdigest()


def idempotent(run):
    """The decorator of every operation (ninja's mode "view": it wraps auth, validation and the
    handler, and sees the final response)."""

    @wraps(run)
    def wrapped(request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None:
            return run(request, *args, **kwargs)
        token = request_token(request)
        if token is None:
            return run(request, *args, **kwargs)  # the auth answers 401
        if not key.strip() or len(key) > MAX_KEY:
            return _error(422, "invalid", _("An idempotency key has 1 to 255 characters."))
        try:
            mark = fingerprint(request)
        except RequestDataTooBig:
            return run(request, *args, **kwargs)  # answered in the error shape (errors.py)
        # Read first: on SQLite the claim's INSERT would wait for the write lock the running
        # request holds, and only then find its row; a read sees it at once (WAL).
        if IdempotencyKey.objects.filter(company_id=token.company_id, key=key).exists():
            return _answer_again(token.company_id, key, mark)
        try:
            with transaction.atomic():
                claim = IdempotencyKey.objects.create(company_id=token.company_id, token=token, key=key,
                                                      fingerprint=mark, created_at=timezone.now())
        except IntegrityError:
            return _answer_again(token.company_id, key, mark)
        try:
            response = run(request, *args, **kwargs)
        except BaseException:
            IdempotencyKey.objects.filter(pk=claim.pk).delete()
            raise
        if response.status_code >= 500 or response.status_code in NOT_RUN or getattr(response, "streaming", False):
            IdempotencyKey.objects.filter(pk=claim.pk).delete()
        else:
            IdempotencyKey.objects.filter(pk=claim.pk).update(
                state=IdempotencyKey.State.DONE, status_code=response.status_code,
                content_type=response.get("Content-Type", ""), body=bytes(response.content),
                finished_at=timezone.now())
        return response

    return wrapped


def _answer_again(company_id: int, key: str, mark: str) -> HttpResponse:
    first = IdempotencyKey.objects.filter(company_id=company_id, key=key).first()
    if first is None:  # given back a moment ago by a request that did not run
        return _error(409, "idempotency_key_in_use", _("A request with this idempotency key is still running; "
                                                       "try again shortly."))
    if first.state == IdempotencyKey.State.RUNNING:
        return _error(409, "idempotency_key_in_use", _("A request with this idempotency key is still running; "
                                                       "try again shortly."))
    if first.fingerprint != mark:
        return _error(422, "idempotency_key_reused", _("This idempotency key was used for another request."))
    response = HttpResponse(bytes(first.body), status=first.status_code, content_type=first.content_type)
    response[REPLAYED] = "true"
    return response


def idempotency_keys_expire(now=None) -> int:
    """Remove keys older than KEEP, and claims RUNNING longer than STALE; returns how many."""
    now = now or timezone.now()
    old = IdempotencyKey.objects.filter(created_at__lt=now - KEEP).delete()[0]
    stale = IdempotencyKey.objects.filter(state=IdempotencyKey.State.RUNNING, created_at__lt=now - STALE).delete()[0]
    return old + stale
