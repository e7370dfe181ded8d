"""The case database: SQLAlchemy models, Alembic migrations, and the queries the pipeline needs."""
