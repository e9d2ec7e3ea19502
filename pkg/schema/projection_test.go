package schema

import (
	"strings"
	"testing"
)

const keySchema = `{"type":"object","reduce":{"strategy":"merge"},"properties":{
	"int":{"type":"integer"},"str":{"type":["string","null"]},"num":{"type":"number"},"frac":{"type":"number","multipleOf":0.5},
	"bool":{"type":"boolean"},"multi":{"type":["string","integer"]},"obj":{"type":"object","properties":{"a":{"type":"string"}}},
	"summed":{"type":"integer","reduce":{"strategy":"sum"}},"lww":{"type":"string","reduce":{"strategy":"lastWriteWins"}},
	"never":false,"cond":{"type":"string","oneOf":[{"reduce":{"strategy":"firstWriteWins"}},{"reduce":{"strategy":"lastWriteWins"}}]}},
	"additionalProperties":{"type":"string"},"required":["int"]}`

func TestCheckKey(t *testing.T) {
	sh := compile(t, keySchema).Shape()
	closed := compile(t, `{"type":"object","properties":{"a":{"type":"string"}}}`).Shape()
	cases := []struct {
		shape *Shape
		ptr   string
		code  string // "" for no problem
		msg   string
	}{
		{sh, "/int", "", ""},
		{sh, "/str", "", ""},
		{sh, "/num", "", ""},
		{sh, "/bool", "", ""},
		{sh, "/lww", "", ""},
		{sh, "/obj/a", "", ""},
		{sh, "int", CodePtrMissingSlash, "int is not a valid JSON pointer (missing leading '/' slash)"},
		{sh, "/int//x", CodePtrInvalid, `/int//x is not a valid JSON pointer ("//x" is invalid)`},
		{sh, "/", CodePtrInvalid, `/ is not a valid JSON pointer ("/" is invalid)`},
		{sh, "/bad~2", CodePtrInvalid, "is not a valid JSON pointer"},
		{closed, "/nope", CodePtrUnknown, "location /nope is unknown in the schema"},
		{sh, "/extra", CodeKeyWrongType, ""}, // additionalProperties make it known (string): a valid key
		{sh, "/never", CodePtrCannotExist, "location /never is prohibited from ever existing by the schema"},
		{sh, "/int/x", CodePtrCannotExist, ""},
		{sh, "/multi", CodeKeyWrongType, `location /multi accepts "integer, string" in the schema, but locations used as keys may only be null-able integers, strings, or booleans`},
		{sh, "/obj", CodeKeyWrongType, ""},
		{sh, "", CodeKeyWrongType, ""},
		{sh, "/summed", CodeKeyHasReduction, "location /summed has a reduction strategy, which is disallowed because the location is used as a key"},
		{sh, "/cond", CodeKeyHasReduction, ""},
	}
	for _, c := range cases {
		p := CheckKey(c.shape, c.ptr)
		if c.ptr == "/extra" {
			if p != nil {
				t.Errorf("%q: %v", c.ptr, p)
			}
			continue
		}
		switch {
		case c.code == "" && p != nil:
			t.Errorf("CheckKey(%q) = %v, want none", c.ptr, p)
		case c.code != "" && (p == nil || p.Code != c.code || !strings.Contains(p.Message, c.msg) || p.Ptr != c.ptr):
			t.Errorf("CheckKey(%q) = %+v, want code %s with %q", c.ptr, p, c.code, c.msg)
		}
	}
}

