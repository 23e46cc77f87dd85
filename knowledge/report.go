package knowledge

// Report is the documented JSON shape of an answer, printed by
// `policybot ask --json` and served by the web page's /api/ask: one
// function builds it so the two cannot drift apart.
type Report struct {
	Question string `json:"question"`
	// Outcome is "answer", "not addressed" or "decline".
	Outcome string         `json:"outcome"`
	Answers []ReportResult `json:"answers"`
	// Summary is a sentence from the statement's structure ("The
	// statement sets out four principles …"), when there is one.
	Summary string `json:"summary,omitempty"`
	// Related are the closest passages, as reading, when the outcome is
	// "not addressed"; Missing the concepts the statement lacks.
	Related []ReportResult `json:"related,omitempty"`
	Missing []string       `json:"missing,omitempty"`
}

// ReportResult is one passage of a Report.
type ReportResult struct {
	Text string `json:"text"` // the whole verbatim paragraph
	// Quote is the verbatim part of Text that answers: whole sentences.
	Quote     string   `json:"quote"`
	Citation  string   `json:"citation"`
	Section   string   `json:"section"`
	Item      string   `json:"item"`
	Paragraph int      `json:"paragraph"`
	Score     float64  `json:"score"`
	Matched   []string `json:"matched"`
}

// Report renders the answer in its documented JSON shape.
func (r *Retriever) Report(a Answer) Report {
	out := Report{Question: a.Question, Outcome: a.Outcome.String(), Answers: []ReportResult{}, Summary: a.Summary, Missing: a.Missing}
	for _, p := range a.Passages {
		out.Answers = append(out.Answers, r.reportResult(p))
	}
	for _, p := range a.Related {
		out.Related = append(out.Related, r.reportResult(p))
	}
	return out
}

func (r *Retriever) reportResult(p Passage) ReportResult {
	res := ReportResult{Text: p.Paragraph.Text, Quote: p.QuoteText(), Citation: p.Citation, Paragraph: p.Paragraph.Number, Score: p.Score, Matched: []string{}}
	if p.Paragraph.Number == 0 {
		res.Section = "Title and date"
	} else {
		res.Section = r.doc.Section(p.Paragraph.Section).Label()
	}
	if p.Paragraph.Item != nil {
		res.Item = p.Paragraph.Item.Name
	}
	seen := map[string]bool{}
	for _, m := range p.Matches {
		if !seen[m.Word] {
			seen[m.Word] = true
			res.Matched = append(res.Matched, m.Word)
		}
	}
	return res
}
