package doc

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// fuzzSchema has a strategy of each kind under properties of a permissive document, so that
// arbitrary documents validate and reduce.
const fuzzSchema = `{"type":"object","reduce":{"strategy":"merge"},"required":["key"],"properties":{
 "sum":{"type":["number","string"],"reduce":{"strategy":"sum"}},
 "max":{"reduce":{"strategy":"maximize"}},
 "min":{"reduce":{"strategy":"minimize","key":["/k"]}},
 "fww":{"reduce":{"strategy":"firstWriteWins"}},
 "app":{"type":["array","null"],"reduce":{"strategy":"append"}},
 "mk":{"type":"array","reduce":{"strategy":"merge","key":["/id"]},"items":{"properties":{"c":{"reduce":{"strategy":"sum"}}}}},
 "set":{"type":"object","reduce":{"strategy":"set","key":["/id"]}},
 "oset":{"type":"object","reduce":{"strategy":"set"},"properties":{"add":{"additionalProperties":{"reduce":{"strategy":"sum"}}}}},
 "del":{"type":"object","reduce":{"strategy":"merge","delete":true}},
 "na":{"reduce":{"strategy":"lastWriteWins","associative":false}}
}}`

// A Combiner that spills every document gives what one holding them all in memory gives, and
// neither panics, whatever the documents (one per line; a line starting with '!' is added with
// AddFrontJSON). Only error-free inputs are compared: an invalid reduction fails when added in
// memory but when drained after a spill.
func FuzzCombiner(f *testing.F) {
	for _, seed := range []string{
		`{"key":1,"sum":1}` + "\n" + `{"key":1.0,"sum":2.5}` + "\n" + `{"key":"a","sum":"007"}`,
		`!{"key":[1],"max":{"a":1}}` + "\n" + `{"key":[1],"max":{"a":2},"del":{}}`,
		`{"key":null,"set":{"add":[{"id":1},{"id":2}]}}` + "\n" + `{"key":null,"set":{"remove":[{"id":1}]}}`,
		`{"key":-0.0,"na":1}` + "\n" + `{"key":0,"na":2}` + "\n" + `{"key":0,"na":2,"oset":{"add":{"m":1}}}`,
		`{"key":"k","mk":[{"id":1,"c":1}],"min":{"k":2}}` + "\n" + `{"key":"k","mk":[{"id":1,"c":1},{"id":2}],"min":{"k":1}}`,
	} {
		f.Add([]byte(seed))
	}
	sch := compileSchema(f, fuzzSchema)
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := bytes.Split(data, []byte("\n"))
		if len(lines) > 64 {
			return
		}
		run := func(limit int64, full bool) (string, bool) {
			c, err := NewCombiner(CombinerSpec{Key: keyOf("/key"), Schema: sch, MemoryLimit: limit, SpillDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			var out strings.Builder
			failed := false
			for _, line := range lines {
				add := c.AddJSON
				if len(line) > 0 && line[0] == '!' {
					add, line = c.AddFrontJSON, line[1:]
				}
				if err := add(line); err != nil {
					fmt.Fprintf(&out, "add: %v\n", err)
					failed = true
				}
			}
			err = c.Drain(full, func(d Drained) error {
				fmt.Fprintf(&out, "%x %v %v %s\n", d.Key, d.Front, d.Deleted, d.AppendJSON(nil))
				return nil
			})
			if err != nil {
				fmt.Fprintf(&out, "drain: %v\n", err)
				failed = true
			}
			return out.String(), failed
		}
		for _, full := range []bool{false, true} {
			inMemory, failed := run(0, full)
			spilled, _ := run(1, full)
			if !failed && inMemory != spilled {
				t.Fatalf("full=%v: in memory\n%s\nspilled\n%s", full, inMemory, spilled)
			}
		}
	})
}
