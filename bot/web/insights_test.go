package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/policybot/policybot/bot/store"
)

const testToken = "0123456789abcdef-insights"

type fakeInsights struct{ data store.Insights }

func (f fakeInsights) Report(context.Context) (store.Insights, error) { return f.data, nil }
func (f fakeInsights) KeepsQuestions() bool                           { return true }
func (f fakeInsights) Retention() time.Duration                       { return 30 * 24 * time.Hour }

func insightsFixture(t *testing.T) *fixture {
	at := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	data := store.Insights{
		Unanswered: []store.Unanswered{
			{Outcome: "decline", Question: `<script>alert("q")</script> apple pie?`, Count: 3, Last: at},
			{Outcome: "not_addressed", Count: 1, Last: at},
		},
		Disliked: []store.Rated{{Platform: "slack", Paragraphs: []int{7, 6}, Question: "who governs <b>it</b>?", Down: 2, Up: 1, Reasons: []string{"wrong <i>principle</i>", "too long"}}},
		Cited:    []store.Cited{{Paragraph: 7, Count: 5}, {Paragraph: 0, Count: 1}},
		Daily:    []store.DailyCount{{Day: "2026-12-01", Platform: "slack", Answer: 5, Decline: 3}, {Day: "2026-12-01", Platform: "web", NotAddressed: 1}},
		Votes:    []store.VoteCount{{Platform: "slack", Up: 1, Down: 2}},
	}
	return newFixture(t, func(o *Options) { o.Insights, o.InsightsToken = fakeInsights{data}, testToken })
}

func (f *fixture) do(t *testing.T, req *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	req.RemoteAddr = "192.0.2.9:999"
	w := httptest.NewRecorder()
	f.mux.ServeHTTP(w, req)
	return w
}

func TestInsightsOffWithoutToken(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.Insights = fakeInsights{} })
	if w := f.get(t, "/insights"); w.Code != http.StatusNotFound {
		t.Errorf("/insights without a token configured: %d, want 404", w.Code)
	}
}

func TestInsightsAuth(t *testing.T) {
	f := insightsFixture(t)
	bearer := func(tok string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/insights", nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		return r
	}
	for _, tt := range []struct {
		name string
		req  *http.Request
		want int
	}{
		{"no credentials", httptest.NewRequest(http.MethodGet, "/insights", nil), http.StatusUnauthorized},
		{"wrong bearer", bearer("nope"), http.StatusUnauthorized},
		{"prefix of the token", bearer(testToken[:10]), http.StatusUnauthorized},
		{"right bearer", bearer(testToken), http.StatusOK},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := f.do(t, tt.req)
			if w.Code != tt.want {
				t.Errorf("status %d, want %d", w.Code, tt.want)
			}
			if w.Header().Get("Cache-Control") != "no-store" || w.Header().Get("X-Content-Type-Options") != "nosniff" || w.Header().Get("Content-Security-Policy") == "" {
				t.Errorf("headers %v", w.Header())
			}
			if tt.want == http.StatusUnauthorized && (strings.Contains(w.Body.String(), "apple pie") || !strings.Contains(w.Body.String(), `name="token"`)) {
				t.Errorf("unauthorised page shows data or no login form:\n%s", w.Body)
			}
		})
	}

	login := func(tok string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "/insights", strings.NewReader(url.Values{"token": {tok}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return f.do(t, r)
	}
	if w := login("wrong"); w.Code != http.StatusUnauthorized || len(w.Result().Cookies()) != 0 {
		t.Errorf("wrong token: %d, cookies %v", w.Code, w.Result().Cookies())
	}
	w := login(testToken)
	cs := w.Result().Cookies()
	if w.Code != http.StatusSeeOther || len(cs) != 1 {
		t.Fatalf("login: %d, cookies %v", w.Code, cs)
	}
	c := cs[0]
	if !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || strings.Contains(c.Value, testToken) {
		t.Errorf("cookie %+v: want Secure, HttpOnly, SameSite=Strict and not the token itself", c)
	}
	r := httptest.NewRequest(http.MethodGet, "/insights", nil)
	r.AddCookie(c)
	if w := f.do(t, r); w.Code != http.StatusOK {
		t.Errorf("with the session cookie: %d", w.Code)
	}
	r = httptest.NewRequest(http.MethodGet, "/insights", nil)
	r.AddCookie(&http.Cookie{Name: cookieName, Value: sessionValue("another token")})
	if w := f.do(t, r); w.Code != http.StatusUnauthorized {
		t.Errorf("with a forged cookie: %d", w.Code)
	}
}

func TestInsightsGolden(t *testing.T) {
	f := insightsFixture(t)
	r := httptest.NewRequest(http.MethodGet, "/insights", nil)
	r.Header.Set("Authorization", "Bearer "+testToken)
	w := f.do(t, r)
	body := w.Body.String()
	if strings.Contains(body, "<script>") || strings.Contains(body, "<b>it</b>") || strings.Contains(body, "<i>") {
		t.Errorf("a stored question reached the page unescaped:\n%s", body)
	}
	golden(t, "insights.golden.html", w.Body.Bytes())
}
