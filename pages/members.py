"""The Alliance's asks of MPs: who tables questions, seeks debates and joins the APPG on kinship care?"""

import plotly.express as px
import streamlit as st

from kinmon import ui
from kinmon.charts.core import whole_number_axis, with_source
from kinmon.queries import members

ui.page_header(
    "Who in Parliament is acting on kinship care?",
    "The Kinship Care Alliance asks MPs to table written questions on the strategy, seek Westminster Hall debates, "
    "join the APPG on Kinship Care and write to their council. This page shows the first three, member by member.",
)
ui.freshness_line()

party_options = ["all"] + ui.query(members.parties)
c1, c2 = st.columns(2)
with c1:
    party = ui.url_selectbox("Party", party_options, key="party",
                               format_func=lambda p: "All parties" if p == "all" else p)
with c2:
    house = ui.url_selectbox("House", ["all", "Commons", "Lords"], key="house",
                               format_func=lambda h: "Both Houses" if h == "all" else h)

activity = ui.query(members.member_activity, None if party == "all" else party, None if house == "all" else house)
st.markdown(f"**{len(activity)} members** have asked a kinship question, spoken in a kinship debate or hold an "
            "APPG role in kinmon's records.")
top = activity.head(15)
if len(top):
    fig = px.bar(top.melt(id_vars="member", value_vars=["questions", "debates"], var_name="activity", value_name="n"),
                 x="n", y="member", color="activity", orientation="h", barmode="stack",
                 color_discrete_map={"questions": "#4c72b0", "debates": "#dd8452"})
    fig.update_layout(yaxis=dict(autorange="reversed", title=None), xaxis_title="items", height=60 + 28 * len(top))
    fig.update_xaxes(**whole_number_axis(top["questions"] + top["debates"]))
    ui.chart(with_source(fig, "Members most engaged on kinship care",
                         "Source: UK Parliament written questions and debates, via kinmon. Contains Parliamentary "
                         "information licensed under the Open Parliament Licence v3.0."), "kinmon-members")
st.dataframe(activity, hide_index=True,
             column_config={"member": "Member", "member_from": "Constituency or peerage", "house": "House",
                            "party": "Party", "questions": "Questions", "debates": "Debates",
                            "first_question": st.column_config.DateColumn("First question"),
                            "last_question": st.column_config.DateColumn("Latest question"),
                            "last_debate": st.column_config.DateColumn("Latest debate"),
                            "appg_role": "APPG on Kinship Care"})
st.caption("Party and constituency are as given with the member's latest question. Members whose questions were "
           "transcribed without a name are not counted here.")
ui.download_row(activity, "members-activity", "Members' activity on kinship care",
                full=ui.query(members.member_activity, None, None),
                filters={"party": party, "house": house}, key="activity")

st.subheader("Questions by party over time")
by_party = ui.query(members.questions_by_party_over_time)
if by_party.empty:
    st.info("No dated questions yet.")
else:
    fig = px.bar(by_party, x="quarter", y="questions", color="party", barmode="stack")
    fig.update_layout(xaxis=dict(type="date", title=None), yaxis_title="questions", height=340)
    fig.update_yaxes(**whole_number_axis(by_party.groupby("quarter")["questions"].sum()))
    ui.chart(with_source(fig, "Written questions on kinship care per quarter, by the asker's party",
                         "Source: UK Parliament written questions, via kinmon. Contains Parliamentary information "
                         "licensed under the Open Parliament Licence v3.0."), "kinmon-questions-by-party")
    st.caption("Party at the time of the question where the Members API gives it. Questions with no known date "
               "(some transcribed ones) are not in this chart.")

st.subheader("One member's questions")
names = [m for m in activity["member"] if m]
if names:
    who = ui.url_selectbox("Member", names, key="member")
    qs = ui.query(members.member_questions, who)
    st.dataframe(qs.drop(columns=["source_id"]), hide_index=True,
                 column_config={"url": st.column_config.LinkColumn("Official record", display_text="open"),
                                "date_tabled": st.column_config.DateColumn("Tabled"),
                                "date_answered": st.column_config.DateColumn("Answered"), "heading": "Heading",
                                "question_text": "Question", "answering_body_name": "Department"})

st.subheader("Westminster Hall debates")
wh = ui.query(members.westminster_hall_debates)
st.dataframe(wh.drop(columns=["source_id"]), hide_index=True,
             column_config={"url": st.column_config.LinkColumn("Record", display_text="open"),
                            "date": st.column_config.DateColumn("Date"), "title": "Debate",
                            "participants": "Members (as recorded)"})

st.subheader("The APPG on Kinship Care")
appg = ui.query(members.appg)
st.dataframe(appg, hide_index=True,
             column_config={"source_url": st.column_config.LinkColumn("Source", display_text="source"),
                            "as_of": st.column_config.DateColumn("As of")})
st.caption("Only roles a published source shows are listed. The APPG's full, current membership is published in "
           "Parliament's Register of All-Party Parliamentary Groups, which kinmon does not yet ingest.")
ui.source_footer(like="snapshot-%")
