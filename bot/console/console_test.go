package console

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/policybot/policybot/bot/bottest"

	"github.com/policybot/policybot/bot"
)

// fakeCore is a Responder whose answer the test sets; it panics when the
// test did not expect a message.
type fakeCore struct {
	respond func(ctx context.Context, m bot.Message) (bot.Reply, bool)
}

func (f fakeCore) Respond(ctx context.Context, m bot.Message) (bot.Reply, bool) {
	if f.respond == nil {
		panic("console test: Respond called, but the test set no answer")
	}
	return f.respond(ctx, m)
}

// echo answers every message with "re: " and its text, and records the
// messages it was given.
func echo(got *[]bot.Message) fakeCore {
	return fakeCore{respond: func(_ context.Context, m bot.Message) (bot.Reply, bool) {
		*got = append(*got, m)
		return bot.Reply{Kind: bot.KindInfo, Text: "re: " + m.Text}, true
	}}
}

func realCore(t *testing.T) *bot.Bot {
	core, _ := bottest.Core(t, bot.Options{})
	return core
}

// sovereignty is a passage with two highlighted words.
var sovereignty = bot.Passage{
	Text:       "States have sovereignty over the internet.",
	Citation:   "Part II › Principle 2: Sovereignty · ¶6",
	Paragraph:  6,
	Highlights: []bot.Span{{Start: 0, End: 6}, {Start: 12, End: 23}},
}

func TestRender(t *testing.T) {
	for _, tc := range []struct {
		name  string
		reply bot.Reply
		ansi  bool
		want  string
	}{
		{
			name: "answer, piped: highlights between asterisks",
			reply: bot.Reply{Kind: bot.KindAnswer, Title: "Principle 2: Sovereignty",
				Passages: []bot.Passage{sovereignty}, Hint: "Read on with /cite 7."},
			want: "Principle 2: Sovereignty\n\n" +
				"> *States* have *sovereignty* over the internet.\n" +
				"— Part II › Principle 2: Sovereignty · ¶6\n\n" +
				"Read on with /cite 7.",
		},
		{
			name: "answer, terminal: highlights in bold colour",
			reply: bot.Reply{Kind: bot.KindAnswer, Title: "Principle 2: Sovereignty",
				Passages: []bot.Passage{sovereignty}},
			ansi: true,
			want: "Principle 2: Sovereignty\n\n" +
				"> \x1b[1;33mStates\x1b[0m have \x1b[1;33msovereignty\x1b[0m over the internet.\n" +
				"— Part II › Principle 2: Sovereignty · ¶6",
		},
		{
			name: "answer with two passages, one of several lines, and a note on what was cut",
			reply: bot.Reply{Kind: bot.KindAnswer, Passages: []bot.Passage{
				{Text: "First line.\nSecond line.", Citation: "¶1", Highlights: []bot.Span{{Start: 12, End: 18}}},
				{Text: "Cut short…", Citation: "¶2", Cut: true},
			}, Omitted: 1, Note: "1 more passage left out."},
			want: "> First line.\n> *Second* line.\n— ¶1\n\n> Cut short…\n— ¶2\n\n1 more passage left out.",
		},
		{
			name: "answer without highlights looks the same on a terminal",
			reply: bot.Reply{Kind: bot.KindAnswer, Passages: []bot.Passage{
				{Text: "Plain words.", Citation: "¶3"},
			}},
			ansi: true,
			want: "> Plain words.\n— ¶3",
		},
		{
			name: "info list: label and text, label only, text only",
			reply: bot.Reply{Kind: bot.KindInfo, Title: "Commands", List: []bot.Item{
				{Label: "/cite N", Text: "quote paragraph N"},
				{Label: "/principles"},
				{Text: "or just ask a question"},
			}, Hint: "Type /help for more."},
			want: "Commands\n• /cite N — quote paragraph N\n• /principles\n• or just ask a question\n\nType /help for more.",
		},
		{
			name:  "error with a hint",
			reply: bot.Reply{Kind: bot.KindError, Text: "There is no paragraph 99.", Hint: "For example: /cite 6."},
			want:  "There is no paragraph 99.\n\nFor example: /cite 6.",
		},
		{
			name:  "decline",
			reply: bot.Reply{Kind: bot.KindDecline, Text: "Nothing in the statement answers that.", Hint: "Try /principles."},
			ansi:  true,
			want:  "Nothing in the statement answers that.\n\nTry /principles.",
		},
		{
			name: "not addressed, piped: related passages are quoted with their highlights",
			reply: bot.Reply{Kind: bot.KindNotAddressed,
				Text:     "The statement does not say anything about taxes. Related reading, not an answer:",
				Passages: []bot.Passage{sovereignty}, Hint: "Try /principles for what it does cover."},
			want: "The statement does not say anything about taxes. Related reading, not an answer:\n\n" +
				"> *States* have *sovereignty* over the internet.\n" +
				"— Part II › Principle 2: Sovereignty · ¶6\n\n" +
				"Try /principles for what it does cover.",
		},
		{
			name: "not addressed, terminal",
			reply: bot.Reply{Kind: bot.KindNotAddressed, Text: "Not said. Related reading, not an answer:",
				Passages: []bot.Passage{sovereignty}},
			ansi: true,
			want: "Not said. Related reading, not an answer:\n\n" +
				"> \x1b[1;33mStates\x1b[0m have \x1b[1;33msovereignty\x1b[0m over the internet.\n" +
				"— Part II › Principle 2: Sovereignty · ¶6",
		},
		{
			name:  "empty reply",
			reply: bot.Reply{},
			want:  "",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Render(tc.reply, tc.ansi)
			if got != tc.want {
				t.Errorf("Render(ansi %v):\n%s\nwant:\n%s", tc.ansi, got, tc.want)
			}
			if !tc.ansi && strings.Contains(got, "\x1b") {
				t.Errorf("piped rendering has escape codes: %q", got)
			}
		})
	}
}

