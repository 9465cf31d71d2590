# cython: language_level=3, boundscheck=False, wraparound=False
"""The walk of the camt reader (camt.py), in C: the texts (and, where asked, the elements)
at given paths of local names under an lxml element, found by walking libxml2's nodes through
lxml's public C API. Python objects are made only for what is found, not for every element on
the way (an lxml proxy, its .tag and its .text cost some 360 ns an element from Python; an entry
of a statement needs some 45 elements visited).

The order is that of the pure-Python walk this replaces: the elements to enter are kept on a
stack, so a path's elements with one parent come in document order, and elements of the same
path under different parents come from the last parent first.

Beside the walk, the reading of an entry (Ntry) and its transactions (TxDtls) into Entry
objects (Entries), with the value helpers camt.py's header reading uses too: in Python, the
lookups, checks and small calls of an entry cost more than the walk, and with a large file
parsed in a child interpreter (camt_child) the parse is the import's critical path. What is
usual (an amount of digits, a date of the form YYYY-MM-DD) is read here; anything else goes
the general way, which refuses or warns with the same words as ever.
"""

import re
from datetime import date, datetime
from decimal import Decimal

from cpython.dict cimport PyDict_GetItem, PyDict_SetItem
from cpython.list cimport PyList_GET_ITEM, PyList_GET_SIZE
from cpython.mem cimport PyMem_Free, PyMem_Realloc
from cpython.ref cimport PyObject
from libc.string cimport strcmp

cimport lxml.includes.etreepublic as cetree
from lxml.includes cimport tree

from lxml import etree

from kassenwart.banking.formats.statement import BOOKED, PENDING, Entry
from kassenwart.core.money import LARGEST, to_money

cetree.import_lxml__etree()  # binds lxml's C API (function pointers from lxml.etree)


cdef class Tree:
    """The paths a reader looks up ("RltdPties/Dbtr/Nm"), as a tree of local names; one
    object per level. For each name of the level: the path that ends there (or None), whether
    that path's elements are kept (else only its texts), and the level below (or None)."""

    cdef list names  # bytes (UTF-8, as libxml2 holds names)
    cdef list paths
    cdef list kept
    cdef list below

    def __init__(self, paths=(), kept=()):
        self.names, self.paths, self.kept, self.below = [], [], [], []
        unknown = set(kept) - set(paths)
        if unknown:
            raise ValueError(f"kept paths that are not looked up: {sorted(unknown)}")
        for path in paths:
            self._add(path, path in kept)

    def _add(self, str path, bint keep):
        cdef Tree level = self
        cdef list names = path.split("/")
        for depth, name in enumerate(names, start=1):
            index = _find(level, name.encode())
            if index < 0:
                level.names.append(name.encode())
                level.paths.append(None)
                level.kept.append(False)
                level.below.append(None)
                index = len(level.names) - 1
            if depth == len(names):
                level.paths[index] = path
                level.kept[index] = keep
            else:
                if level.below[index] is None:
                    level.below[index] = Tree()
                level = level.below[index]


cdef inline Py_ssize_t _find(Tree level, const char* name):
    """The index of a local name in a level, -1 when it is not there (a level has a few
    names: comparing them beats making a Python string of the name to look it up)."""
    cdef list names = level.names
    cdef Py_ssize_t index
    for index in range(PyList_GET_SIZE(names)):
        if strcmp(<const char*><bytes>PyList_GET_ITEM(names, index), name) == 0:
            return index
    return -1


cdef inline unicode _stripped(unicode text):
    """text.strip(), without the call when the ends are visible ASCII (the usual case)."""
    cdef Py_ssize_t size = len(text)
    if size == 0:
        return text
    cdef Py_UCS4 first = text[0]
    cdef Py_UCS4 last = text[size - 1]
    if 0x20 < first < 0x80 and 0x20 < last < 0x80:
        return text
    return text.strip()


