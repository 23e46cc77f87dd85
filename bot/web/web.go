// Package web serves the statement on the web: the page every citation
// links to (/), the ask box (/ask), the JSON answer (/api/ask) and, when
// an operator token is configured, /insights. Pages are rendered on the
// server with html/template; there is no JavaScript, and the only other
// resource is one embedded stylesheet, so a strict Content-Security-Policy
// holds.
package web

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/policybot/policybot/bot"
	"github.com/policybot/policybot/knowledge"
)

// Platform names web questions in bot.Message, logs and metrics.
const Platform = "web"

// DefaultTop is how many passages /api/ask returns without ?top=, the
// same default as `policybot ask --json`.
const DefaultTop = 3

// Reporter builds the JSON answer. *knowledge.Retriever implements it;
// `policybot ask --json` prints Report(Ask(q, top)) and so does /api/ask.
type Reporter interface {
	Ask(question string, top int) knowledge.Answer
	Report(a knowledge.Answer) knowledge.Report
}

// Options configures a Server. Document, Responder and Reporter are
// required.
type Options struct {
	Document  *knowledge.Document
	Responder bot.Responder
	Reporter  Reporter
	// Insights and InsightsToken serve /insights; without a token the
	// path is not registered and answers 404 like any unknown path.
	Insights      Insights
	InsightsToken string
	// RatePerMinute and Burst bound questions per client address
	// (defaults 30 and 10). The page itself is not limited.
	RatePerMinute int
	Burst         int
	Now           func() time.Time // default time.Now
	Logger        *slog.Logger
}

// Server holds the parsed templates and the pre-rendered statement page.
type Server struct {
	o     Options
	log   *slog.Logger
	tmpl  *template.Template
	page  []byte // GET / never changes: rendered once
	etag  string
	css   []byte
	limit *limiter
}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/style.css
var styleCSS []byte

// New parses the templates and renders the statement page once.
func New(o Options) (*Server, error) {
	if o.Document == nil || o.Responder == nil || o.Reporter == nil {
		return nil, errors.New("web: Document, Responder and Reporter are required (a bug in the caller)")
	}
	if o.RatePerMinute <= 0 {
		o.RatePerMinute = 30
	}
	if o.Burst <= 0 {
		o.Burst = 10
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	tmpl, err := template.New("").Funcs(funcs).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse templates: %w", err)
	}
	s := &Server{
		o: o, log: o.Logger, tmpl: tmpl, css: styleCSS,
		limit: newLimiter(float64(o.RatePerMinute)/60, o.Burst, o.Now),
	}
	page, err := s.render("statement", s.statementView())
	if err != nil {
		return nil, fmt.Errorf("web: render the statement page: %w", err)
	}
	s.page, s.etag = page, etagOf(page)
	return s, nil
}

// Register adds the page's routes to mux. /metrics and /insights are never
// linked from the public pages.
func (s *Server) Register(mux *http.ServeMux) {
	mux.Handle("GET /{$}", secure(http.HandlerFunc(s.serveStatement)))
	mux.Handle("GET /style.css", secure(http.HandlerFunc(s.serveCSS)))
	// Browsers ask for an icon; an empty answer keeps 404s out of logs
	// and consoles without an image to ship.
	mux.Handle("GET /favicon.ico", secure(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		w.WriteHeader(http.StatusNoContent)
	})))
	mux.Handle("GET /ask", secure(http.HandlerFunc(s.serveAsk)))
	mux.Handle("GET /api/ask", secure(http.HandlerFunc(s.serveAPIAsk)))
	if s.o.InsightsToken != "" && s.o.Insights != nil {
		mux.Handle("GET /insights", secure(noStore(http.HandlerFunc(s.serveInsights))))
		mux.Handle("POST /insights", secure(noStore(http.HandlerFunc(s.serveInsightsLogin))))
	}
}

// csp allows nothing but our own stylesheet and our own form target: no
// script of any kind, no inline style, no framing.
const csp = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// secure sets the headers every response of the page carries.
func secure(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", csp)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Frame-Options", "DENY")
		h.ServeHTTP(w, r)
	})
}

// noStore keeps operator pages out of every cache.
func noStore(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}
