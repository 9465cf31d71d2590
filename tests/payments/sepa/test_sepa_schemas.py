from pathlib import Path

import pytest
from lxml import etree

from kassenwart.payments.sepa import SepaInvalid, pain001, schemas
from sepa_factories import message, transfer
from shared_data import shared_path

NS = {"p": pain001.NAMESPACE}


@pytest.fixture(scope="module")
def xsd_dir():
    return shared_path("xsd")


def without(xml: bytes, path: str) -> tuple[bytes, etree._Element]:
    """`xml` with the element at `path` removed, and the element now standing in its place."""
    root = etree.fromstring(xml)
    gone = root.find(path, NS)
    tree = root.getroottree()
    where = tree.getpath(gone)  # the next element takes over this position
    gone.getparent().remove(gone)
    broken = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return broken, etree.fromstring(broken).xpath(where)[0]


@pytest.mark.parametrize("schema_name", pain001.SCHEMAS)
def test_a_missing_required_element_is_reported_with_its_line(xsd_dir, schema_name):
    xml = pain001.build(message([transfer(1), transfer(2)]))
    broken, next_element = without(xml, ".//p:CdtTrfTxInf[2]/p:Amt")
    with pytest.raises(SepaInvalid) as raised:
        schemas.validate(broken, schema_name, xsd_dir)
    [problem] = raised.value.problems
    assert problem.code == "schema_invalid"
    assert problem.params["line"] == next_element.sourceline > 1
    assert f"{schema_name}, line {next_element.sourceline}:" in problem.message
    assert "CdtrAgt" in problem.message and "Amt" in problem.params["error"]
    assert problem.field == "Document/CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf[2]/CdtrAgt"


def test_the_dk_schema_is_stricter_than_iso(xsd_dir):
    broken, _ = without(pain001.build(message()), ".//p:GrpHdr/p:CtrlSum")  # optional in ISO only
    assert schemas.validate(broken, "pain.001.001.09", xsd_dir) is True
    with pytest.raises(SepaInvalid) as raised:
        schemas.validate(broken, "pain.001.001.09_GBIC_4.xsd", xsd_dir)
    assert "CtrlSum" in str(raised.value)


def test_without_a_schema_nothing_is_validated(tmp_path):
    xml = pain001.build(message())
    assert schemas.validate(xml, "pain.001.001.09", None) is False
    assert schemas.validate(xml, "pain.001.001.09", tmp_path) is False
    assert schemas.validate(b"not even XML", "pain.001.001.09", Path("/nonexistent")) is False


def test_schemas_are_compiled_once(xsd_dir):
    path = xsd_dir / "pain.001.001.09_GBIC_4.xsd"
    assert schemas.compiled(path) is schemas.compiled(path)
    assert schemas.compiled(path) is schemas.compiled(xsd_dir / ".." / "xsd" / path.name)


def test_malformed_xml_is_a_problem_not_a_crash(xsd_dir):
    with pytest.raises(SepaInvalid) as raised:
        schemas.validate(b"<Document><unclosed></Document>", "pain.001.001.09", xsd_dir)
    assert raised.value.problems[0].code == "xml_malformed"


def test_no_dtd_and_no_external_entities(xsd_dir, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    doctype = f'<!DOCTYPE Document [<!ENTITY x SYSTEM "{secret.as_uri()}">]>\n'.encode()
    xml = pain001.build(message()).replace(b"<Document", doctype + b"<Document", 1)
    xml = xml.replace(b"<MsgId>MSG-1</MsgId>", b"<MsgId>&x;</MsgId>")
    with pytest.raises(SepaInvalid) as raised:
        schemas.validate(xml, "pain.001.001.09", xsd_dir)
    assert raised.value.problems[0].code == "xml_doctype"
    assert "TOP-SECRET" not in str(raised.value)
