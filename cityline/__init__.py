"""cityline: the engine behind a Japanese city's LINE official account.

The packages are the pipeline: ``crawler`` fills the page store, ``index`` builds the
search index from it, ``answerer`` ranks pages for a question, and ``webhook`` is the
FastAPI app that LINE calls. This package holds what they share: settings, the
database module, errors and the command line.
"""

__version__ = "0.1.0"
