"""The toolkit's version, as installed (``0.0.0+unknown`` when run from a source tree without installation)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("futures-forum-toolkit")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"
