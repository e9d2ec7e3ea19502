package doc

import (
	"testing"

	"github.com/flowctl/flowctl/pkg/schema"
)

func TestKeyExtractorsTakeSchemaDefaults(t *testing.T) {
	ix := schema.NewIndex()
	if err := ix.Add("test://key.json", mustDecode(t, `{"type":"object","properties":{
		"id":{"type":"string"},"region":{"type":"string","default":"eu"}},"required":["id"]}`)); err != nil {
		t.Fatal(err)
	}
	s, err := ix.Compile("test://key.json")
	if err != nil {
		t.Fatal(err)
	}
	key, err := KeyExtractors(s.Shape(), []string{"/region", "/id"})
	if err != nil {
		t.Fatal(err)
	}
	got := ExtractKey(mustDecode(t, `{"id":"a"}`), key)
	if len(got) != 2 || got[0] != "eu" || got[1] != "a" {
		t.Fatalf("key of a document without /region = %v, want [eu a]", got)
	}
	if _, err := KeyExtractors(s.Shape(), []string{"no-slash"}); err == nil {
		t.Fatal("a key that is not a JSON pointer was accepted")
	}
}
