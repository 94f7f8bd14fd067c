"""The licences kinmon's data is published under, and the attribution each one asks for: the one place
their names, addresses and wording are written (the source register, exports, feeds and pages read them here).
"""

from __future__ import annotations

OPL_NAME = "Open Parliament Licence v3.0"
OPL_URL = "https://www.parliament.uk/site-information/copyright-parliament/open-parliament-licence/"
OPL_ATTRIBUTION = f"Contains Parliamentary information licensed under the {OPL_NAME}."

OGL_NAME = "Open Government Licence v3.0"
OGL_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
OGL_ATTRIBUTION = f"Contains public sector information licensed under the {OGL_NAME}."

OPL = (OPL_NAME, OPL_URL)  # (licence, licence_url) as the source register holds them
OGL = (OGL_NAME, OGL_URL)
# pages kinmon quotes from (charities, the press, the Alliance) under the publisher's own terms
QUOTED = ("Quoted for reporting from the publisher's page; see its terms", None)

# licence name -> (attribution sentence, licence text address), in the order they are credited
ATTRIBUTIONS: dict[str, tuple[str, str]] = {
    OPL_NAME: (OPL_ATTRIBUTION, OPL_URL),
    OGL_NAME: (OGL_ATTRIBUTION, OGL_URL),
}


# one line crediting both, for a feed's <rights>
ALL_ATTRIBUTIONS = (f"Contains Parliamentary information licensed under the {OPL_NAME}; "
                    f"contains public sector information licensed under the {OGL_NAME}.")


def attributions_for(licences) -> list[tuple[str, str]]:
    """The (attribution, licence address) pairs the given licence names ask for, in a fixed order."""
    held = set(licences)
    return [pair for name, pair in ATTRIBUTIONS.items() if name in held]
