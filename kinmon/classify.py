"""Tag parliamentary text with the Kinship Care Alliance's seven priorities, by transparent, versioned rules.

Every tag can be explained: it names the rule that fired and the words it found. The rules live in
data/classification_rules.json and curated corrections in data/classification_overrides.csv, so a
researcher can read, question and edit them without touching Python.

The rules file
--------------
    {
      "version": "2026-11-25.1",           # YYYY-MM-DD.N: the day the rules were edited, and a counter
      "kinship_context": ["kinship", "special guardian*", ...],
      "rules": [
        {"id": "p2-allowance", "priority": 2,
         "description": "Allowances paid to kinship carers, including the kinship allowance pilot.",
         "kinship_context": true,
         "any":  ["kinship allowance*", "allowance*"],
         "none": ["attendance allowance"]},
        {"id": "p7-council-grants", "priority": 7,
         "description": "Grants to councils.",
         "all":  [["grant", "grants"], ["local authorit*", "council*"]]}
      ]
    }

- A rule fires when every entry of "all" is found (an entry that is a list is found when any one of
  its phrases is), at least one phrase of "any" is found, and no phrase of "none" is found. A rule
  needs "any" or "all" or both; "none" is optional.
- "kinship_context": true means the rule also needs the item to mention kinship care, by one of the
  top-level "kinship_context" phrases, so generic text about support or funding does not match. The
  context is looked for in the item's whole text (a question's answer too: "alternative permanence
  arrangements" is kinship care when the answer says special guardianship), the rule's phrases only in
  the text that is classified (a question's heading and question).
- "fallback": true makes a rule fire only when no other rule fired for any priority; it needs no
  phrases (it may have "none"). It says plainly what a kinship question that names no other priority
  is counted as, instead of leaving it with no priority.
- Phrases are case-insensitive and match whole words: "bill" does not match "bills" or "billion".
  A word ending in * matches any ending ("council*": council, councils, council's); a space or a
  hyphen in a phrase matches a space or a hyphen in the text ("decision making" = "decision-making");
  "..." stands for up to five words within one sentence ("funding ... local authorit*" matches
  "funding for pilot local authorities").
- Rules are tried in file order and the first rule that fires for a priority is the one reported,
  so put the most specific rule for a priority first. Keys starting with "_" are comments.
- Change the rules, then bump "version": every tag records the version that made it.

The overrides file
------------------
CSV with the columns item_type,item_id,priority_id,action,reason. item_type is question, statement,
debate or contribution; item_id is the item's key (a question's Parliament API id, a debate's id);
action "add" tags the item with the priority whatever the rules say, "remove" takes the priority
away; reason says why, for the next reader.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from kinmon.config import DATA_DIR
from kinmon.store import tags as tag_store
from kinmon.store.tags import CURATED_METHOD, OVERRIDE_RULE_ID, RULE_METHOD  # noqa: F401 (re-exported)

RULES_FILE = "classification_rules.json"
OVERRIDES_FILE = "classification_overrides.csv"

# Short titles for `kinmon classify`, as in data/priorities.csv (a test keeps the two the same).
PRIORITY_TITLES = {
    1: "A clear legal framework",
    2: "Support for every kinship family",
    3: "Family first, before care",
    4: "Tackling racial disparities",
    5: "Better data on kinship care",
    6: "Kinship families' voices in policy",
    7: "Long-term funding for councils",
}

# The text classified for each kind of item: its table, its key and the columns joined into one text.
# A question is tagged by what it asks (heading and question), not by its answer: answers repeat stock
# lines (the Bill, the definition in law, family group decision-making) that the asker did not raise.
# Measured on the labelled set: precision 1.000 without answers, 0.622 with them (tests/test_classify.py).
ITEM_SOURCES = {
    "question": ("written_question", "id", ("heading", "question_text")),
    "statement": ("statement", "id", ("title", "text")),
    "debate": ("debate", "debate_id", ("title", "notes")),
    "contribution": ("contribution", "contribution_id", ("text",)),
}
# Where kinship care is looked for, for rules that need it: the whole item (a question's answer too).
CONTEXT_COLUMNS = {"question": ("answer_text",)}
ITEM_TYPES = tuple(ITEM_SOURCES)
# Questions and statements are keyed by Parliament API numbers (negative for curated records).
NUMERIC_ITEM_TYPES = frozenset({"question", "statement"})

OVERRIDE_COLUMNS = ["item_type", "item_id", "priority_id", "action", "reason"]
OVERRIDE_ACTIONS = frozenset({"add", "remove"})

TOP_LEVEL_KEYS = frozenset({"version", "kinship_context", "rules"})
RULE_KEYS = frozenset({"id", "priority", "description", "kinship_context", "fallback", "all", "any", "none"})
VERSION_PATTERN = re.compile(r"^(\d{4}-\d{2}-\d{2})\.(\d+)$")
RULE_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")

GAP_WORDS = 5  # how many words "..." may stand for
MATCH_JOINER = " + "  # between the phrases an AND rule found, in Match.matched

_TYPOGRAPHY = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " ",
                             "\u2010": "-", "\u2011": "-", "\u2013": "-", "\u2014": "-"})
_WORD_SEPARATOR = r"[\s\-]+"
# A gap never crosses a sentence end, so "..." links words that are about each other.
_GAP_SEPARATOR = r"[^\w.!?;]+"
_GAP = rf"(?:{_GAP_SEPARATOR}[\w']+){{0,{GAP_WORDS}}}?{_GAP_SEPARATOR}"
_STEM = r"[\w']*"  # what a trailing * matches: the rest of the word, including a possessive


class RulesError(ValueError):
    """A rules or overrides file is malformed: names the file and the rule id or line."""


@dataclass(frozen=True)
class Phrase:
    text: str
    pattern: re.Pattern
    # A literal every match contains (its first word, less any *), case-folded: where the folded text lacks it,
    # the phrase cannot match and its regular expression is not run. Most phrases are absent from most texts.
    needle: str | None = None

    def found(self, text: str, folded: str | None = None, present: set[str] | frozenset[str] | None = None) -> str | None:
        """The words this phrase matched in (normalised) text, or None. `folded` is text.casefold(), if known, and
        `present` the needles it contains, if known."""
        start = 0
        if self.needle is not None and folded is not None:
            if present is not None and self.needle not in present:
                return None
            start = folded.find(self.needle)
            if start < 0:
                return None
            if len(folded) != len(text):  # folding changed lengths: positions differ, search it all
                start = 0
        # every match begins at an occurrence of the needle, so the search can begin at the first one
        m = self.pattern.search(text, start)
        return " ".join(m.group(0).split()) if m else None

    def hit(self, text: str, folded: str, present: set[str] | frozenset[str]) -> bool:
        """bool(found(text, folded, present)), without building the words (tagging needs only whether)."""
        needle = self.needle
        start = 0
        if needle is not None:
            if needle not in present:
                return False
            start = folded.find(needle)
            if start < 0:
                return False
            if len(folded) != len(text):
                start = 0
        m = self.pattern.search(text, start)
        return m is not None and bool(m.group(0).split())


@dataclass(frozen=True)
class Rule:
    id: str
    priority: int
    description: str
    all_of: tuple[tuple[Phrase, ...], ...]  # each group must be found: one of its phrases
    any_of: tuple[Phrase, ...]
    none_of: tuple[Phrase, ...]
    kinship_context: bool
    fallback: bool = False

    @functools.cached_property
    def _needles(self) -> tuple[frozenset[str], ...] | None:
        """For each group of phrases that must be found, the literals one of which the text must contain."""
        groups = self.all_of + ((self.any_of,) if self.any_of else ())
        if any(p.needle is None for g in groups for p in g):
            return None
        return tuple(frozenset(p.needle for p in g) for g in groups)

    def may_fire(self, present: set[str]) -> bool:
        """False when the text (whose present literals are given) cannot hold every group this rule needs."""
        needles = self._needles
        return needles is None or all(not group.isdisjoint(present) for group in needles)

    @functools.cached_property
    def _groups(self) -> tuple[tuple[Phrase, ...], ...]:
        return () if self.fallback else self.all_of + ((self.any_of,) if self.any_of else ())

    def fires(self, text: str, folded: str, present: set[str]) -> bool:
        """evidence(text, folded, present) is not None, without building the words."""
        for group in self._groups:
            for phrase in group:  # a phrase whose literal is absent cannot match: skipped without a call
                if (phrase.needle is None or phrase.needle in present) and phrase.hit(text, folded, present):
                    break
            else:
                return False
        for phrase in self.none_of:
            if (phrase.needle is None or phrase.needle in present) and phrase.hit(text, folded, present):
                return False
        return True

    def evidence(self, text: str, folded: str | None = None, present: set[str] | None = None) -> list[str] | None:
        """The words that make this rule fire on normalised text, or None when it does not."""
        words = []
        if not self.fallback:
            for group in self.all_of + ((self.any_of,) if self.any_of else ()):
                hit = next((w for w in (p.found(text, folded, present) for p in group) if w), None)
                if hit is None:
                    return None
                words.append(hit)
        if any(p.found(text, folded, present) for p in self.none_of):
            return None
        return ["no other priority named"] if self.fallback else words


@dataclass(frozen=True)
class RuleSet:
    version: str
    rules: tuple[Rule, ...]
    kinship_context: tuple[Phrase, ...]
    path: str

    @functools.cached_property
    def needles(self) -> frozenset[str]:
        phrases = [p for r in self.rules for g in r.all_of + (r.any_of, r.none_of) for p in g]
        return frozenset(p.needle for p in phrases if p.needle)

    @functools.cached_property
    def in_order(self) -> tuple[Rule, ...]:
        """The rules as tried: file order, fallbacks last."""
        return tuple(sorted(self.rules, key=lambda r: r.fallback))

    def present(self, folded: str) -> set[str]:
        """The rules' literals found in case-folded text: which rules can fire, from plain substring tests."""
        return {n for n in self.needles if n in folded}

    @functools.cached_property
    def key(self) -> str:
        """A digest of everything that decides a tag: the version, the phrases and rules, in order."""
        def texts(phrases: tuple[Phrase, ...]) -> list[str]:
            return [p.text for p in phrases]

        shape = (self.version, texts(self.kinship_context), GAP_WORDS, _GAP, _STEM, _WORD_SEPARATOR, [
            (r.id, r.priority, r.kinship_context, r.fallback, [texts(g) for g in r.all_of], texts(r.any_of),
             texts(r.none_of)) for r in self.rules])
        return hashlib.sha256(repr(shape).encode("utf-8")).hexdigest()

    def mentions_kinship(self, text: str, folded: str | None = None) -> bool:
        return any(p.found(text, folded) for p in self.kinship_context)