cdef class Found:
    """What a walk found under `root` at the paths of a Tree: of every path the texts
    (stripped, "" for an element without text), of the paths the tree keeps the elements."""

    cdef readonly object root
    cdef readonly dict texts_at  # path -> the text of its first element
    cdef dict more  # path -> the texts of all its elements, for paths found more than once
    cdef dict kept  # path -> its elements, for the kept paths
    cdef Tree tree

    def all(self, str path):
        """The elements at a path the tree keeps."""
        return self.kept.get(path, [])

    def first(self, str path):
        """The first element at a path the tree keeps, None when there is none."""
        found = self.kept.get(path)
        return found[0] if found else None

    def element(self, str path):
        """The first element at a path that was found, kept or not (for an error to say where)."""
        return _walk(self.root, self.tree, True).kept[path][0]

    def text(self, str path):
        return self.texts_at.get(path, "")

    def texts(self, str path):
        more = self.more.get(path)
        if more is not None:
            return more
        text = self.texts_at.get(path)
        return [] if text is None else [text]

    def first_text(self, paths):
        """The first of `paths` with a text (``text(a) or text(b) or ...``)."""
        for path in paths:
            text = self.texts_at.get(path)
            if text:
                return text
        return ""


def walk(cetree._Element root not None, Tree paths not None):
    """The texts and kept elements under `root` at the paths of `paths` (see Found)."""
    return _walk(root, paths, False)


cdef Found _walk(cetree._Element root, Tree paths, bint every_element):
    """The walk; `every_element` keeps the elements of every path, not only the kept ones."""
    cdef dict texts = {}
    cdef dict more = {}
    cdef dict elements = {}
    # The stack of (node, level) still to enter; the levels are borrowed from `paths`,
    # which holds them for the whole walk.
    cdef Py_ssize_t top = 0, size = 16
    cdef tree.xmlNode** nodes = NULL
    cdef PyObject** levels = NULL
    cdef tree.xmlNode* node
    cdef tree.xmlNode* child
    cdef Tree level
    cdef Py_ssize_t index
    cdef object path, below, text
    cdef PyObject* seen
    try:
        nodes = <tree.xmlNode**>PyMem_Realloc(nodes, size * sizeof(tree.xmlNode*))
        levels = <PyObject**>PyMem_Realloc(levels, size * sizeof(PyObject*))
        if nodes is NULL or levels is NULL:
            raise MemoryError()
        nodes[0], levels[0], top = root._c_node, <PyObject*>paths, 1
        while top:
            top -= 1
            node, level = nodes[top], <Tree>levels[top]
            child = node.children
            while child is not NULL:
                # Only element nodes have names to match: text and CDATA nodes are content
                # (read by textOf below); the parser drops comments and PIs, and there are
                # no entity references (no DTD: camt.py refuses a DOCTYPE before any walk).
                if child.type == tree.XML_ELEMENT_NODE:
                    index = _find(level, <const char*>child.name)  # the local name, no prefix
                    if index >= 0:
                        path = <object>PyList_GET_ITEM(level.paths, index)
                        if path is not None:
                            # lxml's .text: the element's leading text and CDATA nodes,
                            # joined (libxml2 may split a text), None when there are none.
                            text = cetree.textOf(child)
                            text = "" if text is None else _stripped(text)
                            seen = PyDict_GetItem(texts, path)
                            if seen is NULL:
                                PyDict_SetItem(texts, path, text)
                            elif path in more:
                                more[path].append(text)
                            else:
                                more[path] = [<object>seen, text]
                            if every_element or <object>PyList_GET_ITEM(level.kept, index):
                                found = elements.get(path)
                                if found is None:
                                    elements[path] = found = []
                                found.append(cetree.elementFactory(root._doc, child))
                        below = <object>PyList_GET_ITEM(level.below, index)
                        if below is not None:
                            if top == size:
                                size *= 2
                                nodes = <tree.xmlNode**>_grown(nodes, size * sizeof(tree.xmlNode*))
                                levels = <PyObject**>_grown(levels, size * sizeof(PyObject*))
                            nodes[top], levels[top] = child, <PyObject*>below
                            top += 1
                child = child.next
    finally:
        PyMem_Free(nodes)
        PyMem_Free(levels)
    cdef Found found_ = Found.__new__(Found)
    found_.root, found_.tree, found_.texts_at, found_.more, found_.kept = root, paths, texts, more, elements
    return found_


