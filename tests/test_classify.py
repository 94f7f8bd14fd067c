"""Classification into the seven priorities: phrase matching, rule validation, tagging the store, and
agreement with a hand-labelled set of real written questions."""

from __future__ import annotations

import csv
import json
import os
import re
from pathlib import Path

import duckdb
import pytest

from kinmon import classify as c
from kinmon import store
from kinmon.config import DATA_DIR

LABELLED = Path(__file__).parent / "data" / "labelled_questions.csv"
NOW = "2026-11-25 00:00:00"

# Floors a little below the measured agreement (see test_agreement_with_labelled_questions), so a
# rules change that loses agreement fails. The pipeline classifies heading + question + answer;
# the labels describe the question's subject, so answers that cite the Bill or family group
# decision-making count against precision.
PIPELINE_FLOORS = {"exact": 0.78, "precision": 0.95, "recall": 0.80}  # heading + question, as ingest tags
WITH_ANSWER_FLOORS = {"exact": 0.43, "precision": 0.60, "recall": 0.88}  # for comparison: answers included


# ---------------------------------------------------------------- helpers


def rules_file(tmp_path: Path, rules: list[dict], *, version: str = "2026-11-25.1",
               context: list[str] | None = None, name: str = "rules.json") -> Path:
    data = {"version": version, "rules": rules}
    if context is not None:
        data["kinship_context"] = context
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def ruleset(tmp_path: Path, *rules: dict, context: list[str] | None = None) -> c.RuleSet:
    return c.load_rules(rules_file(tmp_path, list(rules), context=context))


def rule(rule_id: str, priority: int, **match) -> dict:
    return {"id": rule_id, "priority": priority, "description": f"rule {rule_id}", **match}


def hits(text: str, rules: c.RuleSet) -> list[tuple[int, str, str]]:
    return [(m.priority_id, m.rule_id, m.matched) for m in c.classify(text, rules)]


