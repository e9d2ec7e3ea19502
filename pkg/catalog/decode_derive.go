package catalog

import (
	"time"

	"go.yaml.in/yaml/v3"
)

func (d *decoder) derivation(n *yaml.Node, ptr string) *Derivation {
	der := &Derivation{Scope: d.pos(deref(n), ptr)}
	f, ok := d.object(n, ptr, "derive", "using", "transforms", "shuffleKeyTypes", "shards")
	if !ok {
		return der
	}
	d.require(f, n, ptr, "derive", "using", "transforms")
	if p, ok := f["using"]; ok {
		der.Using = d.using(p.val, ptr+"/using")
	}
	if p, ok := f["transforms"]; ok {
		tn := deref(p.val)
		if tn.Kind != yaml.SequenceNode {
			d.errorf(tn, ptr+"/transforms", "catalog.type", "", "transforms must be a list, not %s", describeNode(tn))
		} else {
			for i, item := range tn.Content {
				der.Transforms = append(der.Transforms, d.transform(item, pointerIndex(ptr+"/transforms", i)))
			}
		}
	}
	if p, ok := f["shuffleKeyTypes"]; ok {
		kn := deref(p.val)
		if kn.Kind != yaml.SequenceNode {
			d.errorf(kn, ptr+"/shuffleKeyTypes", "catalog.type", "", "shuffleKeyTypes must be a list, not %s", describeNode(kn))
		} else {
			for i, item := range kn.Content {
				der.ShuffleKeyTypes = append(der.ShuffleKeyTypes,
					d.enum(item, pointerIndex(ptr+"/shuffleKeyTypes", i), "a shuffle key type", "boolean", "integer", "string"))
			}
		}
	}
	if p, ok := f["shards"]; ok {
		der.Shards = d.shards(p.val, ptr+"/shards")
	}
	return der
}

func (d *decoder) using(n *yaml.Node, ptr string) DeriveUsing {
	var u DeriveUsing
	f, ok := d.object(n, ptr, "using", "sqlite", "typescript", "python", "connector", "local")
	if !ok {
		return u
	}
	if len(f) != 1 {
		d.errorf(deref(n), ptr, "derive.using", "pick one of sqlite, typescript, python, connector or local",
			"using must name exactly one runtime, but has %d", len(f))
	}
	if p, ok := f["sqlite"]; ok {
		u.SQLite = &SQLite{}
		sp := ptr + "/sqlite"
		if sf, ok := d.object(p.val, sp, "sqlite", "migrations"); ok {
			if m, ok := sf["migrations"]; ok {
				mn := deref(m.val)
				if mn.Kind != yaml.SequenceNode {
					d.errorf(mn, sp+"/migrations", "catalog.type", "", "migrations must be a list, not %s", describeNode(mn))
				} else {
					for i, item := range mn.Content {
						u.SQLite.Migrations = append(u.SQLite.Migrations, d.fileOrInline(item, pointerIndex(sp+"/migrations", i), KindConfig))
					}
				}
			}
		}
	}
	for name, dst := range map[string]**Module{"typescript": &u.TypeScript, "python": &u.Python} {
		if p, ok := f[name]; ok {
			mp := pointerJoin(ptr, name)
			*dst = &Module{}
			if mf, ok := d.object(p.val, mp, name, "module", "dependencies"); ok {
				if d.require(mf, p.val, mp, name, "module") {
					(*dst).Module = d.fileOrInline(mf["module"].val, mp+"/module", KindConfig)
				}
			}
		}
	}
	if p, ok := f["connector"]; ok {
		u.Connector = d.connector(p.val, ptr+"/connector")
	}
	if p, ok := f["local"]; ok {
		u.Local = d.local(p.val, ptr+"/local")
	}
	return u
}

func (d *decoder) transform(n *yaml.Node, ptr string) *Transform {
	t := &Transform{Scope: d.pos(deref(n), ptr)}
	f, ok := d.object(n, ptr, "a transform", "name", "source", "shuffle", "priority", "readDelay", "lambda", "disable", "backfill")
	if !ok {
		return t
	}
	d.require(f, n, ptr, "a transform", "name", "source")
	if p, ok := f["name"]; ok {
		t.Name = d.str(p.val, ptr+"/name", "a transform name")
		t.Scope = d.pos(deref(p.val), ptr+"/name")
	}
	if p, ok := f["source"]; ok {
		t.Source = d.source(p.val, ptr+"/source", true)
	}
	if p, ok := f["shuffle"]; ok {
		t.Shuffle = d.shuffle(p.val, ptr+"/shuffle")
	}
	if p, ok := f["priority"]; ok {
		t.Priority = d.uint32(p.val, ptr+"/priority", "priority")
	}
	if p, ok := f["readDelay"]; ok {
		t.ReadDelay = d.duration(p.val, ptr+"/readDelay", "readDelay")
	}
	if p, ok := f["lambda"]; ok {
		t.Lambda = d.fileOrInline(p.val, ptr+"/lambda", KindConfig)
	}
	if p, ok := f["disable"]; ok {
		t.Disable = d.boolean(p.val, ptr+"/disable", "disable")
	}
	if p, ok := f["backfill"]; ok {
		t.Backfill = d.uint32(p.val, ptr+"/backfill", "backfill")
	}
	return t
}

