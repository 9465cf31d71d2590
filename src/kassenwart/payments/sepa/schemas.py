"""XSD validation of generated files against the schemas in ../shared/xsd.

    validated = validate(xml, "pain.001.001.09_GBIC_4", xsd_dir)

True when the document was validated (and is valid), False when it could not be checked
(no `xsd_dir`, or the schema file is not there): the caller logs that. An invalid document
raises SepaInvalid with one Problem per schema error, quoting the error and its line.
Compiling a schema takes long, so each is compiled once per process and kept. Neither the
schemas nor the documents may load a DTD, resolve entities or touch the network; a document
with a DOCTYPE is refused outright.
"""

from __future__ import annotations

import threading
from pathlib import Path

from lxml import etree

from .rules import Problem, SepaInvalid

_compiled: dict[Path, tuple[etree.XMLSchema, threading.Lock]] = {}
_compiling = threading.Lock()


def safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def schema_path(schema_name: str, xsd_dir: Path | None) -> Path | None:
    """The schema file, or None when it is not there."""
    if xsd_dir is None:
        return None
    name = schema_name if schema_name.endswith(".xsd") else f"{schema_name}.xsd"
    path = Path(xsd_dir) / name
    return path if path.is_file() else None


def compiled(path: Path) -> tuple[etree.XMLSchema, threading.Lock]:
    """The compiled schema of `path` and the lock to use it under (a validator keeps its
    error log, so two threads must not share it at the same time)."""
    key = Path(path).resolve()
    with _compiling:
        if key not in _compiled:
            tree = etree.parse(str(key), safe_parser())
            _compiled[key] = (etree.XMLSchema(tree), threading.Lock())
        return _compiled[key]


def validate(xml: bytes, schema_name: str, xsd_dir: Path | None) -> bool:
    path = schema_path(schema_name, xsd_dir)
    if path is None:
        return False
    document = parse(xml)
    schema, lock = compiled(path)
    with lock:
        try:
            if schema.validate(document):
                return True
        except etree.XMLSchemaValidateError as error:
            raise _invalid("xml_malformed", f"The schema validator gave up: {error}.", error) from error
        errors = list(schema.error_log)
    raise SepaInvalid([_problem(path.stem, error, document) for error in errors])


def parse(xml: bytes):
    """The document's root; a DOCTYPE is refused (a pain file never has one)."""
    try:
        document = etree.fromstring(xml, safe_parser())
    except etree.XMLSyntaxError as error:
        raise _invalid("xml_malformed", f"The file is not well-formed XML: {error}.", error) from error
    if document.getroottree().docinfo.doctype:
        raise _invalid("xml_doctype", "The file has a document type declaration (DOCTYPE); a pain file has none.")
    return document


def _invalid(code: str, message: str, error: Exception | None = None) -> SepaInvalid:
    return SepaInvalid([Problem("document", code, message, {"error": str(error)} if error else {})])


def _problem(schema_name: str, error, document) -> Problem:
    return Problem(
        _element_path(document, error.path), "schema_invalid",
        f"{schema_name}, line {error.line}: {error.message}",
        {"schema": schema_name, "line": error.line, "error": error.message},
    )


def _element_path(document, xpath: str | None) -> str:
    """lxml's "/*/*/*[2]/*[12]" as "Document/CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf[2]"."""
    try:
        found = document.xpath(xpath) if xpath else []
    except etree.XPathError:
        found = []
    if not found or not isinstance(found[0], etree._Element):
        return "document"
    steps = []
    for node in [found[0], *found[0].iterancestors()]:
        name = etree.QName(node).localname
        parent = node.getparent()
        same = [n for n in parent if n.tag == node.tag] if parent is not None else [node]
        steps.append(f"{name}[{same.index(node) + 1}]" if len(same) > 1 else name)
    return "/".join(reversed(steps))
