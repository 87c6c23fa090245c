"""The Titanic API's prediction store: tables, migrations, and how to open the database.

Importing the package loads nothing: the API's writer uses `names`, `connection` and
`statements` (its driver alone, no SQLAlchemy); the migrations, the report and the tools use
`tables`, `engine`, `schema` and `inserts` (SQLAlchemy).
"""
