package slack

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	slackgo "github.com/slack-go/slack"

	"github.com/policybot/policybot/bot"
)

// Slack's Block Kit limits (https://docs.slack.dev/reference/block-kit/blocks).
// Lengths are counted in bytes here, which is never less than Slack's
// character count, so staying under them in bytes is always safe.
const (
	maxBlocks      = 50
	maxSectionText = 3000
	maxHeaderRunes = 150
	// maxFallbackText is below the 40,000 characters at which Slack cuts a
	// message's text.
	maxFallbackText = 39000
)

// shareActionID names the "Share in channel" button in interaction payloads.
const shareActionID = "policybot_share"

// wholeActionID prefixes the "Whole paragraph" buttons' action IDs (which
// must differ within a message); the value is the paragraph number.
const wholeActionID = "policybot_whole_"

// Action IDs of the 👍 and 👎 buttons; their value is the answer's
// feedback reference.
const (
	voteUpActionID   = "policybot_vote_up"
	voteDownActionID = "policybot_vote_down"
)

// Rendered is a reply in Slack's shape: blocks for display and a plain text
// fallback for notifications, screen readers and clients without blocks.
type Rendered struct {
	Text   string
	Blocks []slackgo.Block
}

// renderOptions are the parts of a message that depend on where it is
// posted rather than on the reply.
type renderOptions struct {
	// ShareValue, when set, adds a "Share in channel" button whose value it
	// is (ephemeral slash command answers).
	ShareValue string
	// SharedBy is the user ID of whoever shared an ephemeral answer into the
	// channel; it is credited under the answer.
	SharedBy string
	// PublicURL, when set, makes each citation a link to its paragraph on
	// the statement page, PublicURL + "/#pN".
	PublicURL string
	// FeedbackRef, when set, adds 👍 and 👎 buttons whose value it is.
	FeedbackRef string
}

var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// escape makes user or statement text inert in Slack: "<!channel>",
// "<@U123>" and "<https://…|…>" only act when written with real angle
// brackets, so escaping &, < and > (and nothing else, per Slack's
// formatting guide) is enough to stop any ping or link from our output.
func escape(s string) string { return escaper.Replace(s) }

// citationURL is where a passage's paragraph is on the statement page.
func citationURL(base string, paragraph int) string {
	base = strings.TrimRight(base, "/")
	if paragraph <= 0 {
		return base + "/#title"
	}
	return base + "/#p" + strconv.Itoa(paragraph)
}

// link is a mrkdwn link. The text is escaped like any other, and "|",
// which would end the URL part early, cannot occur in it.
func link(url, text string) string {
	return "<" + escape(url) + "|" + strings.ReplaceAll(escape(text), "|", "¦") + ">"
}

// Render turns a reply into Block Kit. It is a pure function so that it can
// be pinned down by golden files.
func Render(r bot.Reply, o renderOptions) Rendered {
	var blocks []slackgo.Block
	mrkdwn := func(s string) *slackgo.TextBlockObject {
		return slackgo.NewTextBlockObject(slackgo.MarkdownType, s, false, false)
	}
	section := func(s string) {
		for _, chunk := range packLines(strings.Split(s, "\n"), maxSectionText) {
			blocks = append(blocks, slackgo.NewSectionBlock(mrkdwn(chunk), nil, nil))
		}
	}
	context := func(s string) {
		blocks = append(blocks, slackgo.NewContextBlock("", mrkdwn(truncateBytes(s, maxSectionText))))
	}

	if r.Title != "" {
		blocks = append(blocks, slackgo.NewHeaderBlock(
			slackgo.NewTextBlockObject(slackgo.PlainTextType, headerText(r.Title), false, false)))
	}
	if r.Text != "" {
		section(escape(r.Text))
	}
	for _, p := range r.Passages {
		for _, chunk := range packLines(quoteLines(p), maxSectionText) {
			blocks = append(blocks, slackgo.NewSectionBlock(mrkdwn(chunk), nil, nil))
		}
		switch {
		case p.Citation != "" && o.PublicURL != "":
			context("— " + link(citationURL(o.PublicURL, p.Paragraph), p.Citation))
		case p.Citation != "":
			context("— " + escape(p.Citation))
		}
	}
	if len(r.List) > 0 {
		lines := make([]string, 0, len(r.List))
		for _, it := range r.List {
			switch {
			case it.Label != "" && it.Text != "":
				lines = append(lines, "• *"+escape(it.Label)+"* — "+escape(it.Text))
			case it.Label != "":
				lines = append(lines, "• *"+escape(it.Label)+"*")
			default:
				lines = append(lines, "• "+escape(it.Text))
			}
		}
		section(strings.Join(lines, "\n"))
	}
	if r.Note != "" {
		context(escape(r.Note))
	}
	if r.Hint != "" {
		context(escape(r.Hint))
	}
	if o.SharedBy != "" {
		// A real mention on purpose: the user ID comes from Slack's signed
		// interaction payload, not from text anyone typed.
		context("Shared by <@" + o.SharedBy + ">")
	}

	// A "Whole paragraph" button for each passage quoted in part.
	var whole []slackgo.BlockElement
	for _, p := range r.Passages {
		if p.Excerpt && p.Paragraph > 0 {
			n := strconv.Itoa(p.Paragraph)
			whole = append(whole, slackgo.NewButtonBlockElement(wholeActionID+n, n,
				slackgo.NewTextBlockObject(slackgo.PlainTextType, "Whole paragraph ¶"+n, false, false)))
		}
	}
	reserve := 0
	if o.ShareValue != "" || o.FeedbackRef != "" || len(whole) > 0 {
		reserve = 1
	}
	if len(blocks) > maxBlocks-reserve {
		omitted := len(blocks) - (maxBlocks - reserve - 1)
		blocks = append(blocks[:maxBlocks-reserve-1:maxBlocks-reserve-1],
			slackgo.NewContextBlock("", mrkdwn("… "+strconv.Itoa(omitted)+" more parts left out to fit one Slack message.")))
	}
	buttons := whole
	if o.ShareValue != "" {
		buttons = append(buttons, slackgo.NewButtonBlockElement(shareActionID, o.ShareValue,
			slackgo.NewTextBlockObject(slackgo.PlainTextType, "Share in channel", false, false)))
	}
	if o.FeedbackRef != "" {
		up := slackgo.NewButtonBlockElement(voteUpActionID, o.FeedbackRef, slackgo.NewTextBlockObject(slackgo.PlainTextType, "👍", true, false))
		up.AccessibilityLabel = "This answer helped"
		down := slackgo.NewButtonBlockElement(voteDownActionID, o.FeedbackRef, slackgo.NewTextBlockObject(slackgo.PlainTextType, "👎", true, false))
		down.AccessibilityLabel = "This answer did not help"
		buttons = append(buttons, up, down)
	}
	if len(buttons) > 0 {
		blocks = append(blocks, slackgo.NewActionBlock("", buttons...))
	}

	text := escape(r.PlainText("*", "*"))
	if o.SharedBy != "" {
		text += "\nShared by <@" + o.SharedBy + ">"
	}
	text = truncateBytes(text, maxFallbackText)
	if strings.TrimSpace(text) == "" {
		text = "(no answer)"
	}
	return Rendered{Text: text, Blocks: blocks}
}

