"""Payments: transfers, payment orders and runs, direct debits, and the SEPA files they become."""
