"""The Alliance's asks of MPs: find a member by name, constituency or postcode, and see what they have done."""

import streamlit as st

from kinmon import licences, ui
from kinmon.charts import asks as charts
from kinmon.queries import members as mq
from kinmon.ui import lookups, reads

TOP_MEMBERS = 15
PARLIAMENT_SOURCE = "Source: UK Parliament written questions and debates, via kinmon. " + licences.OPL_ATTRIBUTION
QUESTIONS_SOURCE = "Source: UK Parliament written questions, via kinmon. " + licences.OPL_ATTRIBUTION

ui.page_header(
    "Who in Parliament is acting on kinship care?",
    "The Kinship Care Alliance asks MPs to do four things: table written questions on the strategy, seek "
    "Westminster Hall debates, join the All-Party Parliamentary Group (APPG) on Kinship Care, and write to their "
    "council about its kinship local offer. Find your MP to see what the record shows against each.",
)
ui.freshness_line()


# ---------------------------------------------------------------- find a member
st.subheader("Find a member")
text = ui.url_text("Name, constituency or postcode", key="find", max_chars=80,
                   placeholder="e.g. Gwynne, Denton, or a postcode such as M34 3AA",
                   help="A name or part of a constituency's name is looked up in kinmon's records. A postcode is "
                        "looked up with the UK Parliament Members API's constituency search.")
found = reads.find_members(text) if text else None
postcode = lookups.normalise_postcode(text) if text else None
if postcode:
    try:
        seats = lookups.constituencies_of(postcode)
    except lookups.LookupUnavailable:
        seats = None
        st.info(f"The postcode finder asks the UK Parliament Members API which constituency {postcode} is in, and "
                "it cannot be reached from here just now. Search by your MP's name or constituency instead.",
                icon=":material/cloud_off:")
    if seats == []:
        st.info(f"The Members API knows no constituency for {postcode}. Check the postcode, or search by name.")
    for seat in seats or []:
        mp = ui.text_or(seat.member_name, "no current MP recorded")
        party = "" if ui.blank(seat.party) else f" ({ui.md_escape(seat.party)})"
        st.markdown(f"{postcode} is in **{ui.md_escape(seat.name)}**, represented by **{mp}**{party}.")
        by_seat = reads.find_members(seat.name)
        by_name = reads.find_members(seat.member_name) if seat.member_name else by_seat.iloc[0:0]
        found = by_name if len(by_name) else by_seat
        if found.empty:
            st.caption(f"{mp} has no kinship question, debate or APPG role in kinmon's records yet.")

if found is not None and not postcode and found.empty:
    st.info("No member in kinmon's records matches that name or constituency. Only members who have asked a "
            "kinship question, spoken in a kinship debate or hold an APPG role are held.")
if found is not None and len(found):
    names = list(dict.fromkeys(found["member"]))
    who = names[0] if len(names) == 1 else ui.url_selectbox(f"{ui.plural(len(names), 'member')} match", names,
                                                            key="member")
    row = found[found["member"] == who].iloc[0]
    seat = "" if ui.blank(row["member_from"]) else f", {ui.md_escape(row['member_from'])}"
    party = "" if ui.blank(row["party"]) else f" ({ui.md_escape(row['party'])})"
    st.markdown(f"#### {ui.md_escape(who)}{party}{seat}")
    ui.table(reads.member_asks(who),
             column_config={"ask": "The Alliance's ask", "count": st.column_config.NumberColumn("Records"),
                            "what_the_record_shows": "What kinmon's sources show",
                            "latest": st.column_config.DateColumn("Latest")})
    qs = reads.member_questions(who)
    if len(qs):
        with st.expander(f"{ui.plural(len(qs), 'written question')} by {who}"):
            ui.table(qs.drop(columns=["source_id"]),
                     column_config={"url": st.column_config.LinkColumn("Official record", display_text="open"),
                                    "date_tabled": st.column_config.DateColumn("Tabled"),
                                    "date_answered": st.column_config.DateColumn("Answered"),
                                    "heading": "Heading", "answering_body_name": "Department"})
    wh_member = reads.member_westminster_hall(who)
    if len(wh_member):
        with st.expander(f"{ui.plural(len(wh_member), 'Westminster Hall debate')} with {who}"):
            ui.table(wh_member.drop(columns=["source_id"]),
                     column_config={"url": st.column_config.LinkColumn("Hansard", display_text="open"),
                                    "date": st.column_config.DateColumn("Date"), "title": "Debate"})
    st.caption("Letters to councils are rarely published; kinmon shows one only where a public source does.")

