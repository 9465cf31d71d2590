"""Bank parameter data (BPD) and user parameter data (UPD) of the sandbox bank.

Written for this bank: what it offers, which formats it takes, which business
transactions need a TAN (HIPINS), and per account what the user may do (HIUPD). A profile
changes some of it (settings), so each profile has its own BPD version.

Like real banks, the bank lists older segment versions beside the newest (HKTAN 6 and 7,
HKSAL 5-7, HKKAZ 5-7, HKTAB 4-5, HKPRO 3-4), so that clients which know only the older
ones find theirs. It answers each in the version asked and refuses a version its BPD do
not list (`offered`). It wants strong customer authentication, so its HITANS do not allow
the one-step procedure (999): as at banks under PSD2, that serves only the
synchronisation and the parameter data at a dialog start.
"""

from __future__ import annotations

from fints.formals import (
    AccountInformation,
    AccountLimit,
    AllowedFormat,
    AllowedTransaction,
    Amount1,
    BankIdentifier,
    BatchTransferParameter1,
    DescriptionRequired,
    GetSEPAAccountParameter1,
    InitializationMode,
    Language2,
    ParameterPinTan,
    ParameterTwostepTAN6,
    ParameterTwostepTAN7,
    PrincipalAccountRequired,
    ScheduledBatchDebitParameter2,
    ScheduledCOR1BatchDebitParameter1,
    ScheduledCOR1DebitParameter1,
    ScheduledDebitParameter2,
    SecurityClass,
    SMSChargeAccountRequired,
    SupportedHBCIVersions2,
    SupportedLanguages2,
    TANTimeDialogAssociation,
    TaskHashAlgorithm,
    TransactionsTimeParameter1,
    TransactionTanRequired,
    TwoStepParameters6,
    TwoStepParameters7,
    UPDUsage,
)
from fints.segments.accounts import HISPAS1
from fints.segments.auth import HIPINS1, HITANS6, HITANS7, HIVPPS1, ParameterVoP
from fints.segments.bank import HIBPA3, HIUPA4, HIUPD6
from fints.segments.debit import HIDMCS1, HIDMES2, HIDSCS1, HIDSES2
from fints.segments.journal import HIPROS3, HIPROS4
from fints.segments.statement import HICAZS1
from fints.segments.transfer import HICCMS1

from .segments import (
    HIBMES1,
    HIBSES1,
    HICCSS1,
    HIIPZS1,
    HIKAZS5,
    HIKAZS6,
    HIKAZS7,
    HISALS5,
    HISALS6,
    HISALS7,
    HITABS4,
    HITABS5,
    HIWPDS6,
    StatementPeriodParameter1,
)
from .tan import METHODS, TanMethod

XSD = "urn:iso:std:iso:20022:tech:xsd:"
PAIN_FORMATS = [XSD + "pain.001.001.09", XSD + "pain.001.001.03", XSD + "pain.008.001.08",
                XSD + "pain.008.001.02"]
CAMT_052 = XSD + "camt.052.001.08"
STORAGE_DAYS = 730
MAX_BATCH = 1000
# UPD "Kontoart": 1-9 current accounts, 10-19 savings, 20-29 time deposits (call money),
# 30-39 securities accounts (Wertpapierdepot), 50-59 credit cards.
ACCOUNT_TYPES = {"current": 1, "savings": 10, "call_money": 20, "depot": 30}
LEAD_DAYS = {"CORE": 2, "COR1": 1, "B2B": 1}  # direct debits: TARGET business days ahead
VOP_ORDERS = ("HKCCS", "HKIPZ")  # Verification of Payee before these (not for batches)
VOP_REPORT_FORMAT = "sepade.pain.002.001.10.xsd"
ORDERS_WITH_TAN = ("HKCCS", "HKIPZ", "HKCCM", "HKDSE", "HKDSC", "HKBSE", "HKDME", "HKDMC", "HKBME")
STATEMENTS = ("HKKAZ", "HKCAZ")
DECOUPLED_SINCE = 7  # HKTAN version; the decoupled process (S) came with HKTAN 7
# Dialog segments (FinTS 3.0 formals), valid without a parameter segment.
DIALOG = {("HKIDN", 2), ("HKVVB", 3), ("HKSYN", 3), ("HKEND", 1)}


def tan_required(settings) -> dict[str, bool]:
    """Business transaction -> TAN required (HIPINS). HKIDN: TAN at dialog start is possible."""
    required = {"HKIDN": True, "HKSPA": False, "HKSAL": False, "HKPRO": False, "HKTAB": False,
                "HKWPD": False, "HKVPP": False, "HKVPA": False}
    required.update({kind: settings.query_tan for kind in STATEMENTS})
    required.update({kind: True for kind in ORDERS_WITH_TAN})
    return required


