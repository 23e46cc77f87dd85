package knowledge

import (
	"slices"
	"strings"
	"testing"

	"github.com/policybot/policybot/knowledge/thesaurus"
	"github.com/policybot/policybot/knowledge/vectors"
)

func TestSentences(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"One. Two? Three!", []string{"One.", "Two?", "Three!"}},
		{"how he opens, i.e. on whose behalf. Then more.", []string{"how he opens, i.e. on whose behalf.", "Then more."}},
		{`He said "stop." Then left.`, []string{`He said "stop."`, "Then left."}},
		{"e.g. hotlines or CERT-to-CERT channels?", []string{"e.g. hotlines or CERT-to-CERT channels?"}},
		{"  padded  ", []string{"padded"}},
		{"", nil},
		{"No end", []string{"No end"}},
		{"In 2011. 618 million users.", []string{"In 2011.", "618 million users."}},
		// Chat starts a question in lower case; "i.e. what" stays whole.
		{"more to it. what are the principles?", []string{"more to it.", "what are the principles?"}},
		{"i.e. what he means", []string{"i.e. what he means"}},
		{"il a dit: café. what does he say?", []string{"il a dit: café.", "what does he say?"}},
		{"the norms. and more", []string{"the norms. and more"}},
	} {
		var got []string
		for _, s := range Sentences(c.in) {
			got = append(got, c.in[s.Start:s.End])
		}
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("Sentences(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestRead(t *testing.T) {
	words := func(p part) string {
		var out []string
		for _, t := range p.toks {
			if !t.joined && !t.stop {
				out = append(out, t.word)
			}
		}
		return strings.Join(out, " ")
	}
	for _, c := range []struct {
		in    string
		parts []string // topic words of each part, context included
		ctx   bool     // whether some word has the context weight
	}{
		// A greeting and thanks are not topics.
		{"Hi! What is co-governance? Thanks", []string{"co governance"}, false},
		{"hey bot good morning!", nil, false},
		{"thanks, that's helpful!", nil, false},
		// Context counts for each question, at less weight.
		{"I write on trade. Does he mention tariffs? And sovereignty?", []string{"tariffs write trade", "sovereignty write trade"}, true},
		// No question mark: one query.
		{"sovereignty cyber space", []string{"sovereignty cyber space"}, false},
		// A question with no topic of its own leans on what came before.
		{"The Code of Conduct keeps coming up. Who submitted it?", []string{"submitted code conduct keeps coming"}, true},
	} {
		rd := read(c.in)
		var got []string
		ctx := false
		for _, p := range rd.parts {
			got = append(got, words(p))
			for _, t := range p.toks {
				ctx = ctx || t.weight == contextWeight
			}
		}
		if strings.Join(got, "|") != strings.Join(c.parts, "|") || ctx != c.ctx {
			t.Errorf("read(%q) parts %q context %v, want %q context %v", c.in, got, ctx, c.parts, c.ctx)
		}
	}
}

// The phrases a message holds: quoted ones, and names written in capitals.
func TestPhrases(t *testing.T) {
	for _, c := range []struct {
		find  func(string) []phrase
		cases map[string]string
	}{
		{quotedPhrases, map[string]string{
			"wats 'community of common destiny' supposed to mean": "community of common destiny",
			`define "cyber terrorism" please`:                     "cyber terrorism",
			"what is China's 'major cyber state'?":                "major cyber state",
			"China's view of it's future":                         "",
			"one 'word' only":                                     "",
		}},
		{namePhrases, map[string]string{
			"What does he say about China's Data Security Law?":             "Data Security Law",
			"Does he take a view on the Budapest Convention on Cybercrime?": "Budapest Convention",
			"Who submitted the International Code of Conduct?":              "International Code",
			"Does the speech mention the Belt and Road Initiative?":         "Belt and Road Initiative",
			"Does he cite the UN Charter, or the WSIS Summit?":              "UN Charter|WSIS Summit",
			// A sentence's first word is capitalised whatever it is.
			"Law and order: does he say anything?": "",
			// No head: a region, a person, a country.
			"Should the Global South get more say?": "",
			"criticism of the United States":        "",
			"does he name Edward Snowden":           "",
			// A message in title case says nothing of names.
			"What Does He Say About The Code Of Conduct": "",
			// One capitalised word is no name of two.
			"does he mention the Charter": "",
		}},
	} {
		for in, want := range c.cases {
			var got []string
			for _, p := range c.find(in) {
				got = append(got, p.text)
			}
			if strings.Join(got, "|") != want {
				t.Errorf("phrases of %q = %q, want %q", in, got, want)
			}
		}
	}
}

// Each outcome, and its shape: answers only when answered, related only
// when not addressed, and the missing concept named as the user wrote it.
func TestOutcomes(t *testing.T) {
	r := newTestRetriever(t)
	for _, c := range []struct {
		q       string
		outcome Outcome
		missing string // one of Missing, when set
	}{
		{"Why does he say mankind does not need a new battlefield?", Answered, ""},
		{"Does he refer to the Tallinn Manual on the law applicable to cyber warfare?", NotAddressed, "Tallinn Manual"},
		{"How does Li Baodong define 'cyber terrorism'?", NotAddressed, "“cyber terrorism”"},
		{"When was the UN Charter signed?", NotAddressed, "a date or time"},
		{"When will the code of conduct be adopted?", NotAddressed, "a date after the statement"},
		{"When was the code of conduct submitted?", Answered, ""},
		// A law's name is one thing: "data", "security" and "law" apart
		// do not make it.
		{"What does he say about China's Data Security Law?", NotAddressed, "Data Security Law"},
		{"Which principle talks about the UN Charter?", Answered, ""},
		// No statement tells what came after it was given; its own order
		// is another matter.
		{"Did anything change in China's policy after the workshop?", NotAddressed, "what happened after the workshop"},
		{"Since the speech, has Beijing followed up?", NotAddressed, "what happened after the speech"},
		{"What comes after the four principles?", Answered, ""},
		// A country's name answers "which country"; a programme's does not.
		{"Which country submitted the Code of Conduct together with China?", Answered, ""},
		{"Which poor nations does he single out for internet assistance?", NotAddressed, "a country's name"},
		// "What does he say about X-ing …" asks what he says of it; X
		// is a topic like any other, not a thing asked for.
		{"What does he say about spreading the benefits of the internet to everybody?", Answered, ""},
		{"What does he say about penalties for hackers?", NotAddressed, "penalties"},
		// "happen" only frames what is asked about.
		{"What should happen to the WSIS outcomes?", Answered, ""},
		// A figure of money is an amount, which "618 million users" is
		// not.
		{"Does he give a figure for China's cyber security spending?", NotAddressed, "an amount"},
		// Context about the content makes "where is that?" a content
		// question, though it names the speaker.
		{"The editor wants the wording where Li describes the other side as a victim. Where is that?", Answered, ""},
		// "Does he talk about X" asks whether X comes up, as "does he
		// mention X": a name must be the statement's own.
		{"Does he talk about Taiwan?", NotAddressed, "Taiwan"},
		{"is it true that he named the United States?", NotAddressed, "United States"},
		{"does he talk about protecting sovereignty", Answered, ""},
		// The occasion's place, length and audience are not in it.
		{"Which city was the workshop in?", NotAddressed, "where the workshop took place"},
		{"How long did the speech last?", NotAddressed, "a length of time"},
		{"How many people attended the opening ceremony?", NotAddressed, "a figure"},
		// A day or a month is a date the statement gives or not,
		// however it is typed.
		{"lunch order for friday?", Declined, "friday"},
		{"Did China set up the leading group in June?", NotAddressed, "June"},
		// The name a "which" question gives must be the statement's:
		// Asia is near Europe, and no answer to it.
		{"Which European countries does he praise?", NotAddressed, "European"},
		{"Which country besides China submitted the code?", Answered, ""},
		{"what's the capital of France", Declined, ""},
		// One topic word matched only by meaning: a close one answers, a
		// loose one does not.
		{"Does he mention eavesdropping?", Answered, ""},
		{"Does he mention football?", Declined, ""},
		// "What's wrong with" asks about what follows.
		{"what's wrong with the current internet governance system", Answered, ""},
		// A question unmarked by "?" whose topic is a courtesy word.
		{"who did he thank", Answered, ""},
		// A misspelt stop word the vector table knows as a rare word.
		{"wht does he say about teh arms race", Answered, ""},
		// A quoted phrase with a hyphenated compound runs over its parts.
		{"what does 'zero-sum mentality' mean here", Answered, ""},
		// What a question asks the statement to mention is its focus.
		{"Does he mention gender gaps in internet access for women and girls?", NotAddressed, "gender"},
		{"asdfgh jkl;", Declined, ""},
		// A handle addresses someone; it asks about nothing.
		{"@policybot is there a line about terrorism?", Answered, ""},
		{"@alice:example.org what does he say about the digital divide", Answered, ""},
		{":thinking_face: what does he say about the digital divide :+1:", Answered, ""},
		// The metadata names the occasion, not where it took place.
		{"where was the workshop held?", NotAddressed, "where the workshop took place"},
		{"Where did he give the speech?", Answered, ""},
		// "How much" wants a sum or a share, which a count is not.
		{"how much does china spend on cyber defence", NotAddressed, "an amount"},
		// An attitude towards something asks for what is said of it.
		{"Is he optimistic about technology at all?", Answered, ""},
		{"Is the minister worried about terrorism?", Answered, ""},
		{"Is he critical of Microsoft?", Declined, ""},
		// A question with no topic of its own takes it from the
		// message's other sentences, not from the title line.
		{"I need the part about the digital divide. Where is it?", Answered, ""},
		// How long something took, with no length of time in the
		// statement; and who came after the speaker.
		{"how long did the speech take to deliver", NotAddressed, "a length of time"},
		{"who spoke after Li Baodong", Declined, ""},
		// Another occasion than the statement's is not addressed.
		{"What did he say at last year's workshop?", NotAddressed, "another workshop"},
		{"what is the last principle", Answered, ""},
		// It holds its speaker's words, not another's: a delegate, the
		// audience, a name it never writes. Its own side, what it
		// quotes and the texts it names are its content.
		{"what did the Russian delegate say in reply", NotAddressed, "what the Russian delegate said"},
		{"How did the audience react to the speech?", NotAddressed, "how the audience responded"},
		{"wat did obama say in respons", NotAddressed, "what obama said"},
		{"what did that delegate say in reply?", NotAddressed, "what that delegate said"},
		{"What does China say about sovereignty?", Answered, ""},
		{"What did President Xi say?", Answered, ""},
		{"What does the Code of Conduct say?", Answered, ""},
		{"What does the UN Charter say about sovereignty?", Answered, ""},
		{"How did China respond to the surveillance?", Answered, ""},
		{"What does the international community say about cyber security?", Answered, ""},
		{"What did the speaker say about peace?", Answered, ""},
		// A possessor is not what is asked for: China's budget is.
		{"does he say what China's cyber budget is", NotAddressed, "budget"},
		{"what is the UN's role, in his view?", Answered, ""},
		// What he thinks of something is what he says of it.
		{"what are his thoughts on cyber crime", Answered, ""},
		{"what is his opinion about surveillance", Answered, ""},
		// A prefix and a derivation at once.
		{"Is multistakeholderism endorsed?", Answered, ""},
		// The words before a colon are context: "3pm" is no missing
		// figure.
		{"Hey team, quick q before the 3pm call: does the speech say anything about the digital divide?", Answered, ""},
		// A name is mentioned or it is not; a near one elsewhere in the
		// question stands for what it names.
		{"Does he mention Taiwan?", NotAddressed, "Taiwan"},
		{"Does he mention Moscow?", NotAddressed, "Moscow"},
		{"Does Moscow back the code of conduct?", Answered, ""},
		{"Does he mention Russia?", Answered, ""},
		// A name that is the whole topic is one too.
		{"what did he say about Taiwan", NotAddressed, "Taiwan"},
		{"What does he say about Russia?", Answered, ""},
		// A fact asked about a name is a fact in a sentence about it and
		// about what is asked of it: 2011 is when the code of conduct
		// went to the UN, not when the UN was founded.
		{"When was the UN founded?", NotAddressed, "a date or time"},
		{"what year was the UN founded", NotAddressed, "a date or time"},
		{"When did China set up the leading group?", Answered, ""},
		{"In what year did China and Russia submit the code of conduct?", Answered, ""},
		// What he is asked to put forward is what must be there.
		{"does he propose sanctions against countries that carry out cyber attacks", NotAddressed, "sanctions"},
		{"Does he propose a gradual approach to the norms?", Answered, ""},
		{"does he endorse the code of conduct", Answered, ""},
		// "IT" in capitals is a name in the statement as in the question.
		{"anything about IT application?", Answered, ""},
		// Naming the country asks for its name.
		{"does he name the individual country behind the surveillance", NotAddressed, "a country's name"},
		// Where in the statement, and what it lists, frame the question.
		{"is stability mentioned anywhere", Answered, ""},
		{"what are the challenges he lists", Answered, ""},
		// Asking and urging frame what is asked for.
		{"What is he asking the other parties in cyber disputes to do?", Answered, ""},
		// The word plus an ending, when the stem is cut too short.
		{"What does he want done about the imbalance in internet development?", Answered, ""},
	} {
		a := r.Ask(c.q, 3)
		if a.Outcome != c.outcome {
			t.Errorf("%q: outcome %s, want %s (missing %q)", c.q, a.Outcome, c.outcome, a.Missing)
			continue
		}
		if (len(a.Passages) > 0) != (a.Outcome == Answered) || (len(a.Related) > 0 && a.Outcome != NotAddressed) {
			t.Errorf("%q: %s with %d passages and %d related", c.q, a.Outcome, len(a.Passages), len(a.Related))
		}
		if c.missing != "" && !containsString(a.Missing, c.missing) {
			t.Errorf("%q: missing %q, want %q among them", c.q, a.Missing, c.missing)
		}
	}
}

// Structure questions are answered from the document model.
func TestStructure(t *testing.T) {
	r := newTestRetriever(t)
	doc := r.Document()
	last := doc.Paragraphs[len(doc.Paragraphs)-1].Number
	for _, c := range []struct {
		q       string
		first   int
		summary string
	}{
		{"How many principles does he propose?", doc.ItemsOf(Principle)[0].Paragraph - 1, "four principles"},
		{"After the principles, how many areas of effort are there?", doc.ItemsOf(Area)[0].Paragraph - 1, "three areas"},
		{"how does the speaker open his remarks?", 1, ""},
		{"whats the last thing he says", last - 1, ""},
		{"What are the four principles?", doc.ItemsOf(Principle)[0].Paragraph - 1, "four principles"},
		{"what's the second area of effort about", doc.ItemsOf(Area)[1].Paragraph, ""},
		{"What comes after the second principle?", doc.ItemsOf(Principle)[2].Paragraph, ""},
		{"what comes right after the principle of peace", doc.ItemsOf(Principle)[1].Paragraph, ""},
		{"whats the forth principle", doc.ItemsOf(Principle)[3].Paragraph, ""},
		{"how meny principals r there", doc.ItemsOf(Principle)[0].Paragraph - 1, "four principles"},
		// A topicless question reads the context it leans on.
		{"My colleague asked what the very last principle in the list is. Do you know?", doc.ItemsOf(Principle)[3].Paragraph, ""},
		{"How is it structured?", doc.ItemsOf(Principle)[0].Paragraph - 1, "four principles (peace, sovereignty, co-governance and universal benefit) and three areas of effort"},
		{"the last principle", doc.ItemsOf(Principle)[3].Paragraph, ""},
		{"What does he say at the start?", 1, ""},
		{"what is his closing line", last - 1, ""},
		{"waht are the princples", doc.ItemsOf(Principle)[0].Paragraph - 1, "four principles"},
		{"list the areas of effort", doc.ItemsOf(Area)[0].Paragraph - 1, "three areas"},
		{"how long is the speech", 0, "15 paragraphs, 1,323 words in all, in four parts"},
		{"what's the first thing he says", 1, ""},
		{"principle 3", doc.ItemsOf(Principle)[2].Paragraph, ""},
		{"area two please", doc.ItemsOf(Area)[1].Paragraph, ""},
		{"paragraph 6", 6, ""},
		{"what's in ¶9?", 9, ""},
		{"wat r the 4 principals", doc.ItemsOf(Principle)[0].Paragraph - 1, "four principles"},
		{"what are the main principles", doc.ItemsOf(Principle)[0].Paragraph - 1, "four principles"},
		// An overview names both lists and quotes what introduces them.
		{"tl;dr?", doc.ItemsOf(Principle)[0].Paragraph - 1, "four principles (peace, sovereignty, co-governance and universal benefit) and three areas of effort"},
		{"What is the speech about?", doc.ItemsOf(Principle)[0].Paragraph - 1, "three areas of effort"},
		{"quick summary of the workshop speech pls", doc.ItemsOf(Principle)[0].Paragraph - 1, "four principles"},
		{"what's the overall message he is trying to get across?", doc.ItemsOf(Principle)[0].Paragraph - 1, "four principles"},
		{"what's the big picture", doc.ItemsOf(Principle)[0].Paragraph - 1, "four principles"},
		{"In one or two lines, what's the overall message?", doc.ItemsOf(Principle)[0].Paragraph - 1, "four principles"},
		// A lower-case question after a full stop is a sentence of its own.
		{"so my professor said this is all about sovereignty. what are the other principles besides sovereignty?", doc.ItemsOf(Principle)[0].Paragraph - 1, "four principles"},
		// What follows a list, however it is counted or sharpened.
		{"what comes right after the four principles", doc.ItemsOf(Area)[0].Paragraph - 1, "three areas"},
		{"what did he say after the principles", doc.ItemsOf(Area)[0].Paragraph - 1, "three areas"},
		// An order word after the item: "which principle comes last".
		{"which principle comes last", doc.ItemsOf(Principle)[3].Paragraph, ""},
		{"which area is second", doc.ItemsOf(Area)[1].Paragraph, ""},
	} {
		a := r.Ask(c.q, 3)
		if a.Outcome != Answered || a.Passages[0].Paragraph.Number != c.first || !strings.Contains(a.Summary, c.summary) {
			t.Errorf("%q: %s, first ¶%v, summary %q; want ¶%d and %q", c.q, a.Outcome, paragraphs(a), a.Summary, c.first, c.summary)
		}
	}
	// A cue word about the content is not a structure question.
	if a := r.Ask("What does the speech mean by the Internet being a place of open resources?", 3); len(a.Passages) == 0 || a.Passages[0].Paragraph.Number == 1 {
		t.Errorf("open resources: got %v, want the co-governance paragraph", paragraphs(a))
	}
	// Nor is a cue whose object is a topic of the statement.
	if a := r.Ask("Does he talk about closing the digital divide?", 3); len(a.Passages) == 0 || a.Passages[0].Paragraph.Item == nil || a.Passages[0].Paragraph.Item.Name != "universal benefit" {
		t.Errorf("closing the digital divide: got %v, want the universal-benefit paragraph", paragraphs(a))
	}
	// A summary of one topic is about the topic.
	if a := r.Ask("Can you summarise what he says about sovereignty?", 3); a.Summary != "" || len(a.Passages) == 0 || a.Passages[0].Paragraph.Item == nil || a.Passages[0].Paragraph.Item.Name != "sovereignty" {
		t.Errorf("summary of sovereignty: got %v, summary %q; want the sovereignty paragraph", paragraphs(a), a.Summary)
	}
	if a := r.Ask("how does he close the speech?", 3); a.Outcome != Answered || a.Passages[0].Paragraph.Number != last-1 {
		t.Errorf("close the speech: got %v, want the closing paragraphs", paragraphs(a))
	}
}

func paragraphs(a Answer) []int {
	var out []int
	for _, p := range a.Passages {
		out = append(out, p.Paragraph.Number)
	}
	return out
}

func TestAskedFact(t *testing.T) {
	for _, c := range []struct {
		q    string
		want factKind
	}{
		{"When was the workshop held?", timeFact},
		{"Does the speech give a date for the code?", timeFact},
		{"Does the statement set a deadline?", timeFact},
		{"Does he name the WSIS summit's dates?", timeFact},
		{"When will the code of conduct be adopted?", futureFact},
		{"When was the code submitted?", timeFact},
		{"What year was the code submitted?", timeFact},
		{"In which month was the leading group set up?", timeFact},
		{"Does he give a figure for China's cyber security spending?", amountFact},
		{"How many dollars does it cost?", numberFact},
		{"How many principles are there?", numberFact},
		{"What share of people are online?", shareFact},
		{"What percentage of households have broadband?", shareFact},
		{"Which organisation hosted it?", bodyFact},
		{"Which body did they set up?", bodyFact},
		{"Which countries submitted the code?", placeFact},
		{"Which developing countries does he name?", placeFact},
		{"Which of the countries does he name?", anyFact},
		{"What does he say about countries?", anyFact},
		{"Does he say how many delegates attended?", numberFact},
		{"can you tell me when the code was submitted", timeFact},
		{"Does the speech mention which countries submitted it?", placeFact},
		{"Does he say anything when he opens?", anyFact},
		{"how much does china spend on cyber defence", amountFact},
		{"How much money will China give?", amountFact},
		{"Could you check if the speech says how much China invests?", amountFact},
		{"Does he name the country that did the surveillance?", placeFact},
		{"does he identify the individual country behind it", placeFact},
		{"Does he name any companies?", nameFact},
		{"Does he name names?", anyFact},
		{"Does he name the principles?", anyFact},
		{"does he mention a date for the next workshop", timeFact},
		{"Does he give any figures on internet users?", numberFact},
		{"Does he mention developing countries?", anyFact},
		{"how long did the speech take to deliver", durationFact},
	} {
		if got := askedFact(read(c.q).parts[0].toks); got != c.want {
			t.Errorf("askedFact(%q) = %d, want %d", c.q, got, c.want)
		}
	}
}

// A closed-up prefix leaves the topic: "multistakeholder" is about
// stakeholders, "counterterrorism" about terrorism.
func TestPrefixedWords(t *testing.T) {
	r := newTestRetriever(t)
	for w, want := range map[string]string{"multistakeholder": "stakeholders", "counterterrorism": "terrorism", "nonsovereignty": "sovereignty"} {
		words := r.analyse(read(w + "?").parts[0].toks)
		if len(words) != 1 || len(words[0].alts) == 0 || words[0].alts[0].term != r.ix.surface[want] {
			t.Errorf("%s: got %+v, want a match with %q", w, words, want)
		}
	}
	if _, _, ok := r.ix.unprefixed("press"); ok {
		t.Error(`"press" unprefixed to a statement word`)
	}
}

// Two words WordNet lists as one are one query word: "take part" is
// participation, and its "part" no literal part.
func TestPhrasalVerbsAreOneWord(t *testing.T) {
	r := newTestRetriever(t)
	words := r.analyse(read("Should companies take part in making the rules?").parts[0].toks)
	var texts []string
	found := false
	for _, w := range words {
		texts = append(texts, w.text)
		if w.text == "take part" {
			for _, a := range w.alts {
				found = found || a.word == "participation"
			}
		}
	}
	if !found || slices.Contains(texts, "part") {
		t.Errorf("words %q: want \"take part\" matching participation, and no \"part\"", texts)
	}
	// A phrase the statement writes itself stays two words.
	if words := r.analyse(read("What does he say about arms race?").parts[0].toks); len(words) != 2 {
		t.Errorf("arms race: got %d words", len(words))
	}
}

// A misspelt stop word is scaffolding, not a topic the statement lacks.
func TestMisspeltStopWords(t *testing.T) {
	r := newTestRetriever(t)
	for w, want := range map[string]bool{"evry": true, "becuase": true, "waht": true, "thier": true, "itslef": true,
		"teh":  true,
		"govt": false, "cyber": false, "tallinn": false, "hw": false, "snowden": false, "dose": false} {
		if got := r.misspeltStop(w); got != want {
			t.Errorf("misspeltStop(%q) = %v, want %v", w, got, want)
		}
	}
	words := r.analyse(read("wat does he say abt peace for evry country").parts[0].toks)
	for _, w := range words {
		if w.text == "evry" {
			t.Errorf("evry read as a topic word: %+v", w)
		}
	}
}

// An acronym with digits after it ("ICT4D") opens with the statement's
// acronym.
func TestAcronymWithDigits(t *testing.T) {
	r := newTestRetriever(t)
	words := r.analyse(read("What about ICT4D?").parts[0].toks)
	if len(words) != 1 || len(words[0].alts) == 0 || words[0].alts[0].word != "ict" || words[0].isMissing() {
		t.Errorf("ICT4D: got %+v, want a match with ICT", words)
	}
	for _, w := range []string{"g20", "4g", "ict"} {
		if _, _, ok := r.ix.acronymHead(w); ok {
			t.Errorf("acronymHead(%q) found a head", w)
		}
	}
}

// "The event" or "the conference" is the occasion the statement was
// given at, whatever the statement calls it.
func TestEventIsTheOccasion(t *testing.T) {
	r := newTestRetriever(t)
	if r.eventHead != "workshop" {
		t.Fatalf("eventHead = %q, want workshop", r.eventHead)
	}
	for _, q := range []string{"who organised the event?", "Who put on this conference?"} {
		words := r.analyse(read(q).parts[0].toks)
		found := false
		for _, w := range words {
			for _, a := range w.alts {
				found = found || a.word == "workshop"
			}
		}
		if !found {
			t.Errorf("%q: no word matches the workshop", q)
		}
	}
}

// A misspelt word counts in the dense score as the statement word it is a
// typo of: "soverignty" alone is no vector.
func TestTyposCountInTheDenseScore(t *testing.T) {
	r := newTestRetriever(t)
	for q, want := range map[string]int{"wat dose he say abot soverignty": 6, "survelance by one contry": 3} {
		if a := r.Ask(q, 3); len(a.Passages) == 0 || a.Passages[0].Paragraph.Number != want {
			t.Errorf("%q: got %v, want ¶%d first", q, paragraphs(a), want)
		}
	}
}

// A prefix written with a hyphen is no topic of its own: "anti-poverty"
// is about poverty.
func TestHyphenatedPrefixIsNoTopic(t *testing.T) {
	for _, tk := range read("Does he link the web to anti-poverty targets?").parts[0].toks {
		if tk.word == "anti" && !tk.stop {
			t.Errorf("anti read as a topic word")
		}
		if tk.word == "poverty" && tk.stop {
			t.Errorf("poverty read as a stop word")
		}
	}
}

// A year counts nothing: "in 2011" is no answer to "how many".
func TestYearIsNoCount(t *testing.T) {
	r := newTestRetriever(t)
	if r.ix.holdsFact(numberFact, "China, Russia and some other countries submitted it in 2011.", tokenize(nil, "China, Russia and some other countries submitted it in 2011."), nil) {
		t.Error("a year answered how many")
	}
	if !r.ix.holdsFact(numberFact, "A major cyber state with 618 million Internet users.", tokenize(nil, "A major cyber state with 618 million Internet users."), nil) || !r.ix.holdsFact(timeFact, "It was submitted in 2011.", tokenize(nil, "It was submitted in 2011."), nil) {
		t.Error("a count or a date went unseen")
	}
}

// Handles and emoji shortcodes are markup; times and ratios are not.
func TestMarkup(t *testing.T) {
	for _, c := range []struct {
		text string
		want string // the bytes not marked
	}{
		{"no markup here", "no markup here"},
		{"@policybot hi", " hi"},
		{"ask @alice:example.org now", "ask  now"},
		{":thinking_face: why :+1:", " why "},
		{"at 10:30:00 or 3:2", "at 10:30:00 or 3:2"},
		{"note: see : this", "note: see : this"},
		{"a:b:c", "a:b:c"},
		{"é:smile:", "é:smile:"},
		{":smile:é", ":smile:é"},
		{"\xff:smile: ok", "\xff:smile: ok"},
		{"ok :smile:\xff", "ok :smile:\xff"},
	} {
		marks := markup(c.text)
		var b strings.Builder
		for i := 0; i < len(c.text); i++ {
			if marks == nil || !marks[i] {
				b.WriteByte(c.text[i])
			}
		}
		if b.String() != c.want {
			t.Errorf("markup(%q) leaves %q, want %q", c.text, b.String(), c.want)
		}
	}
}

// "How much" asks for a sum or a share: a count is no answer to it.
func TestAmounts(t *testing.T) {
	r := newTestRetriever(t)
	for _, c := range []struct {
		text string
		want bool
	}{
		{"A major cyber state with 618 million Internet users.", false},
		{"It was submitted in 2011.", false},
		{"China will give $5 billion.", true},
		{"It spends 3.2% of its budget on it.", true},
		{"Aid rose by 40 percent.", true},
		{"The fund holds €300 million.", true},
		{"They pledged 2 billion yuan.", true},
		{"The 5% who are offline.", true},
		{"Dollars are not the point.", false},
		{"It costs twelve dollars.", true},
	} {
		if got := r.ix.holdsFact(amountFact, c.text, tokenize(nil, c.text), nil); got != c.want {
			t.Errorf("holdsFact(amountFact, %q) = %v, want %v", c.text, got, c.want)
		}
	}
}

// A question of nothing but the fact it asks for is about the statement.
func TestAboutTheStatementAlone(t *testing.T) {
	r := newTestRetriever(t)
	for _, q := range []string{"What was the occasion?", "what time was the speech", "What's the name of the workshop?", "Who was the speaker representing?"} {
		if a := r.Ask(q, 3); !a.About {
			t.Errorf("%q: got %v, want the title and date lines", q, paragraphs(a))
		}
	}
	for _, q := range []string{"Who is hosting this workshop?", "Our students ask about sovereignty. How does the speaker define it?"} {
		if a := r.Ask(q, 3); a.About {
			t.Errorf("%q: answered from the title, want the body", q)
		}
	}
}

// A question whose topic is a courtesy word is a question.
func TestCourtesyAsTopic(t *testing.T) {
	r := newTestRetriever(t)
	a := r.Ask("Who does he thank?", 3)
	found := false
	for _, p := range a.Passages {
		found = found || strings.Contains(p.Paragraph.Text, "thank the UN")
	}
	if !found {
		t.Errorf("who does he thank: got %v, want the paragraph thanking the UN", paragraphs(a))
	}
	if a := r.Ask("Thanks, bot!", 3); a.Outcome == Answered {
		t.Errorf("thanks: answered %v", paragraphs(a))
	}
}

// A name of several words none of which the statement has is missing,
// however near its words are to statement words.
func TestUnmatchedNameIsMissing(t *testing.T) {
	r := newTestRetriever(t)
	a := r.Ask("Does he say anything about the European Union's data protection rules?", 3)
	if a.Outcome == Answered || !containsString(a.Missing, "European Union") {
		t.Errorf("European Union: %s, missing %q", a.Outcome, a.Missing)
	}
	if a := r.Ask("Does he think countries from the Global South should get more of a say?", 3); a.Outcome != Answered {
		t.Errorf("Global South: %s, missing %q; \"Global\" is a statement word", a.Outcome, a.Missing)
	}
}

// A focus word nothing in the statement relates to is what it lacks.
// A sentence that asks two questions is read as two.
func TestQuestionClauses(t *testing.T) {
	for _, c := range []struct {
		msg   string
		parts []string
	}{
		{"who organised the workshop, and what does he say about norms?", []string{"who organised the workshop", "what does he say about norms?"}},
		{"Who hosted it; when was it?", []string{"Who hosted it", "when was it?"}},
		{"What does he say about countries that, when attacked, respond?", []string{"What does he say about countries that, when attacked, respond?"}},
		// An apology before ", but" is no question of its own.
		{"Sorry for the dumb question, but when was it given?", []string{"when was it given?"}},
		// A lead-in before a colon is context, not a question of its own.
		{"quick q before the call: does he mention norms?", []string{"does he mention norms?"}},
		{"Question: what is sovereignty?", []string{"what is sovereignty?"}},
		{"note: peace", []string{"note: peace"}},
		// Without a question mark the message is one query, as before.
		{"peace and security, and how they relate", []string{"peace and security how they relate"}},
		// A question word hyphened to a joiner is one word with it
		// (FuzzAsk found "0,or-how" cutting a compound in two).
		{"sovereignty, or-how is it?", []string{"sovereignty, or-how is it?"}},
	} {
		rd := read(c.msg)
		var got []string
		for _, p := range rd.parts {
			got = append(got, p.text)
		}
		if strings.Join(got, "|") != strings.Join(c.parts, "|") {
			t.Errorf("%q: parts %q, want %q", c.msg, got, c.parts)
		}
	}
}

// The words a question sets aside are known to the asker: they count
// for less, up to the clause's end.
func TestSetAside(t *testing.T) {
	for _, c := range []struct {
		q     string
		aside string
	}{
		{"Apart from spying, what other risks does he list?", "spying"},
		{"What risks does he list besides spying and crime?", "spying and crime"},
		{"Aside from the UN, who else hosted it; and when?", "the un"},
		{"Other than peace, which principles are there?", "peace"},
		{"What does he say about other countries?", ""},
		{"Apart", ""},
		// The joined form of a compound overlaps its parts (FuzzAsk).
		{"Besides-0", "0 besides0"},
	} {
		toks := tokenize(nil, c.q)
		set := setAside(c.q, toks)
		var got []string
		for i, tk := range toks {
			if set[i] {
				got = append(got, tk.word)
			}
		}
		if g := strings.Join(got, " "); g != c.aside {
			t.Errorf("%q: set aside %q, want %q", c.q, g, c.aside)
		}
	}
}

func TestFocusWithNoRelation(t *testing.T) {
	r := newTestRetriever(t)
	if a := r.Ask("What is the budget of the new leading group?", 3); a.Outcome != NotAddressed || !containsString(a.Missing, "budget") {
		t.Errorf("budget: %s, missing %q", a.Outcome, a.Missing)
	}
}

// A topic nothing in the statement relates to at all is not what the
// statement speaks of, however the question frames it; a topic it
// relates to is answered.
func TestTopicWithNoRelation(t *testing.T) {
	r := newTestRetriever(t)
	for _, c := range []struct {
		q       string
		want    Outcome
		missing string
	}{
		{"What does he say about election interference?", NotAddressed, "election"},
		{"Does he talk about election interference?", NotAddressed, "election"},
		{"What does he say about spreading the benefits?", Answered, ""},
		{"What does he say about interference?", Answered, ""},
	} {
		a := r.Ask(c.q, 3)
		if a.Outcome != c.want || c.missing != "" && !containsString(a.Missing, c.missing) {
			t.Errorf("%q: %s, missing %q; want %s, missing %q", c.q, a.Outcome, a.Missing, c.want, c.missing)
		}
	}
}

// A name's head is its last word: "the UN General Assembly" names no
// country, though "General" alone is near "country" in the table.
func TestPlaceIsTheNamesHead(t *testing.T) {
	r := newTestRetriever(t)
	asked := map[string]bool{"china": true, "russia": true}
	for _, c := range []struct {
		text string
		want bool
	}{
		{"China, Russia and some other countries submitted to the UN General Assembly the Code.", false},
		{"China, Russia and Brazil submitted it.", true},
		{"It was sent to the General Assembly by India.", true},
	} {
		if got := r.ix.holdsFact(placeFact, c.text, tokenize(nil, c.text), asked); got != c.want {
			t.Errorf("holdsFact(placeFact, %q) = %v, want %v", c.text, got, c.want)
		}
	}
}

// Questions without a topic lean on the latest one with a topic, never on
// what that one leaned on: the words to match grow with the message, not
// with its square ("a? a? a? …" once took 1.5 s).
func TestReadingStaysLinear(t *testing.T) {
	for _, q := range []string{strings.Repeat("a? ", 1300), strings.Repeat("What? ", 600), "Sovereignty? " + strings.Repeat("And when? ", 390)} {
		words := len(strings.Fields(q))
		n := 0
		for _, p := range read(clampQuestion(q)).parts {
			n += len(p.toks)
		}
		if n > 4*words {
			t.Errorf("%d bytes, %d words: %d tokens to match", len(q), words, n)
		}
	}
}

// A question with no topic of its own ("Does the speech cover that?") is
// about the sentence just before it, not the whole preamble.
func TestThatPointsBack(t *testing.T) {
	r := newTestRetriever(t)
	doc := r.Document()
	a := r.Ask("We're a small team preparing a brief for our director, who is meeting Chinese counterparts next month. "+
		"She wants to know who should be involved in internet governance. Does the speech cover that?", 3)
	want := map[int]bool{doc.ItemsOf(Principle)[2].Paragraph: true, doc.ItemsOf(Area)[2].Paragraph: true}
	if a.Outcome != Answered || !want[a.Passages[0].Paragraph.Number] {
		t.Errorf("%s, first ¶%v; want co-governance or participation", a.Outcome, paragraphs(a))
	}
}

// A slip in a framing word is read as the word meant, not as the
// statement word it is nearest ("speach" is not "peace").
func TestCueSlips(t *testing.T) {
	r := newTestRetriever(t)
	for in, want := range map[string]string{
		"speach": "speech", "statment": "statement", "speker": "speaker", "begining": "beginning", "conclsion": "conclusion",
		"speech": "", "peace": "", "sovereignty": "", "soverignty": "", "speaks": "",
	} {
		if got := r.cueSlip(in); got != want {
			t.Errorf("cueSlip(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"meny": "many", "mcuh": "much", "lng": "long", "many": "", "men": ""} {
		if got := r.howSlip(in); got != want {
			t.Errorf("howSlip(%q) = %q, want %q", in, got, want)
		}
	}
	if a := r.Ask("how meny principals r there", 3); len(a.Passages) == 0 || !strings.Contains(a.Passages[0].Paragraph.Text, "following principles") {
		t.Errorf("how meny principals: not the list of principles: %+v", a.Passages)
	}
	a := r.Ask("who did the speach", 3)
	if !a.About {
		t.Errorf("%q: not read as about the statement: %+v", "who did the speach", a.Passages)
	}
}

// Who held the occasion is the sentence that says so, not a shorter
// paragraph that also says "co-host".
func TestHosts(t *testing.T) {
	for q, want := range map[string]bool{
		"Who co-hosted the workshop?":                                     true,
		"which organisations hosted the event?":                           true,
		"what part of the UN co-hosted it":                                true,
		"who were the organisers":                                         true,
		"was this the first time China co-hosted a workshop with the UN?": false,
		"Who sponsored the code of conduct?":                              false,
		"We host servers in China. Which principle covers jurisdiction?":  false,
	} {
		got := false
		for _, p := range read(q).parts {
			got = got || hostAsked(p.toks)
		}
		if got != want {
			t.Errorf("hostAsked(%q) = %v, want %v", q, got, want)
		}
	}
	r := newTestRetriever(t)
	for _, q := range []string{"Who co-hosted the workshop?", "who were the co-hosts"} {
		a := r.Ask(q, 3)
		if len(a.Passages) == 0 {
			t.Errorf("%q: no answer", q)
			continue
		}
		p := a.Passages[0]
		if quote := p.Paragraph.Text[p.Quote.Start:p.Quote.End]; !strings.Contains(quote, "co-hosted by") {
			t.Errorf("%q: first passage ¶%d quotes %q, not who hosted it", q, p.Paragraph.Number, quote)
		}
	}
}

// "Thank" with a subject is a verb the question asks about; alone, a
// sign-off. The sign-off paragraph ("Thank you.") holds nothing a
// question about the content asks for.
func TestThanksAsked(t *testing.T) {
	r := newTestRetriever(t)
	for q, want := range map[string]string{
		"who does he thank?":              "thank the UN",
		"Who does Li thank?":              "thank the UN",
		"does he thank anyone":            "thank the UN",
		"Does the minister thank the UN?": "thank the UN",
		"Li, thanks":                      "",
		"Thanks, bot!":                    "",
		"ok I appreciate it":              "",
	} {
		a := r.Ask(q, 3)
		switch {
		case want == "" && a.Outcome != Declined:
			t.Errorf("%q: %s, want a decline", q, a.Outcome)
		case want == "":
		case len(a.Passages) == 0:
			t.Errorf("%q: %s, want an answer", q, a.Outcome)
		case !strings.Contains(a.Passages[0].Paragraph.Text, want):
			t.Errorf("%q: first passage ¶%d, want the one with %q", q, a.Passages[0].Paragraph.Number, want)
		}
	}
}

// Words that frame a question name no topic; the same words used for a
// topic are one. A piece of the statement named before what it is about
// ("a line about") asks for the passage, where "drawn lines" is a topic;
// a view noun before what the view is of ("his take on sovereignty") asks
// what he says of that; "talks" is scaffolding as a verb and a topic as a
// noun.
func TestFramingWords(t *testing.T) {
	for _, c := range []struct {
		q, word string
		stop    bool
	}{
		{"Is there a line about respecting each other's affairs?", "line", true},
		{"the bit on sovereignty please", "bit", true},
		{"which sentence where he mentions the UN", "sentence", true},
		{"does he say who drew lines out of selfish interest", "lines", false},
		{"quote the line", "line", false},
		// View nouns.
		{"so what's his pitch on keeping the internet peaceful", "pitch", true},
		{"what are his thoughts about cyber crime", "thoughts", true},
		{"What's China's stance on arms races?", "stance", true},
		{"Does the speech change China's position?", "position", false},
		{"What is the position of developing countries?", "position", false},
		{"Is there a view of cyber space as a new frontier?", "view", false},
		// "talks".
		{"Should poorer states get more of a say in global internet talks?", "talks", false},
		{"Does he want the talks to go on?", "talks", false},
		{"does he want talks between countries to be based on respect", "talks", false},
		{"Does the speech urge talks?", "talks", false},
		{"What does he want? He talks about peace?", "talks", true},
		{"What the speech talks about?", "talks", true},
		{"Which part of the speech talks of sovereignty?", "talks", true},
		{"Li talks about peace?", "talks", true},
	} {
		rd := read(c.q)
		found := false
		for _, wt := range rd.all {
			if wt.word == c.word {
				found = true
				if wt.stop != c.stop {
					t.Errorf("%q: %q read with stop %v, want %v", c.q, c.word, wt.stop, c.stop)
				}
			}
		}
		if !found {
			t.Errorf("%q: no token %q", c.q, c.word)
		}
	}
}

// A closed compound that nothing knows whole ("rulebook") relates to what
// its parts relate to.
func TestUnknownCompound(t *testing.T) {
	r := newTestRetriever(t)
	a := r.Ask("does he want a rulebook for cyberspace", 3)
	for _, p := range a.Passages {
		for _, m := range p.Matches {
			if m.Query == "rulebook" {
				return
			}
		}
	}
	t.Errorf("rulebook matched nothing: %s %+v", a.Outcome, a.Passages)
}

// What answers first, for readings that choose among strong passages.
func TestFirstPassage(t *testing.T) {
	r := newTestRetriever(t)
	for _, c := range []struct {
		q, want string
		quote   bool // want is in the quote, not only in the paragraph
	}{
		// A question with no topic of its own after context about the
		// content is about that content, not an overview of the speech
		// or its metadata.
		{"One thing I keep seeing is that China wants 'sovereignty' online. What exactly does this speech say that covers?", "principle of sovereignty", false},
		{"The editor wants the wording where Li describes the other side as a victim. Where is that?", "painted itself as a victim", false},
		// How something is described: the sentence that says what it
		// is, with it as the subject.
		{"Does he characterise cyberspace as a novel domain requiring particular attention?", "Cyber space is a new frontier", true},
		{"how does he describe cyber space", "Cyber space is", true},
	} {
		a := r.Ask(c.q, 3)
		if a.About || len(a.Passages) == 0 {
			t.Errorf("%q: want a passage, got about=%v %+v", c.q, a.About, a.Passages)
			continue
		}
		p := a.Passages[0]
		got := p.Paragraph.Text
		if c.quote {
			got = got[p.Quote.Start:p.Quote.End]
		}
		if !strings.Contains(got, c.want) {
			t.Errorf("%q: first passage ¶%d (%q), want one with %q", c.q, p.Paragraph.Number, got, c.want)
		}
	}
	// The subject described is what follows the verb: China, not the
	// Internet.
	if a := r.Ask("does he describe china as a big internet country", 3); len(a.Passages) > 0 && strings.HasPrefix(a.Passages[0].Paragraph.Text, "Fourth") {
		t.Errorf("described China with the Internet's sentence: ¶%d", a.Passages[0].Paragraph.Number)
	}
}

// The stemmer cuts "internal" and "international" both to "intern": the
// statement's words whose vectors differ get terms of their own, so that
// "internal" finds the paragraph that writes it, not the one that writes
// "international" three times. Forms of one word stay one term.
func TestStemmerFalseFriendsApart(t *testing.T) {
	doc, err := Parse("Remarks on Cooperation\n\n" +
		"We respect the internal affairs of every country and of all countries, as a principle of long standing between neighbours and partners.\n\n" +
		"International cooperation, international exchange and international law are needed.\n")
	if err != nil {
		t.Fatal(err)
	}
	var passageToks [][]token
	for _, p := range doc.Paragraphs {
		passageToks = append(passageToks, tokenize(nil, p.Text))
	}
	keys := termKeys(passageToks, vectors.Embedded())
	if keys["internal"] == keys["international"] {
		t.Errorf("internal shares the term of international: %v", keys)
	}
	if keys["country"] != keys["countries"] || keys["international"] != stem("international") {
		t.Errorf("forms of one word apart: %v", keys)
	}
	r := NewRetriever(doc, RetrieverOptions{Vectors: vectors.Embedded()})
	a := r.Ask("What does it say about internal matters?", 3)
	if len(a.Passages) == 0 || !strings.Contains(a.Passages[0].Paragraph.Text, "internal affairs") {
		t.Errorf("internal matters: %s, passages %v", a.Outcome, a.Passages)
	}
	if len(a.Passages) > 1 {
		t.Errorf("internal matters also quotes %q", a.Passages[1].Paragraph.Text)
	}
}

// A statement that calls one thing "Internet" in some passages and "cyber
// space" in others: a question's "online" means both, so it picks no
// passage out, and the question's other words decide.
func TestOpenCompoundIsOneThingWithItsSynonym(t *testing.T) {
	th, err := thesaurus.Load()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := Parse("Remarks on Cyber Space\n\n" +
		"Peace and stability in cyber space serve the security of every country, large and small, near and far.\n\n" +
		"The Internet grows fast. The Internet has many users. Access to the Internet matters to growth.\n\n" +
		"Trade and growth depend on cooperation in cyber space between all of the parties.\n")
	if err != nil {
		t.Fatal(err)
	}
	r := NewRetriever(doc, RetrieverOptions{Related: th, Vectors: vectors.Embedded()})
	if !r.ix.closed["cyberspace"] {
		t.Fatalf("cyber space has no closed form: %v", r.ix.closed)
	}
	cs, inet := r.ix.surface["cyberspace"], r.ix.surface["internet"]
	if !slices.Contains(r.synonyms[cs], inet) || !slices.Contains(r.synonyms[inet], cs) {
		t.Errorf("cyberspace and internet are not synonyms both ways: %v", r.synonyms)
	}
	// Matching both, a word picks out fewer passages than matching one.
	seen := make([]float64, len(r.ix.docs))
	both := queryWord{alts: []alt{{inet, 1, MatchExact, "internet"}, {cs, 1, MatchSynonym, "cyberspace"}}}
	one := queryWord{alts: []alt{{inet, 1, MatchExact, "internet"}}}
	if s1, s2 := r.ix.spread(one, seen), r.ix.spread(both, seen); s1 != 1 || s2 >= 1 {
		t.Errorf("spread of internet %.2f, want 1; of internet and cyberspace %.2f, want less", s1, s2)
	}
	for _, q := range []string{"Is peace online good for every country?", "does he think peace on the internet helps all countries"} {
		a := r.Ask(q, 3)
		if len(a.Passages) == 0 || !strings.HasPrefix(a.Passages[0].Paragraph.Text, "Peace and stability") {
			t.Errorf("%q: %s, first %v", q, a.Outcome, a.Passages)
		}
	}
}
