"""TEMPORARY minimal seed (helper replaces this file)."""
from sqlalchemy import select
from crm.models import ActorKind, LifeStage, Topic, CooperationType, EventKind


def seed_vocabularies(session):
    created = {}
    def add(model, key, **values):
        if session.scalars(select(model).where(getattr(model, key) == values[key])).first() is None:
            session.add(model(**values)); created[model.__name__] = created.get(model.__name__, 0) + 1
    for i, (n, c) in enumerate([("Grundschule", "Schule"), ("Kita", "Kita"), ("Volkshochschule", "Weiterbildung")]):
        add(ActorKind, "name", name=n, category=c, sort_order=i)
    add(Topic, "name", name="MINT", sort_order=1)
    add(LifeStage, "code", code="primar", name="Primarstufe", sort_order=2)
    session.flush()
    return created