@dataclass(frozen=True)
class Match:
    priority_id: int
    rule_id: str
    description: str
    matched: str  # the phrase(s) that matched, as found in the text, joined by MATCH_JOINER


@dataclass(frozen=True)
class Override:
    item_type: str
    item_id: str
    priority_id: int
    action: str
    reason: str
    line: int


@dataclass(frozen=True)
class Overrides:
    rows: tuple[Override, ...]
    path: str

    def for_item(self, item_type: str, item_id: str) -> tuple[Override, ...]:
        return self._by_item.get((item_type, item_id), ())

    @functools.cached_property
    def _by_item(self) -> dict[tuple[str, str], tuple[Override, ...]]:
        index: dict[tuple[str, str], tuple[Override, ...]] = {}
        for o in self.rows:
            index[(o.item_type, o.item_id)] = index.get((o.item_type, o.item_id), ()) + (o,)
        return index


NO_OVERRIDES = Overrides((), "")  # for scoring or previewing the rules alone


# ---------------------------------------------------------------- phrases


def normalised(text: str | None) -> str:
    """Curly quotes, dashes and non-breaking spaces made plain, so "children’s" matches "children's"."""
    return (text or "").translate(_TYPOGRAPHY)


def phrase_pattern(phrase: str) -> re.Pattern:
    """The regular expression for one phrase of the rules file; raises ValueError on a malformed phrase."""
    tokens = normalised(phrase).split()
    if not tokens:
        raise ValueError("a phrase is empty")
    if tokens[0] == "..." or tokens[-1] == "...":
        raise ValueError(f"phrase {phrase!r} starts or ends with '...'")
    parts: list[str] = []
    for previous, token in zip([None] + tokens, tokens):
        if token == "...":
            if previous == "...":
                raise ValueError(f"phrase {phrase!r} has '...' twice in a row")
            continue
        if parts:
            parts.append(_GAP if previous == "..." else _WORD_SEPARATOR)
        parts.append(_WORD_SEPARATOR.join(_word_pattern(phrase, w) for w in token.split("-")))
    return re.compile(rf"(?<!\w){''.join(parts)}(?!\w)", re.IGNORECASE)


