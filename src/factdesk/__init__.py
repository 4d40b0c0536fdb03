"""factdesk: answer contested factual questions and check claims from a library of sources."""

# The one place the version is written (pyproject.toml reads it from here); a literal, not
# importlib.metadata, which costs a tenth of a second on every command.
__version__ = "0.1.0"

__all__ = ["Library", "Report", "__version__"]


def __getattr__(name: str):
    # Imported lazily so that `import factdesk.model` (used by every stage) stays light.
    if name == "Library":
        from factdesk.library import Library

        return Library
    if name == "Report":
        from factdesk.model import Report

        return Report
    raise AttributeError(name)
