package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzAsk: the question is untrusted input. Whatever it is, /ask and
// /api/ask answer with a known status, and no markup from it reaches the
// page.
func FuzzAsk(f *testing.F) {
	for _, s := range []string{"who should govern the internet?", "<script>x</script>", "\xff\xfe", "", strings.Repeat("a ", 600), "p6 ¶6 </mark>"} {
		f.Add(s)
	}
	fx := newFixture(f, func(o *Options) { o.Burst = 1 << 30 })
	f.Fuzz(func(t *testing.T, q string) {
		for _, path := range []string{"/ask?q=", "/api/ask?q="} {
			req := httptest.NewRequest(http.MethodGet, path+url.QueryEscape(q), nil)
			req.RemoteAddr = "192.0.2.1:1"
			w := httptest.NewRecorder()
			fx.mux.ServeHTTP(w, req)
			switch w.Code {
			case http.StatusOK, http.StatusBadRequest, http.StatusRequestEntityTooLarge:
			default:
				t.Fatalf("%s%q: status %d", path, q, w.Code)
			}
			if path == "/ask?q=" && strings.Contains(q, "<") && strings.Contains(w.Body.String(), "<script>x") {
				t.Fatalf("%q reached the page unescaped", q)
			}
		}
	})
}
