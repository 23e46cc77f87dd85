package web

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/policybot/policybot/bot"
	"github.com/policybot/policybot/bot/insights"
	"github.com/policybot/policybot/knowledge"
)

// askView is what templates/ask.html shows: the question and the core's
// reply, each passage shown inside its whole paragraph.
type askView struct {
	Title   string
	Q       string
	Problem string // why the question was not asked (too long, too fast)
	Kind    string // bot.Kind's name: answer, decline, …
	// Outcome is insights.Outcome's name for the reply: answer,
	// not_addressed, decline, or "" for other replies.
	Outcome  string
	Reply    bot.Reply
	Passages []passageView
}

// passageView is a passage inside its paragraph: the text before the
// quoted span, the span itself (shown highlighted), and the text after,
// each as runs with the matched words marked.
type passageView struct {
	Anchor   string // "p6"; "" for the title and date lines
	Number   int
	Citation string
	Before   []bot.Segment
	Quote    []bot.Segment
	After    []bot.Segment
}

func (s *Server) serveAsk(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store") // the question is in the URL
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	v := askView{Title: "Ask — " + s.o.Document.ShortRef(), Q: q}
	switch {
	case q == "":
		v.Problem = "Type a question about the statement, for example: who should govern the internet?"
		s.writePage(w, http.StatusOK, "ask", v)
		return
	case len(q) > knowledge.MaxQuestionBytes:
		v.Problem = fmt.Sprintf("That question is too long (%d bytes). Please ask in fewer than %d.", len(q), knowledge.MaxQuestionBytes)
		v.Q = truncate(q, knowledge.MaxQuestionBytes)
		s.writePage(w, http.StatusRequestEntityTooLarge, "ask", v)
		return
	}
	if ok, wait := s.limit.allow(clientKey(r)); !ok {
		w.Header().Set("Retry-After", retryAfter(wait))
		v.Problem = fmt.Sprintf("You are asking faster than I answer. Please wait %s and ask again.", retryAfter(wait)+" s")
		s.writePage(w, http.StatusTooManyRequests, "ask", v)
		return
	}
	reply, ok := s.o.Responder.Respond(r.Context(), bot.Message{
		Platform:     Platform,
		Text:         "/ask " + q,
		Prefix:       "/",
		Conversation: bot.Conversation{ID: Platform, Direct: true},
	})
	if !ok {
		reply = bot.Reply{Kind: bot.KindError, Text: "I could not answer that."}
	}
	v.Kind, v.Outcome, v.Reply = reply.Kind.String(), insights.Outcome(reply), reply
	for _, p := range reply.Passages {
		v.Passages = append(v.Passages, s.passageView(p))
	}
	s.writePage(w, http.StatusOK, "ask", v)
}

// serveAPIAsk prints exactly what `policybot ask --json` prints for the
// same question and --top: both encode Report(Ask(q, top)) with HTML
// escaping off.
func (s *Server) serveAPIAsk(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	top := DefaultTop
	if t := r.URL.Query().Get("top"); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil || n < 1 || n > 20 {
			apiError(w, http.StatusBadRequest, "top must be a number from 1 to 20")
			return
		}
		top = n
	}
	switch {
	case q == "":
		apiError(w, http.StatusBadRequest, "no question: pass it as ?q=")
		return
	case len(q) > knowledge.MaxQuestionBytes:
		apiError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the question is longer than %d bytes", knowledge.MaxQuestionBytes))
		return
	}
	if ok, wait := s.limit.allow(clientKey(r)); !ok {
		w.Header().Set("Retry-After", retryAfter(wait))
		apiError(w, http.StatusTooManyRequests, "too many questions from this address; retry after the Retry-After header's seconds")
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = EncodeReport(w, s.o.Reporter.Report(s.o.Reporter.Ask(q, top)))
}

// EncodeReport writes a report as `policybot ask --json` does: one JSON
// object and a newline, with <, > and & left as they are.
func EncodeReport(w interface{ Write([]byte) (int, error) }, rep knowledge.Report) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(rep)
}

func apiError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

func retryAfter(d time.Duration) string {
	return strconv.Itoa(int(math.Ceil(max(d, time.Second).Seconds())))
}

// passageView places a reply's passage in its whole paragraph. When the
// passage is a part of the paragraph (a quoted sentence, or a cut
// paragraph) that part is the highlighted span; when it is the whole
// paragraph, the sentence holding most of the matched words is.
func (s *Server) passageView(p bot.Passage) passageView {
	pv := passageView{Number: p.Paragraph, Citation: p.Citation}
	full, quoted := p.Text, strings.TrimSuffix(p.Text, "…")
	if para, ok := s.o.Document.Paragraph(p.Paragraph); ok && p.Paragraph > 0 {
		pv.Anchor = Anchor(p.Paragraph)
		full = para.Text
	}
	at := strings.Index(full, quoted)
	if at < 0 { // not a verbatim part of the paragraph: show it as given
		full, quoted, at = p.Text, p.Text, 0
	}
	hl := make([]bot.Span, 0, len(p.Highlights))
	for _, h := range p.Highlights {
		if h.End <= len(quoted) {
			hl = append(hl, bot.Span{Start: h.Start + at, End: h.End + at})
		}
	}
	start, end := at, at+len(quoted)
	if start == 0 && end == len(full) {
		start, end = densestSentence(full, hl)
	}
	pv.Before = segments(full, hl, 0, start)
	pv.Quote = segments(full, hl, start, end)
	pv.After = segments(full, hl, end, len(full))
	return pv
}

// segments is text[from:to] split into plain and highlighted runs.
func segments(text string, hl []bot.Span, from, to int) []bot.Segment {
	if from >= to {
		return nil
	}
	var local []bot.Span
	for _, h := range hl {
		st, en := max(h.Start, from), min(h.End, to)
		if st < en {
			local = append(local, bot.Span{Start: st - from, End: en - from})
		}
	}
	return bot.Passage{Text: text[from:to], Highlights: local}.Segments()
}

// densestSentence returns the byte range of the sentence of text that
// holds the most highlighted bytes; (0, 0) when nothing is highlighted.
func densestSentence(text string, hl []bot.Span) (int, int) {
	best, bs, be := 0, 0, 0
	for _, sn := range sentences(text) {
		n := 0
		for _, h := range hl {
			n += max(0, min(h.End, sn.End)-max(h.Start, sn.Start))
		}
		if n > best {
			best, bs, be = n, sn.Start, sn.End
		}
	}
	return bs, be
}

// sentences splits text at ". ", "? " and "! ", each span without the
// space that follows it.
func sentences(text string) []bot.Span {
	var out []bot.Span
	start := 0
	for i := 0; i < len(text); i++ {
		if strings.IndexByte(".?!", text[i]) < 0 || (i+1 < len(text) && text[i+1] != ' ') {
			continue
		}
		out = append(out, bot.Span{Start: start, End: i + 1})
		start = i + 1
		for start < len(text) && text[start] == ' ' {
			start++
		}
		i = start - 1
	}
	if start < len(text) {
		out = append(out, bot.Span{Start: start, End: len(text)})
	}
	return out
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
