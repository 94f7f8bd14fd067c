"""What the benchmark asks of kinmon: 50 searches a kinship researcher would type, and the pages it opens.

The searches use the Search page's syntax (words ANDed, "phrases", OR, -word and NOT, open word ends) and
the words of the records: the priorities' own terms, DfE's statistical names for kinship care, and the
departments' stock phrases.
"""

QUERIES = (
    "kinship", "kinship allowance", '"kinship allowance"', "special guardianship", '"special guardianship order"',
    "guardian", "allowance OR allowances", "kinship -adoption", "kinship NOT fostering", '"kinship carers" leave',
    "employment leave kinship", "pilot allowance", '"local offer"', "local authorities kinship funding",
    "grandparents", '"connected carers"', '"family and friends"', "relative friend foster placements",
    "legal aid kinship", "family group decision", '"family group decision-making"', "racial disparities",
    "ethnicity kinship", "data kinship children", "statistics kinship", "kinship ambassador", "strategy kinship care",
    '"Children\'s Wellbeing and Schools Bill"', "definition kinship law", "SGO", "ASGSF", "support fund therapy",
    "virtual school heads", "pupil premium kinship", "housing kinship carers", "universal credit kinship",
    "child benefit kinship", "education kinship children", "mental health kinship", "training kinship carers",
    "peer support kinship", "kinship OR guardianship", "kinship council grants", "funding councils -adoption",
    "Department for Education kinship", "Ofsted kinship", "court orders special", "financial support carers",
    "family network support package", "kinship care strategy delivery",
)

# (label, the page's url_path in dashboard.py ('' for Home), its query string): the pages the page rows time
PAGES = (
    ("Home", "", ""),
    ("Priorities", "priorities", ""),
    ("Search", "search", "q=kinship+allowance"),
    ("Parliament", "parliament", ""),
    ("Data & downloads", "data", ""),
)

# What each reader of the memory row visits on a real server (kinmon.bench.memory): every page of the
# navigation (its url_path, '' for Home), with the filters a reader would set where a page has them.
SERVER_VISITS = (
    ("", ""), ("priorities", "priority=2"), ("search", "q=kinship+allowance"), ("parliament", ""),
    ("parliament", "q=%22special+guardianship%22"), ("statistics", ""), ("members", ""), ("timeline", "priority=3"),
    ("changelog", ""), ("data", ""), ("about", ""),
)
