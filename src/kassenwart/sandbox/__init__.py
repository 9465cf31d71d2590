"""The sandbox bank: a FinTS 3.0 PIN/TAN server with its own ledger (no Django).

Run it with `python -m kassenwart.sandbox --port 0`; the first line printed is JSON with
url, bank_code, login, pin, tan and product_id. In-process (tests, demo):

    server = SandboxServer(demo_bank())     # server.py, scenarios.py
    server.start()                          # a daemon thread; server.url
    server.faults.drop_after_order = 1      # reset the connection after booking the next order
    server.faults.http_500 = 2              # the next two requests get HTTP 500, unread
    server.faults.garble_after_order = 1    # the answer after booking arrives cut off
    server.faults.drop_at_dialog_end = 1    # HKEND: the bank ends the dialog, then a reset
    server.faults.error_at_dialog_end = 1   # HKEND answered with an error (9800/9010)
    server.faults.hold_after_order = 1      # book, then no answer until faults.release()
    server.faults.delay = 0.5               # seconds before every answer
    server.faults.clear()                   # none again (server.py lists them all)
    server.exchanges                        # what reached the server, and what hit it
    bank = server.bank
    bank.settings.page_size = 10            # bookings per answer before a touchdown (3040)
    bank.settings.sca_interval = timedelta(0)  # TAN at every dialog start
    bank.settings.decoupled_confirm_after_polls = None  # app confirms only on...
    bank.confirm_decoupled()                # ...this call
    bank.clock.advance(days=91)             # scripted payments arrive, SCA falls due
    bank.ledger.orders, bank.ledger.bookings  # what was executed and booked
    bank.script_payments(invoices, seed=1)  # customers pay the demo's invoices (payers.py)
    bank.return_payment("E2E-1", "MD06")    # a debtor takes a direct debit back

Faults on the command line: `--fault drop_after_order --fault http_500=2` (NAME, or NAME=N
for the next N messages it applies to). Profiles imitate real banks (profiles.py):
`python -m kassenwart.sandbox --profile sparkasse` or
`SandboxServer(demo_bank(settings_for("vop-async")))`; `--tan-methods 912` or
`demo_bank(methods=("912",))` restricts the customer's TAN methods.

Modules: protocol (messages in and out), bank (dialogs, PIN, TAN, dispatch), queries
(accounts, balance, MT940/MT942, camt, status protocol, TAN media), orders, debits and pain
(payment orders), returns (R-transactions), vop (Verification of Payee), tan and
challenges/png (TAN methods and how their challenges look), holdings (depot, MT535), bpd,
segments (segments python-fints lacks), ledger, mt940_writer, camt, payers (scripted
customers), profiles, scenarios (seed data), server (HTTP, faults, the command). Business
days (TARGET2) come from kassenwart.core.business_days, as for the product.
"""

DEMO_PORT = 8079  # where `kassenwart demo` serves it (the connection wizard prefills this URL)
