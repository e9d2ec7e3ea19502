package catalog

import "go.yaml.in/yaml/v3"

// test reads a test in its object form {description, steps} or the legacy bare list of steps.
func (d *decoder) test(e pair) *Test {
	ptr := pointerJoin("/tests", e.name)
	t := &Test{Name: e.name, Scope: d.pos(e.key, ptr)}
	n := deref(e.val)
	stepsPtr := ptr
	if n.Kind == yaml.MappingNode {
		f, ok := d.object(n, ptr, "test "+e.name, "description", "steps", "expectPubId", "delete")
		if !ok {
			return t
		}
		if !d.require(f, n, ptr, "test "+e.name, "steps") {
			return t
		}
		if p, ok := f["description"]; ok {
			t.Description = d.str(p.val, ptr+"/description", "description")
		}
		n = deref(f["steps"].val)
		stepsPtr = ptr + "/steps"
	}
	for i, item := range d.list(n, stepsPtr, "test steps") {
		t.Steps = append(t.Steps, d.testStep(item, pointerIndex(stepsPtr, i)))
	}
	return t
}

func (d *decoder) testStep(n *yaml.Node, ptr string) *TestStep {
	step := &TestStep{Scope: d.pos(deref(n), ptr)}
	f, ok := d.object(n, ptr, "a test step", "ingest", "verify")
	if !ok {
		return step
	}
	if len(f) != 1 {
		d.errorf(deref(n), ptr, "test.step", "write each step as {ingest: ...} or {verify: ...}",
			"a test step must be exactly one of ingest or verify")
		return step
	}
	kind := "verify"
	if _, ok := f["ingest"]; ok {
		kind = "ingest"
	}
	step.Ingest = kind == "ingest"
	body := f[kind].val
	ptr = pointerJoin(ptr, kind)
	step.Scope = d.pos(deref(body), ptr)
	known := []string{"description", "collection", "documents"}
	if !step.Ingest {
		known = append(known, "partitions") // the legacy sibling of collection
	}
	sf, ok := d.object(body, ptr, kind, known...)
	if !ok {
		return step
	}
	d.require(sf, body, ptr, kind, "collection", "documents")
	if p, ok := sf["description"]; ok {
		step.Description = d.str(p.val, ptr+"/description", "description")
	}
	if p, ok := sf["collection"]; ok {
		if step.Ingest {
			step.Collection = Source{Name: d.str(p.val, ptr+"/collection", "a collection name"), Scope: d.pos(deref(p.val), ptr+"/collection")}
		} else {
			step.Collection = d.source(p.val, ptr+"/collection", false)
		}
	}
	if p, ok := sf["partitions"]; ok && step.Collection.Partitions == nil {
		step.Collection.Partitions = d.selector(p.val, ptr+"/partitions")
	}
	if p, ok := sf["documents"]; ok {
		step.Documents = d.fileOrInline(p.val, ptr+"/documents", KindFixture)
	}
	return step
}