func TestProjections(t *testing.T) {
	sh := compile(t, `{"type":"object","properties":{
		"id":{"type":"string","title":"The ID","maxLength":12},
		"user":{"type":"object","properties":{"id":{"type":"integer","default":7,"description":"who"}},"required":["id"]},
		"a/b":{"type":"boolean"},
		"arr":{"type":"array","prefixItems":[{"type":"string","format":"date"}]},
		"flow_document":{"type":"string"},
		"free":{"type":"object","additionalProperties":{"type":"integer"}}},
		"required":["id"]}`).Shape()
	got, problems := Projections(sh, []string{"/id"}, []ExplicitProjection{
		{Field: "user_id", Ptr: "/user/id"},
		{Field: "uid", Ptr: "/user/id", Partition: true},
	})
	if len(problems) != 0 {
		t.Fatalf("problems: %v", problems)
	}
	type row struct {
		field, ptr               string
		explicit, key, partition bool
		types                    Types
		exists                   Exists
	}
	want := []row{
		{"arr", "/arr", false, false, false, Array, MayExist},
		{"arr/0", "/arr/0", false, false, false, String, MayExist},
		{"a~1b", "/a~1b", false, false, false, Boolean, MayExist}, // '~' sorts after letters
		{"flow_document", "", false, false, false, Object, MustExist},
		{"flow_published_at", "/_meta/uuid", false, false, false, String, MustExist},
		{"free", "/free", false, false, false, Object, MayExist},
		{"id", "/id", false, true, false, String, MustExist},
		{"uid", "/user/id", true, false, true, Integer, MayExist},
		{"user", "/user", false, false, false, Object, MayExist},
		{"user/id", "/user/id", false, false, false, Integer, MayExist},
		{"user_id", "/user/id", true, false, false, Integer, MayExist},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d projections, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		r := row{g.Field, g.Ptr, g.Explicit, g.IsPrimaryKey, g.IsPartitionKey, g.Inference.Types, g.Inference.Exists}
		if r != w {
			t.Errorf("projection %d = %+v, want %+v", i, r, w)
		}
	}
	id := got[6].Inference
	if id.Title != "The ID" || id.MaxLength != 12 {
		t.Errorf("id inference %+v", id)
	}
	if u := got[9].Inference; u.Default == nil || u.Description != "who" || !u.HasDefault {
		t.Errorf("user/id inference %+v", u)
	}
	if at := got[4].Inference; at.Format != "date-time" {
		t.Errorf("flow_published_at inference %+v", at)
	}
	if d := got[1].Inference; d.Format != "date" {
		t.Errorf("arr/0 inference %+v", d)
	}
}

func TestProjectionsExplicitOverrides(t *testing.T) {
	sh := compile(t, `{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"}},"required":["a"]}`).Shape()
	got, problems := Projections(sh, []string{"/a"}, []ExplicitProjection{
		{Field: "doc", Ptr: ""},
		{Field: "published", Ptr: PublishedAtPtr},
		{Field: "a", Ptr: "/a", Partition: true},
	})
	if len(problems) != 0 {
		t.Fatalf("problems: %v", problems)
	}
	fields := map[string]Projection{}
	for _, p := range got {
		fields[p.Field] = p
	}
	if _, ok := fields[DocumentField]; ok {
		t.Errorf("flow_document added although an explicit projection names the root")
	}
	if _, ok := fields[PublishedAtField]; ok {
		t.Errorf("flow_published_at added although an explicit projection names the publication time")
	}
	if p := fields["published"]; p.Ptr != UUIDPtr || !p.Explicit || p.Inference.Format != "date-time" {
		t.Errorf("published = %+v", p)
	}
	if p := fields["a"]; !p.Explicit || !p.IsPrimaryKey || !p.IsPartitionKey {
		t.Errorf("explicit key projection = %+v", p)
	}
}

func TestProjectionProblems(t *testing.T) {
	sh := compile(t, `{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"object"},"c":{"type":"integer"}}}`).Shape()
	_, problems := Projections(sh, []string{"/b", "x"}, []ExplicitProjection{
		{Field: "a", Ptr: "/c"},
		{Field: "nowhere", Ptr: "/zz"},
		{Field: "part", Ptr: "/b", Partition: true},
	})
	want := []string{
		CodePtrUnknown + ": location /zz is unknown",
		CodeKeyWrongType + ": location /b accepts",
		CodeKeyWrongType + ": location /b accepts",
		CodePtrMissingSlash + ": x is not a valid JSON pointer",
		CodeProjectionRemap + `: projection a is the canonical field name of location "/a", and cannot re-map it to "/c"`,
	}
	if len(problems) != len(want) {
		t.Fatalf("problems = %v, want %d", problems, len(want))
	}
	for i, w := range want {
		if got := problems[i].Code + ": " + problems[i].Message; !strings.HasPrefix(got, w) {
			t.Errorf("problem %d = %q, want prefix %q", i, got, w)
		}
	}
}
