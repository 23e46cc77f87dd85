package web

import (
	"bytes"
	"flag"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/policybot/policybot/bot/bottest"

	"github.com/policybot/policybot/bot"
	"github.com/policybot/policybot/knowledge"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// fixture is a Server over the embedded statement and the real core.
type fixture struct {
	srv *Server
	mux *http.ServeMux
	ret *knowledge.Retriever
	now time.Time
}

func newFixture(t testing.TB, edit func(*Options)) *fixture {
	t.Helper()
	core, ret := bottest.Core(t, bot.Options{})
	f := &fixture{ret: ret, now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	o := Options{Document: ret.Document(), Responder: core, Reporter: ret, Now: func() time.Time { return f.now }}
	if edit != nil {
		edit(&o)
	}
	var err error
	f.srv, err = New(o)
	if err != nil {
		t.Fatal(err)
	}
	f.mux = http.NewServeMux()
	f.srv.Register(f.mux)
	return f
}

func (f *fixture) get(t testing.TB, target string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.RemoteAddr = "192.0.2.1:1234"
	w := httptest.NewRecorder()
	f.mux.ServeHTTP(w, req)
	return w
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -tags goolm ./bot/web -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; if the change is intended, run with -update and review the diff\n%s", name, firstDiff(string(want), string(got)))
	}
}

func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < max(len(la), len(lb)); i++ {
		var x, y string
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n want %q\n  got %q", i+1, x, y)
		}
	}
	return ""
}

func TestStatementPageGolden(t *testing.T) {
	f := newFixture(t, nil)
	w := f.get(t, "/")
	if w.Code != http.StatusOK {
		t.Fatalf("GET / = %d", w.Code)
	}
	golden(t, "statement.golden.html", w.Body.Bytes())
	t.Logf("page weight: %d bytes HTML + %d bytes CSS", w.Body.Len(), len(styleCSS))
}

// Every paragraph is on the page verbatim, once, under the anchor chat
// citations link to, with its citation.
func TestEveryParagraphHasAnchorAndCitation(t *testing.T) {
	f := newFixture(t, nil)
	body := f.get(t, "/").Body.String()
	doc := f.ret.Document()
	for _, p := range doc.Paragraphs {
		id := fmt.Sprintf(`id="p%d"`, p.Number)
		if n := strings.Count(body, id); n != 1 {
			t.Errorf("¶%d: %s appears %d times, want 1", p.Number, id, n)
			continue
		}
		at := strings.Index(body, id)
		rest := body[at:]
		if !strings.HasPrefix(rest[strings.Index(rest, "<p>")+3:], html.EscapeString(p.Text)+"</p>") {
			t.Errorf("¶%d: text is not the verbatim paragraph right after its anchor", p.Number)
		}
		if !strings.Contains(rest[:min(len(rest), len(p.Text)*2+600)], html.EscapeString(doc.Citation(p))) {
			t.Errorf("¶%d: citation %q not beside the paragraph", p.Number, doc.Citation(p))
		}
	}
	for _, it := range doc.Items {
		if !strings.Contains(body, `href="#`+itemID(it)+`"`) || !strings.Contains(body, `<h3 id="`+itemID(it)+`">`+html.EscapeString(it.Label())+`</h3>`) {
			t.Errorf("%s: no contents link or heading", it.Label())
		}
	}
	for _, s := range doc.Sections {
		if !strings.Contains(body, ">"+html.EscapeString(s.Label())+"</h2>") {
			t.Errorf("%s: no heading", s.Label())
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	f := newFixture(t, nil)
	for _, path := range []string{"/", "/ask?q=peace", "/api/ask?q=peace", "/style.css"} {
		w := f.get(t, path)
		h := w.Header()
		if got := h.Get("Content-Security-Policy"); !strings.Contains(got, "default-src 'none'") || strings.Contains(got, "unsafe") {
			t.Errorf("%s: Content-Security-Policy = %q", path, got)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no X-Content-Type-Options: nosniff", path)
		}
	}
	body := f.get(t, "/").Body.String()
	for _, bad := range []string{"<script", "style=", " on", "/metrics", "insights"} {
		if bad == " on" {
			if regexp.MustCompile(`<[^>]+\son[a-z]+=`).MatchString(body) {
				t.Errorf("the page has an inline event handler")
			}
			continue
		}
		if strings.Contains(body, bad) {
			t.Errorf("the page contains %q", bad)
		}
	}
}

func TestAskGolden(t *testing.T) {
	f := newFixture(t, nil)
	for _, tt := range []struct{ name, q string }{
		{"ask_answer", "who should govern the internet?"},
		{"ask_about", "who gave this speech?"},
		{"ask_decline", "what is the recipe for apple pie?"},
		{"ask_empty", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := f.get(t, "/ask?q="+url.QueryEscape(tt.q))
			if w.Code != http.StatusOK {
				t.Fatalf("status %d", w.Code)
			}
			if cc := w.Header().Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", cc)
			}
			golden(t, tt.name+".golden.html", w.Body.Bytes())
		})
	}
}

