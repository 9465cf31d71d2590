"""Who may do what: every route of the installation (from the root URL resolver, so an API
mounted there is asked too), asked by every role with GET and with POST, against one table of
expected outcomes (issue 12). A route that is not in the table fails the suite with its name
and what it answered, so a new page is added here after a thought about who may use it.

POSTs carry a valid CSRF token (the outcome is the permission, not the CSRF check; a POST
without one is refused everywhere, see the CSRF test below) and an empty body: what counts is
whether the request got past the permission check, not what it did. "Allowed" (OK) is any
answer of the view itself: a page, a redirect to anything but the login or the second factor,
or a form error.

The roles act for "our" company (route_objects.company_rows); an object route is asked about
our object. The outsider is an admin of another company: the strongest role there, which must
still get nothing of ours (404, never a page).
"""

import io
import re

from django.conf import settings
from django.test import Client
from django.urls import get_resolver, reverse

from kassenwart.core.models import AuditEvent
from kassenwart.web.csp import HEADER as CSP_HEADER

from logins import log_in
from route_objects import FOREIGN_NAME, routes

# The outcomes, as the table writes them.
OK = "ok"  # the view ran: a page, a redirect but to the login, a form error
LOGIN = "login"  # sent to the login page
SECOND = "2fa"  # sent to enter or set up the second factor (a member without an app, at a step-up)
DENIED = "403"
MISSING = "404"
NO = "405"  # the route does not answer this method

ROLES = ("anonymous", "member", "approver", "admin", "support_read", "support_full", "outsider")
CSRF_SECRET = "k" * 32
RELOG = {"logout", "two_factor_remove"}  # routes after which a role logs in again

GET, POST = "GET", "POST"