cdef void* _grown(void* memory, size_t size) except NULL:
    cdef void* grown = PyMem_Realloc(memory, size)
    if grown is NULL:
        raise MemoryError()
    return grown


def local_name(cetree._Element element not None):
    """An element's tag without its namespace ("Ntry"), read from libxml2's node: cheaper
    than splitting lxml's .tag, which makes the "{namespace}Ntry" string first."""
    return (<const char*>element._c_node.name).decode("utf-8")


cdef object _line(cetree._Element element):
    """An element's line in the file, as its sourceline gives it (None when unknown):
    libxml2 keeps lines below 65535 in the node, larger ones elsewhere."""
    cdef unsigned short line = element._c_node.line
    if 0 < line < 65535:
        return line
    return element.sourceline


# -- values -----------------------------------------------------------------------------------
# Of the texts a walk found (Found): the general way of each is that of the pure-Python
# reader this replaces; the usual case skips to its result.

class Invalid(Exception):
    """Raised by the value helpers; camt.py's reader turns it into a StatementFormatError
    that names the element's place."""

    def __init__(self, message, element):
        super().__init__(message)
        self.message = message
        self.element = element


_AMOUNT = re.compile(r"[0-9]+(\.[0-9]*)?|\.[0-9]+")
_DATE = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})(Z|[+-][0-9]{2}:[0-9]{2})?")
_COUNT = re.compile(r"[0-9]{1,15}")
cdef Py_ssize_t _WHOLE_DIGITS = len(str(int(LARGEST)))  # an amount with no more digits before the point fits
cdef dict _DAYS = {}  # text -> its date (or None): a large statement has many entries and few days
cdef Py_ssize_t _DAYS_KEPT = 4096


cpdef str currency_of(amount):
    """The currency of an Amt element, "" when it has none or there is no element."""
    if amount is None:
        return ""
    return (cetree.getAttributeValue(<cetree._Element?>amount, "Ccy", None) or "").strip().upper()


cpdef object credit_debit(Found holder):
    """+1 for CRDT, -1 for DBIT, None when the holder has no CdtDbtInd."""
    text = holder.texts_at.get("CdtDbtInd")
    if text is None:
        return None
    code = text.upper()
    if code == "CRDT":
        return 1
    if code == "DBIT":
        return -1
    raise Invalid(f"CdtDbtInd {code!r} is neither CRDT nor DBIT", holder.element("CdtDbtInd"))


cpdef object decimal(Found holder, str path, bint signed=False):
    """The amount at `path`, exactly as written; only summary sums (xs:decimal) may carry a
    sign. A sub-cent or oversized amount is refused, never rounded."""
    cdef str text = holder.texts_at.get(path, "")
    if _plain_amount(text):  # the usual case: it fits the books as written
        return Decimal(text)
    digits = text[1:] if signed and text[:1] in ("+", "-") else text
    if not _AMOUNT.fullmatch(digits):
        raise Invalid(f"amount {text!r} is not a decimal number", holder.element(path))
    whole, _point, fraction = digits.partition(".")
    if len(fraction) > 2 or len(whole) > _WHOLE_DIGITS:
        try:
            to_money(text)
        except ValueError as error:
            raise Invalid(f"amount {error}", holder.element(path)) from error
    return Decimal(text)


cdef bint _plain_amount(str text):
    """Whether `text` is ASCII digits, with at most two after a point and no more before it
    than the books hold: an amount that needs none of the general checks."""
    cdef Py_ssize_t size = len(text), index, point = -1
    cdef Py_UCS4 char
    if size == 0:
        return False
    for index in range(size):
        char = text[index]
        if char == u".":
            if point >= 0:
                return False
            point = index
        elif not (u"0" <= char <= u"9"):
            return False
    if point < 0:
        return size <= _WHOLE_DIGITS
    return 0 < point <= _WHOLE_DIGITS and size - point - 1 <= 2