def overrides_file(tmp_path: Path, *lines: str, name: str = "overrides.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(("item_type,item_id,priority_id,action,reason",) + lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def con():
    connection = duckdb.connect(":memory:")
    store.migrate(connection)
    yield connection
    connection.close()


@pytest.fixture
def two_rules(tmp_path) -> c.RuleSet:
    return ruleset(tmp_path, rule("p2-allowance", 2, any=["kinship allowance"]),
                   rule("p5-data", 5, any=["how many"]))


def tags(con, item_type=None) -> list[tuple]:
    where, params = ("WHERE item_type = ?", [item_type]) if item_type else ("", [])
    return con.execute(f"SELECT item_type, item_id, priority_id, rule_id, rules_version, method FROM priority_tag "
                       f"{where} ORDER BY ALL", params).fetchall()


# ---------------------------------------------------------------- phrases


@pytest.mark.parametrize("phrase, text, found", [
    ("bill", "The Bill will define it", "Bill"),
    ("bill", "energy bills", None),  # whole words only
    ("bill", "a billion pounds", None),
    ("council*", "grants to councils", "councils"),  # a trailing * is any ending
    ("children* wellbeing", "the Children's Wellbeing Bill", "Children's Wellbeing"),
    ("children* wellbeing", "the Children\u2019s Wellbeing Bill", "Children's Wellbeing"),  # curly apostrophe
    ("decision making", "family group decision-making", "decision-making"),  # space matches hyphen
    ("co-produc*", "co produced with carers", "co produced"),
    ("SGO", "an sgo was made", "sgo"),  # case-insensitive
    ("kinship", "\u2018Kinship\u2019 runs groups", "Kinship"),
    ("funding ... local authorit*", "funding she will give to local authorities", "funding she will give to local authorities"),
    ("funding ... local authorit*", "funding for the new pilot scheme in six local authorities", None),  # over five words
    ("funding ... local authorit*", "Funding is agreed. Local authorities will", None),  # not across a sentence end
])
def test_phrase_matching(phrase, text, found):
    assert c.Phrase(phrase, c.phrase_pattern(phrase)).found(c.normalised(text)) == found


# ---------------------------------------------------------------- rule types


def test_any_is_or(tmp_path):
    rules = ruleset(tmp_path, rule("p5-data", 5, any=["statistics", "how many"]))
    assert hits("How many kinship carers are there?", rules) == [(5, "p5-data", "How many")]
    assert hits("Publish statistics", rules) == [(5, "p5-data", "statistics")]
    assert hits("Publish the figures", rules) == []


def test_any_reports_the_first_listed_phrase_found(tmp_path):
    rules = ruleset(tmp_path, rule("p2-allowance", 2, any=["kinship allowance", "allowance*"]))
    assert hits("allowances, and a kinship allowance", rules) == [(2, "p2-allowance", "kinship allowance")]


def test_all_is_and_with_alternatives(tmp_path):
    rules = ruleset(tmp_path, rule("p7-funding", 7, all=["funding", ["local authorit*", "council*"]]))
    assert hits("funding for councils", rules) == [(7, "p7-funding", "funding + councils")]
    assert hits("funding for local authorities", rules) == [(7, "p7-funding", "funding + local authorities")]
    assert hits("funding for charities", rules) == []
    assert hits("grants to councils", rules) == []


def test_all_and_any_together(tmp_path):
    rules = ruleset(tmp_path, rule("p3-assess", 3, all=["assess*"], any=["relative*", "grandparent*"]))
    assert hits("assessing grandparents", rules) == [(3, "p3-assess", "assessing + grandparents")]
    assert hits("assessing parents", rules) == []


def test_none_is_an_exclusion(tmp_path):
    rules = ruleset(tmp_path, rule("p1-bill", 1, any=["bill"], none=["energy bill", "household bill*"]))
    assert hits("the Bill before Parliament", rules) == [(1, "p1-bill", "Bill")]
    assert hits("help with the energy bill", rules) == []
    assert hits("the Bill, and household bills", rules) == []


def test_kinship_context_is_required_only_where_asked(tmp_path):
    rules = ruleset(tmp_path,
                    rule("p2-support", 2, any=["support*"], kinship_context=True),
                    rule("p3-fgdm", 3, any=["family group decision making"]),
                    context=["kinship", "special guardian*"])
    assert hits("support for carers", rules) == []
    assert hits("support for special guardians", rules) == [(2, "p2-support", "support")]
    assert hits("family group decision-making", rules) == [(3, "p3-fgdm", "family group decision-making")]


def test_first_rule_per_priority_wins_and_matches_are_sorted(tmp_path):
    rules = ruleset(tmp_path,
                    rule("p7-funding", 7, any=["funding"]),
                    rule("p2-allowance", 2, any=["allowance"]),
                    rule("p2-support", 2, any=["support"]))
    assert hits("support, an allowance and funding", rules) == [
        (2, "p2-allowance", "allowance"), (7, "p7-funding", "funding")]


def test_a_fallback_fires_only_when_no_other_rule_does(tmp_path):
    rules = ruleset(tmp_path, rule("p2-fallback", 2, kinship_context=True, fallback=True),
                    rule("p5-data", 5, any=["how many"]), context=["kinship"])
    assert hits("how many kinship carers", rules) == [(5, "p5-data", "how many")]
    assert hits("the kinship strategy", rules) == [(2, "p2-fallback", "no other priority named")]
    assert hits("the strategy", rules) == []  # not about kinship care: no fallback


def test_kinship_context_may_come_from_the_rest_of_the_item(tmp_path):
    rules = ruleset(tmp_path, rule("p2-support", 2, kinship_context=True, any=["support*"]), context=["special guardian*"])
    question = "what support is available at 18 to young people placed under alternative permanency arrangements"
    assert hits(question, rules) == []
    assert [m.priority_id for m in c.classify(question, rules, context="... special guardianship orders ...")] == [2]


def test_empty_text_matches_nothing(two_rules):
    assert c.classify(None, two_rules) == []
    assert c.classify("", two_rules) == []


def test_match_is_a_frozen_record(two_rules):
    match = c.classify("the kinship allowance", two_rules)[0]
    assert match == c.Match(2, "p2-allowance", "rule p2-allowance", "kinship allowance")
    with pytest.raises(AttributeError):
        match.priority_id = 3


def test_explain_names_the_priority_rule_and_words(tmp_path):
    rules = ruleset(tmp_path, rule("p2-allowance", 2, any=["kinship allowance"]),
                    rule("p7-funding", 7, all=["funding", "council*"]))
    assert c.explain("Kinship allowance funding for councils", rules) == (
        "2  Support for every kinship family  rule p2-allowance: matched 'Kinship allowance'\n"
        "7  Long-term funding for councils  rule p7-funding: matched 'funding' + 'councils'")
    assert c.explain("nothing relevant", rules) == "no priority matched"


def test_priority_titles_are_the_short_titles_in_the_data():
    with open(DATA_DIR / "priorities.csv", newline="", encoding="utf-8") as fh:
        assert c.PRIORITY_TITLES == {int(r["priority_id"]): r["short_title"] for r in csv.DictReader(fh)}


def test_item_text_joins_the_parts_that_exist():
    assert c.item_text("Kinship Care", None, " Q? ", "", "A.") == "Kinship Care\n\nQ?\n\nA."


# ---------------------------------------------------------------- the shipped rules


def test_shipped_rules_load_and_cover_every_priority():
    rules = c.load_rules()
    assert Path(rules.path) == (DATA_DIR / "classification_rules.json").resolve()
    assert c.VERSION_PATTERN.match(rules.version)
    assert sorted({r.priority for r in rules.rules}) == [1, 2, 3, 4, 5, 6, 7]
    assert "_format" in json.loads((DATA_DIR / "classification_rules.json").read_text(encoding="utf-8"))


def test_shipped_overrides_name_items_in_the_snapshot():
    shipped = {
        "question": {str(json.loads(line)["id"]) for line in (DATA_DIR / "questions.jsonl").open(encoding="utf-8")},
        "debate": {json.loads(line)["debate_id"] for line in (DATA_DIR / "debates.jsonl").open(encoding="utf-8")},
    }
    overrides = c.load_overrides()
    assert overrides.rows
    for o in overrides.rows:  # an override whose item id drifted would silently do nothing
        assert o.item_id in shipped.get(o.item_type, set()), o


# The cases the issue names: what a researcher expects of each kind of question.
@pytest.mark.parametrize("text, expected", [
    ("what support is available for kinship carers", [2]),
    ("when the kinship allowance pilot will begin", [2]),
    ("what funding local authorities in the kinship allowance pilot will receive", [2, 7]),
    ("how many children are living in kinship care in England", [5]),
    ("what statistics her Department holds on special guardianship orders", [5]),
    ("whether she will legislate for a statutory definition of kinship care", [1]),
    ("whether the Children's Wellbeing and Schools Bill will create a legal framework for kinship care", [1]),
    ("what progress has been made on family group decision-making", [3]),
    ("what assessment she has made of family network support packages", [3]),
    ("what guidance she gives on viability assessments of kinship carers before a child enters care", [3]),
    ("what assessment she has made of racial disparities in kinship care", [4]),
    ("what data she holds on the ethnicity of special guardians", [4, 5]),
    ("how she will listen to kinship carers and consult them on their views", [6]),
    ("what funding she has provided to local authorities for kinship care", [7]),
    ("what grants she plans to give councils for kinship care", [7]),
    ("what help is available with household energy bills", []),
    # a household bill is not a Bill: no priority 1; a kinship question naming no priority falls back to 2
    ("whether she will reduce energy bills for kinship carers", [2]),
])
def test_shipped_rules_on_the_issues_examples(text, expected):
    assert [m.priority_id for m in c.classify("To ask the Secretary of State for Education, " + text)] == expected


# ---------------------------------------------------------------- validation


def test_bad_json_names_the_file(tmp_path):
    path = tmp_path / "rules.json"
    path.write_text('{"version": "2026-11-25.1", "rules": [}', encoding="utf-8")
    with pytest.raises(ValueError) as err:
        c.load_rules(path)
    assert str(err.value) == "rules.json: not valid JSON: Expecting value at line 1 column 39"


def test_missing_file_names_it(tmp_path):
    with pytest.raises(ValueError, match=r"^nope\.json: file is missing"):
        c.load_rules(tmp_path / "nope.json")


@pytest.mark.parametrize("bad_rule, message", [
    (rule("p2-x", 9, any=["a"]), "rules.json: rule 'p2-x': 'priority' must be a whole number from 1 to 7, got 9"),
    (rule("p2-x", 0, any=["a"]), "rules.json: rule 'p2-x': 'priority' must be a whole number from 1 to 7, got 0"),
    (rule("p2-x", "2", any=["a"]), "rules.json: rule 'p2-x': 'priority' must be a whole number from 1 to 7, got '2'"),
    (rule("p2-x", True, any=["a"]), "rules.json: rule 'p2-x': 'priority' must be a whole number from 1 to 7, got True"),
    (rule("p2-x", 2, any=["a"], phrases=["b"]),
     "rules.json: rule 'p2-x': unknown key(s) 'phrases'; allowed: all, any, description, fallback, id, kinship_context, "
     "none, priority"),
    (rule("p2-x", 2, any=[]), "rules.json: rule 'p2-x': 'any' must be a non-empty list of phrases"),
    (rule("p2-x", 2, all=["a", []]), "rules.json: rule 'p2-x': 'all' must be a non-empty list of phrases"),
    (rule("p2-x", 2, any=["a"], none=[]), "rules.json: rule 'p2-x': 'none' must be a non-empty list of phrases"),
    (rule("p2-x", 2, any=["  "]), "rules.json: rule 'p2-x': 'any': a phrase is empty"),
    (rule("p2-x", 2, any=[3]), "rules.json: rule 'p2-x': 'any': 3 is not a phrase (text in double quotes)"),
    (rule("p2-x", 2, any=["*ship"]),
     "rules.json: rule 'p2-x': 'any': phrase '*ship' has a malformed word '*ship' (a * may only end a word)"),
    (rule("p2-x", 2, any=["... funding"]), "rules.json: rule 'p2-x': 'any': phrase '... funding' starts or ends with '...'"),
    (rule("p2-x", 2), "rules.json: rule 'p2-x': needs 'any' or 'all' (or both)"),
    (rule("p2-x", 2, any=["a"], fallback=True),
     "rules.json: rule 'p2-x': a fallback rule fires when nothing else does; it takes no 'any' or 'all'"),
    (rule("p2-x", 2, fallback="yes"), "rules.json: rule 'p2-x': 'fallback' must be true or false, got 'yes'"),
    (rule("p2-x", 2, any=["a"], kinship_context="yes"),
     "rules.json: rule 'p2-x': 'kinship_context' must be true or false, got 'yes'"),
    ({"id": "p2-x", "priority": 2, "any": ["a"]}, "rules.json: rule 'p2-x': 'description' must be a non-empty text"),
    (rule("P2 X", 2, any=["a"]), "rules.json: rule #2: 'id' must be lowercase letters, digits and hyphens, got 'P2 X'"),
])
def test_rule_errors_name_the_file_and_the_rule(tmp_path, bad_rule, message):
    path = rules_file(tmp_path, [rule("p1-ok", 1, any=["bill"]), bad_rule])
    with pytest.raises(ValueError) as err:
        c.load_rules(path)
    assert str(err.value) == message


def test_duplicate_ids_are_refused(tmp_path):
    path = rules_file(tmp_path, [rule("p1-a", 1, any=["bill"]), rule("p1-a", 1, any=["act"])])
    with pytest.raises(ValueError) as err:
        c.load_rules(path)
    assert str(err.value) == "rules.json: rule 'p1-a': duplicate id (rule #1 has it too)"


@pytest.mark.parametrize("data, message", [
    ({"version": "2026-11-25.1", "rules": [rule("p1-a", 1, any=["bill"])], "rule": []},
     "rules.json: unknown key(s) 'rule'; allowed: kinship_context, rules, version"),
    ({"version": "2026-11-25", "rules": [rule("p1-a", 1, any=["bill"])]},
     "rules.json: 'version' must look like YYYY-MM-DD.N (a real date and a counter), got '2026-11-25'"),
    ({"version": "2026-02-30.1", "rules": [rule("p1-a", 1, any=["bill"])]},
     "rules.json: 'version' must look like YYYY-MM-DD.N (a real date and a counter), got '2026-02-30.1'"),
    ({"version": "2026-11-25.1", "rules": []}, "rules.json: 'rules' must be a non-empty list"),
    ({"version": "2026-11-25.1", "rules": [rule("p1-a", 1, any=["bill"], kinship_context=True)]},
     "rules.json: kinship_context must be a non-empty list of phrases"),
    ([], "rules.json: must be a JSON object with version, kinship_context and rules"),
])
def test_top_level_errors(tmp_path, data, message):
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError) as err:
        c.load_rules(path)
    assert str(err.value) == message


