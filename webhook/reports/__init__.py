"""Fault reports from LINE: the conversation, the report store, staff and public views.

- ``flow``: the report conversation (category, photo, location, comment, confirmation)
- ``store``: reports, their status history and the conversation drafts (SQLAlchemy Core)
- ``routing``: which department handles which category
- ``office_hours``: when staff confirm reports
- ``geo``: the city boundary, distances and address text
- ``photos``: checking and storing photos with EXIF removed
- ``cli``, ``publish``, ``open311``: staff commands and the public results
"""
