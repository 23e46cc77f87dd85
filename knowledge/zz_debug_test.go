package knowledge
import ("fmt";"testing";"os";"strings";"sort";"github.com/policybot/policybot/knowledge/thesaurus")
func TestDebugQ(t *testing.T){
 th,_ := thesaurus.Load()
 r := NewRetriever(Embedded(), RetrieverOptions{Related: th})
 for _, q := range strings.Split(os.Getenv("Q"), "|") {
  ws := r.analyse(clampQuestion(q))
  t.Logf("Q %q", q)
  for _, w := range ws { s := ""; for _, a := range w.alts { s += a.word+"/"+string(a.kind)[:3]+":"+ftoa(a.weight)+" " }; t.Logf("  %s idf=%.2f: %s", w.text, w.idf, s) }
  sc, cv := r.score(ws)
  idx := make([]int, len(sc)); for i := range idx { idx[i]=i }
  sort.Slice(idx, func(i,j int) bool { return sc[idx[i]]>sc[idx[j]] })
  for _, d := range idx[:4] { t.Logf("   ¶%d score=%.2f cover=%.2f", r.ix.docs[d].para.Number, sc[d], cv[d]) }
 }
}
func ftoa(f float64) string { return strings.TrimRight(strings.TrimRight(strconvF(f),"0"),".") }
func strconvF(f float64) string { return fmtF(f) }
func fmtF(f float64) string { return sprintf("%.2f", f) }
var sprintf = fmt.Sprintf