# route name -> {GET: outcomes, POST: outcomes}, the outcomes in the order of ROLES. Read-only
# support sees what an admin sees and may POST only to its own login (code, app, password), to
# log out, switch company or language; support with full access may do what an admin may, except
# change the members, the support grants or the company's two-factor rule (web/support_access.py). A member may cancel (payment_cancel) only orders of their own:
# the service refuses others' (the audit check below); a notification opens only for its reader.
TABLE = {
    #                                        anonym   member   approver admin    sup-read sup-full outsider
    "set_language":                  {GET:  (OK,      OK,      OK,      OK,      OK,      OK,      OK),
                                      POST: (OK,      OK,      OK,      OK,      OK,      OK,      OK)},
    "home":                          {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      OK),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      OK)},
    "dashboard_customize":           {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      OK),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      OK)},
    "account_list":                  {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      OK),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      OK)},
    "login":                         {GET:  (OK,      OK,      OK,      OK,      OK,      OK,      OK),
                                      POST: (OK,      OK,      OK,      OK,      DENIED,  OK,      OK)},
    "logout":                        {GET:  (NO,      NO,      NO,      NO,      NO,      NO,      NO),
                                      POST: (OK,      OK,      OK,      OK,      OK,      OK,      OK)},
    "login_code":                    {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      OK),
                                      POST: (LOGIN,   OK,      OK,      OK,      OK,      OK,      OK)},
    "step_up":                       {GET:  (LOGIN,   SECOND,  OK,      OK,      OK,      OK,      OK),
                                      POST: (LOGIN,   SECOND,  OK,      OK,      OK,      OK,      OK)},
    "security":                      {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      OK),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      OK)},
    "two_factor_setup":              {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      OK),
                                      POST: (LOGIN,   OK,      OK,      OK,      OK,      OK,      OK)},
    "recovery_codes_renew":          {GET:  (NO,      NO,      NO,      NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   SECOND,  OK,      OK,      OK,      OK,      OK)},
    "two_factor_remove":             {GET:  (NO,      NO,      NO,      NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   SECOND,  OK,      OK,      OK,      OK,      OK)},
    "password_change":               {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      OK),
                                      POST: (LOGIN,   OK,      OK,      OK,      OK,      OK,      OK)},
    "password_changed":              {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      OK),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      OK)},
    "password_reset":                {GET:  (MISSING, MISSING, MISSING, MISSING, MISSING, MISSING, MISSING),
                                      POST: (MISSING, MISSING, MISSING, MISSING, DENIED,  MISSING, MISSING)},
    "password_reset_sent":           {GET:  (OK,      OK,      OK,      OK,      OK,      OK,      OK),
                                      POST: (OK,      OK,      OK,      OK,      DENIED,  OK,      OK)},
    "password_reset_confirm":        {GET:  (OK,      OK,      OK,      OK,      OK,      OK,      OK),
                                      POST: (OK,      OK,      OK,      OK,      DENIED,  OK,      OK)},
    "password_reset_complete":       {GET:  (OK,      OK,      OK,      OK,      OK,      OK,      OK),
                                      POST: (OK,      OK,      OK,      OK,      DENIED,  OK,      OK)},
    "company_switch":                {GET:  (NO,      NO,      NO,      NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   MISSING, MISSING, MISSING, MISSING, MISSING, MISSING)},
    "account_detail":                {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      MISSING),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      MISSING)},
    "transaction_list":              {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      OK),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      OK)},
    "transaction_export":            {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      OK),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      OK)},
    "transaction_detail":            {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      MISSING),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      MISSING)},
    "pending_detail":                {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      MISSING),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      MISSING)},
    "statement_list":                {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      OK),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      OK)},
    "statement_upload":              {GET:  (NO,      NO,      NO,      NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      OK)},
    "statement_result":              {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      OK),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      OK)},
    "statement_map":                 {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      OK),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      OK)},
    "statement_detail":              {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      MISSING),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      MISSING)},
    "invoice_list":                  {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      OK),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      OK)},
    "invoice_export":                {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      OK),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      OK)},
    "invoice_upload":                {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      OK),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      OK)},
    "invoice_detail":                {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      MISSING),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      MISSING)},
    "collection_for_invoice":        {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      MISSING),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      MISSING)},
    "bill_list":                     {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      OK),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      OK)},
    "bill_upload":                   {GET:  (NO,      NO,      NO,      NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      OK)},
    "bill_detail":                   {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      MISSING),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      MISSING)},
    "bill_draft":                    {GET:  (NO,      NO,      NO,      NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      MISSING)},
    "bill_file":                     {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      MISSING),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      MISSING)},
    "audit_log":                     {GET:  (LOGIN,   DENIED,  DENIED,  OK,      OK,      OK,      OK),
                                      POST: (LOGIN,   DENIED,  DENIED,  OK,      DENIED,  OK,      OK)},
    "member_list":                   {GET:  (LOGIN,   DENIED,  DENIED,  OK,      OK,      OK,      OK),
                                      POST: (LOGIN,   DENIED,  DENIED,  OK,      DENIED,  DENIED,  OK)},
    "member_change":                 {GET:  (LOGIN,   DENIED,  DENIED,  NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   DENIED,  DENIED,  OK,      DENIED,  DENIED,  MISSING)},
    "support_access":                {GET:  (LOGIN,   DENIED,  DENIED,  OK,      DENIED,  DENIED,  OK),
                                      POST: (LOGIN,   DENIED,  DENIED,  OK,      DENIED,  DENIED,  OK)},
    "support_end":                   {GET:  (LOGIN,   DENIED,  DENIED,  NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   DENIED,  DENIED,  OK,      DENIED,  DENIED,  MISSING)},
    "company_two_factor":            {GET:  (LOGIN,   DENIED,  DENIED,  NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   DENIED,  DENIED,  OK,      DENIED,  DENIED,  OK)},
    "api_token_list":                {GET:  (LOGIN,   DENIED,  DENIED,  OK,      DENIED,  DENIED,  OK),
                                      POST: (LOGIN,   DENIED,  DENIED,  OK,      DENIED,  DENIED,  OK)},
    "api_token_revoke":              {GET:  (LOGIN,   DENIED,  DENIED,  NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   DENIED,  DENIED,  OK,      DENIED,  DENIED,  MISSING)},
    "reconciliation_open":           {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      OK),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      OK)},
    "reconciliation_open_export":    {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      OK),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      OK)},
    "reconciliation_map":            {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      MISSING),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      MISSING)},
    "reconciliation_map_rows":       {GET:  (NO,      NO,      NO,      NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      MISSING)},
    "reconciliation_map_save":       {GET:  (NO,      NO,      NO,      NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      MISSING)},
    "reconciliation_accept":         {GET:  (NO,      NO,      NO,      NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      MISSING)},
    "reconciliation_reject":         {GET:  (NO,      NO,      NO,      NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      MISSING)},
    "reconciliation_ignore":         {GET:  (NO,      NO,      NO,      NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      MISSING)},
    "reconciliation_unignore":       {GET:  (NO,      NO,      NO,      NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      MISSING)},
    "reconciliation_matched":        {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      OK),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      OK)},
    "reconciliation_matched_export": {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      OK),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      OK)},
    "reconciliation_undo":           {GET:  (NO,      NO,      NO,      NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      MISSING)},
    "reconciliation_settings":       {GET:  (LOGIN,   DENIED,  DENIED,  OK,      OK,      OK,      OK),
                                      POST: (LOGIN,   DENIED,  DENIED,  OK,      DENIED,  OK,      OK)},
    "reconciliation_run":            {GET:  (NO,      NO,      NO,      NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      OK)},
    "notification_list":             {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      OK),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      OK)},
    "notification_read_all":         {GET:  (NO,      NO,      NO,      NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      OK)},
    "notification_digest":           {GET:  (NO,      NO,      NO,      NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      OK)},
    "notification_open":             {GET:  (NO,      NO,      NO,      NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   MISSING, MISSING, OK,      DENIED,  MISSING, MISSING)},
    "customer_list":                 {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      OK),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      OK)},
    "customer_detail":               {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      MISSING),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      MISSING)},
    "mandate_list":                  {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      OK),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      OK)},
    "mandate_new":                   {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      OK),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      OK)},
    "mandate_import":                {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      OK),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      OK)},
    "mandate_detail":                {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      MISSING),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      MISSING)},
    "mandate_amend":                 {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      MISSING),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      MISSING)},
    "mandate_revoke":                {GET:  (NO,      NO,      NO,      NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      MISSING)},
    "debit_settings":                {GET:  (LOGIN,   DENIED,  DENIED,  OK,      OK,      OK,      OK),
                                      POST: (LOGIN,   DENIED,  DENIED,  OK,      DENIED,  OK,      OK)},
    "debit_settings_account":        {GET:  (NO,      NO,      NO,      NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   DENIED,  DENIED,  OK,      DENIED,  OK,      MISSING)},
    "export_page":                   {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      OK),
                                      POST: (NO,      NO,      NO,      NO,      DENIED,  NO,      NO)},
    "export_download":               {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      OK),
                                      POST: (NO,      NO,      NO,      NO,      DENIED,  NO,      NO)},
    "export_settings":               {GET:  (LOGIN,   DENIED,  DENIED,  OK,      OK,      OK,      OK),
                                      POST: (LOGIN,   DENIED,  DENIED,  OK,      DENIED,  OK,      OK)},
    "payment_list":                  {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      OK),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      OK)},
    "payment_export":                {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      OK),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      OK)},
    "payment_new":                   {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      OK),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      OK)},
    "payment_run_create":            {GET:  (NO,      NO,      NO,      NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      OK)},
    "payment_run_bills":             {GET:  (NO,      NO,      NO,      NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      OK)},
    "payment_detail":                {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      MISSING),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      MISSING)},
    "payment_submit":                {GET:  (NO,      NO,      NO,      NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      MISSING)},
    "payment_approve":               {GET:  (NO,      NO,      NO,      NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   DENIED,  OK,      OK,      DENIED,  OK,      MISSING)},
    "payment_cancel":                {GET:  (NO,      NO,      NO,      NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      MISSING)},
    "payment_send":                  {GET:  (NO,      NO,      NO,      NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   DENIED,  OK,      OK,      DENIED,  OK,      MISSING)},
    "payment_payee":                 {GET:  (NO,      NO,      NO,      NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   DENIED,  OK,      OK,      DENIED,  OK,      MISSING)},
    "payment_tan":                   {GET:  (NO,      NO,      NO,      NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   DENIED,  OK,      OK,      DENIED,  OK,      MISSING)},
    "payment_resolve":               {GET:  (NO,      NO,      NO,      NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   DENIED,  OK,      OK,      DENIED,  OK,      MISSING)},
    "payment_pain":                  {GET:  (LOGIN,   DENIED,  OK,      OK,      OK,      OK,      MISSING),
                                      POST: (LOGIN,   DENIED,  OK,      OK,      DENIED,  OK,      MISSING)},
    "payment_uploaded":              {GET:  (NO,      NO,      NO,      NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   DENIED,  OK,      OK,      DENIED,  OK,      MISSING)},
    "collection_list":               {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      OK),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      OK)},
    "collection_detail":             {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      MISSING),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      MISSING)},
    "collection_release":            {GET:  (NO,      NO,      NO,      NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      MISSING)},
    "collection_cancel":             {GET:  (NO,      NO,      NO,      NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      MISSING)},
    "plan_list":                     {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      OK),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      OK)},
    "plan_new":                      {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      OK),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      OK)},
    "plan_detail":                   {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      MISSING),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      MISSING)},
    "plan_edit":                     {GET:  (LOGIN,   OK,      OK,      OK,      OK,      OK,      MISSING),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      MISSING)},
    "plan_stop":                     {GET:  (NO,      NO,      NO,      NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   OK,      OK,      OK,      DENIED,  OK,      MISSING)},
    "webhook_list":                  {GET:  (LOGIN,   DENIED,  DENIED,  OK,      OK,      OK,      OK),
                                      POST: (LOGIN,   DENIED,  DENIED,  OK,      DENIED,  OK,      OK)},
    "webhook_detail":                {GET:  (LOGIN,   DENIED,  DENIED,  OK,      OK,      OK,      MISSING),
                                      POST: (LOGIN,   DENIED,  DENIED,  OK,      DENIED,  OK,      MISSING)},
    "webhook_state":                 {GET:  (NO,      NO,      NO,      NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   DENIED,  DENIED,  OK,      DENIED,  OK,      MISSING)},
    "webhook_secret":                {GET:  (NO,      NO,      NO,      NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   DENIED,  DENIED,  OK,      DENIED,  OK,      MISSING)},
    "webhook_delete":                {GET:  (NO,      NO,      NO,      NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   DENIED,  DENIED,  OK,      DENIED,  OK,      MISSING)},
    "webhook_delivery":              {GET:  (LOGIN,   DENIED,  DENIED,  OK,      OK,      OK,      MISSING),
                                      POST: (LOGIN,   DENIED,  DENIED,  OK,      DENIED,  OK,      MISSING)},
    "webhook_replay":                {GET:  (NO,      NO,      NO,      NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   DENIED,  DENIED,  OK,      DENIED,  OK,      MISSING)},
    "connection_list":               {GET:  (LOGIN,   DENIED,  DENIED,  OK,      OK,      OK,      OK),
                                      POST: (LOGIN,   DENIED,  DENIED,  OK,      DENIED,  OK,      OK)},
    "connection_new":                {GET:  (LOGIN,   DENIED,  DENIED,  OK,      OK,      OK,      OK),
                                      POST: (LOGIN,   DENIED,  DENIED,  OK,      DENIED,  OK,      OK)},
    "connection_detail":             {GET:  (LOGIN,   DENIED,  DENIED,  OK,      OK,      OK,      MISSING),
                                      POST: (LOGIN,   DENIED,  DENIED,  OK,      DENIED,  OK,      MISSING)},
    "connection_choose_tan":         {GET:  (NO,      NO,      NO,      NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   DENIED,  DENIED,  OK,      DENIED,  OK,      MISSING)},
    "connection_sync":               {GET:  (NO,      NO,      NO,      NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   DENIED,  DENIED,  OK,      DENIED,  OK,      MISSING)},
    "connection_tan":                {GET:  (LOGIN,   DENIED,  DENIED,  OK,      OK,      OK,      MISSING),
                                      POST: (LOGIN,   DENIED,  DENIED,  OK,      DENIED,  OK,      MISSING)},
    "connection_tan_poll":           {GET:  (NO,      NO,      NO,      NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   DENIED,  DENIED,  OK,      DENIED,  OK,      MISSING)},
    "provider_new":                  {GET:  (LOGIN,   DENIED,  DENIED,  OK,      OK,      OK,      OK),
                                      POST: (LOGIN,   DENIED,  DENIED,  OK,      DENIED,  OK,      OK)},
    "provider_detail":               {GET:  (LOGIN,   DENIED,  DENIED,  OK,      OK,      OK,      MISSING),
                                      POST: (LOGIN,   DENIED,  DENIED,  OK,      DENIED,  OK,      MISSING)},
    "provider_sync":                 {GET:  (NO,      NO,      NO,      NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   DENIED,  DENIED,  OK,      DENIED,  OK,      MISSING)},
    "provider_credentials":          {GET:  (NO,      NO,      NO,      NO,      NO,      NO,      NO),
                                      POST: (LOGIN,   DENIED,  DENIED,  OK,      DENIED,  OK,      MISSING)},
}


