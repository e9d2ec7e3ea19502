package catalog

import "testing"

func TestParamNameRoundTrip(t *testing.T) {
	// Flow's own fixtures (crates/derive-sqlite param.rs): each field maps to its parameter and back.
	fixtures := []struct{ field, param string }{
		{"Simple", "$Simple"},
		{"under_Score", "$under_Score"},
		{"with space", "$with_space"},
		{"with-hyphen", "$with_hyphen"},
		{"äëïöü/4-2", "$äëïöü$4_2"},
		{"With/Nesting", "$With$Nesting"},
		{"with$Dollar", "$p::(with$Dollar)"},
		{"With/Nesting/and+special-hyphen", "$p::(With/Nesting/and+special-hyphen)"},
		{"hello, world!", "$p::(hello,_world!)"},
	}
	var fields []string
	for _, f := range fixtures {
		fields = append(fields, f.field)
	}
	for _, f := range fixtures {
		if got := ParamName(f.field); got != f.param {
			t.Errorf("ParamName(%q) = %q, want %q", f.field, got, f.param)
		}
		got, err := ParamField(f.param, fields)
		if err != nil || got != f.field {
			t.Errorf("ParamField(%q) = %q, %v; want %q", f.param, got, err, f.field)
		}
	}
	for param, want := range map[string]string{
		"$simplee":                         "parameter $simplee not found: did you mean $Simple ?",
		"$with$nesting":                    "parameter $with$nesting not found: did you mean $With$Nesting ?",
		"$With$Nesting$and_special_hyphen": "parameter $With$Nesting$and_special_hyphen not found: did you mean $p::(With/Nesting/and+special-hyphen) ?",
		"$way_off":                         "parameter $way_off not found: did you mean $Simple ?",
	} {
		_, err := ParamField(param, fields)
		if err == nil || err.Error() != want {
			t.Errorf("ParamField(%q) error = %v, want %q", param, err, want)
		}
	}
	if _, err := ParamField("$x", nil); err == nil {
		t.Error("ParamField with no fields succeeded")
	}
}