def test_comment_keys_are_allowed(tmp_path):
    path = rules_file(tmp_path, [rule("p1-a", 1, any=["bill"], _why="a Bill is legislation")])
    assert [r.id for r in c.load_rules(path).rules] == ["p1-a"]


def test_rules_are_cached_until_the_file_changes(tmp_path):
    path = rules_file(tmp_path, [rule("p1-a", 1, any=["bill"])])
    first = c.load_rules(path)
    assert c.load_rules(path) is first
    rules_file(tmp_path, [rule("p1-a", 1, any=["bill"]), rule("p5-b", 5, any=["data"])])
    os.utime(path, ns=(1, 1))  # a different mtime whatever the clock's resolution
    assert [r.id for r in c.load_rules(path).rules] == ["p1-a", "p5-b"]


# ---------------------------------------------------------------- overrides


def test_overrides_load(tmp_path):
    path = overrides_file(tmp_path, "question,-7,5,add,asks about levels of kinship care",
                          "debate,curated-2024-03-06,1,remove,the debate is not about legislation")
    loaded = c.load_overrides(path)
    assert loaded.rows == (
        c.Override("question", "-7", 5, "add", "asks about levels of kinship care", 2),
        c.Override("debate", "curated-2024-03-06", 1, "remove", "the debate is not about legislation", 3),
    )
    assert loaded.for_item("question", "-7") == loaded.rows[:1]