func (d *decoder) shuffle(n *yaml.Node, ptr string) *Shuffle {
	s := &Shuffle{}
	n = deref(n)
	if n.Kind == yaml.ScalarNode {
		if d.enum(n, ptr, "shuffle", "any") == "any" {
			s.Any = true
		}
		return s
	}
	f, ok := d.object(n, ptr, "shuffle", "key", "lambda")
	if !ok {
		return s
	}
	if len(f) != 1 {
		d.errorf(n, ptr, "derive.shuffle", "write `shuffle: any`, `shuffle: {key: [/ptr]}` or `shuffle: {lambda: ...}`",
			"shuffle must have exactly one of key or lambda")
	}
	if p, ok := f["key"]; ok {
		s.Key = d.strings(p.val, ptr+"/key", "a shuffle key")
	}
	if p, ok := f["lambda"]; ok {
		s.Lambda = d.fileOrInline(p.val, ptr+"/lambda", KindConfig)
	}
	return s
}

// source reads a collection reference: a name, or {name, partitions, notBefore, notAfter}.
// Test steps pass timeBounds=false and get an error for the time bounds, as in Flow.
func (d *decoder) source(n *yaml.Node, ptr string, timeBounds bool) Source {
	n = deref(n)
	src := Source{Scope: d.pos(n, ptr)}
	if n.Kind == yaml.ScalarNode {
		src.Name = d.str(n, ptr, "a collection name")
		return src
	}
	f, ok := d.object(n, ptr, "a source collection", "name", "partitions", "notBefore", "notAfter")
	if !ok {
		return src
	}
	d.require(f, n, ptr, "a source collection", "name")
	if p, ok := f["name"]; ok {
		src.Name = d.str(p.val, ptr+"/name", "a collection name")
		src.Scope = d.pos(deref(p.val), ptr+"/name")
	}
	if p, ok := f["partitions"]; ok {
		src.Partitions = d.selector(p.val, ptr+"/partitions")
	}
	for _, name := range []string{"notBefore", "notAfter"} {
		p, ok := f[name]
		if !ok {
			continue
		}
		bp := pointerJoin(ptr, name)
		if !timeBounds {
			d.errorf(deref(p.val), bp, "test.time-bounds", "remove it: tests read every document they ingest",
				"test steps do not support `notBefore` or `notAfter`")
			continue
		}
		s := d.str(p.val, bp, name)
		if _, err := time.Parse(time.RFC3339Nano, s); s != "" && err != nil {
			d.errorf(deref(p.val), bp, "catalog.timestamp", "write an RFC 3339 time like 2024-01-31T12:00:00Z",
				"%s %q is not an RFC 3339 timestamp", name, s)
			continue
		}
		if name == "notBefore" {
			src.NotBefore = s
		} else {
			src.NotAfter = s
		}
	}
	return src
}

func (d *decoder) selector(n *yaml.Node, ptr string) *Selector {
	sel := &Selector{Scope: d.pos(deref(n), ptr)}
	f, ok := d.object(n, ptr, "a partition selector", "include", "exclude")
	if !ok {
		return sel
	}
	for name, dst := range map[string]*map[string][]any{"include": &sel.Include, "exclude": &sel.Exclude} {
		p, ok := f[name]
		if !ok {
			continue
		}
		sp := pointerJoin(ptr, name)
		*dst = map[string][]any{}
		for _, e := range d.entries(p.val, sp, name) {
			vn := deref(e.val)
			if vn.Kind != yaml.SequenceNode {
				d.errorf(vn, pointerJoin(sp, e.name), "catalog.type", "write the values as a list: "+e.name+": [a, b]",
					"selector values of field %s must be a list, not %s", e.name, describeNode(vn))
				continue
			}
			vals, _ := d.value(vn, pointerJoin(sp, e.name)).([]any)
			(*dst)[e.name] = vals
		}
	}
	return sel
}
