"""One transaction per request: services flush, the request boundary commits.

A response below 400 commits what the request changed; an error response (or an
exception) rolls everything back, so a refused request changes nothing.
"""

from __future__ import annotations

import logging

from flask import Flask, Response
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError

from server.db import db
from server.errors import Problem, problem_response

log = logging.getLogger(__name__)


def _finish(response: Response) -> Response:
    if response.status_code >= 400:
        db.session.rollback()
        return response
    try:
        db.session.commit()
    except (IntegrityError, StaleDataError) as exc:
        db.session.rollback()
        log.info("commit refused: %s", exc)
        return problem_response(
            Problem("conflict", "The change conflicts with data saved meanwhile; reload and retry.")
        )
    except SQLAlchemyError:
        db.session.rollback()
        log.exception("commit failed")
        return problem_response(
            Problem(
                "service-unavailable", "The change could not be saved; retry shortly.", headers={"Retry-After": "5"}
            )
        )
    return response


def init_app(app: Flask) -> None:
    app.after_request(_finish)
