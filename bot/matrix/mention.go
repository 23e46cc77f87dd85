package matrix

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"maunium.net/go/mautrix/id"
)

// addressee is how people can name the bot in a message.
type addressee struct {
	user        id.UserID
	displayName string
}

// mention reports whether a message addresses the bot and returns its
// text with a leading mention removed ("policybot: what is…" becomes
// "what is…"). A message mentions the bot when m.mentions lists it, when
// the HTML body holds a pill linking to it, or when the body starts with
// its display name, localpart or user ID. A mention elsewhere in the text
// is left in place: it is part of the sentence.
func (ad addressee) mention(body, formattedBody string, mentioned []id.UserID) (string, bool) {
	found := false
	for _, u := range mentioned {
		if u == ad.user {
			found = true
		}
	}
	if !found && formattedBody != "" && ad.user != "" {
		if strings.Contains(formattedBody, "matrix.to/#/"+string(ad.user)) ||
			strings.Contains(formattedBody, "matrix.to/#/%40"+strings.TrimPrefix(string(ad.user), "@")) {
			found = true
		}
	}
	text := strings.TrimSpace(body)
	for _, name := range ad.names() {
		if rest, ok := cutName(text, name); ok {
			return rest, true
		}
	}
	return text, found
}

// names lists the ways of writing the bot's name, longest first so that
// "@bot:example.org" is removed whole rather than as "bot".
func (ad addressee) names() []string {
	var out []string
	if ad.user != "" {
		out = append(out, string(ad.user))
	}
	if ad.displayName != "" {
		out = append(out, "@"+ad.displayName, ad.displayName)
	}
	if local := ad.user.Localpart(); local != "" {
		out = append(out, "@"+local, local)
	}
	return out
}

// cutName removes name from the start of text when it stands alone there:
// followed by the end, a space or ':' / ','. Case is ignored.
func cutName(text, name string) (string, bool) {
	if name == "" || len(text) < len(name) || !strings.EqualFold(text[:len(name)], name) {
		return text, false
	}
	rest := text[len(name):]
	if rest == "" {
		return "", true
	}
	r, _ := utf8.DecodeRuneInString(rest)
	if r != ':' && r != ',' && !unicode.IsSpace(r) {
		return text, false
	}
	rest = strings.TrimLeftFunc(rest, func(r rune) bool { return r == ':' || r == ',' || unicode.IsSpace(r) })
	return rest, true
}
