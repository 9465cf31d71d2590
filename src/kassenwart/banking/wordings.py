"""The banking app's stored messages (see kassenwart.core.messages)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from kassenwart.core.messages import amount, define, nested, worded

# Words that come worded already: a statement parser's (English, with the line or element)
# where it has no code for them.
define("banking.as_written", "%(text)s")
# The bank's own words (FinTS return codes and texts, "9942 PIN falsch."): data, shown as sent.
define("banking.bank_said", "%(text)s")

# What a statement parser says by code (formats/statement.py NOTES, the same English words).
define("banking.file.empty", _("the file is empty"))
define("banking.file.utf16", _("the file is UTF-16 text; save it as UTF-8 (or Windows-1252) to import it"))
define("banking.file.binary", _("not a statement file (binary data)"))
define("banking.file.not_a_statement", _("not a camt, MT940 or CSV statement file"))
define("banking.file.no_reference", _("line %(line)s: statement without :20: reference"))
define("banking.file.no_account", _("line %(line)s: statement without :25: account"))
define("banking.file.second_account", _("line %(line)s: another :25: in the statement, ignored"))
define("banking.file.balance_without_currency",
       _("line %(line)s: :%(tag)s: balance without currency, read as %(currency)s (the currency of "
         ":%(other_tag)s: in line %(other_line)s)"))
define("banking.file.day_after_month_end", _("line %(line)s: :%(tag)s: date %(date)s does not exist, read as day %(day)s"))
define("banking.file.column_missing", _('line %(line)s: column "%(column)s" is not in the file'))
define("banking.file.row_without_amount", _("line %(line)s: a row without an amount, left out"))
define("banking.file.running_balance_off", _("line %(line)s: the running balance does not add up; no balances taken"))


def _places(values) -> str:
    return ", ".join(worded(value) for value in values)


# camt warnings: the place (an element, and its line), what was wrong and how it was read; a
# kind of problem that happened again names the next places and counts the rest.
define("banking.file.at_line", _("%(element)s (line %(line)s)"))
define("banking.file.repeated", _("%(first)s (also %(places)s)"), first=nested, places=_places)
define("banking.file.repeated_more", _("%(first)s (also %(places)s and %(more)s more)"), first=nested, places=_places)
define("banking.file.camt_no_booking_date", _("%(place)s: booked entry without booking date (BookgDt)"), place=nested)
define("banking.file.camt_batch_sum",
       _("%(place)s: the amounts of its %(count)s TxDtls are missing or do not add up to the entry amount; "
         "kept as one entry with the details of the first"), place=nested)
define("banking.file.camt_no_status", _("%(place)s: no status (Sts), taken as booked"), place=nested)
define("banking.file.camt_text_status", _("%(place)s: plain-text Sts %(status)s in %(format)s"), place=nested)
define("banking.file.camt_unknown_status", _("%(place)s: unknown status %(status)s, taken as pending"), place=nested)
define("banking.file.camt_balance_no_indicator", _("%(place)s: balance without CdtDbtInd, taken as credit"),
       place=nested)
define("banking.file.camt_net_total_no_indicator", _("%(place)s: net total without CdtDbtInd, taken as credit"),
       place=nested)
define("banking.file.camt_no_currency", _("%(place)s: Amt without Ccy, taken as the account currency %(currency)s"),
       place=nested)

define("banking.connection_needs_tan", _("%(name)s needs a TAN: sync it by hand."))

# What an import did, or why it was refused.
define("banking.balance_differs",
       _("Statement %(id)s of %(account)s: opening %(opening)s + entries %(total)s differs from closing "
         "%(closing)s by %(difference)s."),
       opening=amount, total=amount, closing=amount, difference=amount)
define("banking.account_added", _("Added account %(account)s."))
define("banking.no_statement", _("the file contains no statement"))
define("banking.csv_layout_unknown",
       _("This CSV layout is not known. Map its columns once for the account: on the Statements page with "
         "\"Map CSV columns\", or with kassenwart csv-layout FILE (the columns and a mapping to fill in) and "
         "kassenwart import-statement --account ACCOUNT --mapping MAPPING.json FILE. The mapping is kept for "
         "the account's next files."))
define("banking.account_contradicts",
       _("The file is for account %(file)s, not the chosen account %(chosen)s; choose that account or "
         "import the file without choosing one."))
define("banking.csv_several_accounts",
       _("The file holds statements of several accounts (%(accounts)s); import it without choosing an "
         "account, so each goes to its own."))
define("banking.account_not_named",
       _("The file does not name its account (no IBAN or account number); choose the account to import it into."))
define("banking.account_unknown",
       _("The file is for account %(account)s, which %(company)s does not have yet. "
         "An admin can import it once to add the account."))
define("banking.pending_left_out", ngettext_lazy(
    "%(count)d pending entry left out: this kind of statement does not list all of an account's pending "
    "transactions, so it would be mistaken for the whole list.",
    "%(count)d pending entries left out: this kind of statement does not list all of an account's pending "
    "transactions, so they would be mistaken for the whole list.", "count"))
define("banking.parse_stopped",
       _("The file could not be read to the end: the process reading it stopped (%(why)s). Nothing was "
         "imported; import the file again."))
define("banking.iban_kept_as_number", _("%(iban)s is not a valid IBAN; the account keeps it as its account number."))


# Why a bank call failed or how it ended (fints/client.py, login.py, orders.py): stored with an
# order that it concerns, worded for whoever reads it later. "said" holds the bank's own words.
define("banking.no_reason", _("no reason given"))
define("banking.fints.pin_wrong", _("The bank refused the PIN. Enter the right PIN on the connection "
                                    "page; Kassenwart will not try again by itself."))
define("banking.fints.pin_blocked", _("The bank has locked this online banking access (too many wrong "
                                      "PINs). Unlock it with your bank, then enter the PIN again."))
define("banking.fints.unreachable", _("The bank's FinTS server did not answer (%(error)s). Check the "
                                      "server URL; if it is right, the bank may be down for a while."))
define("banking.fints.tan_asked", _("The bank asks for a TAN."))
define("banking.fints.tan_asked_before_accounts", _("The bank asks for a TAN before it shows the accounts. Sync by "
                                                    "hand from the connection page to give one."))
define("banking.fints.tan_required", _("The bank asks for a TAN. Sync by hand from the connection page "
                                       "to give one."))
define("banking.fints.tan_required_at_login", _("The bank asks for a TAN at login. Sync by hand from the "
                                                "connection page to give one."))
define("banking.fints.query_tan_required", _("The bank asks for a TAN to read the accounts. Sync by hand "
                                             "from the connection page to give one."))
define("banking.fints.not_offered", _("The bank does not offer this over FinTS: %(error)s"))
define("banking.fints.no_statements", _("The bank offers no account statements over FinTS."))
define("banking.fints.product_refused", _("The bank does not accept Kassenwart's FinTS product id (%(said)s). "
                                          "Register one with the Deutsche Kreditwirtschaft and set "
                                          "KASSENWART_FINTS_PRODUCT_ID (see the README)."))
define("banking.fints.refused", _("The bank refused: %(said)s"), said=nested)
define("banking.fints.tan_wrong", _("The TAN was wrong. Enter it again; the bank allows only a few tries."))
define("banking.fints.tan_expired", _("The bank ended the dialog before the TAN arrived (after 15 minutes "
                                      "or too many wrong TANs). Start the sync again for a new TAN."))
define("banking.fints.debit_scheme", _("Kassenwart sends SEPA Core and B2B direct debits only, not %(scheme)s."))
define("banking.fints.connection_broke", _("The connection to the bank broke after the order was sent, so "
                                           "it is not known whether the bank executed it. It will not be "
                                           "sent again by itself: check the account statement."))
define("banking.fints.payee_check_unfinished", _("The bank's payee check did not finish in time, so the bank "
                                                 "did not execute the transfer. Send it again later."))
define("banking.fints.dialog_had_ended", _("The bank had ended the dialog (%(said)s), so it did not take the "
                                           "answer and did not execute the transfer. Send it again."))
define("banking.fints.held_back", _("The bank held the transfer back without asking for a TAN (%(said)s), so "
                                    "it did not execute it. Send it again."))
define("banking.fints.answer_silent", _("The bank's answer said nothing about the order (%(said)s). It will "
                                        "not be sent again by itself: check the account statement."),
       said=nested)
define("banking.fints.pin_not_kept", _("The PIN is not kept for this connection: enter it to sync."))
define("banking.fints.secret_unusable", _("The saved secrets of this connection (%(what)s) were altered or "
                                          "sealed with another key, so they are not used. Enter the PIN "
                                          "again to reconnect."))
define("banking.fints.app_confirmation_late", _("The app confirmation did not arrive in time. Send the order "
                                                "again."))
define("banking.fints.order_dialog_ended", _("The bank ended the dialog (after 15 minutes without an answer). "
                                             "The order was not executed; send it again."))

# Why a payment provider's sync failed (banking/providers): what a person can do about it.
# "detail" holds the provider's own short words, shown as sent.
define("banking.provider.credentials_refused", _("%(provider)s refused the credentials (%(detail)s). Enter "
                                                 "valid API credentials on the connection page; scheduled syncs "
                                                 "wait until then."))
define("banking.provider.access_revoked", _("%(provider)s no longer grants this access (%(detail)s): the key or "
                                            "app was revoked or lacks a permission. Grant it again at "
                                            "%(provider)s and enter the credentials anew."))
define("banking.provider.rate_limited", _("%(provider)s asked Kassenwart to slow down (too many requests). The "
                                          "next scheduled sync tries again; nothing to do."))
define("banking.provider.unavailable", _("%(provider)s did not answer properly (%(detail)s). The next scheduled "
                                         "sync tries again; if it keeps failing, check the provider's status "
                                         "page."))
define("banking.provider.unreadable", _("%(provider)s answered in a way Kassenwart cannot read (%(detail)s). "
                                        "The next scheduled sync tries again."))
define("banking.provider.failed", _("The sync with %(provider)s failed (%(detail)s)."))
define("banking.provider.secret_unusable", _("The saved credentials of this connection were altered or sealed "
                                             "with another key, so they are not used. Enter them again."))
