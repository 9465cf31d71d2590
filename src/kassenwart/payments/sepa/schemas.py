"""XSD validation of generated pain files; it always runs.

    names = check(xml, "pain.008.001.08", xsd_dir)
    # ["pain.008.001.08", "pain.008.001.08_GBIC_4"]: the schemas the file was validated against

Every file is validated against the ISO 20022 schema of its message, which ships inside the
`sepaxml` package (a dependency, MIT licensed; read with importlib.resources, so nothing is
copied into this repository and no installation lacks it). The German DK subset
(`<message>_GBIC_4.xsd`, DFÜ-Abkommen Anlage 3) is checked in addition where `xsd_dir`
(KASSENWART_XSD_DIR, or ../shared/xsd in a developer checkout) has it; the DK files are not
ours to ship. An invalid document raises SepaInvalid with one Problem per schema error,
quoting the error and its line (the first 100, then a count); the ISO schema is checked first.

The document is parsed once and that tree is validated against each schema. Compiling a
schema takes long, so each is compiled once per process and kept. Neither the schemas nor
the documents may load a DTD, resolve entities or touch the network; a document with a
DOCTYPE is refused outright.
"""

from __future__ import annotations

import threading
from importlib import resources
from pathlib import Path

from lxml import etree

from .rules import Problem, SepaInvalid

SCHEMA_PACKAGE = "sepaxml"  # sepaxml/schemas/<message>.xsd: the ISO schemas as published
DK_SUFFIX = "_GBIC_4"
MESSAGES = ("pain.001.001.09", "pain.008.001.08")
PROBLEMS_MAX = 100  # a file broken in every payment needs no 100,000 problems to be fixed

_compiled: dict[object, tuple[etree.XMLSchema, threading.Lock]] = {}
_compiling = threading.Lock()


def safe_parser(remove_blank_text: bool = False) -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                           remove_blank_text=remove_blank_text)


def check(xml: bytes, kind: str, xsd_dir: Path | None) -> list[str]:
    """Validates `xml`, a message of `kind` ("pain.001.001.09" or "pain.008.001.08"), against
    the ISO schema and, where `xsd_dir` has it, the DK schema. Returns the names of the
    schemas it was validated against (the ISO one always first); raises SepaInvalid."""
    if kind not in MESSAGES:
        raise ValueError(f"no schema for {kind!r}; known: {', '.join(MESSAGES)}")
    document = parse(xml)
    checked = [kind]
    _validate(document, kind, iso_schema(kind))
    dk_name = kind + DK_SUFFIX
    path = schema_path(dk_name, xsd_dir)
    if path is not None:
        _validate(document, dk_name, compiled(path))
        checked.append(dk_name)
    return checked


def iso_schema(kind: str) -> tuple[etree.XMLSchema, threading.Lock]:
    """The ISO schema of `kind` from the sepaxml package, compiled once."""
    key = (SCHEMA_PACKAGE, kind)
    with _compiling:
        if key not in _compiled:
            source = resources.files(SCHEMA_PACKAGE).joinpath("schemas", f"{kind}.xsd").read_bytes()
            _compiled[key] = (etree.XMLSchema(etree.fromstring(source, safe_parser())), threading.Lock())
        return _compiled[key]


def schema_path(schema_name: str, xsd_dir: Path | None) -> Path | None:
    """The schema file in `xsd_dir`, or None when it is not there."""
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


def parse(xml: bytes):
    """The document's root; a DOCTYPE is refused (a pain file never has one)."""
    try:  # without the indentation between elements the tree is smaller and validated faster
        document = etree.fromstring(xml, safe_parser(remove_blank_text=True))
    except etree.XMLSyntaxError as error:
        raise _invalid("xml_malformed", f"The file is not well-formed XML: {error}.", error) from error
    if document.getroottree().docinfo.doctype:
        raise _invalid("xml_doctype", "The file has a document type declaration (DOCTYPE); a pain file has none.")
    return document


def _validate(document, schema_name: str, compiled_schema: tuple[etree.XMLSchema, threading.Lock]) -> None:
    schema, lock = compiled_schema
    with lock:
        try:
            if schema.validate(document):
                return
        except etree.XMLSchemaValidateError as error:
            raise _invalid("xml_malformed", f"The schema validator gave up: {error}.", error) from error
        errors = list(schema.error_log)
    found = [_problem(schema_name, error, document) for error in errors[:PROBLEMS_MAX]]
    if len(errors) > PROBLEMS_MAX:
        more = len(errors) - PROBLEMS_MAX
        found.append(Problem("document", "schema_more_errors", f"{schema_name}: {more} more errors.",
                             {"schema": schema_name, "count": more}))
    raise SepaInvalid(found)


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
