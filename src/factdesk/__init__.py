"""factdesk: answer contested factual questions and check claims from a library of sources."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("factdesk")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+local"

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
