"""What the bank-file corpus under ../shared/bankfiles holds, for the corpus tests of the
parsers (tests/banking/formats) and of the import (tests/banking/test_import_cli.py).

Every statement whose balances do not add up is listed with the difference the file itself
has: closing - opening - the sum of its entries. Each was checked when listed, outside the
product: the MT940 ones by summing the :60:/:61:/:62: fields with a regular expression, the
camt ones by summing Bal and Ntry with plain lxml; all agree, except the one marked below.
A parser change that adds, loses or alters a difference, a refusal or an entry fails a test.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

# -- camt (bankfiles/camt) ----------------------------------------------------------------------

# Files the camt parser refuses, with what it says: none has a statement in it.
CAMT_REFUSED = {
    "genkgo__camt/test__data__camt053.v2.wrong.xml": "document without any Stmt, Rpt or Ntfctn",
    "viafintech__camt_parser/spec__fixtures__052__valid_namespace.xml": "not a camt.052/053/054 file",
    "viafintech__camt_parser/spec__fixtures__053__valid_namespace.xml": "not a camt.052/053/054 file",
    "viafintech__camt_parser/spec__fixtures__general__invalid_namespace.xml": "not a camt.052/053/054 file",
}
CAMT_COUNTS = {"files": 97, "statements": 113, "entries": 5954, "warnings": 96, "with opening and closing": 55}
# (file, statement id): closing - opening - entries
CAMT_DIFFERENCES = {
    ("genkgo__camt/test__data__camt053.v2.all-balance-types.xml", "CAMT0532015012200001"): "-5.82",
    ("genkgo__camt/test__data__camt053.v2.five.decimals.xml", "253EURNL26VAYB8060476890"): "0.05",
    ("genkgo__camt/test__data__camt053.v2.minimal.ultimate.xml", "253EURNL26VAYB8060476890"): "-54.00",
    ("genkgo__camt/test__data__camt053.v2.minimal.xml", "253EURNL26VAYB8060476890"): "-54.00",
    ("genkgo__camt/test__data__camt053.v2.with-party-ids.xml", "253EURNL26VAYB8060476890"): "-54.00",
    ("genkgo__camt/test__data__camt053.v3.xml", "253EURNL26VAYB8060476890"): "-54.00",
    ("genkgo__camt/test__data__camt053.v4.xml", "253EURNL26VAYB8060476890"): "-54.00",
    ("genkgo__camt/test__data__camt053.v8.xml", "253EURNL26VAYB8060476890"): "-54.00",
    ("viafintech__camt_parser/spec__fixtures__053__valid_example_v8.xml", "R30B4SA880HMZ9XA"): "1251.02",
    ("viafintech__camt_parser/spec__fixtures__053__valid_example_with_batch.xml", "2019062434566666666666666"): "12774.14",
    ("viafintech__camt_parser/spec__fixtures__053__valid_example_with_debit.xml", "0352C5320131227220503"): "66.12",
    ("viafintech__camt_parser/spec__fixtures__053__valid_example_with_instdamt.xml", "STM-C053-190720325942-06"): "-100.00",
}
# (file, statement id): (net total the TxsSummry reports, sum of the entries)
CAMT_TOTALS_DIFFER = {
    # TtlCdtNtries 28422.40 - TtlDbtNtries 12714.00
    ("viafintech__camt_parser/spec__fixtures__053__valid_example_with_batch.xml", "2019062434566666666666666"):
        ("15708.40", "2934.26"),
    ("viafintech__camt_parser/spec__fixtures__053__valid_example_with_datetime.xml", "7301750-38631543-1688639227213"):
        ("606.80", "195.86"),
}

# -- MT940 and MT942 (bankfiles/mt940) ----------------------------------------------------------

MT940_REFUSED = {
    # :61: 3622687806CR...: the value date 362268 has month 22
    "railslove__cmxl/spec__fixtures__mt940-headers.txt": "line 8: :61: date 362268 does not exist",
    "wolph__mt940/mt940_tests__self-provided__empty_non_swift.sta": "line 1: not an MT940/MT942 file: no SWIFT fields",
    "wolph__mt940/mt940_tests__self-provided__invalid_statement.sta": "line 1: not an MT940/MT942 file: no SWIFT fields",
}
# (raphaelm.sta reads since its :62M: without currency takes :60F:'s: 3 statements, 9 entries, all
# three balanced: 0 + 5,000 + 5 x 20,000 = 105,000; + 2 x 20,000 = 145,000; - 50,000 = 95,000)
MT940_COUNTS = {"files": 201, "statements": 529, "entries": 1305, "with opening and closing": 491}
# (file, statement id (:20:), closing - opening - entries); a file may hold the same id twice.
MT940_DIFFERENCES = [
    ("betterplace__mt940_parser/test__fixtures__sepa_snippet.txt", "T089414096000001", "300.08"),
    ("betterplace__mt940_parser/test__fixtures__sepa_snippet_broken.txt", "T089414086000001", "307603.86"),
    ("dovadi__mt940/test__fixtures__abnamro.txt", "ABN AMRO BANK NV", "-2038.00"),
    ("dovadi__mt940/test__fixtures__abnamro.txt", "ABN AMRO BANK NV", "-1002.60"),
    ("dovadi__mt940/test__fixtures__ing.txt", "MPBZ", "50.06"),
    ("dovadi__mt940/test__fixtures__ing_sepa.txt", "MPBZ", "1234.00"),
    ("dovadi__mt940/test__fixtures__rabobank.txt", "940A110615", "1135.93"),
    ("dovadi__mt940/test__fixtures__rabobank.txt", "940A110617", "236.56"),
    ("dovadi__mt940/test__fixtures__rabobank_sepa.txt", "940S130403", "-345.16"),
    ("dovadi__mt940/test__fixtures__rabobank_sepa.txt", "940S130404", "-384.75"),
    ("dovadi__mt940/test__fixtures__triodos.txt", "1308728725026/1", "111.40"),
    ("dovadi__mt940/test__fixtures__unknown.txt", "MPBZ", "50.06"),
    ("fruitl00p__php-mt940/test__Parser__Banking__Mt940__Engine__Abn__sample2", "ABN AMRO BANK NV", "601.50"),
    ("fruitl00p__php-mt940/test__Parser__Banking__Mt940__Engine__Hsbc__sample", "AIU0006362100017", "20000.00"),
    ("fruitl00p__php-mt940/test__Parser__Banking__Mt940__Engine__Ing__sample", "MPBZ", "-3.68"),
    ("fruitl00p__php-mt940/test__Parser__Banking__Mt940__Engine__Knab__sample", "B5L04MSAU20N3I99", "96.84"),
    ("fruitl00p__php-mt940/test__Parser__Banking__Mt940__Engine__Knab__sample3", "C0D28MSTE73HKBCM", "-100000.00"),
    ("fruitl00p__php-mt940/test__Parser__Banking__Mt940__Engine__Rabo__sample", "940A030107", "2145.00"),
    ("fruitl00p__php-mt940/test__Parser__Banking__Mt940__Engine__Rabo__sample", "940A030107", "20000.00"),
    ("fruitl00p__php-mt940/test__Parser__Banking__Mt940__Engine__Rabo__sample", "940A030108", "-100.00"),
    ("fruitl00p__php-mt940/test__Parser__Banking__Mt940__Engine__Rabo__sample", "940A030109", "-634.00"),
    ("fruitl00p__php-mt940/test__Parser__Banking__Mt940__Engine__Rabo__sample", "940A030107", "10500.00"),
    ("fruitl00p__php-mt940/test__Parser__Banking__Mt940__Engine__Rabo__sample", "940A030108", "-400.00"),
    ("fruitl00p__php-mt940/test__Parser__Banking__Mt940__Engine__Rabo__sample", "940A030109", "400.00"),
    ("fruitl00p__php-mt940/test__Parser__Banking__Mt940__Engine__Rabo__sample", "940A030107", "-3550.00"),
    ("fruitl00p__php-mt940/test__Parser__Banking__Mt940__Engine__Rabo__sample", "940A030107", "482.41"),
    ("fruitl00p__php-mt940/test__Parser__Banking__Mt940__Engine__Rabo__sample", "940A030108", "164800.00"),
    ("fruitl00p__php-mt940/test__Parser__Banking__Mt940__Engine__Rabo__sample", "940A030109", "-164592.31"),
    ("fruitl00p__php-mt940/test__Parser__Banking__Mt940__Engine__Rabo__sample", "940A030104", "8703.39"),
    ("fruitl00p__php-mt940/test__Parser__Banking__Mt940__Engine__Rabo__sample", "940A030105", "18056.24"),
    ("fruitl00p__php-mt940/test__Parser__Banking__Mt940__Engine__Rabo__sample", "940A030106", "-87764.76"),
    ("fruitl00p__php-mt940/test__Parser__Banking__Mt940__Engine__Rabo__sample", "940A030107", "-21345.10"),
    ("fruitl00p__php-mt940/test__Parser__Banking__Mt940__Engine__Rabo__sample", "940A030108", "60914.51"),
    ("fruitl00p__php-mt940/test__Parser__Banking__Mt940__Engine__Rabo__sample", "940A030109", "-38727.71"),
    ("fruitl00p__php-mt940/test__Parser__Banking__Mt940__Engine__Rabo__sample", "940A030110", "368493.56"),
    ("fruitl00p__php-mt940/test__Parser__Banking__Mt940__Engine__Rabo__sample", "940A030111", "380467.01"),
    ("fruitl00p__php-mt940/test__Parser__Banking__Mt940__Engine__Rabo__sample", "940A030112", "319629.50"),
    ("fruitl00p__php-mt940/test__Parser__Banking__Mt940__Engine__Rabo__sample", "940A030107", "-115351.00"),
    ("fruitl00p__php-mt940/test__Parser__Banking__Mt940__Engine__Rabo__sample", "940A030108", "115361.00"),
    ("fruitl00p__php-mt940/test__Parser__Banking__Mt940__Engine__Rabo__sample", "940A030109", "-1153328.00"),
    ("fruitl00p__php-mt940/test__Parser__Banking__Mt940__Engine__Rabo__sample", "940A030107", "1500.00"),
    ("fruitl00p__php-mt940/test__Parser__Banking__Mt940__Engine__Rabo__sample", "940A030107", "-65499.34"),
    ("fruitl00p__php-mt940/test__Parser__Banking__Mt940__Engine__Rabo__sample", "940A030108", "1245.00"),
    ("fruitl00p__php-mt940/test__Parser__Banking__Mt940__Engine__Rabo__sample", "940A030109", "-1245.00"),
    ("fruitl00p__php-mt940/test__Parser__Banking__Mt940__Engine__Rabo__sample", "940A030107", "2545.00"),
    ("fruitl00p__php-mt940/test__Parser__Banking__Mt940__Engine__Rabo__sample", "940A030107", "5500.00"),
    ("fruitl00p__php-mt940/test__Parser__Banking__Mt940__Engine__Rabo__sample2", "940A030107", "3145.35"),
    ("fruitl00p__php-mt940/test__Parser__Banking__Mt940__Engine__Rabo__sample3", "940S130403", "-345.16"),
    ("fruitl00p__php-mt940/test__Parser__Banking__Mt940__Engine__Rabo__sample3", "940S130404", "-384.75"),
    ("fruitl00p__php-mt940/test__Parser__Banking__Mt940__Engine__Rabo__sample4", "940S130403", "19477.78"),
    ("railslove__cmxl/spec__fixtures__mt940-abnamro.txt", "ABN AMRO BANK NV", "-2038.00"),
    ("railslove__cmxl/spec__fixtures__mt940-abnamro.txt", "ABN AMRO BANK NV", "-1002.60"),
    ("railslove__cmxl/spec__fixtures__mt940-with-detailed-end-balance.txt", "STARTUMS", "4.00"),
    ("sandermarechal__jejik-mt940/tests__Jejik__Tests__MT940__Fixture__document__abnamro.txt", "ABN AMRO BANK NV", "-2038.00"),
    ("sandermarechal__jejik-mt940/tests__Jejik__Tests__MT940__Fixture__document__abnamro.txt", "ABN AMRO BANK NV", "-1002.60"),
    ("sandermarechal__jejik-mt940/tests__Jejik__Tests__MT940__Fixture__document__bug-core-5401.txt", "DEUTDEMMXXX", "-50.00"),
    ("sandermarechal__jejik-mt940/tests__Jejik__Tests__MT940__Fixture__document__commerzbank.txt", "01LGX08DLMWH5GWA", "12.35"),
    ("sandermarechal__jejik-mt940/tests__Jejik__Tests__MT940__Fixture__document__deutschebank.txt", "DEUTDEMMXXX", "12.35"),
    ("sandermarechal__jejik-mt940/tests__Jejik__Tests__MT940__Fixture__document__ing-dos.txt", "MPBZ", "49.06"),
    ("sandermarechal__jejik-mt940/tests__Jejik__Tests__MT940__Fixture__document__knab.txt", "B4G30MS9D00A003D", "4500.00"),
    ("sandermarechal__jejik-mt940/tests__Jejik__Tests__MT940__Fixture__document__oldenburgischelandesbank.txt", "STARTUMS MC", "-104.50"),
    ("sandermarechal__jejik-mt940/tests__Jejik__Tests__MT940__Fixture__document__oldenburgischelandesbankmitbindestrich.txt", "STARTUMS", "-281725.57"),
    ("sandermarechal__jejik-mt940/tests__Jejik__Tests__MT940__Fixture__document__postfinance.txt", "2014040708285928", "0.20"),
    ("sandermarechal__jejik-mt940/tests__Jejik__Tests__MT940__Fixture__document__rabobank.txt", "940A110615", "1135.93"),
    ("sandermarechal__jejik-mt940/tests__Jejik__Tests__MT940__Fixture__document__rabobank.txt", "940A110617", "236.56"),
    ("sandermarechal__jejik-mt940/tests__Jejik__Tests__MT940__Fixture__document__sparkasse2.txt", "STARTUMSE", "-775.04"),
    ("sandermarechal__jejik-mt940/tests__Jejik__Tests__MT940__Fixture__document__sparkasse3.txt", "STARTUMSE", "1279.46"),
    ("sandermarechal__jejik-mt940/tests__Jejik__Tests__MT940__Fixture__document__triodos.txt", "1308728725026/1", "111.40"),
    ("svenstaro__mt940-rs/tests__data__mt940__full__abnamro__mt940.sta", "ABN AMRO BANK NV", "1125.84"),
    ("svenstaro__mt940-rs/tests__data__mt940__full__abnamro__mt940.sta", "ABN AMRO BANK NV", "1119.88"),
    ("svenstaro__mt940-rs/tests__data__mt940__full__bugs__issue-51.sta", "STARTUMSE", "100.00"),
    ("svenstaro__mt940-rs/tests__data__mt940__full__jejik__abnamro.sta", "ABN AMRO BANK NV", "-2038.00"),
    ("svenstaro__mt940-rs/tests__data__mt940__full__jejik__abnamro.sta", "ABN AMRO BANK NV", "-1002.60"),
    ("svenstaro__mt940-rs/tests__data__mt940__full__jejik__knab.sta", "B4G30MS9D00A003D", "4500.00"),
    ("svenstaro__mt940-rs/tests__data__mt940__full__sparkasse__buxtehude.sta", "STARTUMSE", "100.00"),
    ("svenstaro__mt940-rs/tests__data__mt940__special-cases__overly_long_details.sta", "STARTUMS", "234.01"),
    ("svenstaro__mt940-rs/tests__data__mt942__full__jejik__rabobank.sta", "940A110615", "1135.93"),
    ("svenstaro__mt940-rs/tests__data__mt942__full__jejik__rabobank.sta", "940A110617", "236.56"),
    ("wolph__mt940/mt940_tests__betterplace__sepa_snippet.sta", "T089414096000001", "300.08"),
    ("wolph__mt940/mt940_tests__betterplace__sepa_snippet_broken.sta", "T089414086000001", "307603.86"),
    ("wolph__mt940/mt940_tests__jejik__abnamro.sta", "ABN AMRO BANK NV", "-2038.00"),
    ("wolph__mt940/mt940_tests__jejik__abnamro.sta", "ABN AMRO BANK NV", "-1002.60"),
    ("wolph__mt940/mt940_tests__jejik__ing.sta", "MPBZ", "49.06"),
    ("wolph__mt940/mt940_tests__jejik__knab.sta", "B4G30MS9D00A003D", "4500.00"),
    ("wolph__mt940/mt940_tests__jejik__postfinance.sta", "2014040708285928", "0.20"),
    ("wolph__mt940/mt940_tests__jejik__rabobank.sta", "940A110615", "1135.93"),
    ("wolph__mt940/mt940_tests__jejik__rabobank.sta", "940A110617", "236.56"),
    ("wolph__mt940/mt940_tests__mBank__with_newline_in_tnr.sta", "ST170201CYC/1", "770.71"),
    ("wolph__mt940/mt940_tests__self-provided__details_60-63.sta", "STARTUMS", "234.01"),
    ("wolph__mt940/mt940_tests__self-provided__malformed_details.sta", "STARTUMS", "234.01"),
    # The one the file does not have as such: its statement adds up (16.40 - 5.00 = 11.40); a
    # :61: of 119.00 after the message end "-", with no :20: or balances of its own, is
    # counted into it by the parser.
    ("wolph__mt940/mt940_tests__self-provided__multiline.sta", "BILMT940", "-119.00"),
    ("wolph__mt940/mt940_tests__self-provided__overly_long_details.sta", "STARTUMS", "234.01"),
    ("wolph__mt940/mt940_tests__self-provided__raiffeisen-cmi.sta", "STARTUMS", "1123264.00"),
    ("wolph__mt940/mt940_tests__self-provided__whitespace.sta", "STARTUMS", "234.01"),
    ("zilverline__mt940/spec__fixtures__14aug2014.swi", "940S140723", "471.87"),
    ("zilverline__mt940/spec__fixtures__abn__abn_sepa_incasso_doorlopend.txt", "ABN AMRO BANK NV", "-0.50"),
    ("zilverline__mt940/spec__fixtures__abn__abn_sepa_overboeking.txt", "ABN AMRO BANK NV", "-0.50"),
    ("zilverline__mt940/spec__fixtures__abn__abn_sepa_periodieke_overboeking.txt", "ABN AMRO BANK NV", "-0.50"),
    ("zilverline__mt940/spec__fixtures__abn__abn_structured_sepa_acceptgiro.txt", "ABN AMRO BANK NV", "-0.50"),
    ("zilverline__mt940/spec__fixtures__abn__abn_structured_sepa_ideal.txt", "ABN AMRO BANK NV", "-0.50"),
    ("zilverline__mt940/spec__fixtures__abn__abn_structured_sepa_overboeking.txt", "ABN AMRO BANK NV", "-0.50"),
    ("zilverline__mt940/spec__fixtures__abn__abnamro_structured.txt", "ABN AMRO BANK NV", "5.10"),
    ("zilverline__mt940/spec__fixtures__abn__abnamro_structured.txt", "ABN AMRO BANK NV", "-8.00"),
    ("zilverline__mt940/spec__fixtures__abn__anb_sepa_overboeking_belastingdienst.txt", "ABN AMRO BANK NV", "86000.00"),
    ("zilverline__mt940/spec__fixtures__deutsche_bank.txt", "DEUTDEFFXXXX", "1.87"),
    ("zilverline__mt940/spec__fixtures__import-16-06-2014.txt", "940S140605", "16355.61"),
    ("zilverline__mt940/spec__fixtures__ing.txt", "MPBZ", "50.06"),
    ("zilverline__mt940/spec__fixtures__ing__eu_incasso_foreign_transaction.txt", "MPBZ", "0.97"),
    ("zilverline__mt940/spec__fixtures__ing_structured.txt", "MPBZ", "6716.00"),
    ("zilverline__mt940/spec__fixtures__knab__knab_pin.txt", "ABCDEFG123343545", "2020.00"),
    ("zilverline__mt940/spec__fixtures__rabobank_mt940_structured_multi_line.txt", "940S130403", "200.01"),
    ("zilverline__mt940/spec__fixtures__triodos_multiline_bug.txt", "1605781242822/1", "-556.18"),
]

# -- bank CSV exports (bankfiles/csv) ---------------------------------------------------------

def differences(listed) -> Counter:
    """(file, statement id, difference) counted, differences as Decimal (so 0.050 == 0.05)."""
    return Counter((name, statement, Decimal(difference)) for name, statement, difference in listed)
