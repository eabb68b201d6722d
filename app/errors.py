"""Typed errors, the bottom layer: services raise them; the web, the API and the CLI map them once."""


class DomainError(Exception):
    """A request the rules refuse; the message (translated) says why. HTTP 400 in the API."""


class Refused(DomainError):
    """This role may not do this at all. HTTP 403 in the API."""


class InvalidValue(DomainError):
    """A value no column may hold (an unknown code, a date out of range); HTTP 400 in the API."""


class VersionConflict(DomainError):
    """A write based on an older version of the record: refused, nothing saved. HTTP 409 in the API."""
