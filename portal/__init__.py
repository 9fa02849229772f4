"""Warmteburen: a portal for mini heat networks.

Deliberately empty: importing ``portal.domain`` must not pull in Flask. The app lives in
``portal.app`` (``create_app``); gunicorn uses ``wsgi:app``.
"""
