package knowledge
import ("os";"testing";"github.com/policybot/policybot/knowledge/thesaurus")
func TestEvalDump(t *testing.T){
 th,_ := thesaurus.Load()
 r := NewRetriever(Embedded(), RetrieverOptions{Related: th})
 f,_ := os.Open("testdata/dev.jsonl"); cs,_ := ReadEvalCases(f)
 rep := Evaluate(r, cs); rep.WriteTo(os.Stdout)
 for _, q := range []string{"what is the population of Brazil","write me a poem","qwertyuiop","what did he say about artificial intelligence","should rich states help others connect","is eavesdropping on foreign governments acceptable","who gave this speech","when was the address delivered","in what role did Li Baodong speak","at which event was the speech given"} {
   a := r.Ask(q,3); t.Logf("%q -> about=%v", q, a.About); for _,p:=range a.Passages{ t.Logf("   ¶%d %.2f %v", p.Paragraph.Number, p.Score, p.Matches)}
 }
}
func TestEvalExtra(t *testing.T){
 th,_ := thesaurus.Load()
 r := NewRetriever(Embedded(), RetrieverOptions{Related: th})
 f,_ := os.Open("testdata/extra.jsonl"); cs,_ := ReadEvalCases(f)
 rep := Evaluate(r, cs); rep.WriteTo(os.Stdout)
}
