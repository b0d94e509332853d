"""Accounts: users and passwords, API tokens, login throttling."""