def phrase_needle(phrase: str) -> str | None:
    """The case-folded literal that starts every match of a phrase (its first word, less a trailing *), or None."""
    first = normalised(phrase).split()[0].split("-")[0].rstrip("*")
    needle = first.casefold()
    # only where case-insensitive matching and case folding agree (plain ASCII letters and digits)
    return needle if needle and needle.isascii() and re.fullmatch(r"[a-z0-9']+", needle) else None


def _word_pattern(phrase: str, word: str) -> str:
    stem, star = (word[:-1], True) if word.endswith("*") else (word, False)
    if not re.search(r"\w", stem) or "*" in stem:
        raise ValueError(f"phrase {phrase!r} has a malformed word {word!r} (a * may only end a word)")
    return re.escape(stem) + (_STEM if star else "")


# ---------------------------------------------------------------- loading the rules


def default_rules_path() -> Path:
    return DATA_DIR / RULES_FILE


def load_rules(path: str | Path | None = None) -> RuleSet:
    """Read and validate a rules file (default data/classification_rules.json); cached until it changes."""
    path = Path(path) if path else default_rules_path()
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise RulesError(f"{path.name}: file is missing ({path})") from None
    return _cached_rules(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=16)
def _cached_rules(path: str, _mtime_ns: int, _size: int) -> RuleSet:
    # The file's modification time and size are part of the key, so an edited file is read again.
    return parse_rules(Path(path).read_text(encoding="utf-8"), path)


