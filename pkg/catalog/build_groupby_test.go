package catalog

import (
	"reflect"
	"testing"
)

func TestBuildGroupBy(t *testing.T) {
	const head = `
collections:
  a/b:
    schema:
      type: object
      properties:
        id: {type: string}
        region: {type: [string, "null"]}
        count: {type: integer}
        price: {type: [integer, string]}
        tags: {type: array}
    key: [/id]
    projections: {the_region: /region}
materializations:
  a/m:
    endpoint: {connector: {image: "ghcr.io/estuary/materialize-sqlite:dev", config: {}}}
    bindings:
      - source: a/b
        resource: {table: t}
        fields:
`
	for _, tc := range []struct {
		name, groupBy string
		want          []string
	}{
		{"keyable projections, inferred and explicit", `groupBy: [region, count, the_region, id]`, nil},
		{"unknown field", `groupBy: [regoin]`, []string{"21:21 binding.groupby-field"}},
		{"unknown required and excluded fields", "require: {count: {}, cuont: {}}\n          exclude: [region, tgas]",
			[]string{"21:39 binding.require-field", "22:29 binding.exclude-field"}},
		{"not keyable: two scalar types, an array, the document", `groupBy: [id, price, tags, flow_document]`,
			[]string{"21:25 binding.groupby-type", "21:32 binding.groupby-type", "21:38 binding.groupby-type"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, got := check(t, map[string]string{"flow.yaml": head + "          " + tc.groupBy + "\n"})
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("diagnostics = %q, want %q", got, tc.want)
			}
		})
	}
}
