from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select

from cityline.db import create_db_engine, ensure_schema


def test_ensure_schema_on_postgres(postgres_url):
    metadata = MetaData()
    things = Table(
        "pg_things",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("name", String(20)),
    )
    engine = create_db_engine(postgres_url)
    ensure_schema(engine, "pg_things", metadata, 1)
    ensure_schema(engine, "pg_things", metadata, 1)

    with engine.begin() as connection:
        connection.execute(insert(things).values(name="街灯"))
    with engine.connect() as connection:
        names = connection.execute(select(things.c.name)).scalars().all()
    assert names == ["街灯"]