@pytest.mark.parametrize("line, message", [
    ("answer,-7,5,add,why", "overrides.csv:3: item_type must be one of question, statement, debate, contribution, got 'answer'"),
    ("question,Q7,5,add,why", "overrides.csv:3: item_id 'Q7' is not a valid question id"),
    ("debate,,5,add,why", "overrides.csv:3: item_id '' is not a valid debate id"),
    ("question,-7,8,add,why", "overrides.csv:3: priority_id must be a number from 1 to 7, got '8'"),
    ("question,-7,5,delete,why", "overrides.csv:3: action must be add or remove, got 'delete'"),
    ("question,-7,5,add,", "overrides.csv:3: reason is empty: say why the rules are overridden"),
    ("question,-7,5,add", "overrides.csv:3: expected 5 columns (item_type,item_id,priority_id,action,reason)"),
    ("question,-1,2,remove,twice", "overrides.csv:3: question -1 priority 2 is already overridden on line 2"),
])
def test_override_errors_name_the_file_and_line(tmp_path, line, message):
    path = overrides_file(tmp_path, "question,-1,2,add,first", line)
    with pytest.raises(ValueError) as err:
        c.load_overrides(path)
    assert str(err.value) == message


def test_override_header_is_checked(tmp_path):
    path = tmp_path / "overrides.csv"
    path.write_text("type,id,priority,action,reason\n", encoding="utf-8")
    with pytest.raises(ValueError) as err:
        c.load_overrides(path)
    assert str(err.value) == ("overrides.csv:1: the header must be item_type,item_id,priority_id,action,reason, "
                              "got type,id,priority,action,reason")


