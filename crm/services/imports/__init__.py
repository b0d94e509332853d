"""Import of actors, persons and cooperations from CSV, Excel, GeoJSON and Kumu files.

The steps a user goes through map onto these modules:
``readers`` turns bytes into sheets of text cells, ``mapping`` recognises the columns,
``actors``/``persons``/``cooperations`` check and apply rows, ``engine`` runs them in
order inside the caller's transaction, ``report`` collects problems and counts, and
``batches`` keeps the uploaded file on the server between the steps.
"""