// quoteLines renders a passage as mrkdwn block quote lines, with the
// highlighted words in bold.
func quoteLines(p bot.Passage) []string {
	var lines []string
	var cur strings.Builder
	at := 0 // byte offset of the current segment in p.Text
	for _, seg := range p.Segments() {
		start, end := at, at+len(seg.Text)
		at = end
		if seg.Highlight && canBold(p.Text, start, end) {
			cur.WriteString("*" + escape(seg.Text) + "*")
			continue
		}
		parts := strings.Split(seg.Text, "\n")
		for i, part := range parts {
			if i > 0 {
				lines = append(lines, cur.String())
				cur.Reset()
			}
			cur.WriteString(escape(part))
		}
	}
	lines = append(lines, cur.String())
	for i, l := range lines {
		lines[i] = "> " + l
	}
	return lines
}

// canBold reports whether text[start:end] can be wrapped in *…*: Slack only
// honours emphasis at word boundaries, on one line, and without asterisks
// inside; otherwise the reader would see stray asterisks.
func canBold(text string, start, end int) bool {
	span := text[start:end]
	if strings.ContainsAny(span, "*\n") || strings.TrimSpace(span) != span || span == "" {
		return false
	}
	if start > 0 {
		r, _ := utf8.DecodeLastRuneInString(text[:start])
		if isWord(r) {
			return false
		}
	}
	if end < len(text) {
		r, _ := utf8.DecodeRuneInString(text[end:])
		if isWord(r) {
			return false
		}
	}
	return true
}

func isWord(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' }

// packLines joins lines into chunks of at most limit bytes, splitting a
// line that is too long on its own at spaces (a quoted line keeps its "> ").
func packLines(lines []string, limit int) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	for _, l := range lines {
		for len(l) > limit {
			cut := strings.LastIndexByte(l[:limit], ' ')
			if cut <= 2 {
				cut = limit
				for cut > 0 && !utf8.RuneStart(l[cut]) {
					cut--
				}
			}
			flush()
			out = append(out, l[:cut])
			rest := strings.TrimLeft(l[cut:], " ")
			if strings.HasPrefix(l, "> ") {
				rest = "> " + rest
			}
			l = rest
		}
		if cur.Len() > 0 && cur.Len()+1+len(l) > limit {
			flush()
		}
		if cur.Len() > 0 {
			cur.WriteByte('\n')
		}
		cur.WriteString(l)
	}
	flush()
	return out
}

// headerText escapes a title and shortens it to the header block's limit
// without cutting an escape sequence in half.
func headerText(title string) string {
	for n := min(utf8.RuneCountInString(title), maxHeaderRunes); n > 0; n-- {
		if e := escape(truncateRunes(title, n)); utf8.RuneCountInString(e) <= maxHeaderRunes {
			return e
		}
	}
	return "…"
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