// Piped (not interactive): no greeting, no prompt, one reply per line that
// has text, each followed by a blank line; end of input ends the session.
func TestRunPiped(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		texts    []string // the messages the core gets, in order
	}{
		{"one line", "hello\n", []string{"hello"}},
		{"blank and white-space lines are skipped", "\n  \n\t\nfirst\n\n second \n", []string{"first", " second "}},
		{"last line without a newline", "a\nb", []string{"a", "b"}},
		{"CRLF line endings", "a\r\nb\r\n", []string{"a", "b"}},
		{"empty input", "", nil},
		{"only blank lines", "\n\n\r\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []bot.Message
			var out bytes.Buffer
			err := Run(context.Background(), strings.NewReader(tc.in), &out, echo(&got),
				Options{Greeting: "not shown when piped"})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			var want strings.Builder
			for _, s := range tc.texts {
				want.WriteString("re: " + s + "\n\n")
			}
			if out.String() != want.String() {
				t.Errorf("output %q, want %q", out.String(), want.String())
			}
			if len(got) != len(tc.texts) {
				t.Fatalf("core got %d messages, want %d: %+v", len(got), len(tc.texts), got)
			}
			for i, m := range got {
				want := bot.Message{
					Platform: "console", ID: strconv.Itoa(i + 1), Text: tc.texts[i], Prefix: "/",
					Sender:       bot.User{ID: "console", Name: "you"},
					Conversation: bot.Conversation{ID: "console", Direct: true},
				}
				if m.Platform != want.Platform || m.ID != want.ID || m.Text != want.Text || m.Prefix != want.Prefix ||
					m.Sender != want.Sender || m.Conversation != want.Conversation || m.Mentioned {
					t.Errorf("message %d: %+v, want %+v", i, m, want)
				}
			}
		})
	}
}

// Interactive: the greeting, a prompt before every read (blank lines get a
// fresh prompt), ANSI highlights, and a newline after the last prompt so
// that the shell starts on its own line.
func TestRunInteractive(t *testing.T) {
	answer := bot.Reply{Kind: bot.KindAnswer, Passages: []bot.Passage{sovereignty}}
	core := fakeCore{respond: func(context.Context, bot.Message) (bot.Reply, bool) { return answer, true }}
	for _, tc := range []struct {
		name, greeting, in, want string
	}{
		{"greeting, one question", "Hi.", "who?\n",
			"Hi.\nyou> " + Render(answer, true) + "\n\nyou> \n"},
		{"no greeting set", "", "who?\n",
			"you> " + Render(answer, true) + "\n\nyou> \n"},
		{"blank line: prompt again", "Hi.", "\n \nwho?\n",
			"Hi.\nyou> you> you> " + Render(answer, true) + "\n\nyou> \n"},
		{"end of input at once", "Hi.", "", "Hi.\nyou> \n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := Run(context.Background(), strings.NewReader(tc.in), &out, core,
				Options{Interactive: true, Greeting: tc.greeting}); err != nil {
				t.Fatalf("Run: %v", err)
			}
			if out.String() != tc.want {
				t.Errorf("output:\n%q\nwant:\n%q", out.String(), tc.want)
			}
			if tc.in != "" && !strings.Contains(out.String(), "\x1b[1;33mStates\x1b[0m") {
				t.Errorf("no ANSI highlight on a terminal: %q", out.String())
			}
		})
	}
}

