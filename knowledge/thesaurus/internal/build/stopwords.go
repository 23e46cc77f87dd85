package build

import "strings"

// stopWords are English function words plus very generic content words.
// They are never keys or targets: function words carry no topic, and the
// generic words ("make", "thing", "way") relate to almost everything in
// WordNet, so as targets they would match every paragraph.
var stopWords = makeSet(`
a about above after again against all almost along already also although
always am among an and another any anyone anything are around as at be
became because become been before being below between both but by can
cannot could did do does doing done down during each either else enough
etc even ever every for from further had has have having he her here hers
herself him himself his how however i if in into is it its itself just
least less let like many may me might more most much must my myself
neither no nor not now of off often on once only or other others otherwise
our ours ourselves out over own per perhaps quite rather really same shall
she should since so some still such than that the their theirs them
themselves then there therefore these they this those though through thus
to too toward towards under until up upon us very via was we were what
whatever when where whether which while who whom whose why will with
within without would yet you your yours yourself yourselves

thing things something nothing everything someone somebody
everyone everybody one ones make makes made making get gets got getting
go goes went gone going come came take took taken give gave given put say
said see saw seen know knew known want wanted need needs seem way ways lot
lots kind sort type use used using part parts set
`)

func makeSet(words string) map[string]bool {
	set := make(map[string]bool)
	for _, w := range strings.Fields(words) {
		set[w] = true
	}
	return set
}

// isStopWord reports whether w should never be a key or a target.
func isStopWord(w string) bool { return stopWords[w] }
