package schema

import (
	"reflect"
	"strings"
	"testing"
)

func TestInspect(t *testing.T) {
	sh := compile(t, `{"type":"object","reduce":{"strategy":"merge"},
	  "properties":{
	    "sum-right-type":{"reduce":{"strategy":"sum"},"type":["number","string"],"format":"integer"},
	    "sum-wrong-type":{"reduce":{"strategy":"sum"},"type":["number","string"]},
	    "sum-nullable":{"reduce":{"strategy":"sum"},"type":["integer","null"]},
	    "must-exist-but-cannot":false,
	    "may-not-exist":false,
	    "nested-obj-or-string":{"type":["object","string"],"properties":{"must-exist-and-cannot-but-parent-could-be-string":false},
	      "required":["must-exist-and-cannot-but-parent-could-be-string"]},
	    "nested-array":{"type":"array","items":[true,false,false],"minItems":2},
	    "nested-array-or-string":{"oneOf":[{"$ref":"#/properties/nested-array"},{"type":"string"}]},
	    "bad-default":{"type":"integer","default":"nope"},
	    "good-default":{"type":"integer","default":3}},
	  "patternProperties":{"merge-wrong-type":{"reduce":{"strategy":"merge"},"type":"boolean"}},
	  "required":["must-exist-but-cannot","nested-obj-or-string","nested-array","nested-array-or-string"],
	  "additionalProperties":{"type":"object","properties":{"nested-sum":{"reduce":{"strategy":"sum"},"type":"integer"}}},
	  "items":[{"reduce":{"strategy":"set"}}],
	  "additionalItems":{"type":"object","properties":{"add":true,"intersect":true,"whoops1":true},
	    "patternProperties":{"remove":true,"whoops2":true},"reduce":{"strategy":"set"}}}`).Shape()
	var got []string
	for _, p := range sh.Inspect() {
		got = append(got, p.Code+" "+p.Ptr)
	}
	want := []string{
		CodeReduceWrongType + " /0",
		CodeSetChildren + " /-/whoops1",
		CodeSetChildren + " /-/whoops2",
		CodeInvalidDefault + " /bad-default",
		CodeRequiredImpossible + " /must-exist-but-cannot",
		CodeRequiredImpossible + " /nested-array/1",
		CodeReduceWrongType + " /sum-nullable",
		CodeReduceWrongType + " /sum-wrong-type",
		CodeReduceWrongType + " /merge-wrong-type",
		CodeReduceParent + " /*/nested-sum",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Inspect =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	messages := map[string]string{}
	for _, p := range sh.Inspect() {
		messages[p.Ptr] = p.Message
	}
	for ptr, want := range map[string]string{
		"/*/nested-sum":          "'/*/nested-sum' has reduction strategy, but its parent does not",
		"/sum-wrong-type":        `/sum-wrong-type has 'sum' reduction strategy (restricted to integers, numbers and strings with ` + "`format: integer` or `format: number`" + `) but has types "string"`,
		"/merge-wrong-type":      `/merge-wrong-type has 'merge' reduction strategy, restricted to objects & arrays, but has types "boolean"`,
		"/must-exist-but-cannot": "'/must-exist-but-cannot' must exist, but is constrained to always be invalid",
		"/-/whoops1":             "/-/whoops1 location's parent has 'set' reduction strategy, restricted to 'add'/'remove'/'intersect' properties",
		"/bad-default":           "/bad-default default value is invalid: document is invalid",
	} {
		if !strings.HasPrefix(messages[ptr], want) {
			t.Errorf("message at %s = %q, want prefix %q", ptr, messages[ptr], want)
		}
	}
}

func TestInspectConditionalParents(t *testing.T) {
	// The reset counter's root reduces differently per branch: that still counts as a parent strategy.
	if problems := compile(t, resetCounter).Shape().Inspect(); len(problems) != 0 {
		t.Errorf("reset counter problems: %v", problems)
	}
	orphan := compile(t, `{"type":"object","properties":{"a":{"type":"integer","reduce":{"strategy":"sum"}}}}`).Shape().Inspect()
	if len(orphan) != 1 || orphan[0].Code != CodeReduceParent || orphan[0].Ptr != "/a" {
		t.Errorf("orphan reduction: %v", orphan)
	}
}