cpdef object iso_date(str text):
    """The date of a text YYYY-MM-DD (a time zone or Z may follow, as some banks write it),
    None when it is none."""
    day = _DAYS.get(text, _DAYS)
    if day is not _DAYS:
        return day
    day = None
    match = _DATE.fullmatch(text)
    if match:
        try:
            day = date.fromisoformat(match[1])
        except ValueError:
            pass
    if len(_DAYS) >= _DAYS_KEPT:
        _DAYS.clear()
    _DAYS[text] = day
    return day


cdef object _date_value(Found holder, str path):
    text = holder.texts_at[path]
    day = iso_date(text)
    if day is None:
        raise Invalid(f"date {text!r} is not an ISO date (YYYY-MM-DD)", holder.element(path))
    return day


cpdef object datetime_at(Found holder, str path):
    """The date and time at `path`, None when there is none."""
    text = holder.texts_at.get(path)
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise Invalid(f"date and time {text!r} is not ISO 8601", holder.element(path)) from None


cpdef object date_of(Found holder, str path):
    """The date of the date and time at `path`, None when there is none."""
    moment = datetime_at(holder, path)
    return moment.date() if moment else None


cpdef object date_choice(Found holder, str day_path, str moment_path):
    """The date of a date-or-date-time choice (the paths of its <Dt> and <DtTm>), None when
    absent."""
    if day_path in holder.texts_at:
        return _date_value(holder, day_path)
    return date_of(holder, moment_path)


# -- entries ----------------------------------------------------------------------------------
# camt.py's entries are read here: they are the cost that counts in a large file.

_STATUS = {"BOOK": BOOKED, "PDNG": PENDING, "INFO": PENDING, "FUTR": PENDING}
# Sts became a choice (<Sts><Cd>BOOK</Cd></Sts>) in version 7; older versions use text.
cdef int _STATUS_CHOICE_SINCE = 7
# Entry's fields in the order of the tuples made here (checked against the dataclass below).
ENTRY_FIELDS = (
    "amount", "currency", "booking_date", "value_date", "status", "counterparty_name", "counterparty_iban",
    "counterparty_bic", "ultimate_debtor", "ultimate_creditor", "remittance", "structured_reference",
    "end_to_end_id", "mandate_id", "creditor_id", "bank_reference", "transaction_code", "dk_code", "purpose_code",
    "return_reason", "reversal", "batch_reference", "batch_size", "source", "provider_id",
)
if tuple(Entry.__dataclass_fields__) != ENTRY_FIELDS:
    raise ImportError("Entry's fields changed: change ENTRY_FIELDS and the tuples of _camt_walk.pyx with them")


