package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/policybot/policybot/bot/bottest"

	"github.com/policybot/policybot/bot"
	"github.com/policybot/policybot/bot/insights"
	"github.com/policybot/policybot/bot/store"
	"github.com/policybot/policybot/config"
)

// /api/ask on the serve wiring prints byte for byte what `policybot ask
// --json` prints, for plain, hostile, metadata, declined and --top
// questions.
func TestAPIAskIdenticalToAskJSON(t *testing.T) {
	core, ret := bottest.Core(t, bot.Options{})
	log := slog.New(slog.DiscardHandler)
	m := newMetrics("test")
	d := &serveDeps{
		cfg: &config.Config{}, log: log, doc: ret.Document(),
		core: observe(core, log, m, nil), metrics: m, mux: http.NewServeMux(),
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

// BenchmarkServedAsk is /ask as serve wires it: through the observed core
// (logging, metrics) and with the reply recorded for insights in the state
// file, and the declined case, which also stores the question.
func BenchmarkServedAsk(b *testing.B) {
	core, ret := bottest.Core(b, bot.Options{})
	st, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "state.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	m := newMetrics("bench")
	rec, err := insights.New(insights.Options{Store: st, KeepQuestions: true})
	if err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	wrapped := observe(core, log, m, rec)
	d := &serveDeps{cfg: &config.Config{}, log: log, doc: ret.Document(), core: wrapped, metrics: m, mux: http.NewServeMux(), insights: rec}
	if err := buildWeb(d, ret); err != nil {
		b.Fatal(err)
	}
	for _, q := range []string{"who should govern the internet?", "what is the recipe for apple pie?"} {
		b.Run(strings.Fields(q)[len(strings.Fields(q))-1], func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, "/ask?q="+url.QueryEscape(q), nil)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				req.RemoteAddr = fmt.Sprintf("10.0.%d.%d:1", i/250%250, i%250) // under the per-address limit
				w := httptest.NewRecorder()
				d.mux.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatal(w.Code)
				}
			}
		})
	}
}
