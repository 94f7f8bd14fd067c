"""The licences the snapshot credits on its rows (Open Parliament Licence, Open Government Licence, quoted pages).

Kept here until the project's one home for licences and attributions exists; then this module folds into it.
"""

from __future__ import annotations

OPL = ("Open Parliament Licence v3.0",
       "https://www.parliament.uk/site-information/copyright-parliament/open-parliament-licence/")
OGL = ("Open Government Licence v3.0",
       "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/")
QUOTED = ("Quoted for reporting from the publisher's page; see its terms", None)
