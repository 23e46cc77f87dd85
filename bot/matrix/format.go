package matrix

import (
	"html"
	"strconv"
	"strings"

	"maunium.net/go/mautrix/event"

	"github.com/policybot/policybot/bot"
)

// Highlight markers for the plain-text body; the HTML body uses <strong>.
const (
	plainHighlightOpen  = "*"
	plainHighlightClose = "*"
)

// RenderOption changes how Render presents a reply.
type RenderOption func(*renderOptions)

type renderOptions struct {
	publicURL string
}

// WithPublicURL links every citation in the HTML body to its paragraph on
// the statement page, base + "/#pN"; the plain body keeps the citation as
// text. An empty base leaves citations unlinked.
func WithPublicURL(base string) RenderOption {
	return func(o *renderOptions) { o.publicURL = strings.TrimRight(base, "/") }
}

// Render turns a reply into the content of an m.notice: the plain text in
// body and the same in org.matrix.custom.html, each passage a blockquote
// with the matched words in <strong> and its citation below. It sets no
// relation or mentions; the sender adds those. Every piece of user or
// statement text is HTML-escaped here, so nothing else needs to.
func Render(r bot.Reply, opts ...RenderOption) *event.MessageEventContent {
	var o renderOptions
	for _, opt := range opts {
		opt(&o)
	}
	return &event.MessageEventContent{
		MsgType:       event.MsgNotice,
		Body:          r.PlainText(plainHighlightOpen, plainHighlightClose),
		Format:        event.FormatHTML,
		FormattedBody: renderHTML(r, o),
	}
}

// renderOptions are the adapter's rendering options, from its Options.
func (a *Adapter) renderOptions() []RenderOption {
	if a.opts.PublicURL == "" {
		return nil
	}
	return []RenderOption{WithPublicURL(a.opts.PublicURL)}
}

// citationURL is where a passage's paragraph is on the statement page.
func citationURL(base string, paragraph int) string {
	if paragraph <= 0 {
		return base + "/#title"
	}
	return base + "/#p" + strconv.Itoa(paragraph)
}

func renderHTML(r bot.Reply, o renderOptions) string {
	var b strings.Builder
	if r.Title != "" {
		b.WriteString("<p><strong>" + escape(r.Title) + "</strong></p>")
	}
	if r.Text != "" {
		b.WriteString("<p>" + escape(r.Text) + "</p>")
	}
	for _, p := range r.Passages {
		b.WriteString("<blockquote><p>")
		for _, s := range p.Segments() {
			if s.Highlight {
				b.WriteString("<strong>" + escape(s.Text) + "</strong>")
			} else {
				b.WriteString(escape(s.Text))
			}
		}
		b.WriteString("</p></blockquote>")
		switch {
		case p.Citation != "" && o.publicURL != "":
			b.WriteString(`<p>— <em><a href="` + html.EscapeString(citationURL(o.publicURL, p.Paragraph)) + `">` + escape(p.Citation) + "</a></em></p>")
		case p.Citation != "":
			b.WriteString("<p>— <em>" + escape(p.Citation) + "</em></p>")
		}
	}
	if len(r.List) > 0 {
		b.WriteString("<ul>")
		for _, it := range r.List {
			b.WriteString("<li>")
			switch {
			case it.Label != "" && it.Text != "":
				b.WriteString("<code>" + escape(it.Label) + "</code> — " + escape(it.Text))
			case it.Label != "":
				b.WriteString("<code>" + escape(it.Label) + "</code>")
			default:
				b.WriteString(escape(it.Text))
			}
			b.WriteString("</li>")
		}
		b.WriteString("</ul>")
	}
	if r.Note != "" {
		b.WriteString("<p><em>" + escape(r.Note) + "</em></p>")
	}
	if r.Hint != "" {
		b.WriteString("<p>" + escape(r.Hint) + "</p>")
	}
	return b.String()
}

// escape makes text safe inside HTML and keeps its line breaks, which
// Matrix clients would otherwise collapse.
func escape(s string) string {
	return strings.ReplaceAll(html.EscapeString(s), "\n", "<br>")
}
