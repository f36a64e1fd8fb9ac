"""Receive settings and category broadcasts.

Residents choose categories in LINE (:mod:`.flow`); staff send to a category from
the command line (:mod:`.cli`, :mod:`.sender`). The privacy rules are in
:mod:`.privacy` and :mod:`.store`.
"""
