from django.shortcuts import get_object_or_404, render

from kassenwart.banking import selectors
from kassenwart.banking.models import BankAccount
from kassenwart.web.decorators import company_required


@company_required()
def account_list(request):
    accounts = selectors.account_overview(request.company)
    return render(request, "web/accounts/list.html", {"accounts": accounts})


@company_required()
def account_detail(request, pk):
    account = get_object_or_404(BankAccount, pk=pk, company=request.company)
    context = {
        "account": account,
        "balances": selectors.balance_history(request.company, account),
        "pending": selectors.pending_search(request.company, account_id=account.pk),
        "transactions": selectors.recent_transactions(request.company, account),
    }
    return render(request, "web/accounts/detail.html", context)
