"""Privacy: consent, data subject rights (access, erasure), retention review and the audit trail."""
