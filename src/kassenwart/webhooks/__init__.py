"""Signed webhooks: a company's endpoints receive what happened in its books.

How events get out (the design, decided here): the audit trail (core.audit) is the outbox.
Every state change a CRM cares about writes its audit event in the same transaction as the
change, so an event exists exactly when the change committed. A periodic job (`fanout`)
reads the audit events after a watermark, maps them to webhook events with stable ids
(`events`) and writes one Delivery per (endpoint, event), unique, so a scan that runs again
writes nothing twice. The delivery task (`delivery`) posts each one, signed per the Standard
Webhooks specification, and retries on a schedule for three days.

No lower layer imports this app: it reads the audit trail and the rows it names.
"""