# ---------------------------------------------------------------- tagging the store


def test_tag_item_writes_rule_tags_and_is_idempotent(con, two_rules):
    text = "How many families get the kinship allowance?"
    assert c.tag_item(con, "question", -7, text, two_rules, c.NO_OVERRIDES) == [2, 5]
    expected = [("question", "-7", 2, "p2-allowance", "2026-11-25.1", "rule"),
                ("question", "-7", 5, "p5-data", "2026-11-25.1", "rule")]
    assert tags(con) == expected
    assert c.tag_item(con, "question", -7, text, two_rules, c.NO_OVERRIDES) == [2, 5]
    assert tags(con) == expected


def test_tag_item_replaces_stale_rule_tags(con, two_rules):
    c.tag_item(con, "question", -7, "How many families get the kinship allowance?", two_rules, c.NO_OVERRIDES)
    assert c.tag_item(con, "question", -7, "How many families?", two_rules, c.NO_OVERRIDES) == [5]
    assert c.tag_item(con, "question", -7, "Nothing to see", two_rules, c.NO_OVERRIDES) == []
    assert tags(con) == []


def test_overrides_add_and_remove(con, two_rules, tmp_path):
    overrides = c.load_overrides(overrides_file(
        tmp_path, "question,-7,5,remove,asks about allowances not data", "question,-7,6,add,quotes carers' views"))
    text = "How many families get the kinship allowance?"
    for _ in range(2):  # and again: idempotent
        assert c.tag_item(con, "question", "-7", text, two_rules, overrides) == [2, 6]
        assert tags(con) == [("question", "-7", 2, "p2-allowance", "2026-11-25.1", "rule"),
                             ("question", "-7", 6, "override", "2026-11-25.1", "curated")]


def test_an_add_override_takes_over_a_rule_tag(con, two_rules, tmp_path):
    overrides = c.load_overrides(overrides_file(tmp_path, "question,-7,2,add,certainly about allowances"))
    assert c.tag_item(con, "question", -7, "the kinship allowance", two_rules, overrides) == [2]
    assert tags(con) == [("question", "-7", 2, "override", "2026-11-25.1", "curated")]


def test_a_dropped_override_no_longer_applies(con, two_rules, tmp_path):
    overrides = c.load_overrides(overrides_file(tmp_path, "question,-7,6,add,quotes carers' views"))
    assert c.tag_item(con, "question", -7, "the kinship allowance", two_rules, overrides) == [2, 6]
    assert c.tag_item(con, "question", -7, "the kinship allowance", two_rules, c.NO_OVERRIDES) == [2]


def test_other_curated_tags_are_kept_unless_removed(con, two_rules, tmp_path):
    con.execute("INSERT INTO priority_tag VALUES ('debate', 'd1', 4, 'hand', 'n/a', 'curated')")
    con.execute("INSERT INTO priority_tag VALUES ('debate', 'd1', 2, 'hand', 'n/a', 'curated')")
    assert c.tag_item(con, "debate", "d1", "the kinship allowance", two_rules, c.NO_OVERRIDES) == [2, 4]
    assert tags(con) == [("debate", "d1", 2, "hand", "n/a", "curated"), ("debate", "d1", 4, "hand", "n/a", "curated")]
    overrides = c.load_overrides(overrides_file(tmp_path, "debate,d1,4,remove,not about race"))
    assert c.tag_item(con, "debate", "d1", "the kinship allowance", two_rules, overrides) == [2]


def test_tag_item_refuses_an_unknown_item_type(con, two_rules):
    with pytest.raises(ValueError, match="item_type must be one of question, statement, debate, contribution, got 'answer'"):
        c.tag_item(con, "answer", 1, "text", two_rules, c.NO_OVERRIDES)


