package runtime

import "testing"

func TestApplyStateUpdate(t *testing.T) {
	cases := []struct {
		prior, update string
		merge         bool
		want          string
	}{
		{``, `{"a":1}`, true, `{"a":1}`},
		{`{"a":1,"b":{"c":2,"d":3}}`, `{"b":{"c":null,"e":4}}`, true, `{"a":1,"b":{"d":3,"e":4}}`},
		{`{"a":1}`, `{"b":2}`, false, `{"b":2}`},
		{`{"a":[1,2]}`, `{"a":[3]}`, true, `{"a":[3]}`},
		{`{"cursor":18446744073709551615}`, `{"n":1.5}`, true, `{"cursor":18446744073709551615,"n":1.5}`},
		{`{"a":1}`, `"scalar"`, true, `"scalar"`},
	}
	for _, tc := range cases {
		got, err := applyStateUpdate([]byte(tc.prior), []byte(tc.update), tc.merge)
		if err != nil || string(got) != tc.want {
			t.Errorf("%s + %s (merge %v) = %s, %v; want %s", tc.prior, tc.update, tc.merge, got, err, tc.want)
		}
	}
	if _, err := applyStateUpdate([]byte(`{"a":1}`), []byte(`{torn`), true); err == nil {
		t.Error("a malformed update was accepted")
	}
}