def _url(pattern, ours) -> str:
    converters = pattern.pattern.converters
    if "pk" in converters:
        return reverse(pattern.name, kwargs={"pk": ours[pattern.name].pk})
    if "uidb64" in converters:  # a password reset link; one that is not valid, but the page answers
        return reverse(pattern.name, kwargs={"uidb64": "MQ", "token": "set-password"})
    return reverse(pattern.name)


def outcome(response) -> str:
    status = response.status_code
    if status in (301, 302, 303):
        to = response["Location"]
        if to.startswith(reverse("login") + "?"):
            return LOGIN
        return SECOND if to.startswith(tuple(reverse(n) for n in ("login_code", "two_factor_setup", "step_up"))) else OK
    if status in (200, 201, 204, 400):
        return OK
    return {403: DENIED, 404: MISSING, 405: NO}.get(status, str(status))


def _clients(company, other_company, make_user, admin):
    from kassenwart.companies.support import support_grant
    from kassenwart.core.models import User

    read, full = (User.objects.create_user(name) for name in ("helpdesk-read", "helpdesk-full"))
    support_grant(company, read.username, 4, by=admin, via="test")
    support_grant(company, full.username, 4, full_access=True, by=admin, via="test")
    users = {
        "anonymous": None,
        "member": make_user(company, "member", "mia"),
        "approver": make_user(company, "approver", "abe"),
        "admin": admin,
        "support_read": read,
        "support_full": full,
        "outsider": make_user(other_company, "admin", "otto"),
    }
    clients = {}
    for role, user in users.items():
        client = Client(enforce_csrf_checks=True)
        if user is not None:
            log_in(client, user, with_app=role.startswith("support"))
        clients[role] = client
    return users, clients


