"""The shop as a Django app (label `django_shop`): models, admin, migrations, URLs.

The layout is the one `python -m django startapp` makes, trimmed to what the lesson uses; the
project around it is configured in code by `django_project.py`, never by a settings file.
"""
