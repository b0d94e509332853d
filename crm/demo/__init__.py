"""The fictional demo region (a Trier-like city and its district), reproducible from a seed."""