cdef class Entries:
    """Reads the entries (Ntry) of one statement: into Entry objects, or, with `as_values`,
    into tuples of their values in Entry's field order (``Entry(*values)`` makes the entry;
    what a child interpreter sends, see camt_child). Warnings go to the statement's warnings
    (camt._Warnings), in the order the values are read."""

    cdef Tree entry_paths, transaction_paths
    cdef str currency, statement_id, own_iban, format
    cdef int version
    cdef object warnings
    cdef bint as_values

    def __init__(self, header, warnings, int version, str format, Tree entry_paths not None,
                 Tree transaction_paths not None, bint as_values=False):
        self.currency, self.statement_id, self.own_iban = header.currency, header.statement_id, header.account_iban
        self.warnings, self.version, self.format, self.as_values = warnings, version, format, as_values
        self.entry_paths, self.transaction_paths = entry_paths, transaction_paths

    def read(self, cetree._Element element not None, Py_ssize_t number):
        """The items of the Ntry `element`, the statement's `number`th: one, or one per
        transaction (TxDtls) of a batch whose amounts add up."""
        cdef Found ntry = _walk(element, self.entry_paths, False)
        cdef dict texts = ntry.texts_at
        where = f"Ntry {number} (line {_line(element)})"
        amount_element = ntry.first("Amt")
        if amount_element is None:
            raise Invalid("Ntry without Amt", element)
        indicator = credit_debit(ntry)
        if indicator is None:
            raise Invalid("Ntry without CdtDbtInd: the sign of the amount is unknown", element)
        # Each value is read once, in this order (that of the warnings).
        amount = decimal(ntry, "Amt") * indicator
        currency = currency_of(amount_element)
        if not currency:
            self.warnings.add(where, "camt_no_currency", currency=repr(self.currency))
            currency = self.currency
        booking_date = date_choice(ntry, "BookgDt/Dt", "BookgDt/DtTm")
        value_date = date_choice(ntry, "ValDt/Dt", "ValDt/DtTm")
        status = self._status(texts, where)
        reversal = texts.get("RvslInd", "").lower() in ("true", "1")
        # the entry's own reference and codes (bank reference, transaction code, DK code); its
        # TxDtls may have their own
        codes = (texts.get("AcctSvcrRef", ""), domain_code(texts), dk_code(texts))
        if booking_date is None and status == BOOKED:  # pending: not booked yet
            self.warnings.add(where, "camt_no_booking_date")
        # Version 1 has no NtryDtls: its TxDtls are children of the Ntry.
        cdef list details = [_walk(tx, self.transaction_paths, False)
                             for tx in ntry.all("NtryDtls/TxDtls") or ntry.all("TxDtls")]
        batch_size = max(len(details), _batch_count(ntry))
        batch_reference = ""
        if batch_size > 1:
            batch_reference = codes[0] or texts.get("NtryRef") or f"{self.statement_id}/{number}"
        else:
            batch_size = 1  # Entry's default; NbOfTxs 0 says no more
        common = (currency, booking_date, value_date, status, reversal, batch_reference, batch_size)
        amounts = split(details, amount, currency) if len(details) > 1 else None
        if len(details) > 1 and amounts is None:
            self.warnings.add(where, "camt_batch_sum", count=len(details))
        if amounts is None:
            if not details:
                return [self._made((amount, currency, booking_date, value_date, status, "", "", "", "", "", "", "",
                                    "", "", "", codes[0], codes[1], codes[2], "", "", reversal, batch_reference,
                                    batch_size, where, ""))]
            return [self._made(self._transaction(details[0], amount, where, codes, common))]
        cdef Found transaction
        made = []
        for index in range(len(details)):
            transaction = details[index]
            source = f"Ntry {number} TxDtls {index + 1} (line {_line(<cetree._Element>transaction.root)})"
            made.append(self._made(self._transaction(transaction, amounts[index], source, codes, common)))
        return made

    cdef object _made(self, tuple values):
        return values if self.as_values else Entry(*values)

    cdef str _status(self, dict texts, str where):
        if "Sts" not in texts:
            self.warnings.add(where, "camt_no_status")
            return BOOKED
        code = texts.get("Sts/Cd") or texts.get("Sts/Prtry") or ""
        if not code:
            code = texts.get("Sts", "")
            if self.version >= _STATUS_CHOICE_SINCE:
                self.warnings.add(where, "camt_text_status", status=repr(code), format=self.format)
        known = _STATUS.get(code.upper())
        if known is None:
            self.warnings.add(where, "camt_unknown_status", status=repr(code))
            return PENDING
        return known

    cdef tuple _transaction(self, Found transaction, amount, str source, tuple codes, tuple common):
        """The values of the Entry of one TxDtls of `amount`: what the TxDtls tells, the
        entry's values (`common`: currency, dates, status, reversal, batch reference and
        size), and the entry's reference and codes (`codes`: bank reference, transaction
        code, DK code) where the TxDtls is silent."""
        cdef dict texts = transaction.texts_at
        indicator = credit_debit(transaction)
        credit = indicator > 0 if indicator is not None else amount >= 0
        # A credit comes from the debtor, a debit goes to the creditor; when that side is our
        # own account (returns and reversals describe the original transaction), take the other side.
        cdef tuple side = _DEBTOR if credit else _CREDITOR
        cdef str counterparty_iban = _account(texts, side[1])
        if self.own_iban and counterparty_iban == self.own_iban:
            side = _CREDITOR if credit else _DEBTOR
            counterparty_iban = _account(texts, side[1])
        end_to_end = texts.get("Refs/EndToEndId", "")
        return (
            amount, common[0], common[1], common[2], common[3],
            _either(texts, side[0]),  # counterparty_name
            counterparty_iban,
            _either(texts, side[2]),  # counterparty_bic
            _either(texts, _ULTIMATE_DEBTOR),
            _either(texts, _ULTIMATE_CREDITOR),
            _remittance(transaction),
            _first_filled(transaction, CREDITOR_REFERENCE),  # structured_reference
            "" if end_to_end.upper() == "NOTPROVIDED" else end_to_end,
            texts.get("Refs/MndtId", ""),  # mandate_id
            _creditor_id(transaction),
            texts.get("Refs/AcctSvcrRef") or codes[0],  # bank_reference
            domain_code(texts) or codes[1],  # transaction_code
            dk_code(texts) or codes[2],
            texts.get("Purp/Cd") or texts.get("Purp/Prtry", ""),  # purpose_code
            texts.get("RtrInf/Rsn/Cd") or texts.get("RtrInf/Rsn/Prtry", ""),  # return_reason
            common[4], common[5], common[6],  # reversal, batch_reference, batch_size
            source,
            "",  # provider_id
        )


