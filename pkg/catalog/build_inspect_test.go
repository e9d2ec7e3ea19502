package catalog

import (
	"reflect"
	"testing"
)

// Each class of Flow's schema inspection is reported at the sub-schema of the offending location,
// in the file that holds it, for write and read schemas alike.
func TestBuildInspectsSchemas(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"reduce without parent strategy, inline", map[string]string{"flow.yaml": `
collections:
  a/b:
    schema:
      type: object
      properties:
        id: {type: string}
        n: {type: integer, reduce: {strategy: sum}}
    key: [/id]
`}, []string{"8:12 schema.reduce-parent"}},
		{"sum on a string, in a schema file", map[string]string{
			"flow.yaml": "collections:\n  a/b: {schema: s.yaml, key: [/id]}\n",
			"s.yaml": `type: object
reduce: {strategy: merge}
properties:
  id: {type: string}
  total:
    type: string
    reduce: {strategy: sum}
`}, []string{"s.yaml:6:5 schema.reduce-wrong-type"}},
		{"merge on a boolean under a pointer fragment", map[string]string{
			"flow.yaml": "collections:\n  a/b: {schema: 's.yaml#/$defs/doc', key: [/id]}\n",
			"s.yaml": `$defs:
  doc:
    type: object
    reduce: {strategy: merge}
    properties:
      id: {type: string}
      flags: {type: boolean, reduce: {strategy: merge}}
`}, []string{"s.yaml:7:14 schema.reduce-wrong-type"}},
		{"set with other children and on a non-object", map[string]string{"flow.yaml": `
collections:
  a/b:
    schema:
      type: object
      reduce: {strategy: merge}
      properties:
        id: {type: string}
        members:
          type: object
          reduce: {strategy: set}
          properties:
            add: {type: object}
            extra: {type: object}
        list: {type: array, reduce: {strategy: set}}
    key: [/id]
`}, []string{"14:20 schema.reduce-set-children", "15:15 schema.reduce-wrong-type"}},
		{"invalid default and impossible required location", map[string]string{"flow.yaml": `
collections:
  a/b:
    schema:
      type: object
      required: [id, never]
      properties:
        id: {type: string}
        n: {type: integer, default: many}
        never: false
    key: [/id]
`}, []string{"9:12 schema.invalid-default", "10:16 schema.required-impossible"}},
		{"items and additionalProperties locations", map[string]string{"flow.yaml": `
collections:
  a/b:
    schema:
      type: object
      properties:
        id: {type: string}
        list: {type: array, items: {type: integer, reduce: {strategy: sum}}}
      additionalProperties: {type: integer, reduce: {strategy: sum}}
    key: [/id]
`}, []string{"8:36 schema.reduce-parent", "9:29 schema.reduce-parent"}},
		{"write and read schemas are both inspected", map[string]string{"flow.yaml": `
collections:
  a/b:
    writeSchema:
      type: object
      properties: {id: {type: string}, n: {type: integer, reduce: {strategy: sum}}}
    readSchema:
      type: object
      properties: {id: {type: string}, m: {type: boolean, reduce: {strategy: sum}}}
    key: [/id]
`}, []string{"6:43 schema.reduce-parent", "9:43 schema.reduce-parent", "9:43 schema.reduce-wrong-type"}},
		{"well-formed reductions pass", map[string]string{"flow.yaml": `
collections:
  a/b:
    schema:
      type: object
      reduce: {strategy: merge}
      properties:
        id: {type: string}
        n: {type: integer, reduce: {strategy: sum}}
        tags: {type: object, reduce: {strategy: set}, properties: {add: {type: object}, remove: {type: object}}}
    key: [/id]
`}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, got := check(t, tc.files)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("diagnostics = %q, want %q", got, tc.want)
			}
		})
	}
}
