"""Connectors fetch from a bank or provider; services import what they return."""