cdef object _batch_count(Found ntry):
    if "NtryDtls/Btch/NbOfTxs" not in ntry.texts_at and "Btch/NbOfTxs" not in ntry.texts_at:  # the usual case
        return 1
    texts = ntry.texts("NtryDtls/Btch/NbOfTxs") + ntry.texts("Btch/NbOfTxs")  # Btch: version 1
    return max([int(text) for text in texts if _COUNT.fullmatch(text)], default=1)


def split(list details, total, str currency):
    """The signed amount of each TxDtls, or None when one is missing, in another currency,
    or they do not add up to the entry's amount."""
    cdef Found transaction
    amounts = []
    for transaction in details:
        path = "Amt" if "Amt" in transaction.texts_at else "AmtDtls/TxAmt/Amt"
        element = transaction.first(path)
        if element is None or (currency_of(element) or currency) != currency:
            return None
        indicator = credit_debit(transaction)
        # Without its own indicator a transaction goes the entry's way.
        direction = indicator if indicator is not None else (1 if total >= 0 else -1)
        amounts.append(decimal(transaction, path) * direction)
    return amounts if sum(amounts) == total else None


cdef str _remittance(Found transaction):
    """The unstructured remittance: the file's lines, joined with "\\n"."""
    path = "RmtInf/Ustrd"
    if path not in transaction.more:  # one line or none, the usual case
        return transaction.texts_at.get(path, "")
    return "\n".join([text for text in transaction.texts(path) if text])


cdef str _first_filled(Found transaction, str path):
    """The first text at `path` that is not empty."""
    if path not in transaction.more:
        return transaction.texts_at.get(path, "")
    return next(filter(None, transaction.texts(path)), "")


# -- the values of one TxDtls ---------------------------------------------------------------

def _side(str party):
    """The paths of one side of a transaction: its party's name, account and agent's BIC.
    Version 8 and later wrap the party (Dbtr/Pty/Nm; before: Dbtr/Nm) and name the BIC
    BICFI (before: BIC); version 1 has PrtryAcct where later ones have Othr."""
    return (
        (f"RltdPties/{party}/Pty/Nm", f"RltdPties/{party}/Nm"),
        tuple(f"RltdPties/{party}Acct/Id/{kind}" for kind in ("IBAN", "Othr/Id", "PrtryAcct/Id")),
        (f"RltdAgts/{party}Agt/FinInstnId/BICFI", f"RltdAgts/{party}Agt/FinInstnId/BIC"),
    )


