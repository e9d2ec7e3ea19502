package draft

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/flowctl/flowctl/pkg/controlplane/api"
)

func TestPlan(t *testing.T) {
	live := []api.LiveSpec{
		{CatalogName: "a/same", SpecType: api.Collection, Spec: json.RawMessage(`{"key":["/id"],"schema":{"type":"object"}}`), LastPubID: "0000000000000001"},
		{CatalogName: "a/changed", SpecType: api.Collection, Spec: json.RawMessage(`{"key":["/id"],"schema":{"type":"object","title":"old"}}`), LastPubID: "0000000000000002"},
		{CatalogName: "a/gone", SpecType: api.Capture, Spec: json.RawMessage(`{}`), LastPubID: "0000000000000003"},
	}
	drafted := []api.DraftSpec{
		// Same content, other key order and spacing: unchanged.
		{CatalogName: "a/same", SpecType: api.Collection, Spec: json.RawMessage(`{"schema": {"type": "object"}, "key": ["/id"]}`)},
		{CatalogName: "a/changed", SpecType: api.Collection, Spec: json.RawMessage(`{"key":["/id"],"schema":{"type":"object","title":"new"}}`)},
		{CatalogName: "a/gone"},
		{CatalogName: "a/new", SpecType: api.Test, Spec: json.RawMessage(`[]`), ExpectPubID: "00000000000000ff"},
	}
	p, err := NewPlan(drafted, live)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		kind   ChangeKind
		expect string
	}{
		"a/changed": {Changed, "0000000000000002"},
		"a/gone":    {Deleted, "0000000000000003"},
		"a/new":     {Added, "00000000000000ff"}, // an explicit expectPubId is kept
		"a/same":    {Unchanged, "0000000000000001"},
	}
	var order []string
	for _, c := range p.Changes {
		order = append(order, c.Spec.CatalogName)
		w := want[c.Spec.CatalogName]
		if c.Kind != w.kind || c.Spec.ExpectPubID != w.expect {
			t.Errorf("%s: %s expecting %s, want %s expecting %s", c.Spec.CatalogName, c.Kind, c.Spec.ExpectPubID, w.kind, w.expect)
		}
	}
	if strings.Join(order, ",") != "a/changed,a/gone,a/new,a/same" {
		t.Errorf("changes are not sorted: %v", order)
	}
	if n := len(p.ToPublish()); n != 3 {
		t.Errorf("ToPublish has %d specs, want 3 (unchanged pruned)", n)
	}
	var out bytes.Buffer
	if err := p.Render(&out, false); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{
		"~ changed   collection a/changed\n", "-  title: old\n", "+  title: new\n",
		"- deleted   capture a/gone\n", "+ added     test a/new\n", "  unchanged collection a/same\n",
		"Plan: 1 to add, 1 to change, 1 to delete, 1 unchanged.\n",
	} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("plan lacks %q:\n%s", w, out.String())
		}
	}
	if strings.Contains(out.String(), "\x1b[") {
		t.Error("colour without a terminal")
	}
	if _, err := NewPlan([]api.DraftSpec{{CatalogName: "a/never"}}, nil); err == nil {
		t.Error("deleting a spec that is not live was planned")
	}
}

func TestLineDiff(t *testing.T) {
	cases := []struct{ old, new, want string }{
		{"a\nb\n", "a\nb\n", ""},
		{"a\nb\nc\n", "a\nB\nc\n", "@@ line 1 @@\n a\n-b\n+B\n c\n"},
		{"", "x\n", "@@ line 1 @@\n+x\n"},
		{"1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", "1\n2\n3\n4\n5\n6\n7\n8\n9\nten\n", "@@ line 7 @@\n 7\n 8\n 9\n-10\n+ten\n"},
	}
	for _, tc := range cases {
		if got := lineDiff(tc.old, tc.new, 3); got != tc.want {
			t.Errorf("lineDiff(%q, %q) =\n%s\nwant\n%s", tc.old, tc.new, got, tc.want)
		}
	}
}

// FuzzLineDiff checks that the diff's operations rebuild both texts, whatever the input.
func FuzzLineDiff(f *testing.F) {
	f.Add("a\nb\nc\n", "a\nc\nd\n")
	f.Add("", "")
	f.Add("x", "x\n\n")
	f.Fuzz(func(t *testing.T, old, new string) {
		if len(old) > 2000 || len(new) > 2000 {
			return
		}
		a, b := splitLines(old), splitLines(new)
		var gotA, gotB []string
		for _, op := range diffOps(a, b) {
			if op.kind != '+' {
				gotA = append(gotA, op.text)
			}
			if op.kind != '-' {
				gotB = append(gotB, op.text)
			}
		}
		if strings.Join(gotA, "\n") != strings.Join(a, "\n") || strings.Join(gotB, "\n") != strings.Join(b, "\n") {
			t.Fatalf("ops do not rebuild the inputs")
		}
		if (lineDiff(old, new, 3) == "") != (strings.Join(a, "\n") == strings.Join(b, "\n")) {
			t.Fatalf("an empty diff must mean equal texts")
		}
	})
}
