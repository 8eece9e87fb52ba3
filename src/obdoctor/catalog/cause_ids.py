"""Every cause of ``data/causes/`` as a constant: ``from obdoctor.catalog.cause_ids import STUCK``.

The constants are the members of :class:`~obdoctor.catalog.causes.CauseId`, made from the cause
data when it is imported. A module names the causes it can report by importing them, so a
misspelt or removed cause is an ImportError of that module, at load time, with its file and line,
and never a KeyError while a report is being made. A member is a str (its id), so findings,
formats and tests see the same text as before.
"""

from obdoctor.catalog.causes import CauseId

globals().update(CauseId.__members__)

__all__ = ["CauseId", *CauseId.__members__]
