package store

import (
	"context"
	"reflect"
	"testing"
	"time"
)

func TestInsights(t *testing.T) { engines(t, testInsights) }

func testInsights(t *testing.T, where string) {
	ctx := context.Background()
	s := openAt(t, where)
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }

	for _, a := range []Asked{
		{Platform: "slack", Outcome: "answer", Paragraphs: []int{7, 6}},
		{Platform: "slack", Outcome: "answer", Paragraphs: []int{7}},
		{Platform: "web", Outcome: "decline", Question: "Apple pie?", Normalized: "apple pie"},
		{Platform: "matrix", Outcome: "decline", Question: "apple  PIE", Normalized: "apple pie"},
		{Platform: "web", Outcome: "not_addressed", Paragraphs: []int{11}},
		{Platform: "web", Outcome: "decline"}, // text not kept
	} {
		if err := s.RecordAsked(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RecordAnswer(ctx, "slack", "a1", []int{7, 6}, ""); err != nil {
		t.Fatal(err)
	}
	votes := []struct {
		ref, voter string
		up         bool
		changed    bool
	}{
		{"a1", "u1", false, true},
		{"a1", "u1", false, false}, // the same click again counts once
		{"a1", "u2", true, true},
		{"a1", "u2", false, true}, // a changed mind replaces the vote
		{"nope", "u1", false, false},
	}
	for _, v := range votes {
		got, err := s.Vote(ctx, "slack", v.ref, v.voter, v.up)
		if err != nil || got != v.changed {
			t.Errorf("Vote(%s, %s, up=%v) = %v, %v; want %v", v.ref, v.voter, v.up, got, err, v.changed)
		}
	}
	if err := s.SetVoteReason(ctx, "slack", "a1", "u1", "quoted the wrong principle"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetVoteReason(ctx, "slack", "a1", "nobody", "not recorded"); err != nil {
		t.Fatal(err)
	}
	in, err := s.Insights(ctx, now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	wantUn := []Unanswered{
		{Outcome: "decline", Question: "apple  PIE", Count: 2, Last: now}, // the latest wording
		{Outcome: "decline", Count: 1, Last: now},
		{Outcome: "not_addressed", Count: 1, Last: now},
	}
	if !reflect.DeepEqual(in.Unanswered, wantUn) {
		t.Errorf("Unanswered = %+v\nwant %+v", in.Unanswered, wantUn)
	}
	if want := []Rated{{Platform: "slack", Paragraphs: []int{7, 6}, Up: 0, Down: 2, Reasons: []string{"quoted the wrong principle"}}}; !reflect.DeepEqual(in.Disliked, want) {
		t.Errorf("Disliked = %+v, want %+v", in.Disliked, want)
	}
	if want := []Cited{{7, 2}, {6, 1}}; !reflect.DeepEqual(in.Cited, want) {
		t.Errorf("Cited = %+v, want %+v", in.Cited, want)
	}
	wantDaily := []DailyCount{
		{Day: "2026-12-01", Platform: "matrix", Decline: 1},
		{Day: "2026-12-01", Platform: "slack", Answer: 2},
		{Day: "2026-12-01", Platform: "web", NotAddressed: 1, Decline: 2},
	}
	if !reflect.DeepEqual(in.Daily, wantDaily) {
		t.Errorf("Daily = %+v\nwant %+v", in.Daily, wantDaily)
	}
	if want := []VoteCount{{Platform: "slack", Down: 2}}; !reflect.DeepEqual(in.Votes, want) {
		t.Errorf("Votes = %+v, want %+v", in.Votes, want)
	}

	// Retention: everything older than the cut-off goes.
	now = now.Add(31 * 24 * time.Hour)
	if err := s.PruneInsights(ctx, now.Add(-30*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	in, err = s.Insights(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Unanswered)+len(in.Disliked)+len(in.Cited)+len(in.Daily)+len(in.Votes) != 0 {
		t.Errorf("after pruning: %+v", in)
	}
	if changed, _ := s.Vote(ctx, "slack", "a1", "u3", false); changed {
		t.Error("a vote on a pruned answer was recorded")
	}
}