def insert_items(con) -> None:
    con.execute("INSERT INTO written_question (id, heading, question_text, answer_text, source_id, retrieved_at) "
                "VALUES (-1, 'Kinship Care', 'How many children get the kinship allowance?', 'Data are not held.', 's', ?)",
                [NOW])
    con.execute("INSERT INTO statement (id, title, text, source_id, retrieved_at) "
                "VALUES (42, 'Kinship allowance', 'A written statement.', 's', ?)", [NOW])
    con.execute("INSERT INTO debate (debate_id, date, title, notes, url, source_id, retrieved_at) "
                "VALUES ('D-1', '2024-03-06', 'Kinship Care Strategy', 'How many carers', 'https://x', 's', ?)", [NOW])
    con.execute("INSERT INTO contribution (contribution_id, text, source_id, retrieved_at) "
                "VALUES ('C-1', 'Nothing relevant here.', 's', ?)", [NOW])


def test_retag_all_tags_every_kind_of_item(con, two_rules):
    insert_items(con)
    assert c.retag_all(con, two_rules, c.NO_OVERRIDES) == 4
    assert [t[:4] for t in tags(con)] == [
        ("debate", "D-1", 5, "p5-data"),
        ("question", "-1", 2, "p2-allowance"),
        ("question", "-1", 5, "p5-data"),
        ("statement", "42", 2, "p2-allowance"),
    ]
    assert c.retag_all(con, two_rules, c.NO_OVERRIDES) == 4  # idempotent
    assert len(tags(con)) == 4


def test_a_question_is_tagged_by_what_it_asks_not_by_its_answer(con, two_rules):
    con.execute("INSERT INTO written_question (id, heading, question_text, answer_text, source_id, retrieved_at) "
                "VALUES (-2, 'Carers', 'What support is there for carers?', 'The kinship allowance is new.', 's', ?)",
                [NOW])
    c.retag_all(con, two_rules, c.NO_OVERRIDES)
    assert tags(con) == []


def test_retag_all_drops_tags_of_items_that_are_gone_and_applies_overrides(con, two_rules, tmp_path):
    insert_items(con)
    c.retag_all(con, two_rules, c.NO_OVERRIDES)
    con.execute("DELETE FROM statement")
    overrides = c.load_overrides(overrides_file(tmp_path, "contribution,C-1,6,add,a carer speaking for carers"))
    assert c.retag_all(con, two_rules, overrides) == 4
    assert [t[:4] for t in tags(con)] == [
        ("contribution", "C-1", 6, "override"),
        ("debate", "D-1", 5, "p5-data"),
        ("question", "-1", 2, "p2-allowance"),
        ("question", "-1", 5, "p5-data"),
    ]


def test_retag_all_with_the_shipped_rules(con):
    insert_items(con)
    assert c.retag_all(con) == 5
    assert [t[:4] for t in tags(con)] == [
        ("debate", "D-1", 2, "p2-strategy"),
        ("debate", "D-1", 5, "p5-data"),
        ("question", "-1", 2, "p2-allowance"),
        ("question", "-1", 5, "p5-data"),
        ("statement", "42", 2, "p2-allowance"),
    ]


class Classified:
    """Counts the texts classify's rule loop is run on (monkeypatched over kinmon.classify._fired)."""

    def __init__(self, monkeypatch):
        self.texts: list[str] = []
        real = c._fired

        def counting(rules, text, *args):
            self.texts.append(text)
            return real(rules, text, *args)

        monkeypatch.setattr(c, "_fired", counting)


def tag_rowids(con) -> list[tuple]:
    return con.execute("SELECT rowid, item_type, item_id, priority_id FROM priority_tag ORDER BY ALL").fetchall()


def test_retag_all_reads_only_what_changed_and_writes_only_what_differs(con, two_rules, tmp_path, monkeypatch):
    insert_items(con)
    classified = Classified(monkeypatch)
    c.retag_all(con, two_rules, c.NO_OVERRIDES)
    assert len(classified.texts) == 4  # every item, the first time
    before = tag_rowids(con)
    classified.texts.clear()
    assert c.retag_all(con, two_rules, c.NO_OVERRIDES) == 4
    assert classified.texts == []  # nothing changed: nothing classified
    con.execute("UPDATE statement SET title = 'How many statements' WHERE id = 42")
    c.retag_all(con, two_rules, c.NO_OVERRIDES)
    assert classified.texts == ["How many statements\n\nA written statement."]
    assert ("statement", "42", 5, "p5-data") in [t[:4] for t in tags(con)]
    assert ("statement", "42", 2, "p2-allowance") not in [t[:4] for t in tags(con)]
    # the question's and the debate's rows were never rewritten (a rewrite gives a row a new rowid)
    kept = [r for r in before if r[1] != "statement"]
    assert [r for r in tag_rowids(con) if r[1] != "statement"] == kept
    # full=True reads every item again, and still writes nothing that is the same
    classified.texts.clear()
    c.retag_all(con, two_rules, c.NO_OVERRIDES, full=True)
    assert len(classified.texts) == 4 and [r for r in tag_rowids(con) if r[1] != "statement"] == kept
    # new rules or overrides: every item is read again
    classified.texts.clear()
    overrides = c.load_overrides(overrides_file(tmp_path, "contribution,C-1,6,add,a carer speaking for carers"))
    c.retag_all(con, two_rules, overrides)
    assert len(classified.texts) == 4 and ("contribution", "C-1", 6, "override") in [t[:4] for t in tags(con)]
    classified.texts.clear()
    c.retag_all(con, ruleset(tmp_path, rule("p5-data", 5, any=["how many"])), overrides)
    assert len(classified.texts) == 4 and ("question", "-1", 2, "p2-allowance") not in [t[:4] for t in tags(con)]


