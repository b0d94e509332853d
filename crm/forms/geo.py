"""The area outline upload (crm.services.geo.outlines does the reading and matching)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, StringField
from wtforms.validators import Length, Optional


class OutlineUploadForm(FlaskForm):
    file = FileField(_l("GeoJSON-Datei"), validators=[FileRequired(_l("Bitte eine GeoJSON-Datei auswählen."))],
                     description=_l("Eine FeatureCollection mit Flächen (Polygon oder MultiPolygon) in WGS 84 "
                                    "(Längen- und Breitengrad), z. B. aus dem Geoportal oder QGIS."))
    name_property = StringField(_l("Eigenschaft mit dem Gebietsnamen"), validators=[Optional(), Length(max=100)],
                                description=_l("Leer lassen: die Eigenschaft, deren Werte die meisten Gebiete "
                                               "nennen, wird gewählt (z. B. „name“ oder „GEN“)."))
    preview = BooleanField(_l("Nur prüfen, nichts speichern"))
