"""Domain errors raised by the memory layer; the UI and CLI turn them into messages."""


class MebotError(Exception):
    """Base class for errors the user can act on."""


class NotFound(MebotError):
    """The item does not exist, or belongs to another user (the two are indistinguishable)."""


class InvalidInput(MebotError):
    """The input cannot be stored as given (empty, too large, not text, malformed)."""


class ModelServerError(MebotError):
    """A model server (the openai chat backend, the L1 teacher) could not be reached or answered an error."""