def _post(client, url, *, token=True):
    if token:
        client.cookies["csrftoken"] = CSRF_SECRET
        return client.post(url, HTTP_X_CSRFTOKEN=CSRF_SECRET)
    return client.post(url)


def test_every_route_answers_every_role_as_the_table_says(two_companies, company, other_company, make_user):
    admin, ours, _theirs = two_companies
    users, clients = _clients(company, other_company, make_user, admin)
    found, wrong, leaks = {}, [], []
    for pattern in routes(get_resolver().url_patterns):
        url = _url(pattern, ours)
        seen = {"GET": [], "POST": []}
        for role in ROLES:
            client = clients[role]
            for method in ("GET", "POST"):
                response = client.get(url) if method == "GET" else _post(client, url)
                seen[method].append(outcome(response))
                if role == "outsider" and FOREIGN_NAME.encode() + b" ours" in _body(response):
                    leaks.append(f"{pattern.name} {method}")
            if pattern.name in RELOG and users[role] is not None:  # back in for the next routes
                log_in(client, users[role], with_app=role.startswith("support"))
        found[pattern.name] = {GET: tuple(seen[GET]), POST: tuple(seen[POST])}
        expected = TABLE.get(pattern.name)
        if expected != found[pattern.name]:
            wrong.append(f'    "{pattern.name}": {{"GET": ({", ".join(_const(o) for o in seen["GET"])}),\n'
                         f'        "POST": ({", ".join(_const(o) for o in seen["POST"])})}},'
                         + ("  # NOT IN THE TABLE" if expected is None else f"  # table: {expected}"))
    assert not leaks, f"the outsider saw our data: {leaks}"
    # What the POSTs did, from the audit trail: read-only support changed nothing, the outsider
    # nothing of ours, the member no colleague's transfer (it may draft and cancel its own only).
    actions = {role: set(AuditEvent.objects.filter(actor=users[role], company=company).values_list("action", flat=True))
               for role in ROLES[1:]}
    assert actions["support_read"] == {"support.opened"}, actions["support_read"]
    assert not actions["outsider"], actions["outsider"]
    assert not {a for a in actions["member"] if a.startswith("payment.")}, actions["member"]
    assert "payment.approved" in actions["approver"]  # the order was there to be acted on
    assert not wrong, ("routes that answer otherwise than the table says, or are not in it (what they "
                       "answered, in the table's words; ROLES: " + ", ".join(ROLES) + "):\n" + "\n".join(wrong))
    assert set(TABLE) <= set(found), f"routes in the table that are gone: {set(TABLE) - set(found)}"


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _const(value: str) -> str:
    return {OK: "OK", LOGIN: "LOGIN", SECOND: "SECOND", DENIED: "DENIED", MISSING: "MISSING", NO: "NO"}.get(value, repr(value))


