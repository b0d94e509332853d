"""WTForms forms; each form owns its validation (``validate_<field>``)."""
