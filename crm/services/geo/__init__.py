"""The geographic map: area outlines from GeoJSON (``outlines``) and what is drawn where (``places``)."""
