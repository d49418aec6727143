"""Errors with a stable code, and the RFC 9457 problem details they are sent as.

``ApplicationError`` is the base every app's ``exceptions.py`` subclasses;
``problem_response`` is the one shape an error response of the API takes.
"""
