# cython: language_level=3, boundscheck=False, wraparound=False
"""The walk of the camt reader (camt.py), in C: the texts (and, where asked, the elements)
at given paths of local names under an lxml element, found by walking libxml2's nodes through
lxml's public C API. Python objects are made only for what is found, not for every element on
the way (an lxml proxy, its .tag and its .text cost some 360 ns an element from Python; an entry
of a statement needs some 45 elements visited).

The order is that of the pure-Python walk this replaces: the elements to enter are kept on a
stack, so a path's elements with one parent come in document order, and elements of the same
path under different parents come from the last parent first.

Beside the walk, the Entry of a transaction (TxDtls), made of its values (transaction_entry):
the same lookups in Python cost more per entry than the walk.
"""

import re

from cpython.dict cimport PyDict_GetItem, PyDict_SetItem
from cpython.list cimport PyList_GET_ITEM, PyList_GET_SIZE
from cpython.mem cimport PyMem_Free, PyMem_Realloc
from cpython.ref cimport PyObject
from libc.string cimport strcmp

cimport lxml.includes.etreepublic as cetree
from lxml.includes cimport tree

from lxml import etree

from kassenwart.banking.formats.statement import Entry

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


# -- the values of one TxDtls ---------------------------------------------------------------
# camt.py's entries are made here. Compiled because they run for every transaction of a
# large file: in Python, the lookups and small calls below cost more than the walk itself.

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


def transaction_entry(Found transaction, bint credit, str own_iban, tuple codes, dict common, amount,
                      str source):
    """The Entry of one TxDtls: what the TxDtls tells, the entry's values (`common`: currency,
    dates, status, reversal and, for a batch, its reference and size), and the entry's
    reference and codes (`codes`: bank reference, transaction code, DK code) where the TxDtls
    is silent. Made here with its fields named: a dictionary of them and Entry(**values)
    cost more than reading the TxDtls."""
    cdef dict texts = transaction.texts_at
    # A credit comes from the debtor, a debit goes to the creditor; when that side is our own
    # account (returns and reversals describe the original transaction), take the other side.
    cdef tuple side = _DEBTOR if credit else _CREDITOR
    cdef str counterparty_iban = _account(texts, side[1])
    if own_iban and counterparty_iban == own_iban:
        side = _CREDITOR if credit else _DEBTOR
        counterparty_iban = _account(texts, side[1])
    end_to_end = texts.get("Refs/EndToEndId", "")
    return Entry(
        amount=amount,
        currency=common["currency"],
        booking_date=common["booking_date"],
        value_date=common["value_date"],
        status=common["status"],
        counterparty_name=_either(texts, side[0]),
        counterparty_iban=counterparty_iban,
        counterparty_bic=_either(texts, side[2]),
        ultimate_debtor=_either(texts, _ULTIMATE_DEBTOR),
        ultimate_creditor=_either(texts, _ULTIMATE_CREDITOR),
        remittance="\n".join([text for text in transaction.texts("RmtInf/Ustrd") if text]),
        structured_reference=next(filter(None, transaction.texts(CREDITOR_REFERENCE)), ""),
        end_to_end_id="" if end_to_end.upper() == "NOTPROVIDED" else end_to_end,
        mandate_id=texts.get("Refs/MndtId", ""),
        creditor_id=_creditor_id(transaction),
        bank_reference=texts.get("Refs/AcctSvcrRef") or codes[0],
        transaction_code=domain_code(texts) or codes[1],
        dk_code=dk_code(texts) or codes[2],
        purpose_code=texts.get("Purp/Cd") or texts.get("Purp/Prtry", ""),
        return_reason=texts.get("RtrInf/Rsn/Cd") or texts.get("RtrInf/Rsn/Prtry", ""),
        reversal=common["reversal"],
        batch_reference=common.get("batch_reference", ""),
        batch_size=common.get("batch_size", 1),
        source=source,
    )


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


cpdef str dk_code(dict texts):
    """The German business transaction code (GVC) in a proprietary code like NTRF+166+931."""
    code = texts.get("BkTxCd/Prtry/Cd")
    if not code:  # as in most TxDtls
        return ""
    match = _DK_CODE.fullmatch(code)
    return match[1] if match else ""
