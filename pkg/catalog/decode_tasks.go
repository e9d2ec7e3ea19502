package catalog

import (
	"net/url"
	"strings"

	"go.yaml.in/yaml/v3"
)

func (d *decoder) endpoint(n *yaml.Node, ptr string, kinds ...string) Endpoint {
	ep := Endpoint{Scope: d.pos(deref(n), ptr)}
	f, ok := d.object(n, ptr, "endpoint", kinds...)
	if !ok {
		return ep
	}
	if len(f) != 1 {
		d.errorf(deref(n), ptr, "catalog.endpoint", "write {connector: {image, config}} or {local: {command, config}}",
			"endpoint must have exactly one of %s", strings.Join(kinds, ", "))
	}
	if p, ok := f["connector"]; ok {
		ep.Connector = d.connector(p.val, ptr+"/connector")
	}
	if p, ok := f["local"]; ok {
		ep.Local = d.local(p.val, ptr+"/local")
	}
	return ep
}

func (d *decoder) connector(n *yaml.Node, ptr string) *Connector {
	c := &Connector{}
	f, ok := d.object(n, ptr, "connector", "image", "config")
	if !ok {
		return c
	}
	d.require(f, n, ptr, "connector", "image", "config")
	if p, ok := f["image"]; ok {
		c.Image = d.str(p.val, ptr+"/image", "a connector image")
	}
	if p, ok := f["config"]; ok {
		c.Config = d.fileOrInline(p.val, ptr+"/config", KindConfig)
	}
	return c
}

func (d *decoder) local(n *yaml.Node, ptr string) *Local {
	l := &Local{}
	f, ok := d.object(n, ptr, "local", "command", "config", "env", "protobuf")
	if !ok {
		return l
	}
	d.require(f, n, ptr, "local", "command", "config")
	if p, ok := f["command"]; ok {
		l.Command = d.strings(p.val, ptr+"/command", "a command")
	}
	if p, ok := f["config"]; ok {
		l.Config = d.fileOrInline(p.val, ptr+"/config", KindConfig)
	}
	if p, ok := f["env"]; ok {
		l.Env = map[string]string{}
		for _, e := range d.entries(p.val, ptr+"/env", "env") {
			l.Env[e.name] = d.str(e.val, pointerJoin(ptr+"/env", e.name), "an environment value")
		}
	}
	if p, ok := f["protobuf"]; ok {
		l.Protobuf = d.boolean(p.val, ptr+"/protobuf", "protobuf")
	}
	return l
}

func (d *decoder) capture(e pair) *Capture {
	ptr := pointerJoin("/captures", e.name)
	c := &Capture{Name: e.name, Scope: d.pos(e.key, ptr)}
	what := "capture " + e.name
	f, ok := d.object(e.val, ptr, what, "endpoint", "bindings", "interval", "autoDiscover", "shards",
		"expectPubId", "delete", "reset")
	if !ok {
		return c
	}
	d.require(f, e.val, ptr, what, "endpoint", "bindings")
	if p, ok := f["endpoint"]; ok {
		c.Endpoint = d.endpoint(p.val, ptr+"/endpoint", "connector", "local")
	}
	if p, ok := f["bindings"]; ok {
		for i, item := range d.list(p.val, ptr+"/bindings", "bindings") {
			c.Bindings = append(c.Bindings, d.captureBinding(item, pointerIndex(ptr+"/bindings", i)))
		}
	}
	if p, ok := f["interval"]; ok {
		c.Interval = d.duration(p.val, ptr+"/interval", "interval")
	}
	if p, ok := f["autoDiscover"]; ok {
		c.AutoDiscover = &AutoDiscover{}
		ap := ptr + "/autoDiscover"
		if af, ok := d.object(p.val, ap, "autoDiscover", "addNewBindings", "evolveIncompatibleCollections"); ok {
			if v, ok := af["addNewBindings"]; ok {
				c.AutoDiscover.AddNewBindings = d.boolean(v.val, ap+"/addNewBindings", "addNewBindings")
			}
			if v, ok := af["evolveIncompatibleCollections"]; ok {
				c.AutoDiscover.EvolveIncompatibleCollections = d.boolean(v.val, ap+"/evolveIncompatibleCollections", "evolveIncompatibleCollections")
			}
		}
	}
	d.taskCommon(f, ptr, &c.Shards, &c.ExpectPubID, &c.Delete, &c.Reset)
	return c
}

