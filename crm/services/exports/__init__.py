"""Exports: filtered lists as CSV/Excel, the landscape for Kumu, Gephi and yEd."""