def test_tag_item_is_forgotten_by_the_next_retag(con, two_rules):
    insert_items(con)
    c.retag_all(con, two_rules, c.NO_OVERRIDES)
    c.tag_item(con, "question", -1, "Nothing to see", two_rules, c.NO_OVERRIDES)  # not the stored text
    assert tags(con, "question") == []
    c.retag_all(con, two_rules, c.NO_OVERRIDES)  # the stored text is tagged again
    assert [t[2] for t in tags(con, "question")] == [2, 5]


def test_identical_texts_are_classified_once_with_their_own_kinship_context(con, tmp_path, monkeypatch):
    rules = ruleset(tmp_path, rule("p2-support", 2, any=["support"], kinship_context=True), context=["kinship"])
    for qid, answer in ((-1, "Kinship carers are supported."), (-2, "Nothing about it."), (-3, "Kinship again.")):
        con.execute("INSERT INTO written_question (id, heading, question_text, answer_text, source_id, retrieved_at) "
                    "VALUES (?, 'Carers', 'What support is there?', ?, 's', ?)", [qid, answer, NOW])
    classified = Classified(monkeypatch)
    c.retag_all(con, rules, c.NO_OVERRIDES)
    assert len(classified.texts) == 2  # once with kinship in the answer, once without
    assert tags(con) == [("question", "-1", 2, "p2-support", "2026-11-25.1", "rule"),
                         ("question", "-3", 2, "p2-support", "2026-11-25.1", "rule")]


def test_the_tagging_shortcuts_give_exactly_what_classify_gives(snapshot_store):
    """rule_ids (no words, memo by text) against classify on every stored item's text and the labelled rows."""
    rules = c.load_rules()
    plan = c._Plan()
    texts = [(c.item_text(r["heading"], r["question"]), None) for r in labelled_rows()]
    con = duckdb.connect(str(snapshot_store), read_only=True)
    try:
        for item_type, (table, _key, columns) in c.ITEM_SOURCES.items():
            extra = c.CONTEXT_COLUMNS.get(item_type, ())
            for parts in con.execute(f"SELECT {', '.join(columns + extra)} FROM {table}").fetchall():
                text = c.item_text(*parts[:len(columns)])
                texts.append((text, c.item_text(text, *parts[len(columns):])))
    finally:
        con.close()
    assert len(texts) > 200
    for text, context in texts + texts:  # twice: the second time from the memo
        expected = tuple((m.priority_id, m.rule_id) for m in c.classify(text, rules, context))
        assert c.rule_ids(text, rules, context) == expected
        assert plan.rule_ids(text, rules, context) == expected


# ---------------------------------------------------------------- agreement with the labelled questions