func (d *decoder) taskCommon(f map[string]pair, ptr string, shards **ShardTemplate, pubID *string, del, reset *bool) {
	if p, ok := f["shards"]; ok {
		*shards = d.shards(p.val, ptr+"/shards")
	}
	if p, ok := f["expectPubId"]; ok {
		*pubID = d.str(p.val, ptr+"/expectPubId", "expectPubId")
	}
	if p, ok := f["delete"]; ok {
		*del = d.boolean(p.val, ptr+"/delete", "delete")
	}
	if p, ok := f["reset"]; ok {
		*reset = d.boolean(p.val, ptr+"/reset", "reset")
	}
}

func (d *decoder) list(n *yaml.Node, ptr, what string) []*yaml.Node {
	n = deref(n)
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, ptr, "catalog.type", "", "%s must be a list, not %s", what, describeNode(n))
		return nil
	}
	return n.Content
}

func (d *decoder) captureBinding(n *yaml.Node, ptr string) *CaptureBinding {
	b := &CaptureBinding{Scope: d.pos(deref(n), ptr)}
	f, ok := d.object(n, ptr, "a capture binding", "resource", "target", "disable", "backfill")
	if !ok {
		return b
	}
	d.require(f, n, ptr, "a capture binding", "resource", "target")
	if p, ok := f["resource"]; ok {
		b.Resource = d.fileOrInline(p.val, ptr+"/resource", KindConfig)
	}
	if p, ok := f["target"]; ok {
		b.Target = d.str(p.val, ptr+"/target", "a target collection")
		b.Scope = d.pos(deref(p.val), ptr+"/target")
	}
	if p, ok := f["disable"]; ok {
		b.Disable = d.boolean(p.val, ptr+"/disable", "disable")
	}
	if p, ok := f["backfill"]; ok {
		b.Backfill = d.uint32(p.val, ptr+"/backfill", "backfill")
	}
	return b
}

var incompatibleActions = []string{"backfill", "abort", "disableBinding", "disableTask"}

func (d *decoder) materialization(e pair) *Materialization {
	ptr := pointerJoin("/materializations", e.name)
	m := &Materialization{Name: e.name, Scope: d.pos(e.key, ptr)}
	what := "materialization " + e.name
	f, ok := d.object(e.val, ptr, what, "endpoint", "bindings", "sourceCapture", "source",
		"onIncompatibleSchemaChange", "shards", "expectPubId", "delete", "reset")
	if !ok {
		return m
	}
	d.require(f, e.val, ptr, what, "endpoint", "bindings")
	if p, ok := f["endpoint"]; ok {
		m.Endpoint = d.endpoint(p.val, ptr+"/endpoint", "connector", "local", "dekaf")
	}
	if p, ok := f["bindings"]; ok {
		for i, item := range d.list(p.val, ptr+"/bindings", "bindings") {
			m.Bindings = append(m.Bindings, d.materializationBinding(item, pointerIndex(ptr+"/bindings", i)))
		}
	}
	for _, name := range []string{"sourceCapture", "source"} {
		if p, ok := f[name]; ok {
			if n := deref(p.val); n.Kind == yaml.MappingNode {
				// The newer object form: {capture: name, ...options}.
				if sf, ok := d.object(n, pointerJoin(ptr, name), name, "capture", "targetNaming", "deltaUpdates"); ok {
					if c, ok := sf["capture"]; ok {
						m.SourceCapture = d.str(c.val, pointerJoin(ptr, name)+"/capture", "a capture name")
					}
				}
				continue
			}
			m.SourceCapture = d.str(p.val, pointerJoin(ptr, name), "a capture name")
		}
	}
	if p, ok := f["onIncompatibleSchemaChange"]; ok {
		m.OnIncompatibleSchemaChange = d.enum(p.val, ptr+"/onIncompatibleSchemaChange", "onIncompatibleSchemaChange", incompatibleActions...)
	}
	d.taskCommon(f, ptr, &m.Shards, &m.ExpectPubID, &m.Delete, &m.Reset)
	return m
}

func (d *decoder) materializationBinding(n *yaml.Node, ptr string) *MaterializationBinding {
	b := &MaterializationBinding{Scope: d.pos(deref(n), ptr)}
	f, ok := d.object(n, ptr, "a materialization binding", "resource", "source", "disable", "priority",
		"fields", "backfill", "onIncompatibleSchemaChange")
	if !ok {
		return b
	}
	d.require(f, n, ptr, "a materialization binding", "resource", "source")
	if p, ok := f["resource"]; ok {
		b.Resource = d.fileOrInline(p.val, ptr+"/resource", KindConfig)
	}
	if p, ok := f["source"]; ok {
		b.Source = d.source(p.val, ptr+"/source", true)
	}
	if p, ok := f["disable"]; ok {
		b.Disable = d.boolean(p.val, ptr+"/disable", "disable")
	}
	if p, ok := f["priority"]; ok {
		b.Priority = d.uint32(p.val, ptr+"/priority", "priority")
	}
	if p, ok := f["fields"]; ok {
		b.Fields = d.fields(p.val, ptr+"/fields")
	}
	if p, ok := f["backfill"]; ok {
		b.Backfill = d.uint32(p.val, ptr+"/backfill", "backfill")
	}
	if p, ok := f["onIncompatibleSchemaChange"]; ok {
		b.OnIncompatibleSchemaChange = d.enum(p.val, ptr+"/onIncompatibleSchemaChange", "onIncompatibleSchemaChange", incompatibleActions...)
	}
	return b
}

