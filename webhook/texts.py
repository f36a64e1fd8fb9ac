"""Every Japanese text that residents see, in one place.

Texts are polite, short and plain. Keep each one within LINE's limits (5,000 UTF-16
code units for a text message, 300 for a button label's altText is generous) and keep
placeholders in ``str.format`` style so that wording can change without touching code.
"""

# --- Core: welcome, small talk, answers, errors ------------------------------------

# --- Fault reports --------------------------------------------------------------------

# --- Receive settings and broadcasts -------------------------------------------------
