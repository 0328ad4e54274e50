"""CRM research workbench: customer value, segmentation, lifecycle and satisfaction.

The package holds every computation; notebooks in ``notebooks/`` call it and papermill
renders them into case-study reports. Each module is one concept; see the README for a
tour.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("crm-workbench")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
