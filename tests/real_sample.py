"""Real Written Questions API records for tests, and the hand judgement of which are about kinship care.

tests/data/real_sample_texts.jsonl.gz: the heading, question and answer of all 5,896 House of Commons
written questions tabled 17 July to 12 September 2024, as the live API returned them (the full text from
/questions/{id} where it was kept, else the list endpoint's cut text), reduced from
../shared/reference/parliament/real_sample/questions_2024-07_to_09.jsonl.gz.
tests/data/parliament_sample.jsonl: 35 of those records in full (list value and detail text), kinship and
not, for the ingest replays. Source: UK Parliament Written Questions API data as republished by mySociety
(github.com/mysociety/uk-parl-written-questions). Contains Parliamentary information licensed under the
Open Parliament Licence v3.0.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

DATA = Path(__file__).parent / "data"

# Judged by reading every sample record whose text mentions kinship, guardians, grandparents, relatives,
# friends, foster care, children in care, adoption, family networks or connected persons (some 200); the
# other 5,600-odd are on unrelated subjects. Each entry: the API id and why it is about kinship care.
KINSHIP_IN_SAMPLE = {
    1721297: "a financial allowance for kinship carers equal to foster carers' (UIN 48)",
    1721298: "trialling a kinship care allowance (UIN 49, answered with 48)",
    1724520: "the physical and mental health of unpaid and kinship carers",
    1725954: "Winter Fuel Payment changes and households where grandparents are the primary care givers to "
             "their grandchildren: kinship care without the word",
    1726715: "the charity Kinship's report on kinship children's education and mental health",
    1727835: "progress on the National Kinship Care Strategy",
}
# Near misses, judged not about kinship care, that a looser filter would keep.
NOT_KINSHIP = {
    1721830: "(a) relative and (b) absolute poverty",
    1724331: "pensioners in (i) relative and (ii) absolute poverty",
    1721690: "'my right hon. Friend' in the answer",
    1724188: "'friends and family' of pensioners in the answer",
    1728295: "children whose parents or guardians apply to state schools",
    1725743: "inheritance tax passing homes to children or grandchildren",
    1725837: "prisoners' visits from next-of-kin",
    1727643: "worker status for foster carers (not kinship foster care)",
    1721946: "innovation in children's social care, with no kinship content",
    1726311: "support for people subject to forced adoption, 1940 to 1970",
    1728381: "adoption leave for adoptive parents",
    1722563: "civil servants outside London ('Places for Growth')",
    1727309: "migrants travelling in family groups",
}


def sample_texts() -> list[dict]:
    with gzip.open(DATA / "real_sample_texts.jsonl.gz", "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def sample_records() -> list[dict]:
    """The 35 full records: {list_value, detail_questionText, detail_answerText}."""
    return [json.loads(line) for line in (DATA / "parliament_sample.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