def bank_id(bank_code: str) -> BankIdentifier:
    return BankIdentifier(BankIdentifier.COUNTRY_ALPHA_TO_NUMERIC["DE"], bank_code)


def twostep(method: TanMethod, version: int = 7) -> TwoStepParameters6 | TwoStepParameters7:
    """A TAN method as HITANS `version` describes it (6 has no decoupled fields)."""
    decoupled = {}
    if version >= DECOUPLED_SINCE:
        decoupled = dict(
            decoupled_max_poll_number=60 if method.decoupled else None,
            wait_before_first_poll=2 if method.decoupled else None,
            wait_before_next_poll=2 if method.decoupled else None,
            manual_confirmation_allowed=False if method.decoupled else None,
            automated_polling_allowed=True if method.decoupled else None,
        )
    parameters_class = {6: TwoStepParameters6, 7: TwoStepParameters7}[version]
    return parameters_class(
        security_function=method.security_function,
        tan_process="2",
        tech_id=method.dk_id,
        zka_id=method.dk_id,
        zka_version="1.0",
        name=method.name,
        max_length_input=6,
        allowed_format=AllowedFormat.NUMERIC,
        text_return_value="TAN",
        max_length_return_value=6,
        multiple_tans_allowed=False,
        tan_time_dialog_association=TANTimeDialogAssociation.NOT_ALLOWED,
        cancel_allowed=False,
        sms_charge_account_required=SMSChargeAccountRequired.MUST_NOT,
        principal_account_required=PrincipalAccountRequired.MUST_NOT,
        challenge_class_required=False,
        challenge_structured=False,
        initialization_mode=InitializationMode.CLEARTEXT_PIN_NO_TAN,
        description_required=DescriptionRequired.MUST if method.needs_medium else DescriptionRequired.MUST_NOT,
        response_hhd_uc_required=False,
        supported_media_number=2 if method.needs_medium else None,
        **decoupled,
    )


def tan_methods(version: int) -> list[TanMethod]:
    """The TAN methods HITANS `version` lists: decoupled ones need HKTAN 7."""
    return [m for m in METHODS.values() if version >= DECOUPLED_SINCE or not m.decoupled]


def parameters(segment_class, **fields):
    if "security_class" in segment_class._fields:  # not in the oldest versions (HISALS 5, HIPROS 3)
        fields["security_class"] = SecurityClass.NONE.value
    return segment_class(max_number_tasks=1, min_number_signatures=1, **fields)


def statement_period() -> StatementPeriodParameter1:
    return StatementPeriodParameter1(storage_days=STORAGE_DAYS, entry_count_allowed=False,
                                     all_accounts_allowed=False)


