"""The rule catalog: one declarative file per rule (`RTMnnn_<name>.py`, each defining RULE).

Rule files hold data only: code, name, message, docs in ruff's sections, rename tables
and examples. The logic lives in the generic matchers of `realtime_migrate.matchers`
that each file names. This folder ships inside the wheel as `realtime_migrate/rules`.
"""
