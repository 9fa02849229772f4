"""The baseline for bench/pages.py: a bare Flask app served the same way as the portal."""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello() -> str:
    return "Hello, World!"
