"""User-facing errors.

An ``InputError`` is a mistake in what the user gave (a case file, a material file, a command
line option, a data file). Its message is one line naming the key or file, the bad value and
what is allowed; the CLI prints it without a traceback.
"""


class InputError(ValueError):
    """Bad user input: the message is a complete one-line explanation."""