func (d *decoder) fields(n *yaml.Node, ptr string) *FieldSelection {
	fs := &FieldSelection{Recommended: -1}
	f, ok := d.object(n, ptr, "fields", "recommended", "require", "include", "exclude", "groupBy")
	if !ok {
		return fs
	}
	if p, ok := f["recommended"]; ok {
		rn := deref(p.val)
		switch rn.ShortTag() {
		case "!!bool":
			if !d.boolean(rn, ptr+"/recommended", "recommended") {
				fs.Recommended = 0
			}
		default:
			fs.Recommended = int(d.uint32(rn, ptr+"/recommended", "recommended"))
		}
	}
	// `include` is the older name of `require`.
	for _, name := range []string{"require", "include"} {
		if p, ok := f[name]; ok {
			if fs.Require == nil {
				fs.Require = map[string]any{}
			}
			for _, e := range d.entries(p.val, pointerJoin(ptr, name), name) {
				fs.Require[e.name] = d.value(e.val, pointerJoin(ptr, name, e.name))
			}
		}
	}
	if p, ok := f["exclude"]; ok {
		fs.Exclude = d.strings(p.val, ptr+"/exclude", "excluded fields")
	}
	if p, ok := f["groupBy"]; ok {
		fs.GroupBy = d.strings(p.val, ptr+"/groupBy", "groupBy fields")
	}
	return fs
}

var storeProviders = map[string]string{"S3": "s3", "GCS": "gs", "AZURE": "azure", "CUSTOM": "s3"}

// storageMapping reads {stores: [...]} where each store is {provider, bucket, prefix} as Flow writes
// them, or for local use a file:// URL or a directory path relative to this file.
func (d *decoder) storageMapping(e pair) *StorageMapping {
	ptr := pointerJoin("/storageMappings", e.name)
	sm := &StorageMapping{Prefix: e.name, Scope: d.pos(e.key, ptr)}
	f, ok := d.object(e.val, ptr, "storage mapping "+e.name, "stores")
	if !ok {
		return sm
	}
	if !d.require(f, e.val, ptr, "storage mapping "+e.name, "stores") {
		return sm
	}
	for i, item := range d.list(f["stores"].val, ptr+"/stores", "stores") {
		sp := pointerIndex(ptr+"/stores", i)
		item = deref(item)
		st := Store{Scope: d.pos(item, sp)}
		if item.Kind == yaml.ScalarNode {
			st.URL = d.localStore(item, sp)
		} else if sf, ok := d.object(item, sp, "a store", "provider", "bucket", "prefix", "region", "endpoint", "storage_account_name", "account_tenant_id", "container_name"); ok {
			if d.require(sf, item, sp, "a store", "provider", "bucket") {
				provider := d.enum(sf["provider"].val, sp+"/provider", "provider", "S3", "GCS", "AZURE", "CUSTOM")
				bucket := d.str(sf["bucket"].val, sp+"/bucket", "bucket")
				prefix := ""
				if p, ok := sf["prefix"]; ok {
					prefix = d.str(p.val, sp+"/prefix", "prefix")
				}
				if scheme, ok := storeProviders[provider]; ok {
					st.URL = scheme + "://" + bucket + "/" + prefix
				}
			}
		}
		if st.URL != "" {
			sm.Stores = append(sm.Stores, st)
		}
	}
	return sm
}

func (d *decoder) localStore(n *yaml.Node, ptr string) string {
	s := d.str(n, ptr, "a store")
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err == nil && u.Scheme != "" && u.Scheme != "file" {
		d.errorf(n, ptr, "storage.store", "use {provider, bucket, prefix} for cloud stores, or a local directory",
			"store %q is not a local directory or file:// URL", s)
		return ""
	}
	if !strings.HasSuffix(s, "/") {
		s += "/"
	}
	base, _ := url.Parse(d.res.URL)
	if u, err = url.Parse(s); err != nil || base == nil {
		d.errorf(n, ptr, "storage.store", "", "store %q is not a valid path: %v", s, err)
		return ""
	}
	return base.ResolveReference(u).String()
}
