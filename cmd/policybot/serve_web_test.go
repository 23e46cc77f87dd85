package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/policybot/policybot/bot"
	"github.com/policybot/policybot/config"
	"github.com/policybot/policybot/knowledge"
)

// /api/ask on the serve wiring prints byte for byte what `policybot ask
// --json` prints, for plain, hostile, metadata, declined and --top
// questions.
func TestAPIAskIdenticalToAskJSON(t *testing.T) {
	ret, err := knowledge.Open("")
	if err != nil {
		t.Fatal(err)
	}
	core, err := bot.New(ret.Document(), ret, bot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	m := newMetrics("test")
	d := &serveDeps{
		cfg: &config.Config{}, log: log, doc: ret.Document(), bot: core,
		core: &observed{next: core, log: log, metrics: m, now: time.Now, flights: newFlights()}, metrics: m, mux: http.NewServeMux(),
	}
	if err := buildWeb(d, ret); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(d.mux)
	defer srv.Close()
	for _, tt := range []struct {
		q   string
		top string
	}{
		{"who should govern the internet?", ""},
		{"what does it say about the digital divide", ""},
		{"who gave this speech and when?", ""},
		{`<script>alert("x")</script> & sovereignty`, ""},
		{"soveriegnty", ""},
		{"what is the recipe for apple pie?", ""},
		{"cyber warfare", "5"},
		{"peace", "1"},
	} {
		args := []string{"ask", "--json"}
		target := srv.URL + "/api/ask?q=" + url.QueryEscape(tt.q)
		if tt.top != "" {
			args = append(args, "--top", tt.top)
			target += "&top=" + tt.top
		}
		code, want, stderr := runWith(t, nil, "", append(args, tt.q)...)
		if code != 0 {
			t.Fatalf("ask --json %q: exit %d: %s", tt.q, code, stderr)
		}
		res, err := http.Get(target)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || string(got) != want {
			t.Errorf("%q (top %q): /api/ask answered %d\n%s\nask --json printed\n%s", tt.q, tt.top, res.StatusCode, got, want)
		}
	}
}
