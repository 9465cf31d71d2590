"""What each role may do. One table, asked everywhere (views, API, services)."""

from kassenwart.companies.models import Role

VIEW = "view"  # accounts, transactions, invoices
DRAFT_TRANSFER = "draft_transfer"
DRAFT_DEBIT = "draft_debit"  # collections and plans under the company's mandates
MANAGE_MANDATES = "manage_mandates"  # record, amend, revoke and import mandates
MAP_TRANSACTION = "map_transaction"
IMPORT_STATEMENT = "import_statement"
IMPORT_INVOICES = "import_invoices"
APPROVE_PAYMENT = "approve_payment"
CREATE_ACCOUNT = "create_account"  # an import may create an unknown account
MANAGE_USERS = "manage_users"
MANAGE_CONNECTIONS = "manage_connections"
MANAGE_SETTINGS = "manage_settings"
VIEW_AUDIT = "view_audit"

_MEMBER = {VIEW, DRAFT_TRANSFER, DRAFT_DEBIT, MANAGE_MANDATES, MAP_TRANSACTION, IMPORT_STATEMENT, IMPORT_INVOICES}
_APPROVER = _MEMBER | {APPROVE_PAYMENT}
_ADMIN = _APPROVER | {CREATE_ACCOUNT, MANAGE_USERS, MANAGE_CONNECTIONS, MANAGE_SETTINGS, VIEW_AUDIT}

PERMISSIONS = {Role.MEMBER: _MEMBER, Role.APPROVER: _APPROVER, Role.ADMIN: _ADMIN}


def allows(role: str | None, permission: str) -> bool:
    return role is not None and permission in PERMISSIONS.get(Role(role), set())
