"""WSGI entry point: ``gunicorn app:server`` (see Procfile and gunicorn.conf.py).

The factory lives in :mod:`dashapp.web.app`; it is called from here so that Dash finds ``pages/`` and ``assets/``
beside this file and names the page modules ``pages.<name>``.
"""

from dashapp.web.app import create_app

app = create_app(__name__)
server = app.server
