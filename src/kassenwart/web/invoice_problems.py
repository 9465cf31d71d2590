"""The problems of an invoice file (receivables.invoice_csv) in the reader's language: the
wording lives in receivables.problems, shared with the API."""

from kassenwart.receivables.problems import PROBLEM_TEXTS, problem_text

__all__ = ["PROBLEM_TEXTS", "problem_text"]
