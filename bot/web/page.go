package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/policybot/policybot/knowledge"
)

// funcs are the template helpers; all return plain values that
// html/template escapes.
var funcs = template.FuncMap{
	"anchor": Anchor,
}

// Anchor is the id of paragraph n on the statement page: "p6". Chat
// citations link to <public_url>/#p6, so it must never change.
func Anchor(n int) string { return fmt.Sprintf("p%d", n) }

// statementView is what templates/statement.html shows.
type statementView struct {
	Title    string
	Meta     knowledge.Meta
	DateISO  string // for <time datetime>, empty when the date does not parse
	Contents []contentsEntry
	Sections []sectionView
	Q        string
}

type contentsEntry struct {
	Label  string
	Anchor string
	Items  []contentsEntry
}

type sectionView struct {
	ID         string
	Label      string
	Paragraphs []paragraphView
}

type paragraphView struct {
	Number   int
	Anchor   string
	Text     string
	Citation string
	// Heading is the principle or area the paragraph states, if any.
	Heading   string
	HeadingID string
}

func (s *Server) statementView() statementView {
	doc := s.o.Document
	v := statementView{Title: doc.Meta.Title, Meta: doc.Meta, DateISO: isoDate(doc.Meta.Date)}
	if v.Title == "" {
		v.Title = doc.ShortRef()
	}
	for _, kind := range []knowledge.ItemKind{knowledge.Principle, knowledge.Area} {
		items := doc.ItemsOf(kind)
		if len(items) == 0 {
			continue
		}
		e := contentsEntry{Label: "Principles", Anchor: itemID(items[0])}
		if kind == knowledge.Area {
			e.Label = "Areas of effort"
		}
		for _, it := range items {
			e.Items = append(e.Items, contentsEntry{Label: it.Label(), Anchor: itemID(it)})
		}
		v.Contents = append(v.Contents, e)
	}
	for _, sec := range doc.Sections {
		sv := sectionView{ID: fmt.Sprintf("part-%d", sec.Number), Label: sec.Label()}
		for n := sec.First; n <= sec.Last; n++ {
			p, ok := doc.Paragraph(n)
			if !ok {
				continue
			}
			sv.Paragraphs = append(sv.Paragraphs, s.paragraphView(p))
		}
		v.Sections = append(v.Sections, sv)
	}
	if len(doc.Sections) == 0 { // a statement without parts: one untitled run
		sv := sectionView{ID: "part-1", Label: "The statement"}
		for _, p := range doc.Paragraphs {
			sv.Paragraphs = append(sv.Paragraphs, s.paragraphView(p))
		}
		v.Sections = append(v.Sections, sv)
	}
	return v
}

func (s *Server) paragraphView(p knowledge.Paragraph) paragraphView {
	pv := paragraphView{Number: p.Number, Anchor: Anchor(p.Number), Text: p.Text, Citation: s.o.Document.Citation(p)}
	if p.Item != nil {
		pv.Heading, pv.HeadingID = p.Item.Label(), itemID(*p.Item)
	}
	return pv
}

// itemID is the heading id of a principle or area: "principle-2".
func itemID(it knowledge.Item) string { return fmt.Sprintf("%s-%d", it.Kind, it.Ordinal) }

func isoDate(s string) string {
	d, _, _ := strings.Cut(s, " ")
	if _, err := time.Parse("2006-01-02", d); err != nil {
		return ""
	}
	return d
}

func (s *Server) render(name string, data any) ([]byte, error) {
	var b bytes.Buffer
	if err := s.tmpl.ExecuteTemplate(&b, name, data); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func etagOf(b []byte) string {
	sum := sha256.Sum256(b)
	return `"` + hex.EncodeToString(sum[:8]) + `"`
}

func (s *Server) serveStatement(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("ETag", s.etag)
	if r.Header.Get("If-None-Match") == s.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = w.Write(s.page) // a write error means the reader went away
}

func (s *Server) serveCSS(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(s.css)
}

// writePage renders a template as a full HTML response.
func (s *Server) writePage(w http.ResponseWriter, status int, name string, data any) {
	b, err := s.render(name, data)
	if err != nil {
		s.log.Error("web: could not render page", "template", name, "err", err)
		http.Error(w, "the page could not be rendered; the operator can find why in the log", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