// A message the core does not answer prints nothing, and the session goes
// on to the next line.
func TestRunNotForTheBot(t *testing.T) {
	core := fakeCore{respond: func(_ context.Context, m bot.Message) (bot.Reply, bool) {
		if m.Text == "!other-bot" {
			return bot.Reply{}, false
		}
		return bot.Reply{Kind: bot.KindInfo, Text: "re: " + m.Text}, true
	}}
	var out bytes.Buffer
	if err := Run(context.Background(), strings.NewReader("!other-bot\nmine\n"), &out, core, Options{}); err != nil {
		t.Fatal(err)
	}
	if want := "re: mine\n\n"; out.String() != want {
		t.Errorf("output %q, want %q", out.String(), want)
	}
}

// Through the real core, the console prints exactly what Render makes of
// each reply, in order, one per line with text.
func TestRunRealCore(t *testing.T) {
	core := realCore(t)
	lines := []string{"/principle sov", "who should govern the internet?", "/cite 99", "what is the population of Brazil?", "/principles", "help"}
	var out bytes.Buffer
	if err := Run(context.Background(), strings.NewReader(strings.Join(lines, "\n\n")+"\n"), &out, core, Options{}); err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	kinds := map[bot.Kind]bool{}
	for i, l := range lines {
		r, ok := core.Respond(context.Background(), bot.Message{Platform: "console", ID: strconv.Itoa(i + 1), Text: l, Prefix: "/",
			Sender: bot.User{ID: "console", Name: "you"}, Conversation: bot.Conversation{ID: "console", Direct: true}})
		if !ok {
			t.Fatalf("core ignored %q in a direct conversation", l)
		}
		kinds[r.Kind] = true
		want.WriteString(Render(r, false) + "\n\n")
	}
	if out.String() != want.String() {
		t.Errorf("output:\n%s\nwant:\n%s", out.String(), want.String())
	}
	for _, k := range []bot.Kind{bot.KindAnswer, bot.KindInfo, bot.KindError, bot.KindDecline} {
		if !kinds[k] {
			t.Errorf("the script produced no %s reply; it no longer covers every kind", k)
		}
	}
	for _, s := range []string{"Principle 2: Sovereignty", "There is no paragraph 99", "Nothing in the statement answers that.", "\n— "} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("output lacks %q", s)
		}
	}
	if !strings.Contains(out.String(), "*") {
		t.Errorf("no highlight marked with asterisks in piped output:\n%s", out.String())
	}
}

// Long lines: up to maxLine bytes a line reaches the core whole; beyond
// that it reaches the core cut to maxLine bytes (still too long for the
// core, which refuses it), the rest is skipped, and the next line is
// answered as usual.
func TestRunLongLines(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	for _, tc := range []struct {
		name, in string
		texts    []string
	}{
		{"just under the core's limit", long(bot.MaxMessageBytes) + "\nnext\n", []string{long(bot.MaxMessageBytes), "next"}},
		{"exactly maxLine", long(maxLine) + "\nnext\n", []string{long(maxLine), "next"}},
		{"exactly maxLine with CRLF", long(maxLine) + "\r\nnext\n", []string{long(maxLine), "next"}},
		{"maxLine-1 with CRLF", long(maxLine-1) + "\r\nnext\n", []string{long(maxLine - 1), "next"}},
		{"one byte over maxLine", long(maxLine+1) + "\nnext\n", []string{long(maxLine), "next"}},
		{"many times maxLine", long(5*maxLine+17) + "\nnext\n", []string{long(maxLine), "next"}},
		{"many times maxLine at end of input", "first\n" + long(3*maxLine), []string{"first", long(maxLine)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []bot.Message
			var out bytes.Buffer
			if err := Run(context.Background(), strings.NewReader(tc.in), &out, echo(&got), Options{}); err != nil {
				t.Fatalf("Run: %v", err)
			}
			if len(got) != len(tc.texts) {
				t.Fatalf("core got %d messages, want %d", len(got), len(tc.texts))
			}
			for i, m := range got {
				if m.Text != tc.texts[i] {
					t.Errorf("message %d: %d bytes (%.20q…), want %d bytes", i, len(m.Text), m.Text, len(tc.texts[i]))
				}
			}
		})
	}

	// The real core refuses the overlong line with an explanation and
	// answers the one after it.
	var out bytes.Buffer
	in := long(bot.MaxMessageBytes+1) + "\n" + strings.Repeat("why ", maxLine) + "\n/cite 99\n"
	if err := Run(context.Background(), strings.NewReader(in), &out, realCore(t), Options{}); err != nil {
		t.Fatalf("Run: %v", err)
	}
	got := out.String()
	if n := strings.Count(got, "That message is too long for me"); n != 2 {
		t.Errorf("%d refusals of the two long lines, want 2:\n%.2000s", n, got)
	}
	if !strings.HasSuffix(got, "There is no paragraph 99: the statement has paragraphs ¶1 to ¶15.\n\n") {
		t.Errorf("the line after the long ones was not answered last:\n%.2000s", got)
	}
	if len(got) > 4096 {
		t.Errorf("%d bytes of output for three lines: is the long input echoed?", len(got))
	}
}

