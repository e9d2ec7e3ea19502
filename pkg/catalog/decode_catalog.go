package catalog

import (
	"net/url"

	"go.yaml.in/yaml/v3"
)

// decodeCatalog reads one catalog file into cat. Imports are returned for the loader to follow.
func (d *decoder) decodeCatalog(cat *Catalog, root *yaml.Node) []*Import {
	fields, ok := d.object(root, "", "a catalog",
		"$schema", "import", "collections", "captures", "materializations", "tests", "storageMappings")
	if !ok {
		return nil
	}
	var imports []*Import
	if p, ok := fields["import"]; ok {
		n := deref(p.val)
		if n.Kind != yaml.SequenceNode {
			d.errorf(n, "/import", "catalog.type", "", "import must be a list of file URLs, not %s", describeNode(n))
		} else {
			for i, item := range n.Content {
				ptr := pointerIndex("/import", i)
				if u := d.str(item, ptr, "an import"); u != "" {
					imports = append(imports, &Import{URL: u, Scope: d.pos(deref(item), ptr)})
				}
			}
		}
	}
	if p, ok := fields["collections"]; ok {
		for _, e := range d.entries(p.val, "/collections", "collections") {
			cat.Collections = append(cat.Collections, d.collection(e))
		}
	}
	if p, ok := fields["captures"]; ok {
		for _, e := range d.entries(p.val, "/captures", "captures") {
			cat.Captures = append(cat.Captures, d.capture(e))
		}
	}
	if p, ok := fields["materializations"]; ok {
		for _, e := range d.entries(p.val, "/materializations", "materializations") {
			cat.Materializations = append(cat.Materializations, d.materialization(e))
		}
	}
	if p, ok := fields["tests"]; ok {
		for _, e := range d.entries(p.val, "/tests", "tests") {
			cat.Tests = append(cat.Tests, d.test(e))
		}
	}
	if p, ok := fields["storageMappings"]; ok {
		for _, e := range d.entries(p.val, "/storageMappings", "storageMappings") {
			cat.StorageMappings = append(cat.StorageMappings, d.storageMapping(e))
		}
	}
	return imports
}

func (d *decoder) collection(e pair) *Collection {
	ptr := pointerJoin("/collections", e.name)
	c := &Collection{Name: e.name, Scope: d.pos(e.key, ptr)}
	what := "collection " + e.name
	f, ok := d.object(e.val, ptr, what, "schema", "writeSchema", "readSchema", "key", "projections",
		"journals", "derive", "expectPubId", "delete", "reset")
	if !ok {
		return c
	}
	d.require(f, e.val, ptr, what, "key")
	for name, dst := range map[string]**SchemaRef{"schema": &c.Schema, "writeSchema": &c.WriteSchema, "readSchema": &c.ReadSchema} {
		if p, ok := f[name]; ok {
			*dst = d.schemaRef(p.val, pointerJoin(ptr, name))
		}
	}
	if p, ok := f["key"]; ok {
		c.Key = d.strings(p.val, ptr+"/key", "a collection key")
	}
	if p, ok := f["projections"]; ok {
		for _, e := range d.entries(p.val, ptr+"/projections", "projections") {
			c.Projections = append(c.Projections, d.projection(e, ptr+"/projections"))
		}
	}
	if p, ok := f["journals"]; ok {
		c.Journals = d.journals(p.val, ptr+"/journals")
	}
	if p, ok := f["derive"]; ok {
		c.Derive = d.derivation(p.val, ptr+"/derive")
	}
	if p, ok := f["expectPubId"]; ok {
		c.ExpectPubID = d.str(p.val, ptr+"/expectPubId", "expectPubId")
	}
	if p, ok := f["delete"]; ok {
		c.Delete = d.boolean(p.val, ptr+"/delete", "delete")
	}
	if p, ok := f["reset"]; ok {
		c.Reset = d.boolean(p.val, ptr+"/reset", "reset")
	}
	return c
}

// schemaRef reads a schema given inline or as a URL.
func (d *decoder) schemaRef(n *yaml.Node, ptr string) *SchemaRef {
	n = deref(n)
	ref := &SchemaRef{Scope: d.pos(n, ptr)}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" {
		ref.URL = n.Value // made absolute by the loader
		d.schemas = append(d.schemas, ref)
		return ref
	}
	ref.IsInline = true
	ref.URL = inlineSchemaURL(d.res.URL, ptr)
	d.schemas = append(d.schemas, ref)
	// Schemas don't apply YAML merge keys: $ref is their way to share.
	v, err := newConverter(false).value(n)
	if err != nil {
		d.reportValueError(err, n, ptr)
	}
	ref.Inline = v
	return ref
}

