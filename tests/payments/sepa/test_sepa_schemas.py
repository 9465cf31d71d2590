from importlib import resources

import pytest
from lxml import etree

from kassenwart.payments.sepa import SepaInvalid, pain001, schemas

from sepa_factories import message, transfer
from shared_data import shared_path

NS = {"p": pain001.NAMESPACE}
ISO, DK = "pain.001.001.09", "pain.001.001.09_GBIC_4"


@pytest.fixture(scope="module")
def xsd_dir():
    return shared_path("xsd")


def without(xml: bytes, path: str) -> tuple[bytes, etree._Element]:
    """`xml` with the first element at `path` removed, and the element now standing in its place."""
    root = etree.fromstring(xml)
    gone = root.find(path, NS)
    tree = root.getroottree()
    where = tree.getpath(gone)  # the next element takes over this position
    gone.getparent().remove(gone)
    broken = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return broken, etree.fromstring(broken).xpath(where)[0]


@pytest.mark.parametrize("configured", [False, True], ids=["no xsd dir", "xsd dir"])
def test_a_missing_required_element_is_reported_with_its_line(request, configured):
    xsd_dir = request.getfixturevalue("xsd_dir") if configured else None
    xml = pain001.build(message([transfer(1), transfer(2)]))
    broken, next_element = without(xml, ".//p:CdtTrfTxInf[2]/p:Amt")
    with pytest.raises(SepaInvalid) as raised:
        schemas.check(broken, pain001.MESSAGE, xsd_dir)
    [problem] = raised.value.problems  # the ISO schema is checked first and refuses it
    assert problem.code == "schema_invalid"
    assert problem.params["schema"] == ISO
    assert problem.params["line"] == next_element.sourceline > 1
    assert f"{ISO}, line {next_element.sourceline}:" in problem.message
    assert "CdtrAgt" in problem.message and "Amt" in problem.params["error"]
    assert problem.field == "Document/CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf[2]/CdtrAgt"


def test_with_no_xsd_directory_a_file_breaking_the_iso_schema_is_refused(tmp_path):
    """No KASSENWART_XSD_DIR (xsd_dir None) or one without the schemas: the ISO schema from the
    sepaxml package still checks every file, so nothing unvalidated leaves."""
    broken, _ = without(pain001.build(message()), ".//p:DbtrAcct")
    for xsd_dir in (None, tmp_path):
        with pytest.raises(SepaInvalid) as raised:
            schemas.check(broken, pain001.MESSAGE, xsd_dir)
        assert [(p.code, p.params["schema"]) for p in raised.value.problems] == [("schema_invalid", ISO)]
        assert "DbtrAgt" in raised.value.problems[0].message  # found where DbtrAcct should be


def test_a_valid_file_names_the_schemas_it_was_validated_against(xsd_dir, tmp_path):
    xml = pain001.build(message())
    assert schemas.check(xml, pain001.MESSAGE, None) == [ISO]
    assert schemas.check(xml, pain001.MESSAGE, tmp_path) == [ISO]  # a directory without the DK file
    assert schemas.check(xml, pain001.MESSAGE, xsd_dir) == [ISO, DK]


def test_the_dk_schema_is_stricter_than_iso(xsd_dir):
    broken, _ = without(pain001.build(message()), ".//p:GrpHdr/p:CtrlSum")  # optional in ISO only
    assert schemas.check(broken, pain001.MESSAGE, None) == [ISO]
    with pytest.raises(SepaInvalid) as raised:
        schemas.check(broken, pain001.MESSAGE, xsd_dir)
    assert [p.params["schema"] for p in raised.value.problems] == [DK]
    assert "CtrlSum" in str(raised.value)


@pytest.mark.parametrize("kind", schemas.MESSAGES)
def test_the_iso_schemas_come_from_the_sepaxml_package_and_are_the_published_ones(xsd_dir, kind):
    packaged = resources.files("sepaxml").joinpath("schemas", f"{kind}.xsd").read_bytes()
    assert packaged == (xsd_dir / f"{kind}.xsd").read_bytes()  # ../shared/xsd/SOURCES.md: same file
    assert schemas.iso_schema(kind) is schemas.iso_schema(kind)


def test_an_unknown_message_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="pain.002"):
        schemas.check(pain001.build(message()), "pain.002.001.10", None)


def test_a_file_broken_in_every_payment_reports_the_first_hundred_errors_and_a_count():
    root = etree.fromstring(pain001.build(message([transfer(n) for n in range(1, 131)])))
    for amount in root.iterfind(".//p:Amt", NS):
        amount.getparent().remove(amount)
    with pytest.raises(SepaInvalid) as raised:
        schemas.check(etree.tostring(root), pain001.MESSAGE, None)
    found = raised.value.problems
    assert len(found) == 101
    assert {p.code for p in found[:100]} == {"schema_invalid"}
    assert (found[100].code, found[100].params["count"]) == ("schema_more_errors", 30)


def test_dk_schemas_are_compiled_once(xsd_dir):
    path = xsd_dir / f"{DK}.xsd"
    assert schemas.compiled(path) is schemas.compiled(path)
    assert schemas.compiled(path) is schemas.compiled(xsd_dir / ".." / "xsd" / path.name)


def test_malformed_xml_is_a_problem_not_a_crash():
    with pytest.raises(SepaInvalid) as raised:
        schemas.check(b"<Document><unclosed></Document>", pain001.MESSAGE, None)
    assert raised.value.problems[0].code == "xml_malformed"


def test_no_dtd_and_no_external_entities(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    doctype = f'<!DOCTYPE Document [<!ENTITY x SYSTEM "{secret.as_uri()}">]>\n'.encode()
    xml = pain001.build(message()).replace(b"<Document", doctype + b"<Document", 1)
    xml = xml.replace(b"<MsgId>MSG-1</MsgId>", b"<MsgId>&x;</MsgId>")
    with pytest.raises(SepaInvalid) as raised:
        schemas.check(xml, pain001.MESSAGE, None)
    assert raised.value.problems[0].code == "xml_doctype"
    assert "TOP-SECRET" not in str(raised.value)
