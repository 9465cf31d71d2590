"""The banking app's stored messages (see kassenwart.core.messages)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from kassenwart.core.messages import amount, define, nested, worded

# Words that come worded already: a statement parser's (English, with the line or element)
# where it has no code for them.
define("banking.as_written", "%(text)s")

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
define("banking.iban_kept_as_number", _("%(iban)s is not a valid IBAN; the account keeps it as its account number."))