cdef tuple _DEBTOR = _side("Dbtr")
cdef tuple _CREDITOR = _side("Cdtr")
cdef tuple _ULTIMATE_DEBTOR = _side("UltmtDbtr")[0]
cdef tuple _ULTIMATE_CREDITOR = _side("UltmtCdtr")[0]
CREDITOR_OTHERS = ("RltdPties/Cdtr/Pty/Id/PrvtId/Othr", "RltdPties/Cdtr/Id/PrvtId/Othr")
CREDITOR_REFERENCE = "RmtInf/Strd/CdtrRefInf/Ref"
_PRIVATE_ID = Tree(["SchmeNm/Prtry", "Id"])
_ID = Tree(["Id"])
# Every CdtrSchmeId/Id/PrvtId/Othr that has an Id, at any depth, in document order.
_SCHEME_IDS = etree.XPath(
    "descendant::*[local-name()='CdtrSchmeId']/*[local-name()='Id']/*[local-name()='PrvtId']"
    "/*[local-name()='Othr'][*[local-name()='Id']]"
)
_DK_CODE = re.compile(r"[^+]*\+([0-9]{3})(\+.*)?")
cdef inline str _either(dict texts, tuple paths):
    """The text of the first of two paths that has one."""
    text = texts.get(paths[0])
    if text:
        return text
    text = texts.get(paths[1])
    return text if text else ""


cdef str _account(dict texts, tuple paths):
    """An account's IBAN, else its other id (PrtryAcct in version 1)."""
    return compact(texts.get(paths[0], "")) or texts.get(paths[1]) or texts.get(paths[2], "")


cpdef str compact(str iban):
    """An IBAN without spaces, in capitals."""
    if iban.isascii() and iban.isalnum() and (iban.isupper() or iban.isdigit()):  # as most files write it
        return iban
    return "".join(iban.split()).upper()


cdef str _creditor_id(Found transaction):
    """The SEPA creditor identifier: the creditor's private id with scheme SEPA, or a
    CdtrSchmeId wherever the bank put one."""
    cdef Found ids
    for others in CREDITOR_OTHERS:
        for other in transaction.kept.get(others, ()):
            ids = _walk(other, _PRIVATE_ID, False)
            if ids.text("SchmeNm/Prtry").upper() == "SEPA":
                return ids.text("Id")
    if not _has_descendant((<cetree._Element>transaction.root)._c_node, b"CdtrSchmeId"):
        return ""  # the common case
    # Of several, the last in the document: the one this reader always took (see the walk).
    found = _SCHEME_IDS(transaction.root)
    return _walk(found[len(found) - 1], _ID, False).text("Id") if found else ""  # no wraparound here


cdef bint _has_descendant(tree.xmlNode* node, const char* name):
    """Whether an element below `node` has the local name `name`."""
    cdef tree.xmlNode* child = node.children
    while child is not NULL:
        if child.type == tree.XML_ELEMENT_NODE:
            if strcmp(<const char*>child.name, name) == 0 or _has_descendant(child, name):
                return True
        child = child.next
    return False


cpdef str domain_code(dict texts):
    """The ISO bank transaction code, "PMNT/RCDT/ESCT" (the parts found, of domain, family
    and sub-family)."""
    domain = texts.get("BkTxCd/Domn/Cd")
    family = texts.get("BkTxCd/Domn/Fmly/Cd")
    sub_family = texts.get("BkTxCd/Domn/Fmly/SubFmlyCd")
    if domain and family and sub_family:  # the usual case, without the filter
        return f"{domain}/{family}/{sub_family}"
    return "/".join(filter(None, (domain, family, sub_family)))


cdef dict _DK_CODES = {}  # proprietary code -> its DK code: a file has few of them


cpdef str dk_code(dict texts):
    """The German business transaction code (GVC) in a proprietary code like NTRF+166+931."""
    code = texts.get("BkTxCd/Prtry/Cd")
    if not code:  # as in most TxDtls
        return ""
    found = _DK_CODES.get(code)
    if found is None:
        match = _DK_CODE.fullmatch(code)
        found = match[1] if match else ""
        if len(_DK_CODES) >= 4096:
            _DK_CODES.clear()
        _DK_CODES[code] = found
    return found
