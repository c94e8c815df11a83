"""Answers in the site's own words: an HTML page or, for the JSON routes, a JSON body."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, render_template, request


def wants_json() -> bool:
    return request.path.endswith(".json") or request.path == "/healthz"


def problem(status: int, title: str, message: str, **extra: Any) -> Response:
    """A small error answer: HTML with the look-up form, or `{"error", "message"}` as JSON."""
    if wants_json():
        response = jsonify({"error": title, "message": message, **extra})
    else:
        html = render_template("problem.html", title=title, message=message, **extra)
        response = Response(html, mimetype="text/html")
    response.status_code = status
    return response