func (d *decoder) projection(e pair, parent string) *Projection {
	ptr := pointerJoin(parent, e.name)
	p := &Projection{Field: e.name, Scope: d.pos(e.key, ptr)}
	n := deref(e.val)
	if n.Kind == yaml.ScalarNode {
		p.Location = d.str(n, ptr, "projection "+e.name)
		return p
	}
	f, ok := d.object(n, ptr, "projection "+e.name, "location", "partition")
	if !ok {
		return p
	}
	d.require(f, n, ptr, "projection "+e.name, "location")
	if l, ok := f["location"]; ok {
		p.Location = d.str(l.val, ptr+"/location", "a projection location")
	}
	if part, ok := f["partition"]; ok {
		p.Partition = d.boolean(part.val, ptr+"/partition", "partition")
	}
	return p
}

func (d *decoder) journals(n *yaml.Node, ptr string) *Journals {
	j := &Journals{}
	f, ok := d.object(n, ptr, "journals", "fragments")
	if !ok {
		return j
	}
	fp, ok := f["fragments"]
	if !ok {
		return j
	}
	ptr += "/fragments"
	frag, ok := d.object(fp.val, ptr, "fragments", "length", "compressionCodec", "retention", "flushInterval")
	if !ok {
		return j
	}
	if p, ok := frag["length"]; ok {
		l := d.uint32(p.val, ptr+"/length", "fragment length")
		if l != 0 && (l < 32 || l > 4096) {
			d.errorf(deref(p.val), ptr+"/length", "collection.fragment-length", "fragment length is in MB, from 32 to 4096",
				"fragment length %d is out of range", l)
		}
		j.Fragments.Length = int(l)
	}
	if p, ok := frag["compressionCodec"]; ok {
		j.Fragments.CompressionCodec = d.enum(p.val, ptr+"/compressionCodec", "compressionCodec",
			"NONE", "GZIP", "ZSTANDARD", "SNAPPY", "GZIP_OFFLOAD_DECOMPRESSION")
	}
	if p, ok := frag["retention"]; ok {
		j.Fragments.Retention = d.duration(p.val, ptr+"/retention", "retention")
	}
	if p, ok := frag["flushInterval"]; ok {
		j.Fragments.FlushInterval = d.duration(p.val, ptr+"/flushInterval", "flushInterval")
	}
	return j
}

func (d *decoder) shards(n *yaml.Node, ptr string) *ShardTemplate {
	s := &ShardTemplate{}
	f, ok := d.object(n, ptr, "shards", "disable", "minTxnDuration", "maxTxnDuration", "hotStandbys",
		"ringBufferSize", "readChannelSize", "logLevel")
	if !ok {
		return s
	}
	if p, ok := f["disable"]; ok {
		s.Disable = d.boolean(p.val, ptr+"/disable", "disable")
	}
	if p, ok := f["minTxnDuration"]; ok {
		s.MinTxnDuration = d.duration(p.val, ptr+"/minTxnDuration", "minTxnDuration")
	}
	if p, ok := f["maxTxnDuration"]; ok {
		s.MaxTxnDuration = d.duration(p.val, ptr+"/maxTxnDuration", "maxTxnDuration")
	}
	if p, ok := f["hotStandbys"]; ok {
		s.HotStandbys = d.uint32(p.val, ptr+"/hotStandbys", "hotStandbys")
	}
	if p, ok := f["ringBufferSize"]; ok {
		s.RingBufferSize = d.uint32(p.val, ptr+"/ringBufferSize", "ringBufferSize")
	}
	if p, ok := f["readChannelSize"]; ok {
		s.ReadChannelSize = d.uint32(p.val, ptr+"/readChannelSize", "readChannelSize")
	}
	if p, ok := f["logLevel"]; ok {
		s.LogLevel = d.enum(p.val, ptr+"/logLevel", "logLevel", "error", "warn", "info", "debug", "trace")
	}
	return s
}

// inlineSchemaURL names an inline schema by its catalog file and pointer. Flow's current builds use
// the pointer as fragment; the schema index needs a resource URL without one, so this is the
// `?ptr=` form of Flow's older builds, which resolves relative $refs identically.
func inlineSchemaURL(file, ptr string) string {
	u, err := url.Parse(file)
	if err != nil {
		return file + "?ptr=" + url.QueryEscape(ptr)
	}
	u.RawQuery = "ptr=" + url.QueryEscape(ptr)
	return u.String()
}
