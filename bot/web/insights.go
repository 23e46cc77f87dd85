package web

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/policybot/policybot/bot/store"
)

// Insights is the record /insights shows (bot/insights.Recorder).
type Insights interface {
	Report(ctx context.Context) (store.Insights, error)
	KeepsQuestions() bool
	Retention() time.Duration
}

// cookieName holds the insights session: a value derived from the token,
// so the token itself never sits in the browser.
const cookieName = "policybot_insights"

// cookieLife is how long one login lasts.
const cookieLife = 12 * time.Hour

// maxLoginBytes bounds the login form.
const maxLoginBytes = 4 << 10

type insightsView struct {
	Title     string
	Keep      bool
	Days      int
	Data      store.Insights
	Cited     []citedView
	Disliked  []ratedView
	Generated string
}

type citedView struct {
	Anchor   string
	Short    string // "¶7"
	Citation string
	Count    int
}

type ratedView struct {
	store.Rated
	Links []citedView
}

type loginView struct {
	Title   string
	Problem string
}

// sessionValue is what the cookie carries for a token.
func sessionValue(token string) string {
	sum := sha256.Sum256([]byte("policybot insights session\x00" + token))
	return hex.EncodeToString(sum[:])
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// authorized accepts the token as a bearer token or the session cookie
// the login form sets. Both comparisons take constant time.
func (s *Server) authorized(r *http.Request) bool {
	if auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return equal(strings.TrimSpace(auth), s.o.InsightsToken)
	}
	if c, err := r.Cookie(cookieName); err == nil {
		return equal(c.Value, sessionValue(s.o.InsightsToken))
	}
	return false
}

func (s *Server) serveInsights(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="policybot insights"`)
		s.writePage(w, http.StatusUnauthorized, "login", loginView{Title: "Insights — sign in"})
		return
	}
	data, err := s.o.Insights.Report(r.Context())
	if err != nil {
		s.log.Error("web: could not read insights", "err", err)
		http.Error(w, "insights could not be read from the state database; the operator can find why in the log", http.StatusInternalServerError)
		return
	}
	v := insightsView{
		Title: "Insights — policybot", Keep: s.o.Insights.KeepsQuestions(), Data: data,
		Days:      int(s.o.Insights.Retention() / (24 * time.Hour)),
		Generated: s.o.Now().UTC().Format("2006-01-02 15:04 UTC"),
	}
	for _, c := range data.Cited {
		v.Cited = append(v.Cited, s.cited(c.Paragraph, c.Count))
	}
	for _, d := range data.Disliked {
		rv := ratedView{Rated: d}
		for _, p := range d.Paragraphs {
			rv.Links = append(rv.Links, s.cited(p, 0))
		}
		v.Disliked = append(v.Disliked, rv)
	}
	s.writePage(w, http.StatusOK, "insights", v)
}

func (s *Server) cited(n, count int) citedView {
	cv := citedView{Anchor: Anchor(n), Short: fmt.Sprintf("¶%d", n), Citation: fmt.Sprintf("¶%d", n), Count: count}
	if p, ok := s.o.Document.Paragraph(n); ok {
		cv.Citation = s.o.Document.Citation(p)
	} else if n == 0 {
		cv.Anchor, cv.Short, cv.Citation = "title", "title", s.o.Document.MetaCitation()
	}
	return cv
}

// serveInsightsLogin checks a token entered in the form and sets the
// session cookie: Secure, HttpOnly, SameSite=Strict.
func (s *Server) serveInsightsLogin(w http.ResponseWriter, r *http.Request) {
	if ok, wait := s.limit.allow("login " + clientKey(r)); !ok {
		w.Header().Set("Retry-After", retryAfter(wait))
		s.writePage(w, http.StatusTooManyRequests, "login", loginView{Title: "Insights — sign in", Problem: "Too many attempts; wait a little and try again."})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxLoginBytes)
	if err := r.ParseForm(); err != nil || !equal(r.PostFormValue("token"), s.o.InsightsToken) {
		s.writePage(w, http.StatusUnauthorized, "login", loginView{Title: "Insights — sign in", Problem: "That is not the insights token."})
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: sessionValue(s.o.InsightsToken),
		MaxAge: int(cookieLife.Seconds()), Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode,
	})
	http.Redirect(w, r, "insights", http.StatusSeeOther)
}