def parse_rules(source: str, path: str | Path = RULES_FILE) -> RuleSet:
    """Validate the text of a rules file; errors name the file and the rule."""
    name = Path(path).name
    try:
        data = json.loads(source)
    except json.JSONDecodeError as exc:
        raise RulesError(f"{name}: not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    if not isinstance(data, dict):
        raise RulesError(f"{name}: must be a JSON object with version, kinship_context and rules")
    _check_keys(data, TOP_LEVEL_KEYS, name)
    version = _version(data.get("version"), name)
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise RulesError(f"{name}: 'rules' must be a non-empty list")
    rules, seen = [], {}
    for number, raw in enumerate(raw_rules, start=1):
        rule = _rule(raw, number, name)
        if rule.id in seen:
            raise RulesError(f"{name}: rule {rule.id!r}: duplicate id (rule #{seen[rule.id]} has it too)")
        seen[rule.id] = number
        rules.append(rule)
    context = ()
    if "kinship_context" in data or any(r.kinship_context for r in rules):
        context = _phrases(data.get("kinship_context"), f"{name}: kinship_context")
    return RuleSet(version, tuple(rules), context, str(path))


def _check_keys(obj: dict, allowed: frozenset, where: str) -> None:
    # Keys starting with "_" are comments for the people editing the file.
    unknown = sorted(k for k in obj if k not in allowed and not str(k).startswith("_"))
    if unknown:
        raise RulesError(f"{where}: unknown key(s) {', '.join(map(repr, unknown))}; "
                         f"allowed: {', '.join(sorted(allowed))}")


def _version(value, name: str) -> str:
    m = VERSION_PATTERN.match(value) if isinstance(value, str) else None
    if m and _is_date(m.group(1)):
        return value
    raise RulesError(f"{name}: 'version' must look like YYYY-MM-DD.N (a real date and a counter), got {value!r}")


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _rule(raw, number: int, name: str) -> Rule:
    if not isinstance(raw, dict):
        raise RulesError(f"{name}: rule #{number}: must be an object")
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not RULE_ID_PATTERN.match(rule_id):
        raise RulesError(f"{name}: rule #{number}: 'id' must be lowercase letters, digits and hyphens, got {rule_id!r}")
    where = f"{name}: rule {rule_id!r}"
    _check_keys(raw, RULE_KEYS, where)
    priority = raw.get("priority")
    if isinstance(priority, bool) or not isinstance(priority, int) or not 1 <= priority <= 7:
        raise RulesError(f"{where}: 'priority' must be a whole number from 1 to 7, got {priority!r}")
    description = raw.get("description")
    if not isinstance(description, str) or not description.strip():
        raise RulesError(f"{where}: 'description' must be a non-empty text")
    kinship = raw.get("kinship_context", False)
    if not isinstance(kinship, bool):
        raise RulesError(f"{where}: 'kinship_context' must be true or false, got {kinship!r}")
    fallback = raw.get("fallback", False)
    if not isinstance(fallback, bool):
        raise RulesError(f"{where}: 'fallback' must be true or false, got {fallback!r}")
    if fallback and ("all" in raw or "any" in raw):
        raise RulesError(f"{where}: a fallback rule fires when nothing else does; it takes no 'any' or 'all'")
    if not fallback and "all" not in raw and "any" not in raw:
        raise RulesError(f"{where}: needs 'any' or 'all' (or both)")
    all_where = f"{where}: 'all'"
    all_groups = tuple(_all_entry(e, all_where) for e in _list(raw["all"], all_where)) if "all" in raw else ()
    any_phrases = _phrases(raw["any"], f"{where}: 'any'") if "any" in raw else ()
    none_phrases = _phrases(raw["none"], f"{where}: 'none'") if "none" in raw else ()
    return Rule(rule_id, priority, description.strip(), all_groups, any_phrases, none_phrases, kinship, fallback)


def _list(value, where: str) -> list:
    if not isinstance(value, list) or not value:
        raise RulesError(f"{where} must be a non-empty list of phrases")
    return value


def _all_entry(entry, where: str) -> tuple[Phrase, ...]:
    # An entry of "all" is one phrase, or a list of alternatives of which one must be found.
    return _phrases(entry if isinstance(entry, list) else [entry], where)


def _phrases(value, where: str) -> tuple[Phrase, ...]:
    phrases = []
    for item in _list(value, where):
        if not isinstance(item, str):
            raise RulesError(f"{where}: {item!r} is not a phrase (text in double quotes)")
        try:
            phrases.append(Phrase(item, phrase_pattern(item), phrase_needle(item)))
        except ValueError as exc:
            raise RulesError(f"{where}: {exc}") from None
    return tuple(phrases)


# ---------------------------------------------------------------- classifying


def classify(text: str | None, rules: RuleSet | None = None, context: str | None = None) -> list[Match]:
    """The priorities a text speaks to: the first rule that fires for each, sorted by priority.

    `context` is the item's whole text, where kinship care is looked for (default: `text` itself).
    """
    rules = load_rules() if rules is None else rules
    text = normalised(text)
    folded = text.casefold()
    present = rules.present(folded)
    fired = _fired(rules, text, folded, present, lambda: _mentions(rules, text, folded, context))
    return [Match(r.priority, r.id, r.description, MATCH_JOINER.join(r.evidence(text, folded, present)))
            for r in fired]


def _mentions(rules: RuleSet, text: str, folded: str, context: str | None) -> bool:
    """Whether an item speaks of kinship care: in the classified text, else in its whole text."""
    return rules.mentions_kinship(text, folded) or bool(context and rules.mentions_kinship(
        normalised(context), normalised(context).casefold()))


def _fired(rules: RuleSet, text: str, folded: str, present: set[str], kinship) -> list[Rule]:
    """The first rule that fires for each priority, in priority order. `kinship()` says whether the item speaks
    of kinship care; it is asked at most once, and only if a rule that fires needs it."""
    known: bool | None = None  # worked out once, and only if a rule needs it
    found: dict[int, Rule] = {}
    for rule in rules.in_order:
        if rule.priority in found or (rule.fallback and found) or not rule.may_fire(present):
            continue
        if rule.kinship_context:
            if known is None:
                known = kinship()
            if not known:
                continue
        if rule.fires(text, folded, present):
            found[rule.priority] = rule
    return [found[p] for p in sorted(found)]


def rule_ids(text: str | None, rules: RuleSet, context: str | None = None) -> tuple[tuple[int, str], ...]:
    """(priority, rule id) of each match classify(text, rules, context) gives, without the words found."""
    text = normalised(text)
    folded = text.casefold()
    return tuple((r.priority, r.id) for r in _fired(rules, text, folded, rules.present(folded),
                                                   lambda: _mentions(rules, text, folded, context)))


def explain(text: str | None, rules: RuleSet | None = None) -> str:
    """What `kinmon classify TEXT` prints: one line per matched priority with the rule and the words found."""
    matches = classify(text, rules)
    if not matches:
        return "no priority matched"
    return "\n".join(
        f"{m.priority_id}  {PRIORITY_TITLES[m.priority_id]}  rule {m.rule_id}: matched "
        + " + ".join(f"'{w}'" for w in m.matched.split(MATCH_JOINER))
        for m in matches
    )


def item_text(*parts: str | None) -> str:
    """One item's text for classification: its non-empty parts, a blank line apart."""
    return "\n\n".join(p.strip() for p in parts if p and p.strip())


# ---------------------------------------------------------------- overrides


def default_overrides_path() -> Path:
    return DATA_DIR / OVERRIDES_FILE


def load_overrides(path: str | Path | None = None) -> Overrides:
    """Read and validate the curated corrections (default data/classification_overrides.csv)."""
    path = Path(path) if path else default_overrides_path()
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise RulesError(f"{path.name}: file is missing ({path})") from None
    return _cached_overrides(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=16)
def _cached_overrides(path: str, _mtime_ns: int, _size: int) -> Overrides:
    name = Path(path).name
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames != OVERRIDE_COLUMNS:
            raise RulesError(f"{name}:1: the header must be {','.join(OVERRIDE_COLUMNS)}, got "
                             f"{','.join(reader.fieldnames or [])}")
        rows, seen = [], {}
        for raw in reader:
            row = _override(raw, reader.line_num, name)
            key = (row.item_type, row.item_id, row.priority_id)
            if key in seen:
                raise RulesError(f"{name}:{row.line}: {row.item_type} {row.item_id} priority {row.priority_id} "
                                 f"is already overridden on line {seen[key]}")
            seen[key] = row.line
            rows.append(row)
    return Overrides(tuple(rows), path)


def _override(raw: dict, line: int, name: str) -> Override:
    where = f"{name}:{line}"
    if None in raw or any(v is None for v in raw.values()):
        raise RulesError(f"{where}: expected {len(OVERRIDE_COLUMNS)} columns ({','.join(OVERRIDE_COLUMNS)})")
    item_type, item_id, priority, action, reason = (raw[c].strip() for c in OVERRIDE_COLUMNS)
    if item_type not in ITEM_SOURCES:
        raise RulesError(f"{where}: item_type must be one of {', '.join(ITEM_TYPES)}, got {item_type!r}")
    if not item_id or (item_type in NUMERIC_ITEM_TYPES and not re.fullmatch(r"-?\d+", item_id)):
        raise RulesError(f"{where}: item_id {item_id!r} is not a valid {item_type} id")
    if not re.fullmatch(r"[1-7]", priority):
        raise RulesError(f"{where}: priority_id must be a number from 1 to 7, got {priority!r}")
    if action not in OVERRIDE_ACTIONS:
        raise RulesError(f"{where}: action must be add or remove, got {action!r}")
    if not reason:
        raise RulesError(f"{where}: reason is empty: say why the rules are overridden")
    return Override(item_type, item_id, int(priority), action, reason, line)


# ---------------------------------------------------------------- writing tags
# No transactions here: writers work on a private copy of the store (kinmon.store.writer), which is
# published only if the whole run succeeds, and DuckDB cannot nest a transaction in the caller's.


@dataclass
class _Plan:
    """The tag rows to write for some items, after the overrides."""

    rule_rows: list[tuple] = field(default_factory=list)
    curated_rows: list[tuple] = field(default_factory=list)
    removals: list[tuple] = field(default_factory=list)
    items: list[tuple[str, str, int]] = field(default_factory=list)  # (item_type, item_id, fingerprint) planned
    # rule_ids by text: identical texts (grouped questions, repeated headings) are classified once. Where the
    # result depended on whether the item speaks of kinship care (the context), it is kept per answer to that.
    _memo: dict = field(default_factory=dict)

    def add(self, item_type: str, item_id: str, text: str | None, rules: RuleSet, overrides: Overrides,
            context: str | None = None) -> None:
        corrections = overrides.for_item(item_type, item_id)
        removed = {o.priority_id for o in corrections if o.action == "remove"}
        added = {o.priority_id for o in corrections if o.action == "add"}
        for priority, rule_id in self.rule_ids(text, rules, context):
            if priority not in removed | added:
                self.rule_rows.append((item_type, item_id, priority, rule_id, rules.version, RULE_METHOD))
        for p in sorted(added):
            self.curated_rows.append((item_type, item_id, p, OVERRIDE_RULE_ID, rules.version, CURATED_METHOD))
        self.removals.extend((item_type, item_id, p) for p in sorted(removed))

    def rule_ids(self, text: str | None, rules: RuleSet, context: str | None) -> tuple[tuple[int, str], ...]:
        """rule_ids(text, rules, context), remembered for the text (and, when it mattered, the context's answer)."""
        text = normalised(text)
        memo = self._memo
        if (text, None) in memo:
            return memo[(text, None)]
        folded = text.casefold()
        if (text, "depends") in memo:  # the result depended on kinship: work it out for this item
            kinship = _mentions(rules, text, folded, context)
            if (text, kinship) not in memo:
                memo[(text, kinship)] = tuple((r.priority, r.id) for r in _fired(
                    rules, text, folded, rules.present(folded), lambda: kinship))
            return memo[(text, kinship)]
        asked: list[bool] = []

        def kinship() -> bool:
            asked.append(_mentions(rules, text, folded, context))
            return asked[-1]

        found = tuple((r.priority, r.id) for r in _fired(rules, text, folded, rules.present(folded), kinship))
        if asked:
            memo[(text, "depends")] = True
            memo[(text, asked[0])] = found
        else:
            memo[(text, None)] = found
        return found


def rules_key(rules: RuleSet, overrides: Overrides) -> str:
    """What decides every item's tags besides its text: the rules and the overrides (an edit to either retags)."""
    corrections = sorted((o.item_type, o.item_id, o.priority_id, o.action) for o in overrides.rows)
    return hashlib.sha256(f"{rules.key}|{corrections!r}".encode("utf-8")).hexdigest()


def tag_item(con: duckdb.DuckDBPyConnection, item_type: str, item_id, text: str | None,
             rules: RuleSet | None = None, overrides: Overrides | None = None, context: str | None = None) -> list[int]:
    """Replace one item's rule tags with the current matches, apply its overrides; its priorities now."""
    rules, overrides = _defaults(rules, overrides)
    if item_type not in ITEM_SOURCES:
        raise ValueError(f"item_type must be one of {', '.join(ITEM_TYPES)}, got {item_type!r}")
    item_id = str(item_id)
    plan = _Plan()
    plan.add(item_type, item_id, text, rules, overrides, context)
    tag_store.forget_item(con, item_type, item_id)
    tag_store.forget_state(con, item_type, item_id)  # tagged from the caller's text, not the stored one
    _write(con, plan)
    return tag_store.priorities_of(con, item_type, item_id)


def _plan_stored(con: duckdb.DuckDBPyConnection, item_type: str, rules: RuleSet, overrides: Overrides, plan: _Plan,
                 ids: list | None = None, full: bool = False) -> None:
    """Add to a plan the stored items of one type (all, or those in `ids`) whose text, rules or overrides changed
    since they were tagged (every one with full=True), read as retag_all reads them."""
    table, key, columns = ITEM_SOURCES[item_type]
    extra = CONTEXT_COLUMNS.get(item_type, ())
    for item_id, fingerprint, *parts in tag_store.items_to_tag(con, item_type, table, key, tuple(columns + extra),
                                                               rules_key(rules, overrides), ids, full):
        text = item_text(*parts[:len(columns)])
        plan.add(item_type, item_id, text, rules, overrides, item_text(text, *parts[len(columns):]))
        plan.items.append((item_type, item_id, fingerprint))


def retag_all(con: duckdb.DuckDBPyConnection, rules: RuleSet | None = None,
              overrides: Overrides | None = None, *, full: bool = False) -> int:
    """Re-tag every question, statement, debate and contribution; returns the priority_tag rows they now have.

    An item whose text, the rules and the overrides are as they were when it was last tagged (its fingerprint)
    keeps its tags unread, unless full=True; only the tag rows that differ are written. Tags of items that no
    longer exist go."""
    rules, overrides = _defaults(rules, overrides)
    plan = _Plan()
    for item_type in ITEM_SOURCES:
        _plan_stored(con, item_type, rules, overrides, plan, full=full)
        table, key, _ = ITEM_SOURCES[item_type]
        tag_store.forget_gone(con, item_type, table, key)
    _replace(con, plan)
    return tag_store.count_tags(con, list(ITEM_TYPES))


def tag_stored(con: duckdb.DuckDBPyConnection, items: dict[str, list], rules: RuleSet | None = None,
               overrides: Overrides | None = None) -> None:
    """Re-tag some stored items ({item_type: [ids]}) in one batch, exactly as retag_all would (those unchanged
    since they were tagged are left as they are)."""
    rules, overrides = _defaults(rules, overrides)
    plan = _Plan()
    for item_type, ids in items.items():
        if item_type not in ITEM_SOURCES:
            raise ValueError(f"item_type must be one of {', '.join(ITEM_TYPES)}, got {item_type!r}")
        if ids:
            _plan_stored(con, item_type, rules, overrides, plan, ids)
    _replace(con, plan)


def _replace(con: duckdb.DuckDBPyConnection, plan: _Plan) -> None:
    tag_store.replace_tags(con, plan.items, plan.removals, plan.rule_rows, plan.curated_rows)


def _write(con: duckdb.DuckDBPyConnection, plan: _Plan) -> None:
    tag_store.write_plan(con, plan.removals, plan.rule_rows, plan.curated_rows)


def _defaults(rules: RuleSet | None, overrides: Overrides | None) -> tuple[RuleSet, Overrides]:
    return (load_rules() if rules is None else rules,
            load_overrides() if overrides is None else overrides)
