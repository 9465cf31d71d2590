"""Exports for the accountant: bank transactions and matched payments per period as CSV and as a
DATEV booking batch, with the company's account numbers. Sits beside flows and dashboards:
it reads banking, receivables and reconciliation."""
