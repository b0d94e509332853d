"""Bildungsangebote: the offers' rules (``offers``), what may go public (``listing``), the forgiving
search over them (``search``) and the public portal's queries (``portal``)."""