def test_a_post_without_its_csrf_token_is_refused_on_every_route_with_a_page_that_says_what_to_do(
        two_companies):
    admin, ours, _theirs = two_companies
    anonymous, logged_in = Client(enforce_csrf_checks=True), log_in(Client(enforce_csrf_checks=True), admin)
    posts = [p for p in routes(get_resolver().url_patterns) if TABLE[p.name][POST][ROLES.index("admin")] != NO]
    assert len(posts) > 50
    for client in (anonymous, logged_in):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for pattern in posts:
        for client in (anonymous, logged_in):
            response = _post(client, _url(pattern, ours), token=False)
            assert response.status_code == 403, pattern.name
            assert b"Reload the page and try again" in response.content, pattern.name

    # The page keeps to the Content-Security-Policy (Django's own has an inline style), in German too.
    response = Client(enforce_csrf_checks=True).post(reverse("login"), HTTP_ACCEPT_LANGUAGE="de")
    page = response.content.decode()
    nonce = re.search(r"script-src 'nonce-([^']+)'", response[CSP_HEADER]).group(1)
    assert "Laden Sie die Seite neu" in page and "Cookies" in page
    assert "<style" not in page and " style=" not in page
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts), scripts


def test_an_admin_or_approver_without_an_app_reaches_only_its_set_up_and_then_every_page(db, client, make_user):
    """`kassenwart init`'s first admin, and a member promoted to approver while logged in: after
    the password alone every route but the login's own steps leads to setting up the app, which
    done, the pages open."""
    from django.core.management import call_command

    from kassenwart.companies import two_factor
    from kassenwart.companies.models import Company
    from kassenwart.companies.services import membership_set
    from kassenwart.core.models import User
    from kassenwart.web.two_factor_gate import OPEN_BEFORE_SECOND_FACTOR

    from logins import totp_code

    call_command("init", company="Erstfirma GmbH", admin="erst", password="first admin password", stdout=io.StringIO())
    company, admin = Company.objects.get(name="Erstfirma GmbH"), User.objects.get(username="erst")
    member = make_user(company, "member", "mo")
    promoted = Client()
    promoted.post(reverse("login"), {"username": "mo", "password": "correct horse battery"})
    assert promoted.get(reverse("home")).status_code == 200  # a member needs no app
    membership_set(company, member, "approver", by=admin, via="test")
    first = Client()
    first.post(reverse("login"), {"username": "erst", "password": "first admin password"})

    gated = [p for p in routes(get_resolver().url_patterns) if p.name not in OPEN_BEFORE_SECOND_FACTOR]
    for user, person in ((admin, first), (member, promoted)):
        for pattern in gated:
            kwargs = {name: "1" for name in pattern.pattern.converters}
            url = reverse(pattern.name, kwargs=kwargs)
            for response in (person.get(url), person.post(url)):
                assert outcome(response) == SECOND, (user.username, pattern.name)
                assert response["Location"].startswith(reverse("two_factor_setup")), (user.username, pattern.name)
        person.get(reverse("two_factor_setup"))
        device = two_factor.TotpDevice.objects.get(user=user, confirmed=False)
        person.post(reverse("two_factor_setup"), {"code": totp_code(two_factor.authenticator_key(device))})
        assert person.get(reverse("home")).status_code == 200
        assert person.get(reverse("payment_list")).status_code == 200