def labelled_rows() -> list[dict]:
    with open(LABELLED, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def agreement(expected: dict[str, set[int]], got: dict[str, set[int]]) -> dict[str, float]:
    tp = sum(len(expected[i] & got[i]) for i in expected)
    fp = sum(len(got[i] - expected[i]) for i in expected)
    fn = sum(len(expected[i] - got[i]) for i in expected)
    return {"n": len(expected), "exact": sum(expected[i] == got[i] for i in expected) / len(expected),
            "precision": tp / (tp + fp) if tp + fp else 0.0, "recall": tp / (tp + fn) if tp + fn else 0.0,
            "per_question": sum(len(got[i]) for i in expected) / len(expected),
            "untagged": sum(1 for i in expected if expected[i] and not got[i])}


def shipped_questions() -> dict[str, dict]:
    return {str(q["id"]): q for q in (json.loads(line) for line in
                                      (DATA_DIR / "questions.jsonl").read_text(encoding="utf-8").splitlines() if line)}


def test_labelled_set_is_every_shipped_question_with_a_fixed_split():
    import hashlib

    rows, shipped = labelled_rows(), shipped_questions()
    assert sorted(r["id"] for r in rows) == sorted(shipped)
    assert {r["set"] for r in rows} == {"labelled-99", "snapshot-23"}
    assert sum(r["set"] == "labelled-99" for r in rows) == 99
    for r in rows:
        q = shipped[r["id"]]
        assert (r["heading"], r["question"]) == ((q.get("heading") or ""), q["questionText"].strip()), r["id"]
        assert r["reason"] and all(p in "1234567" for p in r["expected_priorities"].split(";")), r["id"]
        # the split is a hash of the record's key, fixed before any rule was written (tools/merge_parliament.py)
        key = (f"id:{q['id']}" if q["id"] > 0 else f"uin:{q['house']}:{q['uin']}" if q.get("uin")
               else "text:" + hashlib.sha1(" ".join(re.findall(r"[^\W_]+", q["questionText"].lower())).encode()).hexdigest())
        held_out = int(hashlib.sha1(key.encode()).hexdigest(), 16) % 100 < 30
        assert r["split"] == ("held-out" if held_out else "dev"), r["id"]
    assert sum(r["split"] == "held-out" for r in rows) == 40


def _measure(con, rows: list[dict]) -> dict[str, float]:
    """The rules alone (no overrides: they would grade themselves) as the store tags: heading + question,
    with the answer as kinship context."""
    got = {r["id"]: set() for r in rows}
    for item_id, priority in con.execute("SELECT item_id, priority_id FROM priority_tag WHERE item_type = 'question'"
                                         ).fetchall():
        if item_id in got:
            got[item_id].add(priority)
    expected = {r["id"]: {int(p) for p in r["expected_priorities"].split(";")} for r in rows}
    return agreement(expected, got)


# Issue 10's targets are exact 0.95, precision 0.90, recall 0.90. Measured with rules 2026-12-01.1:
# development 0.927 / 0.968 / 0.968 (exact agreement short of the target), held-out 0.800 / 0.933 / 0.857
# (precision met, exact and recall short). The floors keep those figures from slipping; the held-out
# questions were not read while the rules were written, and the rules were not changed after they were.
DEV_FLOORS = {"exact": 0.92, "precision": 0.96, "recall": 0.96}
HELD_OUT_FLOORS = {"exact": 0.80, "precision": 0.93, "recall": 0.85}


def test_agreement_with_labelled_questions(con, capsys):
    rows, shipped = labelled_rows(), shipped_questions()
    for r in rows:  # the store's own written_question rows, so the score is of the real pipeline
        q = shipped[r["id"]]
        con.execute("INSERT INTO written_question (id, uin, heading, question_text, answer_text, source_id, retrieved_at) "
                    "VALUES (?, ?, ?, ?, ?, 's', ?)", [int(r["id"]), q.get("uin"), r["heading"] or None, r["question"],
                                                        q.get("answerText"), NOW])
    c.retag_all(con, overrides=c.NO_OVERRIDES)
    figures = {name: _measure(con, [r for r in rows if keep(r)]) for name, keep in (
        ("development", lambda r: r["split"] == "dev"), ("held-out", lambda r: r["split"] == "held-out"),
        ("held-out, labelled 99 only", lambda r: r["split"] == "held-out" and r["set"] == "labelled-99"),
        ("all 122", lambda r: True), ("labelled 99", lambda r: r["set"] == "labelled-99"))}
    with capsys.disabled():
        print()
        for name, f in figures.items():
            print(f"classification, {name} (n={f['n']}): exact {f['exact']:.3f}, micro precision {f['precision']:.3f}, "
                  f"micro recall {f['recall']:.3f}, {f['per_question']:.2f} priorities per question, "
                  f"{f['untagged']} kinship questions with none")
    for key, floor in DEV_FLOORS.items():
        assert figures["development"][key] >= floor, (key, figures["development"])
    for key, floor in HELD_OUT_FLOORS.items():
        assert figures["held-out"][key] >= floor, (key, figures["held-out"])
    for f in figures.values():
        assert f["per_question"] <= 2 and f["untagged"] == 0


def test_as_stored_with_overrides_every_label_is_met_or_disagreed_with_in_writing(con):
    """With the curated overrides (each with its reason), the stored tags equal the labels except where an
    override says why the label is not followed."""
    rows, shipped = labelled_rows(), shipped_questions()
    for r in rows:
        q = shipped[r["id"]]
        con.execute("INSERT INTO written_question (id, heading, question_text, answer_text, source_id, retrieved_at) "
                    "VALUES (?, ?, ?, ?, 's', ?)", [int(r["id"]), r["heading"] or None, r["question"], q.get("answerText"), NOW])
    c.retag_all(con)
    overrides = c.load_overrides()
    for r in rows:
        got = {p for (p,) in con.execute("SELECT priority_id FROM priority_tag WHERE item_type = 'question' AND item_id = ?",
                                         [r["id"]]).fetchall()}
        expected = {int(p) for p in r["expected_priorities"].split(";")}
        explained = {o.priority_id for o in overrides.for_item("question", r["id"])}
        assert (got ^ expected) <= explained, (r["id"], got, expected)
