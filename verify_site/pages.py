"""Answers in the site's own words: an HTML page or, for the JSON routes, a JSON body."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, render_template, request, url_for
from flask.globals import request_ctx


def wants_json() -> bool:
    path = request.path
    return path.endswith(".json") or path == "/healthz" or path.startswith("/status/")


def problem(status: int, title: str, message: str, **extra: Any) -> Response:
    """A small error answer: HTML with the look-up form, or `{"error", "message"}` as JSON."""
    if wants_json():
        response = jsonify({"error": title, "message": message, **extra})
    else:
        html = render_template("problem.html", title=title, message=message, **extra)
        response = Response(html, mimetype="text/html")
    response.status_code = status
    return response


def page_url(endpoint: str, **values: Any) -> str:
    """`url_for` for templates, also when the request has no URL adapter: Flask builds none when
    the Host header cannot be used (a label of 64+ characters, say), and the error page for
    that request still needs its links. The fallback builds a path only, never using the Host."""
    if request_ctx and request_ctx.url_adapter is None:
        adapter = current_app.url_map.bind("localhost", script_name=request.script_root or "/")
        return adapter.build(endpoint, values)
    return url_for(endpoint, **values)
