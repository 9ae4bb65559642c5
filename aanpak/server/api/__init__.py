"""One router per use-case family under ``/api/v1``: parse a pydantic model, call the adapter, answer a model."""
