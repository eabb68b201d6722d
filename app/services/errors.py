"""Typed errors of the service layer; the base view and API map them once (400 / 403)."""


class DomainError(Exception):
    """A request the rules refuse; the message (translated) says why. HTTP 400 in the API."""


class Refused(DomainError):
    """This role may not do this at all. HTTP 403 in the API."""
