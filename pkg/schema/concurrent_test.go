package schema

import (
	"fmt"
	"sync"
	"testing"

	"github.com/flowctl/flowctl/pkg/node"
)

// A compiled schema is shared by every goroutine of a runtime: its plan is built once, its
// const and enum values are read from one arena, and `any` documents borrow pooled scratch
// arenas. Run with -race, concurrent validations must give what sequential ones give.
func TestConcurrentValidation(t *testing.T) {
	static := compile(t, `{"type":"object","reduce":{"strategy":"merge"},"properties":{
		"kind":{"enum":["a","b",{"x":[1,2]}]},"n":{"type":"integer","minimum":0,"reduce":{"strategy":"sum"}},
		"ts":{"type":"string","format":"date-time"},"tag":{"type":"string","pattern":"^t[0-9]+$"},
		"c":{"const":{"k":"v"}}}}`)
	dynamic := compile(t, `{"type":"object","oneOf":[
		{"properties":{"kind":{"const":"a"},"n":{"reduce":{"strategy":"sum"}}},"required":["kind"]},
		{"properties":{"kind":{"const":"b"},"n":{"reduce":{"strategy":"maximize"}}},"required":["kind"]}]}`)
	var docs []string
	for i := range 40 {
		docs = append(docs,
			fmt.Sprintf(`{"kind":"a","n":%d,"ts":"2026-11-21T10:00:%02dZ","tag":"t%d","c":{"k":"v"}}`, i, i%60, i),
			fmt.Sprintf(`{"kind":{"x":[1,2]},"n":%d}`, -i),                    // invalid below zero
			fmt.Sprintf(`{"kind":"b","n":%d,"ts":"not a time","tag":"x"}`, i), // invalid format, pattern
			fmt.Sprintf(`{"kind":"b","n":%d}`, i))
	}
	result := func(s *Schema, doc string) string {
		var a node.Arena
		n, err := a.Decode([]byte(doc))
		if err != nil {
			t.Error(err)
			return ""
		}
		ann, nodeErr := s.ValidateReduceNode(&a, n)
		annAny, anyErr := s.ValidateReduce(decode(t, doc))
		return fmt.Sprintf("%v|%v|%s|%s", nodeErr, anyErr, strategiesOf(ann, "n", "kind"), strategiesOf(annAny, "n", "kind"))
	}
	want := map[string]string{}
	for _, s := range []*Schema{static, dynamic} {
		for _, d := range docs {
			want[fmt.Sprintf("%p%s", s, d)] = result(s, d)
		}
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				s := []*Schema{static, dynamic}[(g+i)%2]
				d := docs[(g*7+i)%len(docs)]
				if got := result(s, d); got != want[fmt.Sprintf("%p%s", s, d)] {
					t.Errorf("goroutine %d: %s gave %s, sequentially %s", g, d, got, want[fmt.Sprintf("%p%s", s, d)])
					return
				}
			}
		}()
	}
	wg.Wait()
}

// strategiesOf names the strategies an annotation gives to some of its children.
func strategiesOf(a *Annotation, tokens ...string) string {
	out := ""
	for _, tok := range tokens {
		if r := a.Child(tok).Strategy(); r != nil {
			out += tok + "=" + string(r.Strategy) + " "
		}
	}
	return out
}
