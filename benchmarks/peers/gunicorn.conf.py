"""gunicorn settings for the peers benchmark: the project's own gunicorn.conf.py,
read as it is, with the access log off and the application named by WSGI_APP,
so that our site, machina's and the floor run under one command line."""

import os
import runpy
from pathlib import Path

globals().update(
    (name, value)
    for name, value in runpy.run_path(str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py")).items()
    if not name.startswith("__")
)
accesslog = None
wsgi_app = os.environ["WSGI_APP"]
