from django.urls import include, path

from kassenwart.web.views import accounts, audit, connections, invoices, members, session, statements, transactions

urlpatterns = [
    path("", accounts.account_list, name="home"),
    path("login/", session.login, name="login"),
    path("logout/", session.logout, name="logout"),
    path("company/", session.company_switch, name="company_switch"),
    path("accounts/<int:pk>/", accounts.account_detail, name="account_detail"),
    path("transactions/", transactions.transaction_list, name="transaction_list"),
    path("transactions/<int:pk>/", transactions.transaction_detail, name="transaction_detail"),
    path("transactions/pending/<int:pk>/", transactions.pending_detail, name="pending_detail"),
    path("statements/", statements.statement_list, name="statement_list"),
    path("statements/upload/", statements.statement_upload, name="statement_upload"),
    path("statements/result/", statements.statement_result, name="statement_result"),
    path("statements/<int:pk>/", statements.statement_detail, name="statement_detail"),
    path("invoices/", invoices.invoice_list, name="invoice_list"),
    path("invoices/<int:pk>/", invoices.invoice_detail, name="invoice_detail"),
    path("audit/", audit.audit_log, name="audit_log"),
    path("users/", members.member_list, name="member_list"),
    path("users/<int:pk>/", members.member_change, name="member_change"),
    path("", include("kassenwart.web.reconciliation_urls")),
    path("connections/", include([
        path("", connections.connection_list, name="connection_list"),
        path("new/", connections.connection_new, name="connection_new"),
        path("<int:pk>/", connections.connection_detail, name="connection_detail"),
        path("<int:pk>/tan-method/", connections.connection_choose_tan, name="connection_choose_tan"),
        path("<int:pk>/sync/", connections.connection_sync, name="connection_sync"),
        path("<int:pk>/tan/", connections.connection_tan, name="connection_tan"),
        path("<int:pk>/tan/poll/", connections.connection_tan_poll, name="connection_tan_poll"),
    ])),
]
