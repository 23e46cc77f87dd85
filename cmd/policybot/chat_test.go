package main

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/policybot/policybot/knowledge"
)

// A scripted conversation through the real binary, piped as a user would.
func TestChatBinaryPiped(t *testing.T) {
	bin := policybotBinary(t)
	cmd := exec.Command(bin, "chat")
	cmd.Stdin = strings.NewReader("/principle sov\nwho should govern the internet?\n\n/cite 99\nwhat is the population of Brazil?\n")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("policybot chat: %v\n%s", err, errb.String())
	}
	got := out.String()
	if strings.Contains(got, "\x1b[") || strings.Contains(got, "you>") {
		t.Errorf("piped output has prompts or ANSI codes:\n%s", got)
	}
	replies := strings.Split(strings.TrimSpace(got), "\n\n")
	// Replies are separated by blank lines; a reply may hold blank lines
	// itself, so check content in order rather than counting blocks.
	for _, want := range []string{
		"Principle 2: Sovereignty",
		"Part II: Four principles › Principle 2: Sovereignty · ¶6",
		"Principle 3: Co-governance · ¶7",
		"There is no paragraph 99: the statement has paragraphs ¶1 to ¶15.",
		"Nothing in the statement answers that.",
	} {
		i := strings.Index(got, want)
		if i < 0 {
			t.Fatalf("output lacks %q:\n%s", want, got)
		}
		got = got[i+len(want):]
	}
	if len(replies) < 5 {
		t.Errorf("want at least five blocks of output, got %d", len(replies))
	}
}

func TestAskJSON(t *testing.T) {
	bin := policybotBinary(t)
	for _, c := range []struct {
		q    string
		para int // 0: declined
	}{
		{"soveriegnty", 6},
		{"What's the stock price of Apple?", 0},
	} {
		out, err := exec.Command(bin, "ask", "--json", "--top", "2", c.q).Output()
		if err != nil {
			t.Fatalf("ask %q: %v", c.q, err)
		}
		var ans knowledge.Report
		dec := json.NewDecoder(bytes.NewReader(out))
		if err := dec.Decode(&ans); err != nil || dec.More() {
			t.Fatalf("ask --json %q: not exactly one JSON object (%v):\n%s", c.q, err, out)
		}
		if ans.Question != c.q || ans.Answers == nil {
			t.Errorf("%q: %+v", c.q, ans)
		}
		if c.para == 0 {
			if len(ans.Answers) != 0 {
				t.Errorf("%q: want a decline, got %d answers", c.q, len(ans.Answers))
			}
			continue
		}
		if len(ans.Answers) == 0 || len(ans.Answers) > 2 {
			t.Fatalf("%q: %d answers", c.q, len(ans.Answers))
		}
		a := ans.Answers[0]
		if a.Paragraph != c.para || a.Item != "sovereignty" || !strings.HasPrefix(a.Section, "Part II") || !strings.Contains(a.Citation, "¶6") || len(a.Matched) == 0 {
			t.Errorf("%q: first answer %+v", c.q, a)
		}
	}
	if err := exec.Command(bin, "ask").Run(); err == nil {
		t.Error("ask without a question succeeded")
	} else if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
		t.Errorf("ask without a question: %v, want exit status 2", err)
	}
}

// chat takes its reply limits from the configuration, as serve does.
func TestChatHonoursAnswerLimits(t *testing.T) {
	bin := policybotBinary(t)
	const question = "ask how should countries cooperate on cyber security and the internet?\n"
	for _, tc := range []struct {
		env  []string
		most int
	}{
		{nil, 3},
		{[]string{"POLICYBOT_MAX_PASSAGES=1"}, 1},
	} {
		cmd := exec.Command(bin, "chat")
		cmd.Env = append([]string{"HOME=" + t.TempDir()}, tc.env...)
		cmd.Stdin = strings.NewReader(question)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("policybot chat %v: %v", tc.env, err)
		}
		n := strings.Count(string(out), "\n— ")
		if n < 1 || n > tc.most {
			t.Errorf("%v: %d passages, want 1 to %d:\n%s", tc.env, n, tc.most, out)
		}
		if tc.most == 1 && n != 1 {
			t.Errorf("%v: %d passages", tc.env, n)
		}
	}
	cmd := exec.Command(bin, "chat")
	cmd.Env = append([]string{"HOME=" + t.TempDir()}, "POLICYBOT_MAX_PASSAGES=11")
	cmd.Stdin = strings.NewReader(question)
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "max_passages") {
		t.Errorf("chat accepted answers.max_passages 11: %v\n%s", err, out)
	}
}