// The answer shows the paragraph with its answering sentence marked and a
// citation linking to the paragraph's anchor on the statement page.
func TestAskHighlightsSentenceAndLinksCitation(t *testing.T) {
	f := newFixture(t, nil)
	body := f.get(t, "/ask?q="+url.QueryEscape("what about cyber warfare and the arms race?")).Body.String()
	m := regexp.MustCompile(`<mark>(.*?)</mark>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no highlighted sentence in:\n%s", body)
	}
	if !strings.Contains(m[1], "<strong>") {
		t.Errorf("highlighted sentence has no matched word: %s", m[1])
	}
	link := regexp.MustCompile(`<figcaption>— <a href="\./#(p\d+)">`).FindStringSubmatch(body)
	if link == nil {
		t.Fatalf("no citation link in:\n%s", body)
	}
	if !strings.Contains(f.get(t, "/").Body.String(), `id="`+link[1]+`"`) {
		t.Errorf("citation links to #%s, which is not on the page", link[1])
	}
}

func TestAskEscapesHostileQuestions(t *testing.T) {
	f := newFixture(t, nil)
	for _, q := range []string{
		`<script>alert(1)</script>`,
		`"><img src=x onerror=alert(1)>`,
		`sovereignty </mark><script>x</script>`,
		"javascript:alert(1)",
		`{{.Q}} {{template "head"}}`,
		"\x00\u202e peace \xff",
	} {
		for _, path := range []string{"/ask?q=", "/?q="} {
			w := f.get(t, path+url.QueryEscape(q))
			body := w.Body.String()
			if strings.Contains(body, "<script") || strings.Contains(body, "<img") || strings.Contains(body, "onerror=") && !strings.Contains(body, "onerror=alert(1)&gt;") {
				t.Errorf("%s%q: markup from the question reached the page:\n%s", path, q, body)
			}
		}
	}
	w := f.get(t, "/ask?q="+url.QueryEscape(`<b>peace</b> & "trust"`))
	if !strings.Contains(w.Body.String(), `&lt;b&gt;peace&lt;/b&gt; &amp; &#34;trust&#34;`) {
		t.Errorf("question not shown escaped:\n%s", w.Body.String())
	}
}

func TestAskBounds(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.Burst, o.RatePerMinute = 2, 60 })
	long := strings.Repeat("sovereignty ", knowledge.MaxQuestionBytes/10)
	for _, path := range []string{"/ask?q=", "/api/ask?q="} {
		if w := f.get(t, path+url.QueryEscape(long)); w.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("%s<%d bytes> = %d, want 413", path, len(long), w.Code)
		}
	}
	for i, want := range []int{200, 200, 429} {
		w := f.get(t, "/ask?q=peace")
		if w.Code != want {
			t.Fatalf("question %d: status %d, want %d", i+1, w.Code, want)
		}
		if want == 429 && w.Header().Get("Retry-After") != "1" {
			t.Errorf("Retry-After = %q, want 1", w.Header().Get("Retry-After"))
		}
	}
	if w := f.get(t, "/api/ask?q=peace"); w.Code != http.StatusTooManyRequests {
		t.Errorf("/api/ask shares the limit: got %d, want 429", w.Code)
	}
	f.now = f.now.Add(time.Second)
	if w := f.get(t, "/ask?q=peace"); w.Code != http.StatusOK {
		t.Errorf("after a second: %d, want 200", w.Code)
	}
	if w := f.get(t, "/"); w.Code != http.StatusOK {
		t.Errorf("the page is never limited: %d", w.Code)
	}
}

func TestAPIAskEncodesReport(t *testing.T) {
	f := newFixture(t, nil)
	for _, q := range []string{"who should govern the internet?", "peace & <security>", "apple pie"} {
		w := f.get(t, "/api/ask?q="+url.QueryEscape(q))
		var want bytes.Buffer
		if err := EncodeReport(&want, f.ret.Report(f.ret.Ask(q, DefaultTop))); err != nil {
			t.Fatal(err)
		}
		if w.Body.String() != want.String() {
			t.Errorf("%q:\n got %s\nwant %s", q, w.Body, want.String())
		}
		if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("Content-Type = %q", ct)
		}
	}
	if w := f.get(t, "/api/ask?q=x&top=0"); w.Code != http.StatusBadRequest {
		t.Errorf("top=0: %d, want 400", w.Code)
	}
}

func TestStatementNotModified(t *testing.T) {
	f := newFixture(t, nil)
	etag := f.get(t, "/").Header().Get("ETag")
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("If-None-Match", etag)
	w := httptest.NewRecorder()
	f.mux.ServeHTTP(w, req)
	if w.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: %d, want 304", w.Code)
	}
}

func TestSentences(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"One. Two? Three!", []string{"One.", "Two?", "Three!"}},
		{"No end", []string{"No end"}},
		{"A 1.5 point. B", []string{"A 1.5 point.", "B"}},
		{"Ends.  ", []string{"Ends."}},
		{"", nil},
	} {
		var got []string
		for _, s := range sentences(tt.in) {
			got = append(got, tt.in[s.Start:s.End])
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("sentences(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func BenchmarkStatementPage(b *testing.B) {
	f := newFixture(b, nil)
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		f.mux.ServeHTTP(w, req)
	}
	b.ReportMetric(float64(len(f.srv.page)), "page-bytes")
}

func BenchmarkAsk(b *testing.B) {
	f := newFixture(b, func(o *Options) { o.Burst = 1 << 30 })
	req := httptest.NewRequest(http.MethodGet, "/ask?q="+url.QueryEscape("who should govern the internet?"), nil)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		f.mux.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatal(w.Code)
		}
	}
}

var _ io.Writer = (*bytes.Buffer)(nil)