// A read error other than end of input ends the session with that error,
// after the lines read before it were answered.
func TestRunReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	var got []bot.Message
	var out bytes.Buffer
	err := Run(context.Background(), io.MultiReader(strings.NewReader("a\n"), iotest.ErrReader(boom)), &out, echo(&got), Options{})
	if !errors.Is(err, boom) {
		t.Fatalf("Run: %v, want %v", err, boom)
	}
	if !strings.Contains(err.Error(), "read input") {
		t.Errorf("error %q does not say it was reading input", err)
	}
	if out.String() != "re: a\n\n" || len(got) != 1 {
		t.Errorf("before the error: output %q, %d messages; want the one line answered", out.String(), len(got))
	}
}

// failWriter fails every write.
type failWriter struct{ err error }

func (f failWriter) Write([]byte) (int, error) { return 0, f.err }

// When the output cannot be written (a closed pipe), the session ends with
// that error instead of answering into the void.
func TestRunWriteError(t *testing.T) {
	gone := errors.New("broken pipe")
	var got []bot.Message
	err := Run(context.Background(), strings.NewReader("a\nb\nc\n"), failWriter{gone}, echo(&got), Options{})
	if !errors.Is(err, gone) {
		t.Fatalf("Run: %v, want %v", err, gone)
	}
	if !strings.Contains(err.Error(), "write reply") {
		t.Errorf("error %q does not say it was writing", err)
	}
	if len(got) != 1 {
		t.Errorf("core asked %d times, want 1: the session should end at the first failed write", len(got))
	}
}

// Cancelling the context ends a session that is waiting for input, with
// no error, after the replies so far were written.
func TestRunCancelled(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	answered := make(chan struct{})
	core := fakeCore{respond: func(_ context.Context, m bot.Message) (bot.Reply, bool) {
		defer close(answered)
		return bot.Reply{Kind: bot.KindInfo, Text: "re: " + m.Text}, true
	}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- Run(ctx, pr, &out, core, Options{}) }()
	if _, err := io.WriteString(pw, "a\n"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-answered:
	case err := <-done:
		t.Fatalf("Run ended (%v) before answering", err)
	case <-time.After(10 * time.Second):
		t.Fatal("the line was not answered within 10s")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run after cancel: %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run still waiting for input 10s after its context was cancelled")
	}
	if out.String() != "re: a\n\n" {
		t.Errorf("output %q, want the one reply", out.String())
	}
}

func FuzzReadLine(f *testing.F) {
	for _, s := range []string{"", "a", "a\n", "a\r\n", "\r", "\n\n", "a\rb\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var got []bot.Message
		var out bytes.Buffer
		if err := Run(context.Background(), strings.NewReader(in), &out, echo(&got), Options{}); err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, l := range strings.SplitAfter(in, "\n") {
			// As the console reads: cut to maxLine, then drop the line end.
			l = strings.TrimSuffix(strings.TrimSuffix(l[:min(len(l), maxLine)], "\n"), "\r")
			if strings.TrimSpace(l) != "" {
				want = append(want, l)
			}
		}
		if len(got) != len(want) {
			t.Fatalf("%q: %d messages, want %d", in, len(got), len(want))
		}
		for i := range got {
			if got[i].Text != want[i] {
				t.Errorf("%q: message %d is %q, want %q", in, i, got[i].Text, want[i])
			}
		}
	})
}