def bank_parameter_data(settings) -> list:
    debit_formats = PAIN_FORMATS[2:]
    twostep_classes = {6: (HITANS6, ParameterTwostepTAN6), 7: (HITANS7, ParameterTwostepTAN7)}
    segments = [
        HIBPA3(
            bpd_version=settings.bpd_version,
            bank_identifier=bank_id(settings.bank_code),
            bank_name=settings.name,
            number_tasks=3,
            supported_languages=SupportedLanguages2([Language2.DE]),
            supported_hbci_version=SupportedHBCIVersions2(["300"]),
        ),
        *(parameters(segment_class, parameter=parameter_class(
            onestep_method_allowed=False,
            multiple_tasks_allowed=False,
            task_hash_algorithm=TaskHashAlgorithm.NONE,
            twostep_parameters=[twostep(m, version) for m in tan_methods(version)],
        )) for version, (segment_class, parameter_class) in twostep_classes.items()),
        parameters(HIPINS1, parameter=ParameterPinTan(
            min_pin_length=5, max_pin_length=20, max_tan_length=6,
            user_id_field_text="Anmeldename", customer_id_field_text="Kundennummer",
            transaction_tans_required=[TransactionTanRequired(t, r) for t, r in tan_required(settings).items()],
        )),
        parameters(HISPAS1, parameter=GetSEPAAccountParameter1(
            single_account_query_allowed=True, national_account_allowed=False,
            structured_purpose_allowed=False, supported_sepa_formats=PAIN_FORMATS,
        )),
        parameters(HISALS5),
        parameters(HISALS6),
        parameters(HISALS7),
        parameters(HIKAZS5, parameter=statement_period()),
        parameters(HIKAZS6, parameter=statement_period()),
        parameters(HIKAZS7, parameter=statement_period()),
        parameters(HICCSS1),
        parameters(HIIPZS1),
        parameters(HIVPPS1, parameter=ParameterVoP(
            max_trans=1, notice_is_structured=False, report_complete="V", batch_payment_allowed=False,
            multiple_allowed=False, supported_report_formats=VOP_REPORT_FORMAT,
            payment_order_segment=list(VOP_ORDERS),
        )),
        parameters(HITABS4),
        parameters(HITABS5),
        parameters(HIWPDS6),
        parameters(HICCMS1, parameter=BatchTransferParameter1(
            max_transfer_count=MAX_BATCH, sum_amount_required=True, single_booking_allowed=True,
        )),
        parameters(HIDSES2, parameter=ScheduledDebitParameter2(
            min_advance_notice=str(LEAD_DAYS["CORE"]), max_advance_notice="60",
            supported_sepa_formats=debit_formats,
        )),
        parameters(HIDSCS1, parameter=ScheduledCOR1DebitParameter1(
            min_advance_notice_FNAL_RCUR=LEAD_DAYS["COR1"], max_advance_notice_FNAL_RCUR=60,
            min_advance_notice_FRST_OOFF=LEAD_DAYS["COR1"], max_advance_notice_FRST_OOFF=60,
            supported_sepa_formats=debit_formats,
        )),
        parameters(HIBSES1, parameter=ScheduledDebitParameter2(
            min_advance_notice=str(LEAD_DAYS["B2B"]), max_advance_notice="60",
            supported_sepa_formats=debit_formats,
        )),
        parameters(HIDMES2, parameter=ScheduledBatchDebitParameter2(
            min_advance_notice=str(LEAD_DAYS["CORE"]), max_advance_notice="60", max_debit_count=MAX_BATCH,
            sum_amount_required=True, single_booking_allowed=True, supported_sepa_formats=debit_formats,
        )),
        parameters(HIDMCS1, parameter=ScheduledCOR1BatchDebitParameter1(
            max_debit_count=MAX_BATCH, sum_amount_required=True, single_booking_allowed=True,
            min_advance_notice_FNAL_RCUR=LEAD_DAYS["COR1"], max_advance_notice_FNAL_RCUR=60,
            min_advance_notice_FRST_OOFF=LEAD_DAYS["COR1"], max_advance_notice_FRST_OOFF=60,
            supported_sepa_formats=debit_formats,
        )),
        parameters(HIBMES1, parameter=ScheduledBatchDebitParameter2(
            min_advance_notice=str(LEAD_DAYS["B2B"]), max_advance_notice="60", max_debit_count=MAX_BATCH,
            sum_amount_required=True, single_booking_allowed=True, supported_sepa_formats=debit_formats,
        )),
        parameters(HIPROS3),
        parameters(HIPROS4),
    ]
    if settings.camt:
        segments.append(parameters(HICAZS1, parameter=TransactionsTimeParameter1(
            storage_duration=STORAGE_DAYS, entry_number_entries_allowed=False,
            all_accounts_allowed=False, supported_camt_formats=[CAMT_052],
        )))
    return segments


def offered(settings) -> set[tuple[str, int]]:
    """(segment type, version) of every customer segment the BPD allows: each parameter
    segment HIxxxS version n allows HKxxx version n (HITANS: HKTAN; HIVPPS: HKVPP and its
    approval HKVPA), and the dialog segments."""
    allowed = set(DIALOG)
    for segment in bank_parameter_data(settings):
        kind, version = segment.header.type, segment.header.version
        if kind == "HITANS":
            allowed.add(("HKTAN", version))
        elif kind == "HIVPPS":
            allowed |= {("HKVPP", version), ("HKVPA", version)}
        elif kind.endswith("S") and kind != "HIPINS":
            allowed.add(("HK" + kind[2:5], version))
    return allowed


def user_parameter_data(customer, bank_code: str) -> list:
    segments = [HIUPA4(user_identifier=customer.login, upd_version=customer.upd_version,
                       upd_usage=UPDUsage.UPD_CONCLUSIVE, username=customer.name)]
    for account in customer.accounts:
        limit = None
        if account.credit_line:
            limit = AccountLimit(limit_type="K", limit_amount=Amount1(account.credit_line, account.currency))
        segments.append(HIUPD6(
            account_information=AccountInformation(account.number, account.subaccount, bank_id(bank_code)),
            iban=account.iban,
            customer_id=customer.login,
            account_type=ACCOUNT_TYPES[account.kind],
            account_currency=account.currency,
            name_account_owner_1=account.owner[:27],
            account_product_name=account.product[:30],
            account_limit=limit,
            allowed_transactions=[AllowedTransaction(op, 1) for op in account.operations],
        ))
    for depot in customer.depots:
        segments.append(HIUPD6(
            account_information=AccountInformation(depot.number, None, bank_id(bank_code)),
            customer_id=customer.login,
            account_type=ACCOUNT_TYPES["depot"],
            account_currency=depot.currency,
            name_account_owner_1=depot.owner[:27],
            account_product_name=depot.product[:30],
            allowed_transactions=[AllowedTransaction("HKWPD", 1)],
        ))
    return segments
