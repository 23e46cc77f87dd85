package web_test

import (
	"context"
	"encoding/json"
	"flag"
	"github.com/policybot/policybot/bot/internal/npmtest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/policybot/policybot/knowledge"
)

var screenshots = flag.Bool("screenshots", false, "rewrite the committed screenshots in testdata/")

// chromiumPath is Debian's chromium; the test drives it, never a browser
// Playwright would download.
const chromiumPath = "/usr/bin/chromium"

// browserSeen is what testdata/browser/browser.mjs reports.
type browserSeen struct {
	Console          []string
	Requests         []string
	Status           int
	Title, H1        string
	Paragraphs       int
	Landmarks        struct{ Main, Nav, Search int }
	Scripts          int
	HorizontalScroll bool
	FirstFocus       string
	CitationHash     string
	CitationTarget   string
	CitationInView   bool
	AskURL           string
	Mark             string
	MarkStrong       int
	MarkParagraph    string
	CiteHref         string
	CiteFollowed     string

	InsightsUnauthorized int
	InsightsH1           string
	InsightsText         string
	Cookie               []struct {
		Name     string
		Secure   bool
		HTTPOnly bool `json:"httpOnly"`
		SameSite string
	}
}

// TestBrowser loads the statement page in headless chromium from the
// real binary, follows a citation link from a real Slack answer to its
// paragraph, asks in the box and checks the highlighted sentence, signs
// in to /insights, and saves screenshots (in testdata/ with -screenshots).
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the policybot binary and a browser")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed (apt-get install nodejs npm); .ci/run installs it")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("Debian's chromium is not at %s (apt-get install chromium); .ci/run installs it", chromiumPath)
	}
	dir, _ := filepath.Abs(filepath.Join("testdata", "browser"))
	npmtest.Install(t, dir, "playwright-core")
	// The committed screenshots are rewritten only with -screenshots, so that a
	// test run leaves the tree as it was.
	out := t.TempDir()
	if *screenshots {
		out, _ = filepath.Abs("testdata")
	}
	b := startBot(t)

	// A real Slack answer; its citation link is what the browser follows.
	const question = "who should govern the internet?"
	a := b.ask(t, question)
	m := citationLink.FindStringSubmatch(strings.Join(a.texts, "\n"))
	if m == nil {
		t.Fatalf("no citation link in the Slack answer: %q", a.texts)
	}
	citationURL, citedAnchor := m[1], "p"+m[2]
	// Something for /insights to show: a declined question twice (grouped
	// after normalising) and a 👎.
	for _, q := range []string{"What is the recipe for APPLE PIE", "what is the recipe for apple pie?"} {
		b.get(t, "/ask?q="+url.QueryEscape(q))
	}
	b.click(t, "U1", "policybot_vote_down", a.buttons["policybot_vote_down"])
	<-b.views // the 👎 opened the form
	b.submitReason(t, "U1", a.buttons["policybot_vote_down"], "I wanted who, not how")
	b.waitInsights(t, "<tr><td>slack</td><td>0</td><td>1</td></tr>", "I wanted who, not how")

	// What the page must highlight, from the JSON answer.
	_, api := b.get(t, "/api/ask?q="+url.QueryEscape(question))
	var rep struct {
		Answers []struct {
			Text      string
			Quote     string
			Paragraph int
		}
	}
	if err := json.Unmarshal([]byte(api), &rep); err != nil || len(rep.Answers) == 0 {
		t.Fatalf("/api/ask: %v %s", err, api)
	}
	first := rep.Answers[0]

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "browser.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "BASE="+b.base, "CITATION_URL="+citationURL, "QUESTION="+question, "TOKEN="+insightsToken, "OUT="+out)
	start := time.Now()
	stdout, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("browser.mjs: %v\n%s\n%s", err, stdout, stderr)
	}
	t.Logf("browser run took %v", time.Since(start).Round(time.Millisecond))
	var s browserSeen
	if err := json.Unmarshal(stdout, &s); err != nil {
		t.Fatalf("browser.mjs printed %q: %v", stdout, err)
	}

	doc := knowledge.Embedded()
	check := func(ok bool, format string, args ...any) {
		t.Helper()
		if !ok {
			t.Errorf(format, args...)
		}
	}
	check(s.Status == 200 && s.H1 == doc.Meta.Title, "page: status %d, h1 %q", s.Status, s.H1)
	check(s.Paragraphs == len(doc.Paragraphs), "page shows %d anchored paragraphs, want %d", s.Paragraphs, len(doc.Paragraphs))
	check(s.Landmarks.Main == 1 && s.Landmarks.Nav >= 1 && s.Landmarks.Search == 1, "landmarks %+v", s.Landmarks)
	check(s.Scripts == 0, "%d script elements", s.Scripts)
	check(!s.HorizontalScroll, "the page scrolls sideways on a phone")
	check(s.FirstFocus == "Skip to main content", "first Tab focuses %q, want the skip link", s.FirstFocus)
	var problems []string
	for _, c := range s.Console {
		if !strings.Contains(c, "401 (Unauthorized)") { // /insights before signing in, on purpose
			problems = append(problems, c)
		}
	}
	check(len(problems) == 0, "console errors or warnings (a CSP violation shows here): %q", problems)
	check(len(s.Requests) == 0, "requests to other origins: %q", s.Requests)

	check(s.CitationHash == "#"+citedAnchor && s.CitationTarget == citedAnchor && s.CitationInView,
		"citation link %s: hash %q, :target %q, in view %v", citationURL, s.CitationHash, s.CitationTarget, s.CitationInView)

	check(strings.Contains(s.AskURL, "/ask?q="), "the ask box went to %q", s.AskURL)
	check(s.Mark != "" && strings.Contains(s.MarkParagraph, s.Mark), "highlight %q not inside its paragraph %q", s.Mark, s.MarkParagraph)
	check(s.MarkParagraph == first.Text, "the first passage is not the whole paragraph ¶%d:\n got %q\nwant %q", first.Paragraph, s.MarkParagraph, first.Text)
	if first.Quote != "" {
		check(s.Mark == first.Quote, "highlight %q, want the answer's quote %q", s.Mark, first.Quote)
	}
	check(s.MarkStrong > 0, "no matched word marked inside the highlight %q", s.Mark)
	want := "./#p" + itoa(first.Paragraph)
	check(s.CiteHref == want && s.CiteFollowed == "p"+itoa(first.Paragraph), "answer citation href %q followed to %q, want %q", s.CiteHref, s.CiteFollowed, want)
	t.Logf("highlighted: %q (¶%d)", s.Mark, first.Paragraph)

	check(s.InsightsUnauthorized == 401, "/insights without a session: %d, want 401", s.InsightsUnauthorized)
	check(s.InsightsH1 == "Insights", "/insights after login: h1 %q", s.InsightsH1)
	check(strings.Contains(s.InsightsText, "what is the recipe for apple pie?\tdeclined\t2"), "/insights does not group the declined question:\n%s", s.InsightsText)
	check(strings.Contains(s.InsightsText, question), "/insights does not list the 👎 answer:\n%s", s.InsightsText)
	check(len(s.Cookie) == 1 && s.Cookie[0].Secure && s.Cookie[0].HTTPOnly && s.Cookie[0].SameSite == "Strict", "session cookie %+v", s.Cookie)
	for _, png := range []string{"statement.png", "citation.png", "ask.png", "insights.png"} {
		if fi, err := os.Stat(filepath.Join(out, png)); err != nil || fi.Size() < 1000 {
			t.Errorf("screenshot %s: %v", png, err)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