# ---------------------------------------------------------------- everyone
st.subheader("Every member in kinmon's records")
party_options = ["all"] + reads.parties()
c1, c2 = st.columns(2)
with c1:
    party = ui.url_selectbox("Party", party_options, key="party",
                             format_func=lambda p: "All parties" if p == "all" else p)
with c2:
    house = ui.url_selectbox("House", ["all", "Commons", "Lords"], key="house",
                             format_func=lambda h: "Both Houses" if h == "all" else h)

# issue 10: questions on one subject, in the search's own syntax ("special guardian" allowance OR allowances)
topic = ui.url_text("Who asked about (words in the question or answer)", key="topic", max_chars=120,
                    placeholder='e.g. "special guardian" allowance OR allowances',
                    help="Counts only the questions Search finds for these words; debates and APPG roles are not narrowed.")
activity = reads.member_activity(None if party == "all" else party, None if house == "all" else house,
                    topic or None)
st.markdown(f"**{ui.plural(len(activity), 'member')}** {'has' if len(activity) == 1 else 'have'} asked a kinship "
            "question, spoken in a kinship debate or held an APPG role in kinmon's records.")
top = activity.head(TOP_MEMBERS)
if len(top):
    ui.chart(ui.figure(charts.members_engaged, top, "Members most engaged on kinship care", PARLIAMENT_SOURCE),
             "kinmon-members")
ui.table(activity, column_config={
    "member": "Member", "member_from": "Constituency or peerage", "house": "House", "party": "Party",
    "questions": "Written questions", "debates": "Debates",
    "first_question": st.column_config.DateColumn("First question"),
    "last_question": st.column_config.DateColumn("Latest question"),
    "last_debate": st.column_config.DateColumn("Latest debate"), "appg_role": "APPG on Kinship Care"})
st.caption("Party and constituency are as given with the member's latest question; a dash means the record "
           "does not say. Members whose questions were transcribed without a name are not counted here.")
ui.download_row(activity, "members-activity", "Members' activity on kinship care",
                full_query=(mq.member_activity, (None, None)),
                filters={"party": party, "house": house}, key="activity")

st.subheader("Questions by party over time")
by_party = reads.questions_by_party_over_time()
if by_party.empty:
    st.info("No dated questions yet.")
else:
    ui.chart(ui.figure(charts.questions_by_party, by_party, "Written questions on kinship care per quarter, by the asker's "
                                       "party", QUESTIONS_SOURCE), "kinmon-questions-by-party")
    st.caption("Party at the time of the question where the Members API gives it. Questions with no known date "
               "(some transcribed ones) are not in this chart.")

st.subheader("Westminster Hall debates")
st.caption("Westminster Hall is the Commons' second debating chamber, where any MP can secure a debate.")
wh = reads.westminster_hall_debates()
ui.table(wh.drop(columns=["source_id"]),
         column_config={"url": st.column_config.LinkColumn("Record", display_text="open"),
                        "date": st.column_config.DateColumn("Date"), "title": "Debate",
                        "participants": "Members (as recorded)"})

st.subheader("The APPG on Kinship Care")
appg = reads.appg()
ui.table(appg, column_config={"member_name": "Member", "role": "Role",
                              "as_of": st.column_config.DateColumn("As of"), "source_title": "Source",
                              "source_url": st.column_config.LinkColumn("Source link", display_text="open"),
                              "notes": "Notes"})
st.caption("Only roles a published source shows are listed. The APPG's full, current membership is published in "
           "Parliament's Register of All-Party Parliamentary Groups, which kinmon does not yet ingest.")
ui.source_footer(["snapshot-questions", "snapshot-debates", *set(activity.get("source_id", [])),
                  *set(wh["source_id"].dropna())], note="members' questions, debates and APPG roles")
